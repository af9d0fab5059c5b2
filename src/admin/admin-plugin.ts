// The operators' and regional admins' web view as one encapsulated Fastify plugin: it brings its
// own form parsing, cookies, Prisma-backed sessions, CSRF protection, login throttling and
// eta views, so main.ts only registers it at the root of the HTTP server.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import fastifySession from "@fastify/session";
import fastifyView from "@fastify/view";
import { Eta } from "eta";
import type { FastifyError, FastifyPluginAsync } from "fastify";
import { createPrismaSessionStore } from "../auth/session-store.ts";
import { registerAccountRoutes } from "./routes/account-routes.ts";
import { registerAdminRoutes } from "./routes/admin-routes.ts";
import { registerAuthRoutes } from "./routes/auth-routes.ts";
import { registerCannedReplyRoutes } from "./routes/canned-reply-routes.ts";
import { registerBootstrapRoutes } from "./routes/bootstrap-routes.ts";
import { registerConsentRoutes } from "./routes/consent-routes.ts";
import { registerInsightRoutes } from "./routes/insight-routes.ts";
import { registerQueueRoutes } from "./routes/queue-routes.ts";
import { registerRequestRoutes } from "./routes/request-routes.ts";
import { registerRulesRoutes } from "./routes/rules-routes.ts";
import { registerTryDialogRoutes } from "./routes/try-dialog-routes.ts";
import { type AdminDeps, csrfUserInfo, HttpProblem, renderPage, type Staff } from "./web-context.ts";

export type { AdminDeps } from "./web-context.ts";

const VIEWS_DIR = fileURLToPath(new URL("./views/", import.meta.url));
const ASSETS_DIR = new URL("./assets/", import.meta.url);
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

export function createAdminPlugin(deps: AdminDeps): FastifyPluginAsync {
  return async (app) => {
    const { db, log } = deps;
    const assets = {
      "admin.css": { body: readFileSync(new URL("admin.css", ASSETS_DIR), "utf8"), type: "text/css; charset=utf-8" },
      "admin.js": {
        body: readFileSync(new URL("admin.js", ASSETS_DIR), "utf8"),
        type: "application/javascript; charset=utf-8",
      },
    } as const;

    await app.register(fastifyFormbody, { bodyLimit: 1024 * 1024 });
    await app.register(fastifyCookie, { secret: deps.config.sessionSecret });
    await app.register(fastifySession, {
      secret: deps.config.sessionSecret,
      cookieName: "opora_sid",
      store: createPrismaSessionStore(db, deps.clock),
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: "lax",
        secure: deps.config.cookieSecure,
        path: "/",
        maxAge: SESSION_TTL_MS,
      },
    });
    // The CSRF secret lives in a signed cookie, not the session, so an anonymous GET /login stores
    // no session row; tokens are bound to the signed-in account (none before login).
    await app.register(fastifyCsrf, {
      sessionPlugin: "@fastify/cookie",
      cookieKey: "opora_csrf",
      cookieOpts: { path: "/", sameSite: "strict", httpOnly: true, signed: true, secure: deps.config.cookieSecure },
      getUserInfo: csrfUserInfo,
      csrfOpts: { hmacKey: deps.config.sessionSecret, userInfo: true, validity: SESSION_TTL_MS },
    });
    await app.register(fastifyView, {
      engine: { eta: new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true }) },
      root: VIEWS_DIR,
      production: true,
    });

    app.decorateRequest("staff", null);

    // Who is signed in: loaded fresh on every request so deactivation and role changes apply at once.
    app.addHook("preHandler", async (req) => {
      const userId = req.session?.userId;
      if (!userId) return;
      const user = await db.staffUser.findUnique({
        where: { id: userId },
        include: { memberships: { include: { center: true } }, region: true },
      });
      if (!user?.active) {
        req.session.userId = undefined;
        return;
      }
      const staff: Staff = {
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role === "superadmin" || user.role === "regional_admin" ? user.role : "operator",
        regionCode: user.regionCode,
        locale: user.locale === "en" ? "en" : "ru",
        centerIds: user.memberships.filter((m) => m.center.active).map((m) => m.centerId),
        timeZone: user.region?.timezone ?? "Europe/Moscow",
      };
      req.staff = staff;
    });

    // Pages hold personal data: never cached, never framed, scripts only from here.
    app.addHook("onSend", async (_req, reply, payload) => {
      reply.header("Content-Security-Policy", CSP);
      reply.header("X-Content-Type-Options", "nosniff");
      reply.header("X-Frame-Options", "DENY");
      reply.header("Referrer-Policy", "no-referrer");
      if (!reply.hasHeader("Cache-Control")) reply.header("Cache-Control", "no-store");
      return payload;
    });

    app.setErrorHandler(async (err: FastifyError | HttpProblem, req, reply) => {
      if (err instanceof HttpProblem) {
        if (err.code === "login_required") {
          if (req.method === "GET") return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
          return renderPage(deps, req, reply, "error", { code: "login_required", status: 403 }, 403);
        }
        return renderPage(deps, req, reply, "error", { code: err.code, status: err.statusCode }, err.statusCode);
      }
      const code = (err as FastifyError).code;
      const status = (err as FastifyError).statusCode ?? 500;
      if (code?.startsWith("FST_CSRF")) {
        log.warn({ route: req.routeOptions.url, code }, "csrf token rejected");
        return renderPage(deps, req, reply, "error", { code: "csrf", status: 403 }, 403);
      }
      if (status === 429) {
        return renderPage(deps, req, reply, "login", { error: "rate_limited", email: "" }, 429);
      }
      if (status >= 400 && status < 500) {
        return renderPage(deps, req, reply, "error", { code: "bad_request", status }, status);
      }
      if (code === "OPORA_DB_LOCKED") {
        // Another process held the database's write lock too long: this page fails, kindly; the service goes on.
        log.warn({ route: req.routeOptions.url, code }, "database locked by another process: request not served");
        reply.header("Retry-After", "30");
        return renderPage(deps, req, reply, "error", { code: "busy", status: 503 }, 503);
      }
      log.error({ err: { message: err.message, code }, route: req.routeOptions.url }, "web view error");
      return renderPage(deps, req, reply, "error", { code: "internal", status: 500 }, 500);
    });

    app.get<{ Params: { file: string } }>("/admin-assets/:file", async (req, reply) => {
      const asset = assets[req.params.file as keyof typeof assets];
      if (!asset) throw new HttpProblem(404, "not_found");
      return reply.header("Cache-Control", "public, max-age=300").type(asset.type).send(asset.body);
    });

    app.get("/", async (req, reply) => reply.redirect(req.staff ? "/queue" : "/login"));

    registerAuthRoutes(app, deps);
    registerBootstrapRoutes(app, deps);
    registerConsentRoutes(app, deps);
    registerQueueRoutes(app, deps);
    registerRequestRoutes(app, deps);
    registerCannedReplyRoutes(app, deps);
    registerAdminRoutes(app, deps);
    registerRulesRoutes(app, deps);
    registerInsightRoutes(app, deps);
    registerTryDialogRoutes(app, deps);
    registerAccountRoutes(app, deps);
  };
}
