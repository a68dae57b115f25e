import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createPayloadScanner,
  DROPPED_PAYLOAD_KEYS,
  LitellmBodyError,
  type PayloadScannerOptions,
  type ScannedBody,
} from "@/lib/ingestion/litellm-body";

const enc = new TextEncoder();

/** Feeds `body` in chunks of the given sizes (cycled), so splits land everywhere. */
function scanBody(
  body: string | Uint8Array,
  sizes: readonly number[] = [body.length],
  options?: PayloadScannerOptions,
): ScannedBody {
  const bytes = typeof body === "string" ? enc.encode(body) : body;
  const scanner = createPayloadScanner(options);
  let pos = 0;
  for (let k = 0; pos < bytes.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length] ?? 1);
    scanner.write(bytes.subarray(pos, pos + size));
    pos += size;
  }
  return scanner.end();
}

function scanError(
  body: string | Uint8Array,
  sizes?: readonly number[],
  options?: PayloadScannerOptions,
): LitellmBodyError {
  try {
    scanBody(body, sizes, options);
  } catch (err) {
    expect(err).toBeInstanceOf(LitellmBodyError);
    return err as LitellmBodyError;
  }
  throw new Error("expected a LitellmBodyError");
}

const values = (result: ScannedBody): unknown[] => result.items.map((item) => item.value);

/** What the scanner should give for a payload: top-level dropped keys null, the rest as JSON round-trips it. */
function expectedPayload(payload: Record<string, unknown>): unknown {
  const kept = Object.entries(payload).map(([k, v]) => [k, DROPPED_PAYLOAD_KEYS.has(k) ? null : v]);
  return JSON.parse(JSON.stringify(Object.fromEntries(kept)));
}

const first = {
  id: "chatcmpl-1",
  model: "gpt-4o",
  messages: [{ role: "user", content: 'say "hi" \\ 😀' }],
  response: { choices: [{ message: { content: "hi" } }] },
  model_parameters: { temperature: 0.2, stop: ["]", "}"] },
  metadata: { messages: ["kept: not at payload level"], user_api_key_team_id: "team-a" },
  prompt_tokens: 12,
  completion_tokens: 3,
};
const second = { id: "chatcmpl-2", model: "claude", messages: "a string this time", response: null, ok: true };

describe("body forms", () => {
  const expected = [expectedPayload(first), expectedPayload(second)];

  it("gives the same values for a JSON array, NDJSON and single objects", () => {
    const array = scanBody(JSON.stringify([first, second], null, 2));
    expect(array.form).toBe("json_array");
    expect(values(array)).toEqual(expected);

    const ndjson = scanBody(`\n${JSON.stringify(first)}\r\n\n${JSON.stringify(second)}\n`);
    expect(ndjson.form).toBe("ndjson");
    expect(ndjson.items).toEqual([
      { line: 2, value: expected[0] },
      { line: 4, value: expected[1] },
    ]);

    const one = scanBody(JSON.stringify(first, null, 2));
    expect(one.form).toBe("object");
    expect(values(one)).toEqual([expected[0]]);

    const forced = scanBody(JSON.stringify(first), undefined, { ndjson: true });
    expect(forced).toMatchObject({ form: "ndjson", items: [{ line: 1, value: expected[0] }] });
  });

  it("replaces only payload-level dropped values by null", () => {
    const [value] = values(scanBody(JSON.stringify([first])));
    expect(value).toMatchObject({ messages: null, response: null, model_parameters: null });
    expect(value).toMatchObject({ metadata: { messages: ["kept: not at payload level"] } });
  });

  it("matches keys on raw bytes only: an escaped key is kept", () => {
    const [value] = values(scanBody('{"m\\u0065ssages":[1],"messages ":2,"Messages":3}'));
    expect(value).toEqual({ messages: [1], "messages ": 2, Messages: 3 });
  });

  it("survives a split at every byte offset", () => {
    const bodies = [
      JSON.stringify([first, second]),
      `${JSON.stringify(first)}\r\n${JSON.stringify(second)}`,
      JSON.stringify(first, null, 1),
    ];
    for (const body of bodies) {
      const whole = scanBody(body);
      const bytes = enc.encode(body);
      for (let cut = 1; cut < bytes.length; cut++) {
        expect(scanBody(bytes, [cut, bytes.length])).toEqual(whole);
      }
    }
  });
});

