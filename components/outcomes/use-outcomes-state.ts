"use client";

import { useOptimistic } from "react";
import type { DayWindow } from "@/lib/view/outcomes";
import type { OutcomesPageState } from "@/lib/schemas/pages/outcomes";
import { useUrlNavigation } from "@/components/ui/url-navigation";

type Changes = Partial<Record<"from" | "to" | "type" | "feature" | "sort" | "dir", string | undefined>>;

/** The Outcomes view as shown, and the way to change it: into the URL (the window spelled out); the controls show the change at once. */
export function useOutcomesState(state: OutcomesPageState, window: DayWindow): [OutcomesPageState, (changes: Changes) => void] {
  const { replaceQuery } = useUrlNavigation();
  const [shown, show] = useOptimistic(state, (current, changes: Changes) => ({ ...current, ...changes }) as OutcomesPageState);
  return [shown, (changes) => replaceQuery({ ...state, from: window.from, to: window.to, ...changes }, () => show(changes))];
}
