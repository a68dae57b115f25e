import { previousWindow, type DayWindow } from "@/lib/view/outcomes";
import { type OutcomesPageState } from "@/lib/schemas/pages/outcomes";

/**
 * The API requests of an Outcomes view: the page prefetches exactly these on the server and
 * the panels ask for them in the browser, so both build them here.
 */
export function outcomeRequests(state: Pick<OutcomesPageState, "type" | "feature">, window: DayWindow) {
  const filters = { type: state.type, feature: state.feature };
  const before = previousWindow(window);
  return {
    /** The figures shown. */
    report: { from: window.from, to: window.to, ...filters },
    /** The filters' choices (every type): the unfiltered report, the same request as `report` when nothing is filtered. */
    options: { from: window.from, to: window.to },
    /** The window just before, for the change badges. */
    previous: { from: before.from, to: before.to, ...filters },
    /** Cost per success by feature, one request per outcome type. */
    featureCost: (type: string) => ({ from: window.from, to: window.to, type, group_by: "feature" }),
  };
}

/** The types whose features the table lists: the one filtered to, else every type of the window. */
export function tableTypes(state: Pick<OutcomesPageState, "type">, allTypes: readonly string[]): readonly string[] {
  return state.type ? [state.type] : allTypes;
}
