// One request on one screen, and the operator's actions on it (each a POST with a CSRF token).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { fillCannedReply, firstName } from "../../requests/canned-replies.ts";
import { contactCautions } from "../../requests/contact-safety.ts";
import { ALL_STATUSES } from "../../requests/queue-order.ts";
import { attachmentDisposition, attachmentForDownload, downloadName, listAttachments, servedContentType } from "../../requests/attachments.ts";
import {
  type ActionResult,
  addNote,
  CLOSE_OUTCOMES,
  changeStatus,
  closeRequest,
  relayToFamily,
  releaseRequest,
  STATUS_TRANSITIONS,
  takeRequest,
  transferRequest,
} from "../../requests/request-actions.ts";
import { cannedRepliesOfCenter } from "../repositories/canned-reply-repository.ts";
import { activeQueuesOfRegion } from "../repositories/queue-admin-repository.ts";
import { findVisibleRequest, loadRequestPage, transcriptOfRequest } from "../repositories/request-detail-repository.ts";
import { describeTriageAnswers } from "../triage-answers.ts";
import { timeFormatter, timeZoneLabel } from "./queue-routes.ts";
import {
  type AdminDeps,
  localeOf,
  notFound,
  parseJsonArray,
  parseJsonObject,
  renderPage,
  requestScope,
  requireStaff,
  type Staff,
} from "../web-context.ts";

const numberParam = z.object({ number: z.string().regex(/^[0-9A-Za-z-]{1,32}$/) });
const fileParam = z.object({ fileId: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/) });
const statusForm = z.object({ status: z.enum(ALL_STATUSES) });
const noteForm = z.object({ text: z.string().max(20_000).default("") });
const messageForm = z.object({ text: z.string().max(20_000).default("") });
const closeForm = z.object({
  outcome: z.enum(CLOSE_OUTCOMES).optional().catch(undefined),
  referral: z.string().max(2000).default("").catch(""),
  confirm: z.literal("yes").optional().catch(undefined),
});
const transferForm = z.object({ queueId: z.string().min(1).max(64), reason: z.string().max(2000).default("") });

function fieldOf(code: string): string {
  if (code === "empty_note" || code === "note_too_long") return "text";
  if (code === "empty_message" || code === "message_too_long") return "message";
  if (code === "no_outcome" || code === "not_confirmed" || code === "empty_referral" || code === "referral_too_long") return "close";
  return "transfer";
}

async function findVisible(deps: AdminDeps, staff: Staff, params: unknown) {
  const p = numberParam.safeParse(params);
  if (!p.success) throw notFound();
  const req = await findVisibleRequest(deps.db, requestScope(staff), p.data.number);
  if (!req) throw notFound();
  return req;
}

