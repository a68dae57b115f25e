import { DAY_MS, HOUR_MS, startOfUtcHour } from "@/lib/time";
import { MODELS, type DemoModel } from "./catalog";
import { ENVIRONMENTS, FEATURES, LAUNCH_TENANT, TENANTS, endUsersByTenant, type FeatureSpec } from "./company";
import { mixSeed, WeightedPicker } from "./random";
import { growth, incidentsBefore, rhythm, type Incidents } from "./traffic";

/**
 * Everything about a demo dataset that does not change from day to day, worked out once:
 * the window, per-feature pickers and the traffic normalisation that makes the total
 * come out at about `eventsPerDay` events per day.
 */

export interface DemoOptions {
  days: number;
  eventsPerDay: number;
  seed: number;
  endDate?: Date;
}

/** Failure model shared by the generator and the volume normalisation. */
export const RETRY_RATE = 0.03;
export const SECOND_FAILURE_RATE = 0.15;
export const GIVE_UP_RATE = 0.003;
export const UNTAGGED_RATE = 0.015;

export interface PlannedFeature {
  spec: FeatureSpec;
  models: WeightedPicker<DemoModel>;
  /** Chat calls per trace (the embedding call of retrieval features comes on top). */
  chatCalls: WeightedPicker<number>;
  /** Expected traces in an hour before rhythm, growth and incidents are applied. */
  tracesPerHour: number;
  /** When each prompt version starts rolling out (epoch ms), same order as spec.versions. */
  versionStarts: number[];
}

export interface DemoPlan {
  seed: number;
  days: number;
  eventsPerDay: number;
  startMs: number;
  endMs: number;
  incidents: Incidents;
  features: PlannedFeature[];
  tenants: WeightedPicker<string>;
  /** During the launch the launching tenant sends several times its usual share. */
  launchTenants: WeightedPicker<string>;
  endUsers: Map<string, string[]>;
  environments: WeightedPicker<string>;
  /** First 8 hex digits of every trace id of this seed. */
  traceIdPrefix: string;
}

function expectedEventsPerTrace(spec: FeatureSpec): number {
  const weights = spec.callsPerTrace;
  const total = weights.reduce((a, b) => a + b, 0);
  const meanChat = weights.reduce((sum, w, i) => sum + w * (i + 1), 0) / total;
  const perCall = 1 + RETRY_RATE * (1 + SECOND_FAILURE_RATE);
  const calls = (meanChat + (spec.embedFirst ? 1 : 0)) * perCall;
  const cached = spec.responseCache ?? 0;
  return cached + (1 - cached) * calls;
}

export function defaultEndDate(now = new Date()): Date {
  return startOfUtcHour(now);
}

export function planDemo(options: DemoOptions): DemoPlan {
  const { days, eventsPerDay, seed } = options;
  if (!Number.isInteger(days) || days <= 0) throw new RangeError("days must be a positive integer");
  if (!Number.isInteger(eventsPerDay) || eventsPerDay <= 0) throw new RangeError("eventsPerDay must be a positive integer");
  if (!Number.isSafeInteger(seed)) throw new RangeError("seed must be an integer");
  const endMs = (options.endDate ?? defaultEndDate()).getTime();
  if (!Number.isFinite(endMs)) throw new RangeError("endDate is not a valid date");
  const startMs = endMs - days * DAY_MS;
  const hours = days * 24;

  const features = FEATURES.map((spec): PlannedFeature => {
    // Mean of rhythm x growth over the window, so the feature's share holds on average.
    let sum = 0;
    for (let h = 0; h < hours; h++) {
      const at = startMs + h * HOUR_MS;
      sum += rhythm(spec.profile, at) * growth(at, endMs);
    }
    const norm = sum / hours;
    const callsPerHour = (eventsPerDay / 24) * spec.share;
    return {
      spec,
      models: new WeightedPicker(
        spec.models.map(([key]) => MODELS[key]),
        spec.models.map(([, weight]) => weight),
      ),
      chatCalls: new WeightedPicker(
        spec.callsPerTrace.map((_, i) => i + 1),
        spec.callsPerTrace,
      ),
      tracesPerHour: callsPerHour / norm / expectedEventsPerTrace(spec),
      versionStarts: spec.versions.map((v) => startMs + Math.round(v.from * (endMs - startMs))),
    };
  });

  const tenantNames = TENANTS.map(([name]) => name);
  return {
    seed,
    days,
    eventsPerDay,
    startMs,
    endMs,
    incidents: incidentsBefore(endMs),
    features,
    tenants: new WeightedPicker(tenantNames, TENANTS.map(([, w]) => w)),
    launchTenants: new WeightedPicker(
      tenantNames,
      TENANTS.map(([name, w]) => (name === LAUNCH_TENANT ? w * 4 : w)),
    ),
    endUsers: endUsersByTenant(),
    environments: new WeightedPicker(
      ENVIRONMENTS.map(([name]) => name),
      ENVIRONMENTS.map(([, w]) => w),
    ),
    traceIdPrefix: mixSeed(seed).toString(16).padStart(8, "0"),
  };
}
