// Creating a request from a finished triage: route it (pure routing engine on a fresh snapshot),
// give it a human number ("63-00042"), a due time from the urgency promise, and link the
// conversation's transcript. Runs inside the dialog service's transaction, so a request exists
// exactly when the family's "send" was applied.
import type { RequestDraft } from "../dialog/engine.ts";
import type { DbEngine, Tx } from "../db/client.ts";
import type { Urgency } from "../domain/taxonomy.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { loadForNotice, type NoticeRequest, type NoticeRow, noticeRequestOf, noticeRequestSql } from "../handoff/center-notifications.ts";
import { routeRequest } from "../routing/engine.ts";
import type { RoutingDecision, RoutingSnapshot } from "../routing/types.ts";
import { auditOfInsertedRequestSql, writeAudit } from "../audit/write-audit.ts";

/** What the dialog collected; the same shape the engine's createRequest effect carries. */
export type NewRequest = RequestDraft;

export interface CreateRequestInput {
  request: NewRequest;
  snapshot: RoutingSnapshot;
  now: Date;
  channel: string;
  conversationId: string | null;
  /** The consent it rests on: its id, or the subquery that finds it (dialog/consent.ts, activeConsentSql). */
  consentId: string | null | Prisma.Sql;
  isTest: boolean;
  engine: DbEngine;
}

export interface CreatedRequest {
  id: number;
  number: string;
  urgency: Urgency;
  dueAt: Date;
  decision: RoutingDecision;
  /** What its center's new-request notice needs (center-notifications.ts, newRequestNotices). */
  notice: NoticeRequest;
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
const nextNumberSql = (regionCode: string) => Prisma.sql`INSERT INTO "RequestNumberCounter" ("regionCode", "last") VALUES (${regionCode}, 1)
    ON CONFLICT ("regionCode") DO UPDATE SET "last" = "RequestNumberCounter"."last" + 1 RETURNING "last"`;

const REQUEST_COLUMNS = Prisma.raw(`"number", "conversationId", "channel", "isTest", "categories", "urgency", "flags", "answers", "urgencyReasons",
  "regionCode", "municipalityId", "description", "contactName", "contactPhone", "contactMethod", "contactTime", "queueId", "ruleId",
  "routingReason", "routingExplanation", "consentId", "dueAt", "createdAt", "updatedAt"`);

/** The Request row's VALUES, its number given as SQL (a value, or PostgreSQL's counter subquery). */
function requestValues(number: Prisma.Sql, input: CreateRequestInput, decision: RoutingDecision, dueAt: Date): Prisma.Sql {
  const { request: r, now } = input;
  return Prisma.sql`(${number}, ${input.conversationId}, ${input.channel}, ${input.isTest}, ${JSON.stringify(r.categories)}, ${r.urgency},
    ${JSON.stringify(r.flags)}, ${JSON.stringify(r.answers)}, ${JSON.stringify(r.reasons ?? [])}, ${r.regionCode}, ${r.municipalityId},
    ${r.description}, ${r.contactName}, ${r.contactPhone}, ${r.contactMethod}, ${r.contactTime}, ${decision.queue.id},
    ${decision.rule?.id ?? null}, ${decision.reason}, ${decision.explanation}, ${input.consentId}, ${dueAt}, ${now}, ${now})`;
}

/** The audit entry of a request's creation, but for what comes from the row (id, region, number). */
function creationAudit(input: CreateRequestInput, decision: RoutingDecision) {
  const r = input.request;
  return {
    at: input.now,
    actor: { type: "family" as const },
    action: "request.create",
    details: {
      urgency: r.urgency,
      queue: decision.queue.key,
      reason: decision.reason,
      overflow: decision.overflow,
      overflowStep: decision.overflowStep,
      chosenQueue: decision.chosen.queue.key,
      isTest: input.isTest,
    },
  };
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
  // CPU than the queries (bench/README.md). A number already taken (a database older than the
  // counter, edited by hand) is skipped: the next one is tried.
  for (let attempt = 0; attempt < 6; attempt++) {
    const notice = input.engine === "postgresql" ? await insertOnPostgres(tx, input, decision, dueAt) : await insertOnSqlite(tx, input, decision, dueAt);
    if (notice) return { id: notice.id, number: notice.number, urgency: r.urgency, dueAt, decision, notice };
  }
  throw new Error(`no free request number in region ${r.regionCode} after 6 tries`);
}

/**
 * PostgreSQL: one statement (a round trip each is the cost there, and the step's transaction holds
 * its connection meanwhile) — the number, the request, its transcript, its audit row, and what its
 * notice needs. Null when the number was taken.
 */
async function insertOnPostgres(tx: Tx, input: CreateRequestInput, decision: RoutingDecision, dueAt: Date): Promise<NoticeRequest | null> {
  const regionCode = input.request.regionCode;
  // The counter's number as formatRequestNumber writes it: five digits at least.
  const number = Prisma.sql`(SELECT ${regionCode}::text || '-' || lpad("last"::text, greatest(5, length("last"::text)), '0') FROM "counter")`;
  const transcript = input.conversationId
    ? Prisma.sql`, "transcript" AS (UPDATE "TranscriptMessage" SET "requestId" = (SELECT "id" FROM "created")
        WHERE "conversationId" = ${input.conversationId} AND "requestId" IS NULL AND EXISTS (SELECT 1 FROM "created"))`
    : Prisma.empty;
  const rows = await tx.$queryRaw<NoticeRow[]>`WITH "counter" AS (${nextNumberSql(regionCode)}),
    "created" AS (INSERT INTO "Request" (${REQUEST_COLUMNS}) VALUES ${requestValues(number, input, decision, dueAt)}
      ON CONFLICT ("number") DO NOTHING RETURNING *)${transcript},
    "audit" AS (${auditOfInsertedRequestSql("created", creationAudit(input, decision))})
    ${noticeRequestSql(Prisma.sql`"created"`)}`;
  return rows[0] ? noticeRequestOf(rows[0]) : null;
}

/** SQLite: the same writes one after the other (in-process, no round trips). */
async function insertOnSqlite(tx: Tx, input: CreateRequestInput, decision: RoutingDecision, dueAt: Date): Promise<NoticeRequest | null> {
  const r = input.request;
  const counter = await tx.$queryRaw<{ last: number | bigint }[]>(nextNumberSql(r.regionCode));
  const number = formatRequestNumber(r.regionCode, Number(counter[0]!.last));
  const rows = await tx.$queryRaw<{ id: number | bigint }[]>`INSERT INTO "Request" (${REQUEST_COLUMNS})
    VALUES ${requestValues(Prisma.sql`${number}`, input, decision, dueAt)} ON CONFLICT ("number") DO NOTHING RETURNING "id"`;
  if (!rows[0]) return null;
  const id = Number(rows[0].id);
  if (input.conversationId) {
    await tx.$executeRaw`UPDATE "TranscriptMessage" SET "requestId" = ${id} WHERE "conversationId" = ${input.conversationId} AND "requestId" IS NULL`;
  }
  const audit = creationAudit(input, decision);
  await writeAudit(tx, { ...audit, entityType: "request", entityId: String(id), regionCode: r.regionCode, requestId: id, details: { number, ...audit.details } });
  return await loadForNotice(tx, id);
}
