/** Read from the URL: the list's filters (`?state=`, `?type=`) and the alert a notification linked to (`?id=`). */
export interface AlertListParams {
  /** open (the default), acknowledged, resolved or all. */
  state: string;
  type: string;
  linkedId: string | null;
}

export function alertListParams(search: { get: (name: string) => string | null }): AlertListParams {
  return { state: search.get("state") ?? "open", type: search.get("type") ?? "", linkedId: search.get("id") };
}

/** The GET /api/v1/alerts parameters of the list: every state when "all". */
export function alertsRequest({ state, type }: Pick<AlertListParams, "state" | "type">): { state?: string; type?: string } {
  return { state: state !== "all" ? state : undefined, type: type || undefined };
}
