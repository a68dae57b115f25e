import { z } from "zod";
import { API_KEY_SCOPES, ROLES } from "@/lib/auth/permissions";
import { timestampSchema } from "@/lib/schemas/common";

/**
 * Bodies of the people-and-access API (users, teams, memberships, API keys, first-run
 * setup), shared by the route handlers, the Settings forms and docs/API.md. Every object
 * is strict: an unknown field is refused, so nobody can slip `role` or `scopes` into an
 * update that does not allow them (mass assignment).
 */

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "must be an email address" }).max(254));

export const MIN_PASSWORD_LENGTH = 12;
export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, "must be at most 256 characters");

export const roleSchema = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });
export const memberRoleSchema = z.enum(["lead", "member"], { message: "must be lead or member" });

export const teamSlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be 1-63 lowercase letters, digits, - or _, starting with a letter or digit");

const nameSchema = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");

export const setupSchema = z.strictObject({
  email: emailSchema,
  name: nameSchema.optional(),
  password: passwordSchema,
});

export const createUserSchema = z.strictObject({
  email: emailSchema,
  name: nameSchema.optional(),
  role: roleSchema,
  // Omitted: the user signs in through single sign-on only.
  password: passwordSchema.optional(),
});

export const updateUserSchema = z
  .strictObject({
    name: nameSchema.nullable().optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: "send at least one of name, role, disabled, password" });

export const createTeamSchema = z.strictObject({ slug: teamSlugSchema, name: nameSchema });
export const updateTeamSchema = z.strictObject({ name: nameSchema });

export const setMemberSchema = z.strictObject({ email: emailSchema, role: memberRoleSchema });

export const keyScopeSchema = z.enum(API_KEY_SCOPES, { message: `must be one of ${API_KEY_SCOPES.join(", ")}` });

export const createKeySchema = z.strictObject({
  name: nameSchema,
  scopes: z
    .array(keyScopeSchema)
    .min(1, "choose at least one scope")
    .transform((scopes) => [...new Set(scopes)]),
  team: teamSlugSchema.nullable().optional(),
  expires_at: timestampSchema.nullable().optional(),
});

export const auditQuerySchema = z.strictObject({
  action: z.string().max(64).optional(),
  actor: z.string().max(254).optional(),
  target_type: z.string().max(64).optional(),
  from: z.iso.date().or(timestampSchema).optional(),
  to: z.iso.date().or(timestampSchema).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  format: z.enum(["json", "csv"]).default("json"),
});

export type SetupInput = z.infer<typeof setupSchema>;
export type CreateUserInput = z.infer<typeof createUserSchema>;
export type UpdateUserInput = z.infer<typeof updateUserSchema>;
export type CreateTeamInput = z.infer<typeof createTeamSchema>;
export type SetMemberInput = z.infer<typeof setMemberSchema>;
export type CreateKeyInput = z.infer<typeof createKeySchema>;
export type AuditQuery = z.infer<typeof auditQuerySchema>;
