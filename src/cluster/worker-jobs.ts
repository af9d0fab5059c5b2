// The service's periodic workers as lease-guarded jobs (periodic-jobs.ts): every instance runs the
// same list, each job is done by one instance at a time and not again before it is due.
//   outbox          every 1 s   (one deliverer at a time; each delivery's claim is atomic anyway)
//   reminders       every 60 s  (P0 and overdue reminders; idempotency keys make a repeat a no-op)
//   p0-escalation   every 60 s  (a P0 moved twice by two instances at once would notify twice)
//   retention-purge every hour, also at start (erasure of expired personal data)
//   technical-prune every hour, first an hour after start (the channels replay the journal first)
import type { Db } from "../db/client.ts";
import type { CenterNotificationDeps } from "../handoff/center-notifications.ts";
import { enqueueDueReminders } from "../handoff/center-notifications.ts";
import type { Logger } from "../logging/logger.ts";
import type { OutboxWorker } from "../outbox/outbox.ts";
import { escalateUntakenP0 } from "../requests/escalate-untaken.ts";
import { pruneTechnical, purgeExpiredPersonalData } from "../requests/retention-purge.ts";
import type { PeriodicJob } from "./periodic-jobs.ts";

export const JOB_NAMES = ["outbox", "reminders", "p0-escalation", "retention-purge", "technical-prune"] as const;

export interface WorkerJobsDeps {
  db: Db;
  log: Logger;
  clock: () => Date;
  outbox: OutboxWorker;
  notices: CenterNotificationDeps;
  p0EscalateAfterMinutes: number;
  retentionDays: number;
  /** Shorter intervals and leases (tests). */
  timing?: Partial<Record<(typeof JOB_NAMES)[number], { everyMs?: number; ttlMs?: number; startAfterMs?: number }>>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export function workerJobs(deps: WorkerJobsDeps): PeriodicJob[] {
  const { db, log, clock, outbox, notices } = deps;
  const purgeDeps = { db, log, clock, retentionDays: deps.retentionDays };
  const jobs: PeriodicJob[] = [
    {
      name: "outbox",
      everyMs: 1000,
      async run({ signal }) {
        // Pass after pass while deliveries are due, so a backlog is not paced at one batch a second.
        for (let i = 0; i < 50 && !signal.aborted; i++) if ((await outbox.runOnce()) === 0) break;
      },
    },
    { name: "reminders", everyMs: MINUTE, run: () => enqueueDueReminders(db, notices, clock()) },
    {
      name: "p0-escalation",
      everyMs: MINUTE,
      run: () => escalateUntakenP0(db, notices, clock(), { afterMinutes: deps.p0EscalateAfterMinutes }),
    },
    { name: "retention-purge", everyMs: HOUR, ttlMs: 5 * MINUTE, run: () => purgeExpiredPersonalData(purgeDeps) },
    { name: "technical-prune", everyMs: HOUR, ttlMs: 5 * MINUTE, startAfterMs: HOUR, run: () => pruneTechnical(purgeDeps) },
  ];
  return jobs.map((j) => ({ ...j, ...deps.timing?.[j.name as (typeof JOB_NAMES)[number]] }));
}
