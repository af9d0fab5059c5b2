// Canned replies of a region's centers: its admins write them, operators pick them in the message
// box. Titles are unique per center; a clash is an answer, not an error.
import type { Db } from "../../db/client.ts";
import type { CannedReply } from "../../generated/prisma/client.ts";
import { type AdminChange, auditAdminChange } from "./admin-change.ts";

export interface CannedReplyFields {
  title: string;
  text: string;
}

export type CannedReplyWrite = { type: "ok"; id: string } | { type: "duplicate_title" };

/** The region's centers, each with its replies by title. */
export function centersWithCannedReplies(db: Db, regionCode: string) {
  return db.center.findMany({
    where: { regionCode },
    orderBy: { name: "asc" },
    include: { cannedReplies: { orderBy: { title: "asc" } } },
  });
}

/** One center's replies by title (the operator's message box). */
export function cannedRepliesOfCenter(db: Db, centerId: string): Promise<CannedReply[]> {
  return db.cannedReply.findMany({ where: { centerId }, orderBy: { title: "asc" } });
}

/** A reply of one of the region's centers, or null: an admin never touches another region's replies. */
export function findCannedReplyInRegion(db: Db, regionCode: string, id: string): Promise<CannedReply | null> {
  return db.cannedReply.findFirst({ where: { id, center: { regionCode } } });
}

export function createCannedReply(db: Db, change: AdminChange, centerId: string, fields: CannedReplyFields): Promise<CannedReplyWrite> {
  return db.$transaction(async (tx): Promise<CannedReplyWrite> => {
    if (await tx.cannedReply.findUnique({ where: { centerId_title: { centerId, title: fields.title } } })) return { type: "duplicate_title" };
    const row = await tx.cannedReply.create({ data: { centerId, ...fields, createdAt: change.at } });
    await auditAdminChange(tx, change, "canned_reply.create", { type: "canned_reply", id: row.id }, { centerId });
    return { type: "ok", id: row.id };
  });
}

export function updateCannedReply(
  db: Db,
  change: AdminChange,
  existing: Pick<CannedReply, "id" | "centerId">,
  fields: CannedReplyFields,
): Promise<CannedReplyWrite> {
  return db.$transaction(async (tx): Promise<CannedReplyWrite> => {
    const clash = await tx.cannedReply.findUnique({ where: { centerId_title: { centerId: existing.centerId, title: fields.title } } });
    if (clash && clash.id !== existing.id) return { type: "duplicate_title" };
    await tx.cannedReply.update({ where: { id: existing.id }, data: fields });
    await auditAdminChange(tx, change, "canned_reply.update", { type: "canned_reply", id: existing.id }, { centerId: existing.centerId });
    return { type: "ok", id: existing.id };
  });
}

export async function deleteCannedReply(db: Db, change: AdminChange, existing: Pick<CannedReply, "id" | "centerId">): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.cannedReply.delete({ where: { id: existing.id } });
    await auditAdminChange(tx, change, "canned_reply.delete", { type: "canned_reply", id: existing.id }, { centerId: existing.centerId });
  });
}
