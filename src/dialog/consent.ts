// Consent records (152-ФЗ, design.md §4): what was shown, to whom, when, from which update.
// After withdrawal the minimal record stays as evidence, with withdrawnAt set. The record itself
// is written by conversation-store.ts, with the dialog step that showed the consent.
import type { Tx } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { writeAudit } from "../audit/write-audit.ts";

/** The consent a new request rests on, as a scalar subquery inside its INSERT: the latest given, not withdrawn, of this person. */
export function activeConsentSql(channel: string, userId: string): Prisma.Sql {
  return Prisma.sql`(SELECT "id" FROM "ConsentRecord"
    WHERE "channel" = ${channel} AND "userId" = ${userId} AND "decision" = 'given' AND "withdrawnAt" IS NULL ORDER BY "givenAt" DESC LIMIT 1)`;
}

export async function withdrawConsents(
  tx: Tx,
  input: { channel: string; userId: string; updateKey: string; now: Date },
): Promise<number> {
  const res = await tx.consentRecord.updateMany({
    where: { channel: input.channel, userId: input.userId, withdrawnAt: null, decision: "given" },
    data: { withdrawnAt: input.now, withdrawUpdateId: input.updateKey },
  });
  if (res.count > 0) {
    await writeAudit(tx, {
      at: input.now,
      actor: { type: "family" },
      action: "consent.withdraw",
      entityType: "consent",
      entityId: `${input.channel}:${input.userId}`,
      details: { records: res.count },
    });
  }
  return res.count;
}
