import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/**
 * A stub of OpenAI's and Anthropic's admin APIs on 127.0.0.1 (the outbound guard must list
 * it: BURNRATE_OUTBOUND_ALLOW=127.0.0.1/32), answering with the recorded shapes in
 * tests/fixtures/reconciliation: usage in two pages for each provider, costs in one. Keys are
 * checked the providers' way (Bearer for OpenAI; x-api-key and anthropic-version for
 * Anthropic); a wrong key is a 401. `failFirst`: Anthropic's usage answers 429 with
 * retry-after once, its cost report 500 once.
 */

const FIXTURES = path.resolve("tests/fixtures/reconciliation");
export const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  status: number;
}

export interface ProviderStub {
  url: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

export function startProviderStub(options: { openaiKey: string; anthropicKey: string; failFirst?: boolean }): Promise<ProviderStub> {
  const requests: RecordedRequest[] = [];
  const failNext = new Map<string, number>(
    options.failFirst
      ? [
          ["/v1/organizations/usage_report/messages", 429],
          ["/v1/organizations/cost_report", 500],
        ]
      : [],
  );
  const pages = (first: string, second: string, page: string | null) => {
    const next = (JSON.parse(fixture(first)) as { next_page: string }).next_page;
    return page === null ? fixture(first) : page === next ? fixture(second) : "{}";
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers, status });
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(body);
    };
    const anthropic = url.pathname.startsWith("/v1/organizations/");
    const authorized = anthropic
      ? req.headers["x-api-key"] === options.anthropicKey && req.headers["anthropic-version"] === "2023-06-01"
      : req.headers.authorization === `Bearer ${options.openaiKey}`;
    if (!authorized) {
      return answer(
        401,
        anthropic
          ? '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}'
          : '{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}',
      );
    }
    const failure = failNext.get(url.pathname);
    if (failure) {
      failNext.delete(url.pathname);
      return failure === 429
        ? answer(429, fixture("anthropic-error-429.json"), { "retry-after": "0" })
        : answer(500, '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}');
    }
    const page = url.searchParams.get("page");
    switch (url.pathname) {
      case "/v1/organizations/usage_report/messages":
        return answer(200, pages("anthropic-usage-messages-page1.json", "anthropic-usage-messages-page2.json", page));
      case "/v1/organizations/cost_report":
        return answer(200, fixture("anthropic-cost-report.json"));
      case "/v1/organization/usage/completions":
        return answer(200, pages("openai-usage-completions-page1.json", "openai-usage-completions-page2.json", page));
      case "/v1/organization/costs":
        return answer(200, fixture("openai-costs.json"));
      default:
        return answer(404, '{"error":{"message":"not found"}}');
    }
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}
