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
  const counter = await tx.requestNumberCounter.upsert({
    where: { regionCode },
    create: { regionCode, last: 1 },
    update: { last: { increment: 1 } },
  });
  return counter.last;
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
  for (let attempt = 0; ; attempt++) {
    const number = formatRequestNumber(r.regionCode, await nextNumber(tx, r.regionCode));
    try {
      const created = await tx.request.create({
        data: {
          number,
          conversationId: input.conversationId,
          channel: input.channel,
          isTest: input.isTest,
          categories: JSON.stringify(r.categories),
          urgency: r.urgency,
          flags: JSON.stringify(r.flags),
          answers: JSON.stringify(r.answers),
          urgencyReasons: JSON.stringify(r.reasons ?? []),
          regionCode: r.regionCode,
          municipalityId: r.municipalityId,
          description: r.description,
          contactName: r.contactName,
          contactPhone: r.contactPhone,
          contactMethod: r.contactMethod,
          contactTime: r.contactTime,
          queueId: decision.queue.id,
          ruleId: decision.rule?.id ?? null,
          routingReason: decision.reason,
          routingExplanation: decision.explanation,
          consentId: input.consentId,
          dueAt,
          createdAt: now,
        },
      });
      if (input.conversationId) {
        await tx.transcriptMessage.updateMany({
          where: { conversationId: input.conversationId, requestId: null },
          data: { requestId: created.id },
        });
      }
      await writeAudit(tx, {
        at: now,
        actor: { type: "family" },
        action: "request.create",
        entityType: "request",
        entityId: String(created.id),
        regionCode: r.regionCode,
        requestId: created.id,
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
      return { id: created.id, number, urgency: r.urgency, dueAt, decision };
    } catch (err) {
      // The number exists already (a database older than the counter, edited by hand): take the next one.
      if (attempt < 5 && (err as { code?: string }).code === "P2002") continue;
      throw err;
    }
  }
}
