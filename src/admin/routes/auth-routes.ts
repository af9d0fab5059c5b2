// Login, logout and the language switch.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { checkCredentials } from "../../auth/users.ts";
import { type AdminDeps, renderPage } from "../web-context.ts";

const loginForm = z.object({
  email: z.string().trim().max(320).default(""),
  password: z.string().max(200).default(""),
  next: z.string().max(500).optional(),
});

const localeForm = z.object({ locale: z.enum(["ru", "en"]), back: z.string().max(500).optional() });

/** Only local paths, so the login form cannot be turned into an open redirect. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : "/queue";
}

function loginKey(req: FastifyRequest): string {
  const body = (req.body ?? {}) as { email?: unknown };
  const email = typeof body.email === "string" ? body.email.trim().toLowerCase().slice(0, 320) : "";
  return `${req.ip}|${email}`;
}

export function registerAuthRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get<{ Querystring: { next?: string } }>("/login", async (req, reply) => {
    if (req.staff) return reply.redirect("/queue");
    const next = typeof req.query.next === "string" ? safeNext(req.query.next) : undefined;
    return renderPage(deps, req, reply, "login", { email: "", error: null, next });
  });

  app.post(
    "/login",
    {
      preHandler: app.csrfProtection,
      config: {
        rateLimit: {
          max: 5,
          timeWindow: 60_000,
          keyGenerator: loginKey,
        },
      },
    },
    async (req, reply) => {
      const parsed = loginForm.safeParse(req.body ?? {});
      const form = parsed.success ? parsed.data : { email: "", password: "", next: undefined };
      if (!form.email || !form.password) {
        return renderPage(deps, req, reply, "login", { email: form.email, error: "missing", next: form.next }, 400);
      }
      const result = await checkCredentials(deps.db, form.email, form.password);
      if (result.type !== "ok") {
        deps.log.info({ ip: req.ip }, "login failed");
        return renderPage(deps, req, reply, "login", { email: form.email, error: "invalid", next: form.next }, 401);
      }
      // A fresh session id on login: a session fixed before login is worthless.
      const locale = req.session.locale;
      await req.session.regenerate();
      req.session.userId = result.userId;
      if (locale) req.session.locale = locale;
      deps.log.info({ userId: result.userId }, "staff login");
      return reply.redirect(safeNext(form.next), 303);
    },
  );

  app.post("/logout", { preHandler: app.csrfProtection }, async (req, reply) => {
    await req.session.destroy();
    return reply.redirect("/login", 303);
  });

  app.post("/locale", { preHandler: app.csrfProtection }, async (req, reply) => {
    const parsed = localeForm.safeParse(req.body ?? {});
    if (!parsed.success) return reply.redirect("/", 303);
    req.session.locale = parsed.data.locale;
    if (req.staff) {
      await deps.db.staffUser.update({ where: { id: req.staff.id }, data: { locale: parsed.data.locale } });
    }
    return reply.redirect(safeNext(parsed.data.back), 303);
  });
}
