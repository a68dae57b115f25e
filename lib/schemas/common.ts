import { z } from "zod";

/** RFC 3339 timestamps as the contract requires: a date, a time and an offset ("Z" or ±hh:mm). */
export const timestampSchema = z.iso.datetime({ offset: true, message: "must be an RFC 3339 timestamp with a time zone" });

/** The earliest time an event or outcome may carry (contract: security rules). */
export const EARLIEST_ITEM_TIME = new Date("2015-01-01T00:00:00Z");
/** How far ahead of the server's clock an item may be (clock skew, time zones gone wrong). */
export const ITEM_TIME_LEAD_MS = 24 * 3_600_000;

/**
 * An event's or outcome's time: RFC 3339 and between 2015-01-01 and 24 hours after the server's
 * clock. Absurd years would each create a monthly partition (year 0001 has none at all).
 */
export const itemTimestampSchema = timestampSchema.superRefine((text, ctx) => {
  const at = Date.parse(text);
  const latest = Date.now() + ITEM_TIME_LEAD_MS;
  if (Number.isNaN(at) || at < EARLIEST_ITEM_TIME.getTime() || at > latest) {
    ctx.addIssue({
      code: "custom",
      message: `must lie between 2015-01-01T00:00:00Z and 24 hours from now (${new Date(latest).toISOString()})`,
    });
  }
});

export const tokenCountSchema = z
  .number({ message: "must be an integer >= 0" })
  .int("must be an integer >= 0")
  .min(0, "must be an integer >= 0")
  .max(2_147_483_647, "must be at most 2147483647");

/** Tags: string values, at most 32 keys; the well-known ones become columns. */
export const MAX_TAGS = 32;
export const tagsSchema = z
  .record(z.string().min(1).max(64, "tag names are at most 64 characters"), z.string().max(256, "tag values are at most 256 characters"))
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, { message: `at most ${MAX_TAGS} tags` });

export const WELL_KNOWN_TAGS = ["team", "feature", "environment", "tenant", "user", "prompt_version"] as const;
