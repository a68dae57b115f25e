"use client";

import { useOptimistic } from "react";
import type { ShowbackPageState } from "@/lib/schemas/pages/showback";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import type { ShowbackWindow } from "./showback-params";

type Changes = Record<string, string | undefined>;

/**
 * The Showback view as shown, and the way to change it: into the URL (the window always
 * spelled out); the controls show the change at once while the page with it loads.
 */
export function useShowbackState(state: ShowbackPageState, window: ShowbackWindow): [ShowbackPageState, (changes: Changes) => void] {
  const { replaceQuery } = useUrlNavigation();
  const [shown, show] = useOptimistic(state, (current, changes: Changes) => ({ ...current, ...changes }) as ShowbackPageState);
  return [shown, (changes) => replaceQuery({ ...state, from: window.from, to: window.to, ...changes }, () => show(changes))];
}
