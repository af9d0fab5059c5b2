// Erasing the personal data of one request: the single place that knows which fields are personal.
// Used by withdrawal (/revoke) and by the retention purge. Anonymous statistics (categories,
// urgency, region, status, timestamps) stay; a destruction-log entry records what went, when and why.
import type { Db, Tx } from "../db/client.ts";
import { actorFromByWhom, writeAudit } from "../audit/write-audit.ts";

export type ErasureReason = "withdrawal" | "retention";

export const ERASED_REQUEST_FIELDS = ["contactName", "contactPhone", "description", "transcript", "notes"] as const;

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
  await tx.request.update({
    where: { id: requestId },
    data: {
      contactName: null,
      contactPhone: null,
      description: null,
      personalDataErasedAt: now,
      erasureReason: reason,
    },
  });
  await tx.transcriptMessage.updateMany({ where: { requestId }, data: { text: "", erasedAt: now } });
  await tx.note.updateMany({ where: { requestId }, data: { text: "", erasedAt: now } });
  await tx.destructionLog.create({
    data: { at: now, reason, subject, requestId, fields: JSON.stringify(ERASED_REQUEST_FIELDS), byWhom },
  });
  const req = await tx.request.findUniqueOrThrow({ where: { id: requestId }, select: { regionCode: true } });
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

/**
 * With WAL, the old page images stay in the -wal file until a checkpoint; secure_delete zeroes freed
 * space in the pages written. A TRUNCATE checkpoint moves the clean pages into the main file and
 * empties the WAL, so the erased values survive nowhere in the database files.
 */
export async function flushErasure(db: Db): Promise<void> {
  await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
}
