// The service's one HTTP server: health probes here; the web view and messenger webhooks are
// registered onto it by main.ts as plugins. Limits that protect every route live here: body size
// and JSON nesting (checked before parsing), proxy trust, HSTS.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from "fastify";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logging/logger.ts";
import { nestsDeeperThan } from "./json-depth.ts";
import type { ChannelStatus } from "../channels/channel-status.ts";
import { createDatabaseHealth, type ReadinessOptions } from "./readiness.ts";

export interface HttpServerDeps {
  db: Db;
  log: Logger;
  /** Which peers may set X-Forwarded-For/-Proto (TRUST_PROXY); default: none. */
  trustProxy?: false | number | string[];
  /** PUBLIC_BASE_URL: https turns on HSTS and lets a trusted proxy omit X-Forwarded-Proto. */
  publicBaseUrl?: string;
  /** Each configured messenger's state, reported by /readyz (see channel-status.ts). */
  channels?: () => ChannelStatus[];
  /** What /readyz checks about the database (its file's disk, the write probe's budget). */
  readiness?: ReadinessOptions;
}

/** Largest body any route accepts (Telegram/MAX updates and web forms are far smaller). */
export const BODY_LIMIT = 1024 * 1024;
/** Deepest JSON nesting any route accepts (messenger updates nest about 6 levels). */
export const MAX_JSON_DEPTH = 64;

class BodyTooDeepError extends Error {
  readonly statusCode = 400;
  readonly code = "OPORA_BODY_TOO_DEEP";
  constructor() {
    super("JSON body nests too deeply");
  }
}

export function createHttpServer({ db, log, trustProxy = false, publicBaseUrl, channels, readiness }: HttpServerDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    // pino's Logger satisfies Fastify's base logger; widen it so plugins see the default instance type.
    loggerInstance: log.child({ component: "http" }) as FastifyBaseLogger,
    // Fastify's own per-request lines are off: we log only method, route pattern and status.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Off unless TRUST_PROXY names the proxies: otherwise anyone could pick their own address
    // (and escape the login limit) with X-Forwarded-For.
    // A hop count trusts that many proxies nearest to us, whatever their addresses.
    trustProxy: typeof trustProxy === "number" ? (_addr: string, hop: number) => hop < trustProxy : trustProxy,
  });
  const publicHttps = publicBaseUrl?.startsWith("https://") ?? false;

  // JSON: size is capped while reading (bodyLimit), depth is checked before parsing.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    const text = body as string;
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return done(new BodyTooDeepError(), undefined);
    parseJson(req, text, done);
  });

  if (publicHttps && trustProxy !== false) {
    // The public side is https by configuration: a trusted proxy that does not say so is still
    // forwarding https (Fastify believes this header only from a trusted peer).
    app.addHook("onRequest", async (req) => {
      if (!req.headers["x-forwarded-proto"]) req.raw.headers["x-forwarded-proto"] = "https";
    });
  }

  app.addHook("onSend", async (_req, reply, payload) => {
    if (publicHttps) reply.header("Strict-Transport-Security", "max-age=31536000");
    return payload;
  });

  app.addHook("onResponse", async (req, reply) => {
    // Access log: method, route pattern (never the raw URL), status and time; no personal data.
    req.log.info({ method: req.method, route: req.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, "request");
  });

  // Routes without their own handler (health, webhooks). A body a webhook can never accept (too
  // large, too deep, not JSON) is answered 200: Telegram and MAX re-send on anything else, forever.
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    if (err.code === "OPORA_DB_LOCKED") {
      // Another process held the write lock too long: this request fails, the service goes on.
      // 503 + Retry-After: Telegram and MAX send the update again later, people are told to retry.
      req.log.warn({ route: req.routeOptions.url, code: err.code }, "database locked by another process: request not served");
      return reply.code(503).header("Retry-After", "30").send({ error: "database_busy", message: "the service is busy; please try again in a minute" });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      if (req.url.startsWith("/webhooks/")) {
        req.log.warn({ route: req.routeOptions.url ?? req.url.split("?")[0], code: err.code, status }, "webhook body dropped");
        return reply.code(200).send({ ok: false, dropped: true });
      }
      return reply.code(status).send({ error: err.code ?? "bad_request", message: publicMessage(status) });
    }
    req.log.error({ err: { message: err.message, code: err.code }, route: req.routeOptions.url }, "request failed");
    return reply.code(500).send({ error: "internal", message: "internal error" });
  });

  app.get("/healthz", async () => ({ status: "ok" }));

  // Ready (200) while the database can be written (readiness.ts: free disk, a write probe within
  // 2 s — not just SELECT 1); otherwise 503 with the reason. The web view and every other
  // messenger still serve when one messenger is down, so a load balancer must not drop the
  // instance for it; each messenger's state is in the body for monitoring (README "Health and readiness").
  const databaseHealth = createDatabaseHealth(db, readiness);
  let lastProblem = "";
  app.get("/readyz", async (req, reply) => {
    const channelStates = Object.fromEntries(
      (channels?.() ?? []).map((c) => [c.name, { state: c.state, mode: c.mode, since: c.since.toISOString(), ...(c.lastError ? { lastError: c.lastError.reason, lastErrorCode: c.lastError.code, lastErrorAt: c.lastError.at.toISOString() } : {}) }]),
    );
    const health = await databaseHealth();
    if (health.type === "ok") {
      lastProblem = "";
      return { status: "ready", database: "ok", channels: channelStates };
    }
    // Logged once per change, not at every probe of the load balancer.
    if (lastProblem !== health.reason) req.log.error({ database: health.state }, `not ready: ${health.reason}`);
    lastProblem = health.reason;
    const status = health.state === "unavailable" ? "database unavailable" : "database cannot be written";
    return reply.code(503).send({ status, database: health.state, reason: health.reason, channels: channelStates });
  });

  return app;
}

function publicMessage(status: number): string {
  if (status === 413) return "request body too large";
  if (status === 415) return "unsupported content type";
  return "bad request";
}