export function registerRequestRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  async function showRequest(
    req: FastifyRequest,
    reply: FastifyReply,
    flash: { error?: string; field?: string; status?: number } = {},
  ) {
    const staff = requireStaff(req);
    const base = await findVisible(deps, staff, req.params);
    // Deliveries that keep failing are shown, so nobody assumes the family got a message.
    const { request: r, failingDeliveries, history, transcript } = await loadRequestPage(db, base.id);
    const transferQueues = await activeQueuesOfRegion(db, r.regionCode, r.queueId);
    const cannedReplies = (await cannedRepliesOfCenter(db, r.queue.centerId)).map((c) => ({
      id: c.id,
      title: c.title,
      text: fillCannedReply(c.text, { center: r.queue.center.name, operator: firstName(staff.name) }),
    }));
    const answers = describeTriageAnswers(parseJsonObject(r.answers), (key, args) => deps.i18n.t(localeOf(req), key, args));
    return renderPage(
      deps,
      req,
      reply,
      "request",
      {
        r,
        categories: parseJsonArray(r.categories),
        flags: parseJsonArray(r.flags),
        answers,
        cannedReplies,
        cautions: contactCautions({ answers: parseJsonObject(r.answers), contactMethod: r.contactMethod }),
        transcript,
        attachments: await listAttachments(db, r.id),
        history: history.map((h) => ({ ...h, actor: h.actorName ?? h.actorType, details: parseJsonObject(h.details) })),
        transferQueues,
        failingDeliveries,
        canWriteFamily:
          !!deps.family &&
          !!r.conversation &&
          (r.conversation.channel === "telegram" || r.conversation.channel === "max") &&
          !r.conversation.blockedAt &&
          !r.personalDataErasedAt &&
          r.status !== "resolved" &&
          r.status !== "closed",
        nextStatuses: (STATUS_TRANSITIONS[r.status as keyof typeof STATUS_TRANSITIONS] ?? []).filter((s) => s !== "resolved" && s !== "closed"),
        canClose: r.status !== "resolved" && r.status !== "closed",
        outcomes: CLOSE_OUTCOMES,
        closeForm: flash.field === "close" ? closeForm.parse(req.body ?? {}) : null,
        familyDue: timeFormatter(localeOf(req), r.region.timezone)(r.dueAt),
        timeZoneLabel: timeZoneLabel(staff.timeZone, deps.clock()),
        mine: r.assigneeId === staff.id,
        timeLeft: r.firstContactAt || r.closedAt ? null : r.dueAt.getTime() - deps.clock().getTime(),
        flash,
        title: r.number,
      },
      flash.status ?? 200,
    );
  }

  app.get("/requests/:number", (req, reply) => showRequest(req, reply));

  // A family's picture or document (src/requests/attachments.ts), within the viewer's scope: always
  // a download with a safe type, never rendered by the browser (no HTML or SVG from a file).
  app.get("/requests/:number/files/:fileId", async (req, reply) => {
    const staff = requireStaff(req);
    const r = await findVisible(deps, staff, req.params);
    const p = fileParam.safeParse(req.params);
    if (!p.success) throw notFound();
    const f = await attachmentForDownload(db, r.id, p.data.fileId);
    if (!f?.bytes) throw notFound();
    return reply
      .header("Content-Type", servedContentType(f.mime))
      .header("Content-Disposition", attachmentDisposition(downloadName(f)))
      .header("X-Content-Type-Options", "nosniff")
      .header("Cache-Control", "private, no-store")
      .send(Buffer.from(f.bytes));
  });

  // The transcript alone, re-fetched by the page every few seconds: the family's later messages
  // and the operator's replies appear without a reload.
  app.get("/requests/:number/transcript", async (req, reply) => {
    const staff = requireStaff(req);
    const r = await findVisible(deps, staff, req.params);
    const transcript = await transcriptOfRequest(db, r.id);
    return renderPage(deps, req, reply, "transcript-live", { transcript });
  });

  async function act(
    req: FastifyRequest,
    reply: FastifyReply,
    run: (requestId: number, staff: Staff) => Promise<ActionResult> | ActionResult,
  ) {
    const staff = requireStaff(req);
    const r = await findVisible(deps, staff, req.params);
    const result = await run(r.id, staff);
    switch (result.type) {
      case "ok":
        return reply.redirect(`/requests/${encodeURIComponent(r.number)}`, 303);
      case "not_found":
        throw notFound();
      case "conflict":
        return showRequest(req, reply, { error: result.code, status: 409 });
      case "invalid":
        return showRequest(req, reply, { error: result.code, field: fieldOf(result.code), status: 400 });
    }
  }

  const post = { preHandler: app.csrfProtection };
  app.post("/requests/:number/take", post, (req, reply) =>
    act(req, reply, (id, staff) => takeRequest(db, id, staff, deps.clock(), deps.family)),
  );
  app.post("/requests/:number/release", post, (req, reply) =>
    act(req, reply, (id, staff) => releaseRequest(db, id, staff, deps.clock())),
  );
  app.post("/requests/:number/status", post, (req, reply) =>
    act(req, reply, (id, staff) => {
      const f = statusForm.safeParse(req.body ?? {});
      if (!f.success) return { type: "conflict", code: "bad_transition" };
      // Closing goes through its own form, which asks how it ended and for a confirmation.
      if (f.data.status === "resolved" || f.data.status === "closed") return { type: "invalid", code: "no_outcome" };
      return changeStatus(db, id, f.data.status, staff, deps.clock(), deps.family);
    }),
  );
  app.post("/requests/:number/close", post, (req, reply) =>
    act(req, reply, (id, staff) => {
      const f = closeForm.parse(req.body ?? {});
      if (!f.outcome) return { type: "invalid", code: "no_outcome" };
      if (f.confirm !== "yes") return { type: "invalid", code: "not_confirmed" };
      return closeRequest(db, id, { outcome: f.outcome, referral: f.referral }, staff, deps.clock(), deps.family);
    }),
  );
  app.post("/requests/:number/message", post, (req, reply) =>
    act(req, reply, (id, staff) => {
      if (!deps.family) return { type: "conflict", code: "family_unreachable", reason: "channel" };
      const f = messageForm.safeParse(req.body ?? {});
      return relayToFamily(db, deps.family, id, f.success ? f.data.text : "", staff, deps.clock());
    }),
  );
  app.post("/requests/:number/notes", post, (req, reply) =>
    act(req, reply, (id, staff) => {
      const f = noteForm.safeParse(req.body ?? {});
      return addNote(db, id, f.success ? f.data.text : "", staff, deps.clock());
    }),
  );
  app.post("/requests/:number/transfer", post, (req, reply) =>
    act(req, reply, (id, staff) => {
      const f = transferForm.safeParse(req.body ?? {});
      if (!f.success) return { type: "invalid", code: "bad_queue" };
      return transferRequest(db, id, f.data.queueId, f.data.reason, staff, deps.clock());
    }),
  );
}
