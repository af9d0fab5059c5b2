// "My account": an operator links their Telegram or MAX account to the web account with a one-time
// code, so the "Take" button under notifications in the center's chat acts as them.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { issueStaffAccountCode } from "../../handoff/linking.ts";
import { linkedMessengers } from "../repositories/staff-user-repository.ts";
import { type AdminDeps, renderPage, requireStaff } from "../web-context.ts";

const linkForm = z.object({ channel: z.enum(["telegram", "max"]) });

export function registerAccountRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  async function show(req: Parameters<typeof requireStaff>[0], reply: Parameters<typeof renderPage>[2], code?: { channel: string; code: string }) {
    const staff = requireStaff(req);
    return renderPage(deps, req, reply, "account", {
      linked: await linkedMessengers(db, staff.id),
      code,
      title: deps.i18n.t("ru", "web-nav-account"),
    });
  }

  app.get("/account", (req, reply) => show(req, reply));

  app.post("/account/link-code", { preHandler: app.csrfProtection }, async (req, reply) => {
    const staff = requireStaff(req);
    const f = linkForm.safeParse(req.body ?? {});
    if (!f.success) return reply.code(400).send();
    const code = await issueStaffAccountCode(db, staff.id, f.data.channel, deps.clock());
    return show(req, reply, { channel: f.data.channel, code });
  });
}
