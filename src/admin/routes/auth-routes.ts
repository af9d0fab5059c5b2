// Login, logout and the language switch.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { createSharedLoginThrottle, type LoginThrottle } from "../../auth/login-throttle.ts";
import { checkCredentials } from "../../auth/users.ts";
import { setStaffLocale } from "../repositories/staff-user-repository.ts";
import { type AdminDeps, LOCALE_COOKIE, localeOf, renderPage } from "../web-context.ts";

const loginForm = z.object({
  email: z.string().trim().max(320).default(""),
  password: z.string().max(200).default(""),
  next: z.string().max(500).optional(),
});

const localeForm = z.object({ locale: z.enum(["ru", "en"]), back: z.string().max(500).optional() });

/**
 * Only local paths, so the login form and the language switch cannot be turned into an open
 * redirect. Control characters and spaces are refused outright: browsers drop TAB/CR/LF from
 * URLs (so "/\t/evil.example" becomes "//evil.example"), and CR/LF would break the header.
 */
export function safeNext(next: string | undefined, fallback = "/queue"): string {
  if (!next || next.length > 500 || !next.startsWith("/")) return fallback;
  if (next.startsWith("//") || [...next].some((ch) => ch <= " " || (ch >= "\u007f" && ch <= "\u009f") || ch === "\\")) {
    return fallback;
  }
  // Resolved against a placeholder origin it must stay on that origin.
  try {
    const url = new URL(next, "http://opora.invalid");
    if (url.origin !== "http://opora.invalid") return fallback;
  } catch {
    return fallback;
  }
  return next;
}

export function registerAuthRoutes(
  app: FastifyInstance,
  deps: AdminDeps,
  // Counted in the database: every instance behind a load balancer enforces the same limits.
  throttle: LoginThrottle = createSharedLoginThrottle({ db: deps.db, clock: deps.clock }),
): void {
  app.get<{ Querystring: { next?: string } }>("/login", async (req, reply) => {
    if (req.staff) return reply.redirect("/queue");
    const next = typeof req.query.next === "string" ? safeNext(req.query.next) : undefined;
    return renderPage(deps, req, reply, "login", { email: "", error: null, next });
  });

  app.post("/login", { preHandler: app.csrfProtection }, async (req, reply) => {
      const parsed = loginForm.safeParse(req.body ?? {});
      const form = parsed.success ? parsed.data : { email: "", password: "", next: undefined };
      const next = form.next === undefined ? undefined : safeNext(form.next);
      if (!form.email || !form.password) {
        return renderPage(deps, req, reply, "login", { email: form.email, error: "missing", next }, 400);
      }
      // req.ip is the peer, or what a TRUST_PROXY proxy says: a header from anyone else is ignored.
      const decision = await throttle.check(req.ip, form.email);
      if (decision.type === "wait") {
        reply.header("Retry-After", String(decision.retryAfterSeconds));
        return renderPage(deps, req, reply, "login", { email: form.email, error: "rate_limited", next }, 429);
      }
      let result: Awaited<ReturnType<typeof checkCredentials>>;
      try {
        result = await checkCredentials(deps.db, form.email, form.password);
      } catch (err) {
        throttle.release(req.ip, form.email);
        throw err;
      }
      if (result.type !== "ok") {
        await throttle.recordFailure(req.ip, form.email);
        deps.log.info({ ip: req.ip }, "login failed");
        return renderPage(deps, req, reply, "login", { email: form.email, error: "invalid", next }, 401);
      }
      await throttle.recordSuccess(req.ip, form.email);
      // A fresh session id on login: a session fixed before login is worthless.
      const locale = localeOf(req);
      await req.session.regenerate();
      req.session.userId = result.userId;
      req.session.locale = locale;
      deps.log.info({ userId: result.userId }, "staff login");
      return reply.redirect(safeNext(form.next), 303);
  });

  app.post("/logout", { preHandler: app.csrfProtection }, async (req, reply) => {
    await req.session.destroy();
    return reply.redirect("/login", 303);
  });

  app.post("/locale", { preHandler: app.csrfProtection }, async (req, reply) => {
    const parsed = localeForm.safeParse(req.body ?? {});
    if (!parsed.success) return reply.redirect("/", 303);
    if (req.staff) {
      req.session.locale = parsed.data.locale;
      await setStaffLocale(deps.db, req.staff.id, parsed.data.locale);
    } else {
      // Before login the choice lives in a cookie: no session row for anonymous visitors.
      reply.setCookie(LOCALE_COOKIE, parsed.data.locale, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: deps.config.cookieSecure,
        maxAge: 365 * 24 * 3600,
      });
    }
    return reply.redirect(safeNext(parsed.data.back), 303);
  });
}
