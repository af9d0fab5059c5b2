// One zod schema for the whole environment, validated once at start. An invalid environment
// yields every problem at once, so an admin fixes them in one go instead of one per restart.
import { isIP } from "node:net";
import { z } from "zod";
import { CONSENT_TEXTS, isPublishedConsentVersion } from "./privacy/consent-texts.ts";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

const optionalSecret = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const httpUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" });

const envSchema = z
  .object({
    DATABASE_FILE: z.string().trim().min(1).default("./data/opora.db"),
    DATABASE_URL: optionalSecret.pipe(z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL (SQLite is chosen with DATABASE_FILE)").optional()),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    PUBLIC_BASE_URL: httpUrl.default("http://localhost:3000"),
    // Unset: the demo runs only on a loopback bind (a fresh clone's `npm start`); anything public needs DEMO=true.
    DEMO: bool.optional(),
    // Off by default: X-Forwarded-* headers are believed only from these proxies (addresses/CIDRs) or hop count.
    TRUST_PROXY: z
      .string()
      .trim()
      .default("")
      .refine((v) => v === "" || v === "false" || /^\d{1,2}$/.test(v) || v.split(",").every((a) => isIp(a.trim())), {
        message: "a hop count (e.g. 1) or a comma-separated list of proxy addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8)",
      }),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
    // An untaken P0 moves to the next queue of its 24/7 chain after this many minutes.
    P0_ESCALATE_AFTER_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    CONSENT_VERSION: z
      .string()
      .trim()
      .regex(/^[\w.-]{1,32}$/, "letters, digits, dots and dashes, at most 32")
      .default("2026-11-01"),
    OPERATOR_NAME: z.string().trim().min(3).default("Демонстрационный оператор «Опора» (не настоящая организация)"),
    // Another red-flag lexicon file instead of the shipped src/screening/red-flag-lexicon.yaml.
    RED_FLAG_LEXICON_FILE: z
      .string()
      .trim()
      .transform((v) => (v === "" ? undefined : v))
      .optional(),
    TELEGRAM_BOT_TOKEN: optionalSecret,
    TELEGRAM_API_ROOT: httpUrl.default("https://api.telegram.org"),
    TELEGRAM_MODE: z.enum(["polling", "webhook"]).default("polling"),
    TELEGRAM_WEBHOOK_SECRET: optionalSecret.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, "16–256 characters of A-Z, a-z, 0-9, _ and -")
        .optional(),
    ),
    MAX_BOT_TOKEN: optionalSecret,
    MAX_API_BASE_URL: httpUrl.default("https://platform-api2.max.ru"),
    MAX_MODE: z.enum(["polling", "webhook"]).default("polling"),
    MAX_WEBHOOK_SECRET: optionalSecret.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, "16–256 characters of A-Z, a-z, 0-9, _ and -")
        .optional(),
    ),
    // /metrics: on the public port with this bearer token, and/or without one on METRICS_HOST:METRICS_PORT.
    METRICS_TOKEN: optionalSecret.pipe(z.string().min(16, "must be at least 16 characters").optional()),
    METRICS_PORT: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(65535).optional()),
    METRICS_HOST: z.string().trim().min(1).default("127.0.0.1"),
  })
  .superRefine((env, ctx) => {
    for (const ch of ["TELEGRAM", "MAX"] as const) {
      if (env[`${ch}_MODE`] !== "webhook") continue;
      if (!env[`${ch}_WEBHOOK_SECRET`]) {
        ctx.addIssue({ code: "custom", path: [`${ch}_WEBHOOK_SECRET`], message: `required when ${ch}_MODE=webhook` });
      }
      if (!env.PUBLIC_BASE_URL.startsWith("https://")) {
        ctx.addIssue({ code: "custom", path: ["PUBLIC_BASE_URL"], message: `must be https when ${ch}_MODE=webhook` });
      }
    }
    if (!isPublishedConsentVersion(env.CONSENT_VERSION)) {
      ctx.addIssue({
        code: "custom",
        path: ["CONSENT_VERSION"],
        message: `no consent text is published under this version (published: ${Object.keys(CONSENT_TEXTS).join(", ")})`,
      });
    }
    if (!demoOf(env) && !env.SESSION_SECRET) {
      const why = env.DEMO === undefined ? " (the demo is off on a non-loopback HOST; set DEMO=true to run it there)" : "";
      ctx.addIssue({ code: "custom", path: ["SESSION_SECRET"], message: `required when DEMO is off${why}` });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Addresses a demo may bind to without DEMO=true: only this machine can reach them. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function demoOf(env: { DEMO?: boolean; HOST: string }): boolean {
  return env.DEMO ?? isLoopbackHost(env.HOST);
}

function isIp(entry: string): boolean {
  const [addr, bits, extra] = entry.split("/");
  if (extra !== undefined || !addr || isIP(addr) === 0) return false;
  if (bits === undefined) return true;
  const max = isIP(addr) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

/** TRUST_PROXY as Fastify's `trustProxy` takes it. */
export type TrustProxy = false | number | string[];

function trustProxyOf(raw: string): TrustProxy {
  if (raw === "" || raw === "false") return false;
  if (/^\d+$/.test(raw)) return Number(raw) === 0 ? false : Number(raw);
  return raw.split(",").map((a) => a.trim());
}

export interface Config {
  databaseFile: string;
  /** PostgreSQL when set; otherwise SQLite in `databaseFile`. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  logLevel: Env["LOG_LEVEL"];
  publicBaseUrl: string;
  demo: boolean;
  /** Which peers may set X-Forwarded-For/-Proto; false believes no header. */
  trustProxy: TrustProxy;
  /** Absent only in demo mode: then a random secret is made at start (sessions end on restart). */
  sessionSecret: string | undefined;
  retentionDays: number;
  /** Minutes an untaken P0 waits in one queue before it moves along the 24/7 chain. */
  p0EscalateAfterMinutes: number;
  consentVersion: string;
  operatorName: string;
  /** Red-flag lexicon file; undefined = the shipped one. Validated at start by main.ts. */
  redFlagLexiconFile?: string | undefined;
  telegram:
    | { enabled: false }
    | { enabled: true; token: string; apiRoot: string; mode: "polling" | "webhook"; webhookSecret?: string };
  max:
    | { enabled: false }
    | { enabled: true; token: string; baseUrl: string; mode: "polling" | "webhook"; webhookSecret?: string };
  metrics: { token: string | undefined; port: number | undefined; host: string };
}

export type ConfigResult = { type: "ok"; config: Config } | { type: "invalid"; problems: string[] };

export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    return {
      type: "invalid",
      problems: parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`),
    };
  }
  const e = parsed.data;
  return {
    type: "ok",
    config: {
      databaseFile: e.DATABASE_FILE,
      databaseUrl: e.DATABASE_URL,
      host: e.HOST,
      port: e.PORT,
      logLevel: e.LOG_LEVEL,
      publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ""),
      demo: demoOf(e),
      trustProxy: trustProxyOf(e.TRUST_PROXY),
      sessionSecret: e.SESSION_SECRET,
      retentionDays: e.RETENTION_DAYS,
      p0EscalateAfterMinutes: e.P0_ESCALATE_AFTER_MINUTES,
      consentVersion: e.CONSENT_VERSION,
      operatorName: e.OPERATOR_NAME,
      redFlagLexiconFile: e.RED_FLAG_LEXICON_FILE,
      telegram: e.TELEGRAM_BOT_TOKEN
        ? {
            enabled: true,
            token: e.TELEGRAM_BOT_TOKEN,
            apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
            mode: e.TELEGRAM_MODE,
            webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
          }
        : { enabled: false },
      max: e.MAX_BOT_TOKEN
        ? {
            enabled: true,
            token: e.MAX_BOT_TOKEN,
            baseUrl: e.MAX_API_BASE_URL,
            mode: e.MAX_MODE,
            webhookSecret: e.MAX_WEBHOOK_SECRET,
          }
        : { enabled: false },
      metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST },
    },
  };
}

/** Names of every variable, for the README table test. */
export const ENV_VARIABLES = Object.keys(envSchema.shape ?? {});
