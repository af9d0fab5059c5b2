// Retention: personal data of requests closed longer ago than the configured term is erased
// automatically; the anonymous statistics stay.
import { type Fence, fenced } from "../cluster/leases.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logging/logger.ts";
import { emptyAnswers, parseState } from "../dialog/state.ts";
import { resetConversationState } from "../privacy/reset-conversation.ts";
import { eraseRequestData, flushErasure } from "./erase-request-data.ts";
import { type PruneResult, pruneTechnicalTables } from "../privacy/technical-retention.ts";

/** A dialog left unfinished this long loses what it collected (a description typed before consent). */
export const ABANDONED_DIALOG_DAYS = 7;

export interface RetentionPurgeDeps {
  db: Db;
  log: Logger;
  clock: () => Date;
  retentionDays: number;
  /** The job's lease (several instances): every erasure commits only while this instance holds it. */
  fence?: Fence;
}

export async function purgeExpiredPersonalData({ db, log, clock, retentionDays, fence }: RetentionPurgeDeps): Promise<number> {
  const now = clock();
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 60 * 60_000);
  const expired = await db.request.findMany({
    where: { closedAt: { lt: cutoff }, personalDataErasedAt: null, status: { in: ["resolved", "closed"] } },
    select: { id: true, channel: true, conversation: { select: { userId: true } } },
  });
  for (const r of expired) {
    await fenced(db, fence, (tx) =>
      eraseRequestData(tx, {
        requestId: r.id,
        reason: "retention",
        byWhom: "system",
        subject: `${r.channel}:${r.conversation?.userId ?? "unknown"}`,
        now,
      }),
    );
  }
  // Abandoned dialogs: answers typed before consent live only in the conversation state.
  const idleBefore = new Date(now.getTime() - ABANDONED_DIALOG_DAYS * 24 * 60 * 60_000);
  const emptyAnswersJson = JSON.stringify(emptyAnswers());
  const candidates = await db.conversation.findMany({
    where: { lastActivityAt: { lt: idleBefore } },
    select: { id: true, locale: true, seq: true, state: true },
  });
  const idle = candidates.filter((c) => {
    const parsed = parseState(c.state);
    return parsed.type === "ok" && JSON.stringify(parsed.state.answers) !== emptyAnswersJson;
  });
  for (const c of idle) {
    await fenced(db, fence, (tx) => tx.conversation.update({ where: { id: c.id }, data: resetConversationState(c) }));
  }
  if (expired.length > 0 || idle.length > 0) {
    await flushErasure(db);
    log.info({ requests: expired.length, abandonedDialogs: idle.length, retentionDays }, "retention purge erased personal data");
  }
  return expired.length;
}

/** Technical tables (src/privacy/technical-retention.ts); the journal's leftovers hold message text. */
export async function pruneTechnical({ db, log, clock, fence }: RetentionPurgeDeps): Promise<PruneResult> {
  const pruned = await pruneTechnicalTables(db, clock(), undefined, fence);
  if (pruned.inboundLeftovers > 0) await flushErasure(db);
  if (Object.values(pruned).some((n) => n > 0)) log.info(pruned, "technical tables pruned");
  return pruned;
}

/**
 * Runs the purge once at start and then every `intervalMs` (default hourly). Technical pruning runs
 * only on the timer: at start the channels first replay what the inbound journal kept.
 */
export function startRetentionPurge(deps: RetentionPurgeDeps, intervalMs = 60 * 60_000): { stop(): void } {
  const fail = (what: string) => (err: unknown) => deps.log.error({ code: (err as { code?: string }).code }, `${what} failed`);
  const run = () => purgeExpiredPersonalData(deps).catch(fail("retention purge"));
  void run();
  const timer = setInterval(() => {
    void run().then(() => pruneTechnical(deps).catch(fail("technical pruning")));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
