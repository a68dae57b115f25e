import { z } from "zod";

/** GET /api/v1/notifications */
export const notificationsQuerySchema = z.strictObject({
  limit: z.coerce
    .number({ message: "must be an integer from 1 to 100" })
    .int("must be an integer from 1 to 100")
    .min(1, "must be an integer from 1 to 100")
    .max(100, "must be an integer from 1 to 100")
    .default(20),
  unread: z.enum(["true", "false"], { message: 'must be "true" or "false"' }).default("false"),
});
export type NotificationsQuery = z.output<typeof notificationsQuerySchema>;

/** POST /api/v1/notifications/read: some ids, or `all: true`. */
export const markReadSchema = z
  .strictObject({
    ids: z.array(z.uuid({ message: "must be a notification id" })).min(1, "must name at least one notification").max(500, "at most 500 ids at once").optional(),
    all: z.literal(true, { message: "must be true (or leave it out and send ids)" }).optional(),
  })
  .refine((body) => (body.ids === undefined) !== (body.all === undefined), { message: "send either ids or all: true", path: ["ids"] });
export type MarkReadInput = z.output<typeof markReadSchema>;

export const NOTIFICATION_KINDS = ["alert", "burst_requested", "burst_approved", "burst_rejected", "test", "digest", "cap_hit"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

const notificationSchema = z.object({
  id: z.uuid(),
  kind: z.enum(NOTIFICATION_KINDS),
  team: z.string().nullable(),
  title: z.string(),
  message: z.string(),
  link: z.string().nullable(),
  created_at: z.iso.datetime(),
  read: z.boolean(),
});

/** The answers, for the client and the docs. */
export const notificationPageSchema = z.object({ notifications: z.array(notificationSchema), unread_count: z.number().int() });
export const badgesSchema = z.object({ unread_notifications: z.number().int(), pending_burst_requests: z.number().int().nullable() });
export type NotificationItem = z.output<typeof notificationSchema>;
export type NotificationPageJson = z.output<typeof notificationPageSchema>;
export type BadgesJson = z.output<typeof badgesSchema>;
