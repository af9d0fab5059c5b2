// Retention: personal data of requests closed longer ago than the configured term is erased
// automatically; the anonymous statistics stay.
import type { Db } from "../db/client.ts";
import type { Logger } from "../logging/logger.ts";
import { eraseRequestData, flushErasure } from "./erase-request-data.ts";

export interface RetentionPurgeDeps {
  db: Db;
  log: Logger;
  clock: () => Date;
  retentionDays: number;
}

export async function purgeExpiredPersonalData({ db, log, clock, retentionDays }: RetentionPurgeDeps): Promise<number> {
  const now = clock();
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 60 * 60_000);
  const expired = await db.request.findMany({
    where: { closedAt: { lt: cutoff }, personalDataErasedAt: null, status: { in: ["resolved", "closed"] } },
    select: { id: true, channel: true, conversation: { select: { userId: true } } },
  });
  for (const r of expired) {
    await db.$transaction((tx) =>
      eraseRequestData(tx, {
        requestId: r.id,
        reason: "retention",
        byWhom: "system",
        subject: `${r.channel}:${r.conversation?.userId ?? "unknown"}`,
        now,
      }),
    );
  }
  if (expired.length > 0) {
    await flushErasure(db);
    log.info({ count: expired.length, retentionDays }, "retention purge erased personal data");
  }
  return expired.length;
}

/** Runs the purge once at start and then every `intervalMs` (default hourly). */
export function startRetentionPurge(deps: RetentionPurgeDeps, intervalMs = 60 * 60_000): { stop(): void } {
  const run = () =>
    purgeExpiredPersonalData(deps).catch((err) =>
      deps.log.error({ code: (err as { code?: string }).code }, "retention purge failed"),
    );
  void run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
