import { z } from "zod";
import { parseAllowList } from "@/lib/ops/allow-list";

/** Settings read from the environment; documented in README's configuration table. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  // Reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed; empty: the socket's address is the client's.
  BURNRATE_TRUSTED_PROXIES: z
    .string()
    .superRefine((list, context) => {
      try {
        parseAllowList(list);
      } catch (error) {
        context.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
      }
    })
    .default(""),
  // Password checks (scrypt) per second for the whole process, and the burst above it; more answer 429.
  BURNRATE_SIGN_IN_RATE_PER_SECOND: z.coerce.number().positive().default(10),
  BURNRATE_SIGN_IN_BURST: z.coerce.number().min(1).default(20),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  // A streaming replica of DATABASE_URL for the dashboards' and reports' reads (lib/db/read-routing.ts); unset: everything reads the primary.
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  BURNRATE_DATA_DIR: z.string().min(1).default(".data"),
  BURNRATE_DEMO: z.enum(["0", "1"]).default("1"),
  BURNRATE_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // Requests per second per API key, and the burst allowed above it.
  BURNRATE_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(50),
  BURNRATE_RATE_LIMIT_BURST: z.coerce.number().positive().default(100),
  // Optional single sign-on (OpenID Connect): all three or none.
  BURNRATE_OIDC_ISSUER: z.url().optional(),
  BURNRATE_OIDC_CLIENT_ID: z.string().min(1).optional(),
  BURNRATE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  BURNRATE_OIDC_NAME: z.string().min(1).default("Single sign-on"),
  // Role of a user created by their first SSO sign-in; "none" refuses unknown users.
  BURNRATE_OIDC_DEFAULT_ROLE: z.enum(["none", "viewer", "team_lead", "finance", "admin"]).default("viewer"),
  // Addresses (IPs or CIDRs, comma-separated) that may scrape GET /api/metrics without a key.
  // Empty by default: behind a reverse proxy on the same host every client would be 127.0.0.1.
  BURNRATE_METRICS_ALLOW: z.string().default(""),
  // Loopback/private destinations (CIDRs or host names, comma-separated) that user-configured
  // outbound URLs (webhooks, Slack) may reach; parsed by lib/http/outbound.ts. Link-local and metadata never.
  BURNRATE_OUTBOUND_ALLOW: z.string().default(""),
  // Months of raw events kept (whole monthly partitions dropped past it); 0 keeps them all. Rollups stay.
  BURNRATE_RETENTION_MONTHS: z.coerce.number().int().min(0).max(1200).default(0),
  // Structured logs: level, and json (one object per line) or text (for a terminal).
  BURNRATE_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  BURNRATE_LOG_FORMAT: z.enum(["json", "text"]).optional(),
}).refine(
  (env) => [env.BURNRATE_OIDC_ISSUER, env.BURNRATE_OIDC_CLIENT_ID, env.BURNRATE_OIDC_CLIENT_SECRET].every((v) => v === undefined) ||
    [env.BURNRATE_OIDC_ISSUER, env.BURNRATE_OIDC_CLIENT_ID, env.BURNRATE_OIDC_CLIENT_SECRET].every((v) => v !== undefined),
  { path: ["BURNRATE_OIDC_ISSUER"], message: "set BURNRATE_OIDC_ISSUER, BURNRATE_OIDC_CLIENT_ID and BURNRATE_OIDC_CLIENT_SECRET together" },
);

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** The dashboard's public URL (scripts/start.ts sets NEXTAUTH_URL), without a trailing slash: links in alerts and notifications. */
export function publicBaseUrl(env: Record<string, string | undefined> = process.env): string {
  const url = env.NEXTAUTH_URL || `http://localhost:${env.PORT || "3000"}`;
  return url.replace(/\/+$/, "");
}
