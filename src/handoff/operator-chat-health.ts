// Which centers' operators' chats are not receiving their notices (new requests, reminders,
// escalations): the outbox rows to the chat that failed for good or are being retried, counted
// since the last notice that did get through — a chat that works again drops off the list. Read
// for the admin overview, so a center that went silent is seen at once, not request by request.
import type { Db } from "../db/client.ts";

export interface FailingOperatorChat {
  centerId: string;
  centerKey: string;
  centerName: string;
  regionCode: string | null;
  channel: "telegram" | "max";
  /** Notices given up on (dead/failed) since the last delivered one. */
  dead: number;
  /** Notices still being retried after a failed attempt. */
  retrying: number;
  /** The last error code the messenger's sender reported (no personal data). */
  lastError: string | null;
  /** When the oldest of those notices was queued. */
  since: Date;
}

/** Only recent notices count: a chat that failed months ago and has had no notice since is not "failing now". */
const WINDOW_DAYS = 7;

export async function failingOperatorChats(db: Db, options: { regionCode?: string; now: Date }): Promise<FailingOperatorChat[]> {
  const centers = await db.center.findMany({
    where: {
      active: true,
      ...(options.regionCode ? { regionCode: options.regionCode } : {}),
      OR: [{ notifyTelegramChatId: { not: null } }, { notifyMaxChatId: { not: null } }],
    },
    select: { id: true, key: true, name: true, regionCode: true, notifyTelegramChatId: true, notifyMaxChatId: true },
    orderBy: [{ regionCode: "asc" }, { name: "asc" }],
  });
  const chats = centers.flatMap((c) => [
    ...(c.notifyTelegramChatId ? [{ center: c, channel: "telegram" as const, target: c.notifyTelegramChatId }] : []),
    ...(c.notifyMaxChatId ? [{ center: c, channel: "max" as const, target: c.notifyMaxChatId }] : []),
  ]);
  if (chats.length === 0) return [];
  const from = new Date(options.now.getTime() - WINDOW_DAYS * 86_400_000);
  const targets = (channel: "telegram" | "max") => chats.filter((c) => c.channel === channel).map((c) => c.target);
  const recent = { kind: { startsWith: "center_" }, createdAt: { gte: from } };
  const toChats = {
    OR: [
      { channel: "telegram", target: { in: targets("telegram") } },
      { channel: "max", target: { in: targets("max") } },
    ],
  };
  const failed = { OR: [{ status: { in: ["dead", "failed"] } }, { status: { in: ["pending", "sending"] }, attempts: { gt: 0 } }] };
  const [delivered, troubled] = await Promise.all([
    db.outbox.groupBy({ by: ["channel", "target"], where: { ...recent, ...toChats, status: "sent" }, _max: { createdAt: true } }),
    db.outbox.findMany({
      where: { ...recent, AND: [toChats, failed] },
      select: { channel: true, target: true, status: true, lastError: true, createdAt: true },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  const lastDelivered = new Map(delivered.map((d) => [`${d.channel}:${d.target}`, d._max.createdAt?.getTime() ?? 0]));
  const out: FailingOperatorChat[] = [];
  for (const chat of chats) {
    const key = `${chat.channel}:${chat.target}`;
    const after = lastDelivered.get(key) ?? 0;
    const rows = troubled.filter((r) => r.channel === chat.channel && r.target === chat.target && r.createdAt.getTime() > after);
    const first = rows[0];
    if (!first) continue;
    out.push({
      centerId: chat.center.id,
      centerKey: chat.center.key,
      centerName: chat.center.name,
      regionCode: chat.center.regionCode,
      channel: chat.channel,
      dead: rows.filter((r) => r.status === "dead" || r.status === "failed").length,
      retrying: rows.filter((r) => r.status === "pending" || r.status === "sending").length,
      lastError: rows.at(-1)?.lastError ?? null,
      since: first.createdAt,
    });
  }
  return out;
}
