// Erasing the personal data of one request. Which columns are personal, and how each is destroyed,
// comes from the registry (src/privacy/personal-data-registry.ts): the request's own fields, its
// transcript, its notes, and deliveries to the family in the outbox (pending ones are cancelled —
// nothing more reaches the family about it). Used by withdrawal (/revoke) and by the retention
// purge. Anonymous statistics (categories, urgency, region, status, timestamps) stay; a
// destruction-log entry records what went, when and why.
import type { Db, Tx } from "../db/client.ts";
import { flushErasedData } from "../db/erasure.ts";
import { actorFromByWhom, writeAudit } from "../audit/write-audit.ts";
import { erasedValues, familyFields } from "../privacy/personal-data-registry.ts";
import { eraseAttachments } from "./attachments.ts";

export type ErasureReason = "withdrawal" | "retention";

/** Deliveries addressed to the family (their payload quotes operators' messages). */
export const FAMILY_DELIVERY_PREFIX = "family_";

export const ERASED_REQUEST_FIELDS = [
  ...familyFields("Request").map((f) => f.field),
  "transcript",
  "notes",
  "family_deliveries",
  "attachments",
] as const;

export interface EraseRequestInput {
  requestId: number;
  reason: ErasureReason;
  /** "family", "system" or "staff:<id>". */
  byWhom: string;
  /** Pseudonymous subject, e.g. "telegram:12345", kept as evidence. */
  subject: string;
  now: Date;
}

export async function eraseRequestData(tx: Tx, input: EraseRequestInput): Promise<void> {
  const { requestId, reason, byWhom, subject, now } = input;
  const req = await tx.request.update({
    where: { id: requestId },
    data: { ...erasedValues("Request"), personalDataErasedAt: now, erasureReason: reason },
    select: { regionCode: true },
  });
  await tx.transcriptMessage.updateMany({ where: { requestId }, data: { ...erasedValues("TranscriptMessage"), erasedAt: now } });
  await tx.note.updateMany({ where: { requestId }, data: { ...erasedValues("Note"), erasedAt: now } });
  await eraseFamilyDeliveries(tx, { requestId });
  // Pictures and documents: the rows go with their bytes (and a download still queued finds nothing).
  await eraseAttachments(tx, requestId);
  await tx.destructionLog.create({
    data: { at: now, reason, subject, requestId, fields: JSON.stringify(ERASED_REQUEST_FIELDS), byWhom },
  });
  await writeAudit(tx, {
    at: now,
    actor: actorFromByWhom(byWhom),
    action: reason === "withdrawal" ? "request.erase_withdrawal" : "request.erase_retention",
    entityType: "request",
    entityId: String(requestId),
    regionCode: req.regionCode,
    requestId,
    details: { fields: ERASED_REQUEST_FIELDS },
  });
}

/** Deliveries to the family: undelivered ones are cancelled, and every payload is destroyed. */
export async function eraseFamilyDeliveries(
  tx: Tx,
  where: { requestId: number } | { channel: string; targets: string[] },
): Promise<number> {
  const scope =
    "requestId" in where
      ? { requestId: where.requestId }
      : { channel: where.channel, target: { in: where.targets } };
  const family = { ...scope, kind: { startsWith: FAMILY_DELIVERY_PREFIX } };
  const cancelled = await tx.outbox.updateMany({
    where: { ...family, status: { in: ["pending", "failed"] } },
    data: { ...erasedValues("Outbox"), status: "cancelled", lastError: "erased" },
  });
  const rest = await tx.outbox.updateMany({ where: { ...family, NOT: { payload: "{}" } }, data: erasedValues("Outbox") });
  return cancelled.count + rest.count;
}

/**
 * SQLite: with WAL, the old page images stay in the -wal file until a checkpoint; secure_delete
 * zeroes freed space in the pages written. A TRUNCATE checkpoint moves the clean pages into the
 * main file and empties the WAL, so the erased values survive nowhere in the database files.
 * PostgreSQL: VACUUM of the tables holding personal data drops the old row versions (src/db/erasure.ts).
 */
export async function flushErasure(db: Db): Promise<void> {
  await flushErasedData(db);
}
