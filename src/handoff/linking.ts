// One-time codes that link (a) an operators' group chat to a center, and (b) an operator's messenger
// account to their web account, so "Take" pressed under a notification assigns the request to them.
import { randomInt } from "node:crypto";
import type { Db } from "../db/client.ts";
import { type ActionResult, takeRequest } from "../requests/request-actions.ts";
import type { FamilyMessenger } from "./family-messages.ts";
import { writeAudit } from "../audit/write-audit.ts";

export type LinkChannel = "telegram" | "max";

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: codes are typed by people
const CODE_TTL_MS = 30 * 60_000;

function newCode(): string {
  return Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
}

export function normaliseCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

export type LinkResult<T> = { type: "ok"; value: T } | { type: "invalid" | "expired" | "used" | "wrong_purpose" };

async function issue(db: Db, data: { purpose: string; channel: LinkChannel; chatId?: string; staffUserId?: string }, now: Date) {
  const code = newCode();
  await db.linkCode.create({ data: { ...data, code, expiresAt: new Date(now.getTime() + CODE_TTL_MS), createdAt: now } });
  return code;
}

async function consume(db: Db, rawCode: string, purpose: string, now: Date) {
  const code = normaliseCode(rawCode);
  const row = code ? await db.linkCode.findUnique({ where: { code } }) : null;
  if (!row) return { type: "invalid" } as const;
  if (row.purpose !== purpose) return { type: "wrong_purpose" } as const;
  if (row.usedAt) return { type: "used" } as const;
  if (row.expiresAt <= now) return { type: "expired" } as const;
  // Conditional update: of two simultaneous uses only one wins.
  const claimed = await db.linkCode.updateMany({ where: { code, usedAt: null }, data: { usedAt: now } });
  if (claimed.count === 0) return { type: "used" } as const;
  return { type: "ok", row } as const;
}

/** The bot, added to a group, asks for a code to show there. */
export function issueCenterChatCode(db: Db, channel: LinkChannel, chatId: string, now: Date): Promise<string> {
  return issue(db, { purpose: "center_chat", channel, chatId }, now);
}

/** An admin enters the code shown in the group on the center's page. */
export async function linkCenterChat(
  db: Db,
  input: { code: string; centerId: string; actorId: string; now: Date },
): Promise<LinkResult<{ channel: LinkChannel; chatId: string }>> {
  const used = await consume(db, input.code, "center_chat", input.now);
  if (used.type !== "ok") return used;
  const channel = used.row.channel as LinkChannel;
  const chatId = used.row.chatId ?? "";
  // The link and its audit row are one change.
  await db.$transaction(async (tx) => {
    const center = await tx.center.update({
      where: { id: input.centerId },
      data: channel === "telegram" ? { notifyTelegramChatId: chatId } : { notifyMaxChatId: chatId },
    });
    await writeAudit(tx, {
      at: input.now,
      actor: { type: "staff", id: input.actorId },
      action: "center.link_chat",
      entityType: "center",
      entityId: center.id,
      regionCode: center.regionCode,
      details: { channel },
    });
  });
  return { type: "ok", value: { channel, chatId } };
}

/** An operator asks the web view for a code to send to the bot in a private chat ("/link CODE"). */
export function issueStaffAccountCode(db: Db, staffUserId: string, channel: LinkChannel, now: Date): Promise<string> {
  return issue(db, { purpose: "staff_account", channel, staffUserId }, now);
}

export async function linkStaffAccount(
  db: Db,
  input: { code: string; channel: LinkChannel; messengerUserId: string; now: Date },
): Promise<LinkResult<{ staffUserId: string; name: string }>> {
  const used = await consume(db, input.code, "staff_account", input.now);
  if (used.type !== "ok") return used;
  if (used.row.channel !== input.channel || !used.row.staffUserId) return { type: "wrong_purpose" };
  const staff = await db.staffUser.update({
    where: { id: used.row.staffUserId },
    data: input.channel === "telegram" ? { telegramUserId: input.messengerUserId } : { maxUserId: input.messengerUserId },
  });
  return { type: "ok", value: { staffUserId: staff.id, name: staff.name } };
}

export type TakeFromChatResult = ActionResult | { type: "not_linked" } | { type: "not_member" };

/**
 * "Take" pressed under a notification in an operators' chat: only a linked staff account that is a
 * member of the request's center (or a superadmin / that region's admin) may take it.
 */
export async function takeFromChat(
  db: Db,
  input: { channel: LinkChannel; messengerUserId: string; requestNumber: string; now: Date; family?: FamilyMessenger },
): Promise<TakeFromChatResult> {
  const staff = await db.staffUser.findFirst({
    where: {
      active: true,
      ...(input.channel === "telegram" ? { telegramUserId: input.messengerUserId } : { maxUserId: input.messengerUserId }),
    },
    include: { memberships: true },
  });
  if (!staff) return { type: "not_linked" };
  const req = await db.request.findUnique({
    where: { number: input.requestNumber },
    select: { id: true, regionCode: true, queue: { select: { centerId: true } } },
  });
  if (!req) return { type: "not_found" };
  const allowed =
    staff.role === "superadmin" ||
    (staff.role === "regional_admin" && staff.regionCode === req.regionCode) ||
    staff.memberships.some((m) => m.centerId === req.queue.centerId);
  if (!allowed) return { type: "not_member" };
  return takeRequest(db, req.id, { id: staff.id }, input.now, input.family);
}
