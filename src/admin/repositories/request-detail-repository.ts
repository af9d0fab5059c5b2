// One request as the operator's request page shows it: the request within the viewer's scope, its
// history, deliveries that keep failing, the transcript and the queues it can be moved to.
import type { Db } from "../../db/client.ts";
import type { Prisma, Request, TranscriptMessage } from "../../generated/prisma/client.ts";

/** The request with this number, if the viewer's scope (web-context requestScope) lets them see it. */
export function findVisibleRequest(db: Db, scope: Prisma.RequestWhereInput, number: string): Promise<Request | null> {
  return db.request.findFirst({ where: { AND: [{ number }, scope] } });
}

const detailInclude = {
  queue: { include: { center: true } },
  region: true,
  municipality: true,
  assignee: true,
  consent: true,
  rule: true,
  notes: { include: { author: true }, orderBy: { createdAt: "asc" } },
  messages: { orderBy: { createdAt: "asc" } },
  conversation: { select: { channel: true, blockedAt: true } },
} satisfies Prisma.RequestInclude;

export type RequestDetail = Prisma.RequestGetPayload<{ include: typeof detailInclude }>;

export interface RequestPageData {
  request: RequestDetail;
  /** Deliveries to the family that are dead or keep failing (3+ attempts), so nobody assumes they arrived. */
  failingDeliveries: { kind: string; attempts: number; lastError: string | null; status: string }[];
  /** Audit rows of the request, oldest first, with the staff member's name where there is one. */
  history: (Prisma.AuditLogGetPayload<object> & { actorName: string | null })[];
  /** The messages linked to the request, or the conversation up to it when the dialog linked none. */
  transcript: TranscriptMessage[];
}

/** Everything of one request (already found within the viewer's scope) for its page. */
export async function loadRequestPage(db: Db, requestId: number): Promise<RequestPageData> {
  const request = await db.request.findUniqueOrThrow({ where: { id: requestId }, include: detailInclude });
  const [failingDeliveries, audit] = await Promise.all([
    db.outbox.findMany({
      where: { requestId, OR: [{ status: "dead" }, { status: { not: "sent" }, attempts: { gte: 3 } }] },
      orderBy: { id: "asc" },
      select: { kind: true, attempts: true, lastError: true, status: true },
    }),
    db.auditLog.findMany({ where: { requestId }, orderBy: { at: "asc" } }),
  ]);
  const actorIds = [...new Set(audit.map((h) => h.actorId).filter((x): x is string => !!x))];
  const names = new Map(
    (await db.staffUser.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } })).map((u) => [u.id, u.name] as const),
  );
  let transcript = request.messages;
  if (transcript.length === 0 && request.conversationId) {
    transcript = await db.transcriptMessage.findMany({
      where: { conversationId: request.conversationId, createdAt: { lte: request.createdAt } },
      orderBy: { createdAt: "asc" },
      take: 200,
    });
  }
  return {
    request,
    failingDeliveries,
    history: audit.map((h) => ({ ...h, actorName: h.actorId ? (names.get(h.actorId) ?? null) : null })),
    transcript,
  };
}

/** The messages linked to a request, oldest first (the live transcript on its page). */
export function transcriptOfRequest(db: Db, requestId: number): Promise<TranscriptMessage[]> {
  return db.transcriptMessage.findMany({ where: { requestId }, orderBy: { createdAt: "asc" }, take: 500 });
}
