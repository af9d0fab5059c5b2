// Regional admin: the region's centers, queues and municipalities (create, edit, deactivate).
// A queue (or center) with open requests cannot be deactivated: they must be moved first.
import { linkCenterChat } from "../../handoff/linking.ts";
import { failingOperatorChats } from "../../handoff/operator-chat-health.ts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { coverageGaps } from "../../routing/coverage.ts";
import { loadRoutingSnapshot } from "../../routing/routing-store.ts";
import { type AdminDeps, notFound, renderPage, requireStaff } from "../web-context.ts";
import { blankToNull, checkbox, fieldErrors, requireRegionAdmin } from "./admin-scope.ts";
import { hoursFormValues, parseHoursForm } from "../hours-form.ts";
import { looksLikeMarkup, normalizePhone } from "../phone-field.ts";
import { readSchedule, regionHolidays } from "../public-holidays.ts";
import type { AdminChange } from "../repositories/admin-change.ts";
import {
  activeCentersOfRegion,
  centerKeyTaken,
  findCenterInRegion,
  listCentersOfRegion,
  openRequestsOfCenter,
  saveCenter,
  setCenterActive,
} from "../repositories/center-repository.ts";
import {
  activeMunicipalitiesOfRegion,
  findMunicipalityInRegion,
  listMunicipalitiesOfRegion,
  municipalityKeyTaken,
  saveMunicipality,
  setMunicipalityActive,
} from "../repositories/municipality-repository.ts";
import {
  findQueueInRegion,
  listQueuesOfRegion,
  openRequestsOfQueue,
  queueKeyTaken,
  saveQueue,
  setQueueActive,
} from "../repositories/queue-admin-repository.ts";
import { listRegionsWithCounts, regionOverviewCounts } from "../repositories/region-repository.ts";

const keyField = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: "web-err-key" });
// Plain text: markup (a <script> tag, javascript:) is refused with a message rather than stored.
const plainText = (max: number) =>
  z
    .string({ error: "web-err-invalid" })
    .trim()
    .max(max, { error: "web-err-too-long" })
    .refine((s) => !looksLikeMarkup(s), { error: "web-err-markup" });
const nameField = plainText(300).refine((s) => s.length > 0, { error: "web-err-required" });
const optionalText = (max: number) => z.preprocess(blankToNull, plainText(max).nullable().default(null));

export const centerForm = z.object({
  key: keyField,
  name: nameField,
  kind: z.preprocess((v) => (v === "" || v === undefined ? "crisis_center" : v), keyField),
  // Checked with libphonenumber in save() (demo centers may keep their fake numbers).
  publicPhone: z.string({ error: "web-err-phone" }).trim().min(1, { error: "web-err-required" }).max(40, { error: "web-err-phone" }),
  address: optionalText(300),
  // http(s) only: the link is shown to operators and families, so no javascript: or data: URLs.
  website: z.preprocess(blankToNull, z.url({ protocol: /^https?$/, error: "web-err-url" }).max(500).nullable().default(null)),
  municipalityId: z.preprocess(blankToNull, z.string().max(64).nullable().default(null)),
  // Working hours come from the weekday grid (hours-form.ts), parsed alongside.
  is24x7: z.preprocess(checkbox, z.boolean()),
  // Operators' chats are linked only through the one-time /link code (see link-chat below), never typed in.
});

export const queueForm = z.object({
  key: keyField,
  name: nameField,
  centerId: z.string().min(1, { error: "web-err-required" }).max(64),
  isDefault: z.preprocess(checkbox, z.boolean()),
});

export const municipalityForm = z.object({
  key: keyField,
  name: nameField,
  aliases: z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    z.array(z.string().max(100, { error: "web-err-too-long" })).max(50),
  ),
});

type Kind = "centers" | "queues" | "municipalities";
const idParam = z.object({ region: z.string(), id: z.string().min(1).max(64) });

