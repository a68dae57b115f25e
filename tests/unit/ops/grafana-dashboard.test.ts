import { readFileSync } from "node:fs";
import path from "node:path";
import { collectDefaultMetrics, Registry } from "prom-client";
import { beforeAll, describe, expect, it } from "vitest";
import { METRIC_PREFIX, metrics } from "@/lib/ops/metrics";

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  panels: Panel[];
  templating: { list: { name: string; query: { query: string }; datasource: { uid: string } }[] };
  uid: string;
  title: string;
}

const dashboard = JSON.parse(readFileSync(path.resolve("docs/grafana-dashboard.json"), "utf8")) as Dashboard;
const graphs = dashboard.panels.filter((panel) => panel.type !== "row");
const DATASOURCE = { type: "prometheus", uid: "${DS_PROMETHEUS}" };

/** The metric names in a PromQL expression (a histogram's series by its own name). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bburnrate_[a-z0-9_]+/g)].map((match) => match[0]);
}

let registered: Map<string, string>;
let ownMetrics: string[];

beforeAll(async () => {
  const json = await metrics().registry.getMetricsAsJSON();
  registered = new Map(json.map((metric) => [metric.name, String(metric.type)]));
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults, prefix: METRIC_PREFIX });
  const defaultNames = new Set((await defaults.getMetricsAsJSON()).map((metric) => metric.name));
  ownMetrics = [...registered.keys()].filter((name) => !defaultNames.has(name));
});

/** A series name as exposed → the registered metric it belongs to (histograms expose _bucket, _sum, _count). */
function registeredMetricOf(series: string): string | undefined {
  if (registered.has(series)) return series;
  const base = series.replace(/_(bucket|sum|count)$/, "");
  return registered.get(base) === "histogram" ? base : undefined;
}

describe("docs/grafana-dashboard.json", () => {
  it("is an importable dashboard asking for a Prometheus datasource", () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" })]);
    expect(dashboard.uid).toBe("burnrate-ops");
    expect(graphs.length).toBeGreaterThanOrEqual(14);
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
  });

  it("queries only through the datasource input, in every panel and target", () => {
    for (const panel of graphs) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource, `${panel.title} ${target.refId}`).toEqual(DATASOURCE);
    }
    for (const variable of dashboard.templating.list) expect(variable.datasource).toEqual(DATASOURCE);
  });

  it("references, in every expression, only metrics that lib/ops/metrics.ts registers", () => {
    const unknown: string[] = [];
    for (const panel of graphs) {
      for (const target of panel.targets ?? []) {
        const names = metricsIn(target.expr);
        expect(names.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const name of names) if (!registeredMetricOf(name)) unknown.push(`${panel.title}: ${name}`);
      }
    }
    for (const variable of dashboard.templating.list) {
      for (const name of metricsIn(variable.query.query)) if (!registeredMetricOf(name)) unknown.push(`$${variable.name}: ${name}`);
    }
    expect(unknown).toEqual([]);
  });

  it("has a panel for every Burnrate metric", () => {
    const shown = new Set(graphs.flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricsIn(target.expr).map(registeredMetricOf))));
    expect(ownMetrics.length).toBe(15);
    expect(ownMetrics.filter((name) => !shown.has(name))).toEqual([]);
  });

  it("lays panels out on the 24-column grid without overlaps", () => {
    for (const panel of dashboard.panels) expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      for (let column = x; column < x + w; column++) {
        for (let line = y; line < y + h; line++) {
          const cell = `${column},${line}`;
          expect(cells.has(cell), `${panel.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });
});
