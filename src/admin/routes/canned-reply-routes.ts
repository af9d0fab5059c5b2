// Canned replies per center, edited by the region's admins (/admin/:region/replies).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { cannedReplyForm } from "../../requests/canned-replies.ts";
import type { AdminChange } from "../repositories/admin-change.ts";
import {
  centersWithCannedReplies,
  createCannedReply,
  deleteCannedReply,
  findCannedReplyInRegion,
  updateCannedReply,
} from "../repositories/canned-reply-repository.ts";
import { findCenterInRegion } from "../repositories/center-repository.ts";
import { type AdminDeps, localeOf, notFound, renderPage, type Staff } from "../web-context.ts";
import { fieldErrors, requireRegionAdmin } from "./admin-scope.ts";

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
  const changeBy = (staff: Staff, regionCode: string): AdminChange => ({ staffId: staff.id, regionCode, at: deps.clock() });

  async function show(req: FastifyRequest, reply: FastifyReply, flash: Flash | null = null, status = 200) {
    const { region } = await requireRegionAdmin(deps, req);
    const centers = await centersWithCannedReplies(db, region.code);
    return renderPage(deps, req, reply, "admin-canned-replies", { region, centers, flash, title: deps.i18n.t(localeOf(req), "web-admin-replies") }, status);
  }

  /** A center of this region, or 404: an admin never writes into another region's center. */
  async function centerOf(regionCode: string, centerId: string) {
    const center = await findCenterInRegion(db, regionCode, centerId);
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
    const done = await createCannedReply(db, changeBy(staff, region.code), center.id, parsed.data);
    if (done.type === "duplicate_title") return show(req, reply, { form, errors: { title: "web-err-canned-duplicate" }, values: body }, 400);
    return reply.redirect(`/admin/${region.code}/replies#reply-${done.id}`, 303);
  });

  app.post("/admin/:region/replies/:id", post, async (req, reply) => {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const p = idParam.safeParse(req.params);
    if (!p.success) throw notFound();
    const existing = await findCannedReplyInRegion(db, region.code, p.data.id);
    if (!existing) throw notFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = cannedReplyForm.safeParse(body);
    if (!parsed.success) return show(req, reply, { form: existing.id, errors: fieldErrors(parsed.error), values: body }, 400);
    const done = await updateCannedReply(db, changeBy(staff, region.code), existing, parsed.data);
    if (done.type === "duplicate_title") return show(req, reply, { form: existing.id, errors: { title: "web-err-canned-duplicate" }, values: body }, 400);
    return reply.redirect(`/admin/${region.code}/replies#reply-${existing.id}`, 303);
  });

  app.post("/admin/:region/replies/:id/delete", post, async (req, reply) => {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const p = idParam.safeParse(req.params);
    if (!p.success) throw notFound();
    const existing = await findCannedReplyInRegion(db, region.code, p.data.id);
    if (!existing) throw notFound();
    await deleteCannedReply(db, changeBy(staff, region.code), existing);
    return reply.redirect(`/admin/${region.code}/replies`, 303);
  });
}