// Strings that stress the scanner: quotes, backslashes, escapes, brackets, newlines, non-ASCII and emoji.
const nastyString = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({
    unit: fc.constantFrom('"', "\\", "[", "]", "{", "}", ",", ":", "\n", "\u0000", "é", "😀", "\u2028", "a"),
  }),
  fc.constantFrom('\\"', '"\\', "\\", "\\\\", "\\u0022", "messages", "😀😀", "\ud83d"),
);
const droppedValue = fc.oneof(
  fc.jsonValue(),
  nastyString,
  fc.array(fc.record({ role: fc.constantFrom("user", "assistant"), content: nastyString })),
  fc.dictionary(nastyString, fc.oneof(nastyString, fc.jsonValue()), { maxKeys: 4 }),
);
const otherValue = fc.oneof(
  fc.jsonValue(),
  nastyString,
  fc.record({ messages: fc.jsonValue(), response: nastyString }), // nested: must be kept
);
const payload = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom(...DROPPED_PAYLOAD_KEYS), droppedValue),
      fc.tuple(fc.oneof(fc.string(), nastyString, fc.constant("metadata")), otherValue),
    ),
    { maxLength: 8 },
  )
  .map((entries) => Object.fromEntries(entries) as Record<string, unknown>);

const chunkSizes = fc.oneof(
  fc.constant([1]), // every byte its own chunk
  fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
);

