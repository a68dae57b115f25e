/**
 * The contract's error codes and their statuses, in one table. Route handlers throw
 * ApiError; withRoute turns it (and database outages) into the contract's error body.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  // An extension of the contract's codes: a Content-Type or Content-Encoding the route cannot read.
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** Seconds, for 429 and 503. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, options: { details?: ErrorDetail[]; retryAfter?: number } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = options.details ?? [];
    this.retryAfter = options.retryAfter;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function errorBody(error: ApiError): { error: { code: ErrorCode; message: string; details: ErrorDetail[] } } {
  return { error: { code: error.code, message: error.message, details: error.details } };
}

/** zod issue paths ("events", 3, "usage", "input_tokens") as the contract writes them. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join(".");
}

/**
 * A zod failure as the contract's 400 body, naming every field that is wrong — an unknown
 * field in a strict object is named by its own path ("is_admin"), not its parent's.
 */
export function invalidRequest(
  message: string,
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
): ApiError {
  return new ApiError("invalid_request", message, {
    details: issues.flatMap((issue) =>
      issue.code === "unrecognized_keys" && issue.keys?.length
        ? issue.keys.map((key) => ({ path: issuePath([...issue.path, key]), message: "is not an allowed field" }))
        : [{ path: issuePath(issue.path), message: issue.message }],
    ),
  });
}
