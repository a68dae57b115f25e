/**
 * The browser's side of the API: JSON in and out, with the contract's error body turned
 * into an Error that keeps the field-level details for forms to show next to each field.
 */
export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiClientError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: FieldProblem[],
  ) {
    super(message);
    this.name = "ApiClientError";
  }

  /** The first problem reported for a field, for the input that owns it. */
  field(path: string): string | null {
    return this.details.find((d) => d.path === path || d.path.startsWith(`${path}.`))?.message ?? null;
  }
}

export async function apiFetch<T>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers: options.body === undefined ? {} : { "content-type": "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiClientError("Burnrate could not be reached. Check your connection and try again.", 0, "network", []);
  }
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; details?: FieldProblem[] } } | null)?.error;
    throw new ApiClientError(
      error?.message ?? `The request failed (${response.status}).`,
      response.status,
      error?.code ?? "unknown",
      error?.details ?? [],
    );
  }
  return body as T;
}