describe("property: any split of any body", () => {
  it("gives back the payloads with dropped values as null, in every form", () => {
    fc.assert(
      fc.property(
        fc.array(payload, { minLength: 1, maxLength: 4 }),
        fc.constantFrom("json_array", "ndjson", "object"),
        fc.boolean(),
        chunkSizes,
        (payloads, form, pretty, sizes) => {
          const expected = payloads.map(expectedPayload);
          const space = pretty ? 2 : undefined;
          if (form === "json_array") {
            const result = scanBody(JSON.stringify(payloads, null, space), sizes);
            expect(result.form).toBe("json_array");
            expect(values(result)).toEqual(expected);
          } else if (form === "ndjson") {
            const newline = pretty ? "\r\n\n" : "\n";
            const body = payloads.map((p) => JSON.stringify(p)).join(newline) + newline;
            const result = scanBody(body, sizes, { ndjson: payloads.length === 1 });
            expect(result.form).toBe("ndjson");
            expect(result.items.map((item) => item.error)).toEqual(payloads.map(() => undefined));
            expect(values(result)).toEqual(expected);
          } else {
            const result = scanBody(` ${JSON.stringify(payloads[0], null, space)}\n`, sizes);
            expect(result.form).toBe("object");
            expect(values(result)).toEqual(expected.slice(0, 1));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never throws anything but LitellmBodyError, whatever the bytes", () => {
    const mutated = fc
      .tuple(
        fc.array(payload, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))),
      )
      .map(([payloads, edits]) => {
        const bytes = enc.encode(JSON.stringify(payloads));
        for (const [at, b] of edits) bytes[at % bytes.length] = b;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array(), mutated), chunkSizes, fc.boolean(), (bytes, sizes, ndjson) => {
        try {
          scanBody(bytes, sizes, { ndjson });
        } catch (err) {
          expect(err).toBeInstanceOf(LitellmBodyError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("errors", () => {
  it("refuses an unterminated string inside a dropped value", () => {
    expect(scanError('[{"id":1,"messages":["never closed]}]').message).toMatch(/inside a string/);
    expect(scanError('{"messages":"abc\\"}').message).toMatch(/inside a string/);
  });

  it("refuses mismatched brackets, even in a dropped value", () => {
    expect(scanError('[{"messages":[{"a":1]}]}]').message).toMatch(/mismatched '\]'/);
    expect(scanError('[{"id":1]]').message).toMatch(/mismatched '\]'/);
    expect(scanError('[{"messages":[1,,2]}]').message).toMatch(/unexpected ','/);
  });

  it("refuses a truncated array", () => {
    const err = scanError('[{"id":1},{"messages":[1,2');
    expect(err.message).toMatch(/truncated/);
    expect(scanError("[").message).toMatch(/truncated/);
  });

  it("refuses trailing garbage", () => {
    expect(scanError('[{"id":1}] x').message).toMatch(/after the JSON value/);
    expect(scanError('{"id":1}}').message).toMatch(/unexpected '}'/);
    expect(scanError('{"id":1} {"id":2}').message).toMatch(/after the JSON value/);
  });

  it("refuses an empty body and one that is neither array nor object", () => {
    expect(scanError("").message).toBe("empty body");
    expect(scanError(" \r\n\n\t").message).toBe("empty body");
    expect(scanError('"text"').message).toMatch(/must be a JSON array/);
  });

  it("refuses kept text that JSON.parse rejects", () => {
    expect(scanError('{"id":tru}').message).toMatch(/malformed/);
    expect(scanError('{"id":"\\x"}').message).toMatch(/malformed/);
  });

  it("refuses more than maxItems payloads", () => {
    const body = JSON.stringify(Array.from({ length: 1001 }, (_, id) => ({ id })));
    expect(scanError(body).message).toBe("at most 1000 payloads");
    expect(scanBody(JSON.stringify(Array.from({ length: 1000 }, (_, id) => ({ id })))).items).toHaveLength(1000);
    const lines = Array.from({ length: 4 }, (_, id) => JSON.stringify({ id })).join("\n");
    expect(scanError(lines, undefined, { maxItems: 3 }).message).toBe("at most 3 payloads");
  });

  it("refuses nesting deeper than maxDepth, kept or dropped", () => {
    const nest = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
    // The payload object is level 2 under the outer array, so `levels` more arrays make levels + 2.
    expect(values(scanBody(`[{"x":${nest(62)}}]`))).toHaveLength(1);
    expect(scanError(`[{"x":${nest(63)}}]`).message).toMatch(/nesting deeper than 64/);
    expect(scanError(`[{"messages":${nest(63)}}]`).message).toMatch(/nesting deeper than 64/);
    expect(scanError(`{"messages":${nest(64)}}`).message).toMatch(/nesting deeper than 64/);
    // A deep line is a line error in NDJSON.
    const result = scanBody(`{"a":1}\n{"messages":${nest(64)}}\n{"a":3}`);
    expect(result.items[1]).toMatchObject({ line: 2, error: expect.stringMatching(/nesting deeper than 64/) });
    expect(values(result)).toEqual([{ a: 1 }, undefined, { a: 3 }]);
  });

  it("reports a bad NDJSON line and still parses the others", () => {
    const body = '{"id":1,"messages":[1]}\n{"id":2,"messages":[1}\n{"id":3}\n{"id":tru}\n\n{"id":5}';
    const result = scanBody(body);
    expect(result.form).toBe("ndjson");
    expect(result.items).toEqual([
      { line: 1, value: { id: 1, messages: null } },
      { line: 2, error: expect.stringMatching(/mismatched '}'/) },
      { line: 3, value: { id: 3 } },
      { line: 4, error: "malformed string, number or literal" },
      { line: 6, value: { id: 5 } },
    ]);
  });

  it("treats a raw newline inside an NDJSON string as a broken line", () => {
    const result = scanBody('{"id":1}\n{"id":2,"messages":"a\nb"}\n{"id":3}\n');
    expect(result.items[0]).toEqual({ line: 1, value: { id: 1 } });
    expect(result.items[1]).toEqual({ line: 2, error: expect.stringMatching(/line ends inside a string/) });
    expect(result.items.at(-1)).toEqual({ line: 4, value: { id: 3 } });
    expect(result.items.slice(1).every((item) => item.value === undefined || item.line === 4)).toBe(true);
  });

  it("keeps failing after the first error", () => {
    const scanner = createPayloadScanner();
    expect(() => scanner.write(enc.encode("]"))).toThrow(LitellmBodyError);
    expect(() => scanner.write(enc.encode("[]"))).toThrow(LitellmBodyError);
    expect(() => scanner.end()).toThrow(LitellmBodyError);
  });
});

describe("size and speed", () => {
  it("keeps only the small part of a 20 MB body of 200 KB transcripts", () => {
    const turn = 'Line one of a long answer, with "quotes", a \\ backslash, accents éü and 😀.\n';
    const content = turn.repeat(Math.ceil(4096 / turn.length)).slice(0, 4096);
    const messages = Array.from({ length: 50 }, () => content); // ~200 KB of strings per payload
    const payloads = Array.from({ length: 100 }, (_, i) => ({
      id: `chatcmpl-${i}`,
      model: "gpt-4o",
      messages,
      response: { choices: [{ message: { role: "assistant", content } }] },
      model_parameters: { temperature: 0.7, max_tokens: 1024 },
      metadata: { user_api_key_team_id: "team-a" },
      prompt_tokens: 51_200,
      completion_tokens: 1_024,
    }));
    const body = enc.encode(JSON.stringify(payloads));
    expect(body.length).toBeGreaterThan(20_000_000);

    const started = performance.now();
    const result = scanBody(body, [64 * 1024]);
    const seconds = (performance.now() - started) / 1000;

    expect(result.items).toHaveLength(100);
    expect(result.keptBytes).toBeLessThan(100_000);
    expect(result.items[99]?.value).toMatchObject({ id: "chatcmpl-99", messages: null, response: null });
    console.log(
      `litellm-body: ${(body.length / 1e6).toFixed(1)} MB scanned in ${(seconds * 1000).toFixed(0)} ms = ` +
        `${(body.length / 1e6 / seconds).toFixed(0)} MB/s; kept ${result.keptBytes} bytes`,
    );
  });
});
