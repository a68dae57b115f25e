import { z } from "zod";
import { itemTimestampSchema, tagsSchema } from "@/lib/schemas/common";

/** The contract's business outcome (POST /api/v1/outcomes). */
export const outcomeSchema = z.object({
  id: z.string({ message: "is required (a string of 1 to 128 characters)" }).min(1, "must not be empty").max(128, "is at most 128 characters"),
  timestamp: itemTimestampSchema,
  trace_id: z.string({ message: "is required" }).min(1, "must not be empty").max(256, "is at most 256 characters"),
  type: z.string({ message: "is required" }).min(1, "must not be empty").max(128, "is at most 128 characters"),
  success: z.boolean({ message: "must be true or false" }),
  value: z.number().finite().refine((v) => Math.abs(v) < 1e18, "must be less than 1e18 in magnitude").optional(),
  tags: tagsSchema.optional(),
});

export const outcomesEnvelopeSchema = z.object({
  outcomes: z
    .array(z.unknown(), { message: "must be an array of outcomes" })
    .min(1, "must hold at least 1 outcome")
    .max(1000, "must hold at most 1000 outcomes"),
});
