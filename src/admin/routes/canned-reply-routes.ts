// Canned replies per center, edited by the region's admins (/admin/:region/replies).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { cannedReplyForm } from "../../requests/canned-replies.ts";
import { type AdminDeps, localeOf, notFound, renderPage } from "../web-context.ts";
import { auditAdmin, fieldErrors, requireRegionAdmin } from "./admin-scope.ts";

const idParam = z.object({ region: z.string(), id: z.string().min(1).max(64) });
const centerField = z.object({ centerId: z.string().min(1).max(64) });

interface Flash {
  /** Which form the errors belong to: "new:<centerId>" or the reply's id. */
  form: string;
  errors: Record<string, string>;
  values: Record<string, unknown>;
}

export function registerCannedReplyRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  async function show(req: FastifyRequest, reply: FastifyReply, flash: Flash | null = null, status = 200) {
    const { region } = await requireRegionAdmin(deps, req);
    const centers = await db.center.findMany({
      where: { regionCode: region.code },
      orderBy: { name: "asc" },
      include: { cannedReplies: { orderBy: { title: "asc" } } },
    });
    return renderPage(deps, req, reply, "admin-canned-replies", { region, centers, flash, title: deps.i18n.t(localeOf(req), "web-admin-replies") }, status);
  }

  /** A center of this region, or 404: an admin never writes into another region's center. */
  async function centerOf(regionCode: string, centerId: string) {
    const center = await db.center.findFirst({ where: { id: centerId, regionCode } });
    if (!center) throw notFound();
    return center;
  }

  app.get("/admin/:region/replies", (req, reply) => show(req, reply));

  const post = { preHandler: app.csrfProtection };
  app.post("/admin/:region/replies", post, async (req, reply) => {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const c = centerField.safeParse(body);
    if (!c.success) throw notFound();
    const center = await centerOf(region.code, c.data.centerId);
    const form = `new:${center.id}`;
    const parsed = cannedReplyForm.safeParse(body);
    if (!parsed.success) return show(req, reply, { form, errors: fieldErrors(parsed.error), values: body }, 400);
    const now = deps.clock();
    const done = await db.$transaction(async (tx) => {
      if (await tx.cannedReply.findUnique({ where: { centerId_title: { centerId: center.id, title: parsed.data.title } } })) return null;
      const row = await tx.cannedReply.create({ data: { centerId: center.id, ...parsed.data, createdAt: now } });
      await auditAdmin(tx, staff, "canned_reply.create", "canned_reply", row.id, region.code, { centerId: center.id }, now);
      return row;
    });
    if (!done) return show(req, reply, { form, errors: { title: "web-err-canned-duplicate" }, values: body }, 400);
    return reply.redirect(`/admin/${region.code}/replies#reply-${done.id}`, 303);
  });

  app.post("/admin/:region/replies/:id", post, async (req, reply) => {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const p = idParam.safeParse(req.params);
    if (!p.success) throw notFound();
    const existing = await db.cannedReply.findFirst({ where: { id: p.data.id, center: { regionCode: region.code } } });
    if (!existing) throw notFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = cannedReplyForm.safeParse(body);
    if (!parsed.success) return show(req, reply, { form: existing.id, errors: fieldErrors(parsed.error), values: body }, 400);
    const now = deps.clock();
    const ok = await db.$transaction(async (tx) => {
      const clash = await tx.cannedReply.findUnique({ where: { centerId_title: { centerId: existing.centerId, title: parsed.data.title } } });
      if (clash && clash.id !== existing.id) return false;
      await tx.cannedReply.update({ where: { id: existing.id }, data: parsed.data });
      await auditAdmin(tx, staff, "canned_reply.update", "canned_reply", existing.id, region.code, { centerId: existing.centerId }, now);
      return true;
    });
    if (!ok) return show(req, reply, { form: existing.id, errors: { title: "web-err-canned-duplicate" }, values: body }, 400);
    return reply.redirect(`/admin/${region.code}/replies#reply-${existing.id}`, 303);
  });

  app.post("/admin/:region/replies/:id/delete", post, async (req, reply) => {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const p = idParam.safeParse(req.params);
    if (!p.success) throw notFound();
    const existing = await db.cannedReply.findFirst({ where: { id: p.data.id, center: { regionCode: region.code } } });
    if (!existing) throw notFound();
    const now = deps.clock();
    await db.$transaction(async (tx) => {
      await tx.cannedReply.delete({ where: { id: existing.id } });
      await auditAdmin(tx, staff, "canned_reply.delete", "canned_reply", existing.id, region.code, { centerId: existing.centerId }, now);
    });
    return reply.redirect(`/admin/${region.code}/replies`, 303);
  });
}
