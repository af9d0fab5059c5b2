// The service's periodic workers as lease-guarded jobs (periodic-jobs.ts): every instance runs the
// same list, each job is done by one instance at a time and not again before it is due.
//   outbox          every 1 s   (one deliverer at a time; each delivery's claim is atomic anyway)
//   reminders       every 60 s  (P0 and overdue reminders; idempotency keys make a repeat a no-op)
//   p0-escalation   every 60 s  (a P0 moved twice by two instances at once would notify twice)
//   retention-purge every hour, also at start (erasure of expired personal data)
//   technical-prune every hour, first an hour after start (the channels replay the journal first)
// Every job's writes are fenced by its lease (leases.ts `leaseFence`): each of its transactions first
// checks that this instance still holds the lease with the same token, so an instance that paused
// past its lease's expiry (GC, a stalled VM) commits nothing once another instance took the job over.
import type { Db } from "../db/client.ts";
import type { CenterNotificationDeps } from "../handoff/center-notifications.ts";
import { enqueueDueReminders } from "../handoff/center-notifications.ts";
import type { Logger } from "../logging/logger.ts";
import type { OutboxWorker } from "../outbox/outbox.ts";
import { escalateUntakenP0 } from "../requests/escalate-untaken.ts";
import { pruneTechnical, purgeExpiredPersonalData } from "../requests/retention-purge.ts";
import { leaseFence, type Leases } from "./leases.ts";
import type { PeriodicJob } from "./periodic-jobs.ts";

export const JOB_NAMES = ["outbox", "reminders", "p0-escalation", "retention-purge", "technical-prune"] as const;

export interface WorkerJobsDeps {
  db: Db;
  /** The leases the job runner takes (their local belief fences the outbox's sends). */
  leases: Pick<Leases, "valid">;
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
  const { db, log, clock, outbox, notices, leases } = deps;
  const purgeDeps = { db, log, clock, retentionDays: deps.retentionDays };
  const jobs: PeriodicJob[] = [
    {
      name: "outbox",
      everyMs: 1000,
      async run({ lease, signal }) {
        const fence = leaseFence(leases, lease);
        // Pass after pass while deliveries are due, so a backlog is not paced at one batch a second.
        for (let i = 0; i < 50 && !signal.aborted; i++) if ((await outbox.runOnce(fence)) === 0) break;
      },
    },
    {
      name: "reminders",
      everyMs: MINUTE,
      run: ({ lease }) => enqueueDueReminders(db, notices, clock(), { fence: leaseFence(leases, lease) }),
    },
    {
      name: "p0-escalation",
      everyMs: MINUTE,
      run: ({ lease }) => escalateUntakenP0(db, notices, clock(), { afterMinutes: deps.p0EscalateAfterMinutes, fence: leaseFence(leases, lease) }),
    },
    {
      name: "retention-purge",
      everyMs: HOUR,
      ttlMs: 5 * MINUTE,
      run: ({ lease }) => purgeExpiredPersonalData({ ...purgeDeps, fence: leaseFence(leases, lease) }),
    },
    {
      name: "technical-prune",
      everyMs: HOUR,
      ttlMs: 5 * MINUTE,
      startAfterMs: HOUR,
      run: ({ lease }) => pruneTechnical({ ...purgeDeps, fence: leaseFence(leases, lease) }),
    },
  ];
  return jobs.map((j) => ({ ...j, ...deps.timing?.[j.name as (typeof JOB_NAMES)[number]] }));
}
