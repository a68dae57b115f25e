import { z } from "zod";

/** RFC 3339 timestamps as the contract requires: a date, a time and an offset ("Z" or ±hh:mm). */
export const timestampSchema = z.iso.datetime({ offset: true, message: "must be an RFC 3339 timestamp with a time zone" });

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
