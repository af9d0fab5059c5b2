// The one-time bootstrap link printed at the first start (src/auth/bootstrap.ts): a form that
// creates the first superadmin and signs them in. The link dies once used, once a superadmin
// exists, or after 24 hours.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { bootstrapTokenValid, consumeBootstrapToken, releaseBootstrapToken } from "../../auth/bootstrap.ts";
import { createStaffUser, createUserInput } from "../../auth/users.ts";
import { type AdminDeps, notFound, renderPage } from "../web-context.ts";

const tokenParam = z.object({ token: z.string().max(100) });
const form = z.object({
  email: z.string().max(320).default(""),
  name: z.string().max(200).default(""),
  password: z.string().max(200).default(""),
});

export function registerBootstrapRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get("/bootstrap/:token", async (req, reply) => {
    const p = tokenParam.safeParse(req.params);
    if (!p.success || !(await bootstrapTokenValid(deps.db, p.data.token, deps.clock()))) throw notFound();
    return renderPage(deps, req, reply, "bootstrap", { token: p.data.token, email: "", name: "", error: null });
  });

  app.post("/bootstrap/:token", { preHandler: app.csrfProtection }, async (req, reply) => {
    const p = tokenParam.safeParse(req.params);
    const now = deps.clock();
    if (!p.success || !(await bootstrapTokenValid(deps.db, p.data.token, now))) throw notFound();
    const f = form.parse(req.body ?? {});
    const input = { email: f.email, name: f.name, password: f.password, role: "superadmin" as const };
    const again = (error: string) =>
      renderPage(deps, req, reply, "bootstrap", { token: p.data.token, email: f.email, name: f.name, error }, 400);
    if (!createUserInput.safeParse(input).success) return again("invalid");
    if (!(await consumeBootstrapToken(deps.db, p.data.token, now))) throw notFound();
    const created = await createStaffUser(deps.db, input, { type: "system", id: "bootstrap" });
    if (created.type !== "created") {
      // Give the link back: nothing was created.
      await releaseBootstrapToken(deps.db, p.data.token, now);
      return again(created.type === "exists" ? "exists" : "invalid");
    }
    deps.log.info({ userId: created.userId }, "first superadmin created through the bootstrap link");
    await req.session.regenerate();
    req.session.userId = created.userId;
    return reply.redirect("/admin", 303);
  });
}
