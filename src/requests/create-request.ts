// Creating a request from a finished triage: route it (pure routing engine on a fresh snapshot),
// give it a human number ("63-00042"), a due time from the urgency promise, and link the
// conversation's transcript. Runs inside the dialog service's transaction, so a request exists
// exactly when the family's "send" was applied.
import type { RequestDraft } from "../dialog/engine.ts";
import type { Tx } from "../db/client.ts";
import type { Urgency } from "../domain/taxonomy.ts";
import { routeRequest } from "../routing/engine.ts";
import type { RoutingDecision, RoutingSnapshot } from "../routing/types.ts";
import { writeAudit } from "../audit/write-audit.ts";

/** What the dialog collected; the same shape the engine's createRequest effect carries. */
export type NewRequest = RequestDraft;

export interface CreateRequestInput {
  request: NewRequest;
  snapshot: RoutingSnapshot;
  now: Date;
  channel: string;
  conversationId: string | null;
  consentId: string | null;
  isTest: boolean;
}

export interface CreatedRequest {
  id: number;
  number: string;
  urgency: Urgency;
  dueAt: Date;
  decision: RoutingDecision;
}

const HOUR = 60 * 60 * 1000;

/** When contact is promised: P0 within an hour, P1 within a day, P2 within 3 working days. */
export function computeDueAt(urgency: Urgency, now: Date): Date {
  if (urgency === "P0") return new Date(now.getTime() + HOUR);
  if (urgency === "P1") return new Date(now.getTime() + 24 * HOUR);
  const days = urgency === "P2" ? 3 : 10;
  const due = new Date(now.getTime());
  let added = 0;
  while (added < days) {
    due.setUTCDate(due.getUTCDate() + 1);
    const wd = due.getUTCDay();
    if (wd !== 0 && wd !== 6) added++;
  }
  return due;
}

export function formatRequestNumber(regionCode: string, n: number): string {
  return `${regionCode}-${String(n).padStart(5, "0")}`;
}

/** Takes the region's next request number (one row per region, incremented in the transaction). */
async function nextNumber(tx: Tx, regionCode: string): Promise<number> {
  const rows = await tx.$queryRaw<{ last: number | bigint }[]>`INSERT INTO "RequestNumberCounter" ("regionCode", "last") VALUES (${regionCode}, 1)
    ON CONFLICT ("regionCode") DO UPDATE SET "last" = "RequestNumberCounter"."last" + 1 RETURNING "last"`;
  return Number(rows[0]!.last);
}

export async function createRequest(tx: Tx, input: CreateRequestInput): Promise<CreatedRequest> {
  const { request: r, now } = input;
  const decision = routeRequest(input.snapshot, {
    regionCode: r.regionCode,
    municipalityId: r.municipalityId,
    categories: r.categories,
    urgency: r.urgency,
    flags: r.flags,
    now,
  });
  const dueAt = computeDueAt(r.urgency, now);
  // Typed SQL: this runs in the family's "send" step, where Prisma's query compiler would cost more
  // CPU than the queries (bench/README.md).
  for (let attempt = 0; ; attempt++) {
    const number = formatRequestNumber(r.regionCode, await nextNumber(tx, r.regionCode));
    const rows = await tx.$queryRaw<{ id: number | bigint }[]>`INSERT INTO "Request" ("number", "conversationId", "channel", "isTest",
        "categories", "urgency", "flags", "answers", "urgencyReasons", "regionCode", "municipalityId", "description", "contactName",
        "contactPhone", "contactMethod", "contactTime", "queueId", "ruleId", "routingReason", "routingExplanation", "consentId",
        "dueAt", "createdAt", "updatedAt")
      VALUES (${number}, ${input.conversationId}, ${input.channel}, ${input.isTest}, ${JSON.stringify(r.categories)}, ${r.urgency},
        ${JSON.stringify(r.flags)}, ${JSON.stringify(r.answers)}, ${JSON.stringify(r.reasons ?? [])}, ${r.regionCode}, ${r.municipalityId},
        ${r.description}, ${r.contactName}, ${r.contactPhone}, ${r.contactMethod}, ${r.contactTime}, ${decision.queue.id},
        ${decision.rule?.id ?? null}, ${decision.reason}, ${decision.explanation}, ${input.consentId}, ${dueAt}, ${now}, ${now})
      ON CONFLICT ("number") DO NOTHING RETURNING "id"`;
    if (!rows[0]) {
      // The number exists already (a database older than the counter, edited by hand): take the next one.
      if (attempt < 5) continue;
      throw new Error(`no free request number in region ${r.regionCode} after ${attempt + 1} tries`);
    }
    const id = Number(rows[0].id);
    if (input.conversationId) {
      await tx.$executeRaw`UPDATE "TranscriptMessage" SET "requestId" = ${id} WHERE "conversationId" = ${input.conversationId} AND "requestId" IS NULL`;
    }
    await writeAudit(tx, {
      at: now,
      actor: { type: "family" },
      action: "request.create",
      entityType: "request",
      entityId: String(id),
      regionCode: r.regionCode,
      requestId: id,
      details: {
        number,
        urgency: r.urgency,
        queue: decision.queue.key,
        reason: decision.reason,
        overflow: decision.overflow,
        overflowStep: decision.overflowStep,
        chosenQueue: decision.chosen.queue.key,
        isTest: input.isTest,
      },
    });
    return { id, number, urgency: r.urgency, dueAt, decision };
  }
}
