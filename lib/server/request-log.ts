import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { REQUEST_ID_HEADER } from "./request-context";

/**
 * One log line per request once it is over: id, method, path (never the query string, which
 * may carry filters users consider private), status, duration and client address.
 * Server errors are logged at "error", client errors at "warn", the rest at `level`; a
 * request the client gave up on is logged with `aborted: true`.
 */
export function logRequest(log: Logger, request: IncomingMessage, response: ServerResponse, level: "info" | "debug" = "info"): void {
  const started = process.hrtime.bigint();
  response.once("close", () => {
    const status = response.statusCode;
    const aborted = !response.writableFinished;
    const at = status >= 500 ? "error" : status >= 400 ? "warn" : level;
    if (!log.isLevelEnabled(at)) return;
    const url = request.url ?? "";
    const query = url.indexOf("?");
    log[at](
      {
        req_id: request.headers[REQUEST_ID_HEADER],
        method: request.method,
        path: query === -1 ? url : url.slice(0, query),
        status,
        duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 10_000) / 100,
        client_ip: request.headers["x-burnrate-client-ip"],
        ...(aborted ? { aborted: true } : {}),
      },
      "request",
    );
  });
}
