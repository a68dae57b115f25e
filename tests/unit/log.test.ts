import { describe, expect, it } from "vitest";
import { createLogger, formatTextLine } from "@/lib/log";

function capture(format: "json" | "text" = "json") {
  const lines: string[] = [];
  const log = createLogger({ format, level: "debug", write: (line) => lines.push(line) });
  return { log, lines };
}

describe("the structured log", () => {
  it("writes one JSON object per line: ISO time, level label, msg and the fields", () => {
    const { log, lines } = capture();
    log.info({ req_id: "r-1", status: 200 }, "request");
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(record).toMatchObject({ level: "info", msg: "request", req_id: "r-1", status: 200 });
    expect(new Date(record.time as string).toISOString()).toBe(record.time);
    expect(record).not.toHaveProperty("pid");
    expect(record).not.toHaveProperty("hostname");
  });

  it("redacts credentials wherever a caller passes them", () => {
    const { log, lines } = capture();
    log.warn(
      {
        authorization: "Bearer br_secret",
        headers: { authorization: "Bearer br_secret", cookie: "burnrate.session=abc", accept: "*/*" },
        channel: { secret: "whsec", url: "https://hooks.example.com" },
        user: { password: "hunter2", email: "a@example.com" },
      },
      "careless",
    );
    const text = lines[0] as string;
    expect(text).not.toContain("br_secret");
    expect(text).not.toContain("burnrate.session=abc");
    expect(text).not.toContain("whsec");
    expect(text).not.toContain("hunter2");
    const record = JSON.parse(text) as { headers: Record<string, string>; channel: Record<string, string>; user: Record<string, string> };
    expect(record.headers).toEqual({ authorization: "[redacted]", cookie: "[redacted]", accept: "*/*" });
    expect(record.channel.url).toBe("https://hooks.example.com");
    expect(record.user.email).toBe("a@example.com");
  });

  it("serialises errors with their message and stack", () => {
    const { log, lines } = capture();
    log.error({ err: new Error("boom") }, "unhandled error");
    const record = JSON.parse(lines[0] as string) as { err: { message: string; stack: string; type: string } };
    expect(record.err).toMatchObject({ message: "boom", type: "Error" });
    expect(record.err.stack).toContain("boom");
  });

  it("text format for terminals: [burnrate] msg key=value, the level named unless info", () => {
    const { log, lines } = capture("text");
    log.info("Burnrate is ready on http://localhost:3000");
    log.warn({ status: 401, path: "/api/v1/events" }, "request");
    expect(lines).toEqual(["[burnrate] Burnrate is ready on http://localhost:3000\n", "[burnrate] WARN request status=401 path=/api/v1/events\n"]);
    expect(formatTextLine("not json")).toBe("not json");
  });
});
