// "Try the dialog": an admin chats with the triage in the browser through the web channel of the
// same dialog service. Conversations are marked as test, so their requests stay out of queues
// and statistics. The last exchanges are kept in the staff session only to redraw the page.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { InboundEvent, Reply } from "../../dialog/service-types.ts";
import { type AdminDeps, HttpProblem, renderPage, type Staff } from "../web-context.ts";
import { requireRegionAdmin } from "./admin-scope.ts";

interface ChatLine {
  who: "me" | "bot";
  text: string;
  options?: { label: string; token: string }[];
  contact?: string;
  link?: { label: string; url: string };
}

declare module "fastify" {
  interface Session {
    tryChat?: { chatId: string; lines: ChatLine[] };
  }
}

const MAX_LINES = 60;
const tryForm = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), text: z.string().trim().min(1).max(4000) }),
  z.object({ kind: z.literal("option"), token: z.string().min(1).max(64) }),
  z.object({ kind: z.literal("contact"), phone: z.string().trim().min(5).max(32) }),
  z.object({ kind: z.literal("restart") }),
]);

function linesOf(replies: Reply[]): ChatLine[] {
  const out: ChatLine[] = [];
  for (const r of replies) {
    if (r.type === "text") out.push({ who: "bot", text: r.text, options: r.options?.flat(), link: r.link && /^https?:\/\//.test(r.link.url) ? r.link : undefined });
    else if (r.type === "requestContact") out.push({ who: "bot", text: r.text, options: r.options?.flat(), contact: r.shareLabel });
  }
  return out;
}

export function registerTryDialogRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const post = { preHandler: app.csrfProtection };

  function show(req: FastifyRequest, reply: FastifyReply, region: { code: string; name: string }) {
    const chat = req.session.tryChat;
    const last = chat?.lines.at(-1);
    return renderPage(deps, req, reply, "try-dialog", { region, lines: chat?.lines ?? [], last });
  }

  async function send(req: FastifyRequest, staff: Staff, region: { code: string }, event: InboundEvent, shown: string | null) {
    const service = deps.service;
    if (!service) throw new HttpProblem(404, "no_dialog");
    const chat = req.session.tryChat ?? { chatId: `try-${staff.id}-${randomUUID().slice(0, 8)}`, lines: [] };
    const result = await service.handle(
      {
        channel: "web",
        chatId: chat.chatId,
        userId: chat.chatId,
        updateKey: randomUUID(),
        locale: staff.locale,
        isTest: true,
      },
      event,
    );
    const lines = [...chat.lines];
    if (shown) lines.push({ who: "me", text: shown });
    if (result.type === "handled") lines.push(...linesOf(result.replies));
    req.session.tryChat = { chatId: chat.chatId, lines: lines.slice(-MAX_LINES) };
    void region;
  }

  app.get("/admin/:region/try", async (req, reply) => {
    const { staff, region } = await requireRegionAdmin(deps, req);
    if (!deps.service) throw new HttpProblem(404, "no_dialog");
    if (!req.session.tryChat) await send(req, staff, region, { type: "start", payload: region.code }, null);
    return show(req, reply, region);
  });

  app.post("/admin/:region/try", post, async (req, reply) => {
    const { staff, region } = await requireRegionAdmin(deps, req);
    if (!deps.service) throw new HttpProblem(404, "no_dialog");
    const f = tryForm.safeParse(req.body ?? {});
    if (!f.success) return reply.redirect(`/admin/${region.code}/try`, 303);
    const d = f.data;
    if (d.kind === "restart") {
      req.session.tryChat = undefined;
      await send(req, staff, region, { type: "start", payload: region.code }, null);
    } else if (d.kind === "text") {
      await send(req, staff, region, { type: "text", text: d.text }, d.text);
    } else if (d.kind === "option") {
      const label = req.session.tryChat?.lines.flatMap((l) => l.options ?? []).find((o) => o.token === d.token)?.label ?? "…";
      await send(req, staff, region, { type: "option", token: d.token }, label);
    } else {
      await send(req, staff, region, { type: "contact", phone: d.phone, own: true }, d.phone);
    }
    return reply.redirect(`/admin/${region.code}/try#end`, 303);
  });
}