export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;
  const post = { preHandler: app.csrfProtection };

  app.get("/admin", async (req, reply) => {
    const staff = requireStaff(req);
    if (staff.role === "operator") throw notFound();
    if (staff.role === "regional_admin" && staff.regionCode) return reply.redirect(`/admin/${staff.regionCode}`);
    const regions = await listRegionsWithCounts(db);
    // The superadmin sees every region's centers whose operators' chat stopped receiving notices.
    const failingChats = await failingOperatorChats(db, { now: deps.clock() });
    return renderPage(deps, req, reply, "admin-regions", { regions, channels: deps.channels?.() ?? [], failingChats });
  });

  app.get("/admin/:region", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const counts = await regionOverviewCounts(db, region.code);
    // Hours of the week in which a P0/P1 would find no open queue even through the 24/7 chain.
    const gaps = coverageGaps(await loadRoutingSnapshot(db), region.code, deps.clock());
    const failingChats = await failingOperatorChats(db, { regionCode: region.code, now: deps.clock() });
    return renderPage(deps, req, reply, "admin-home", { region, counts, gaps, channels: deps.channels?.() ?? [], failingChats });
  });

  // ── lists ──
  async function list(
    req: FastifyRequest,
    reply: FastifyReply,
    kind: Kind,
    linkFlash: { linkError?: string; centerId?: string } = {},
    status = 200,
  ) {
    const { region } = await requireRegionAdmin(deps, req);
    const [centers, queues, municipalities] = await Promise.all([
      listCentersOfRegion(db, region.code),
      listQueuesOfRegion(db, region.code),
      listMunicipalitiesOfRegion(db, region.code),
    ]);
    return renderPage(deps, req, reply, `admin-${kind}`, { region, centers, queues, municipalities, kind, linkFlash }, status);
  }
  for (const kind of ["centers", "queues", "municipalities"] as const) {
    app.get(`/admin/:region/${kind}`, (req, reply) => list(req, reply, kind));
  }

  // ── operators' chats: the bot shows a one-time code in the group (/link); the admin enters it here ──
  const linkChatForm = z.object({ centerId: z.string().min(1).max(64), code: z.string().max(40).default("") });
  app.post("/admin/:region/centers/link-chat", post, async (req, reply) => {
    const { region, staff } = await requireRegionAdmin(deps, req);
    const f = linkChatForm.safeParse(req.body ?? {});
    if (!f.success) throw notFound();
    const center = await findCenterInRegion(db, region.code, f.data.centerId);
    if (!center) throw notFound();
    const linked = await linkCenterChat(db, { code: f.data.code, centerId: center.id, actorId: staff.id, now: deps.clock() });
    if (linked.type === "ok") return reply.redirect(`/admin/${region.code}/centers`, 303);
    return list(req, reply, "centers", { linkError: linked.type, centerId: center.id }, 400);
  });

  // ── forms ──
  async function showForm(
    req: FastifyRequest,
    reply: FastifyReply,
    kind: Kind,
    values: Record<string, unknown> | null,
    errors: Record<string, string> = {},
    status = 200,
  ) {
    const { region } = await requireRegionAdmin(deps, req);
    const id = (req.params as { id?: string }).id ?? null;
    const [centers, municipalities] = await Promise.all([activeCentersOfRegion(db, region.code), activeMunicipalitiesOfRegion(db, region.code)]);
    let openCount = 0;
    let active = true;
    let v = values;
    if (id) {
      const existing = await loadEntity(kind, id, region.code);
      if (!existing) throw notFound();
      active = existing.active;
      if (kind === "queues") openCount = await openRequestsOfQueue(db, id);
      if (kind === "centers") openCount = await openRequestsOfCenter(db, id);
      v ??= formValues(kind, existing);
    }
    // A new center keeps the public holidays unless the admin says otherwise.
    v ??= kind === "centers" ? { holidays: "on" } : {};
    return renderPage(
      deps,
      req,
      reply,
      "admin-form",
      { region, kind, id, v, errors, centers, municipalities, openCount, active },
      status,
    );
  }

  async function loadEntity(kind: Kind, id: string, regionCode: string) {
    if (kind === "centers") return findCenterInRegion(db, regionCode, id);
    if (kind === "queues") return findQueueInRegion(db, regionCode, id);
    return findMunicipalityInRegion(db, regionCode, id);
  }

  function formValues(kind: Kind, e: Record<string, unknown>): Record<string, unknown> {
    if (kind === "municipalities") {
      let aliases: string[] = [];
      try {
        aliases = JSON.parse(String(e.aliases ?? "[]"));
      } catch {}
      return { ...e, aliases: aliases.join(", ") };
    }
    if (kind === "centers") return { ...e, ...hoursFormValues(readSchedule(String(e.hours ?? "{}"))) };
    return { ...e };
  }

  for (const kind of ["centers", "queues", "municipalities"] as const) {
    app.get(`/admin/:region/${kind}/new`, (req, reply) => showForm(req, reply, kind, null));
    app.get(`/admin/:region/${kind}/:id`, async (req, reply) => {
      if (!idParam.safeParse(req.params).success) throw notFound();
      return showForm(req, reply, kind, null);
    });
    app.post(`/admin/:region/${kind}/new`, post, (req, reply) => save(req, reply, kind, null));
    app.post(`/admin/:region/${kind}/:id`, post, async (req, reply) => {
      const p = idParam.safeParse(req.params);
      if (!p.success) throw notFound();
      return save(req, reply, kind, p.data.id);
    });
    app.post(`/admin/:region/${kind}/:id/active`, post, async (req, reply) => {
      const p = idParam.safeParse(req.params);
      if (!p.success) throw notFound();
      return setActive(req, reply, kind, p.data.id);
    });
  }

  async function save(req: FastifyRequest, reply: FastifyReply, kind: Kind, id: string | null) {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const change: AdminChange = { staffId: staff.id, regionCode: region.code, at: deps.clock() };
    if (id && !(await loadEntity(kind, id, region.code))) throw notFound();
    const back = `/admin/${region.code}/${kind}`;
    const uniqueKeyTaken = (key: string) => {
      if (kind === "centers") return centerKeyTaken(db, key, id);
      if (kind === "queues") return queueKeyTaken(db, key, id);
      return municipalityKeyTaken(db, region.code, key, id);
    };

    if (kind === "centers") {
      // Every field's problem at once, each next to its field; nothing is saved until all are fixed.
      const f = centerForm.safeParse(body);
      const grid = parseHoursForm(body);
      const errors = { ...(f.success ? {} : fieldErrors(f.error)), ...(grid.type === "error" ? grid.errors : {}) };
      const existing = id ? await findCenterInRegion(db, region.code, id) : null;
      const rawPhone = typeof body.publicPhone === "string" ? body.publicPhone.trim() : "";
      let phone = normalizePhone(rawPhone);
      if (!phone && existing?.isDemo && rawPhone === existing.publicPhone) phone = existing.publicPhone;
      if (!phone) errors.publicPhone ??= "web-err-phone";
      if (f.success) {
        if (await uniqueKeyTaken(f.data.key)) errors.key = "web-err-key-taken";
        if (f.data.municipalityId && !(await findMunicipalityInRegion(db, region.code, f.data.municipalityId))) {
          errors.municipalityId = "web-err-municipality";
        }
      }
      if (!f.success || grid.type === "error" || Object.keys(errors).length > 0) return showForm(req, reply, kind, body, errors, 400);
      const d = f.data;
      const hours = grid.keepsHolidays ? { ...grid.hours, holidays: regionHolidays(region).map((h) => h.date) } : grid.hours;
      await saveCenter(db, change, id, { ...d, publicPhone: phone ?? d.publicPhone, hours: JSON.stringify(hours) });
      return reply.redirect(back, 303);
    }

    if (kind === "queues") {
      const f = queueForm.safeParse(body);
      if (!f.success) return showForm(req, reply, kind, body, fieldErrors(f.error), 400);
      const d = f.data;
      if (await uniqueKeyTaken(d.key)) return showForm(req, reply, kind, body, { key: "web-err-key-taken" }, 400);
      if (!(await findCenterInRegion(db, region.code, d.centerId))) return showForm(req, reply, kind, body, { centerId: "web-err-center" }, 400);
      await saveQueue(db, change, id, d);
      return reply.redirect(back, 303);
    }

    const f = municipalityForm.safeParse(body);
    if (!f.success) return showForm(req, reply, kind, body, fieldErrors(f.error), 400);
    const d = f.data;
    if (await uniqueKeyTaken(d.key)) return showForm(req, reply, kind, body, { key: "web-err-key-taken" }, 400);
    await saveMunicipality(db, change, id, d);
    return reply.redirect(back, 303);
  }

  async function setActive(req: FastifyRequest, reply: FastifyReply, kind: Kind, id: string) {
    const { staff, region } = await requireRegionAdmin(deps, req);
    const existing = await loadEntity(kind, id, region.code);
    if (!existing) throw notFound();
    const active = checkbox((req.body as Record<string, unknown> | undefined)?.active);
    const change: AdminChange = { staffId: staff.id, regionCode: region.code, at: deps.clock() };
    if (!active) {
      // Never strand requests: a queue (or a center's queues) must be emptied first.
      const open = kind === "queues" ? await openRequestsOfQueue(db, id) : kind === "centers" ? await openRequestsOfCenter(db, id) : 0;
      if (open > 0) return showForm(req, reply, kind, null, { _active: "web-err-open-requests" }, 409);
    }
    if (kind === "centers") await setCenterActive(db, change, existing, active);
    else if (kind === "queues") await setQueueActive(db, change, existing, active);
    else await setMunicipalityActive(db, change, existing, active);
    return reply.redirect(`/admin/${region.code}/${kind}`, 303);
  }
}
