// Periodic jobs on several instances, each done once: every instance ticks, but a job runs only on
// the instance that takes its lease (`job:<name>`). While it runs the lease is renewed; a holder
// that dies stops renewing, the lease expires and the next instance to tick runs the job. After a
// run the lease is kept until the job is due again (`everyMs` after it started), so a job that
// just ran on one instance is not run again by another one's tick.
import type { Logger } from "../logging/logger.ts";
import { type Lease, LeaseLostError, type Leases } from "./leases.ts";

export interface JobContext {
  lease: Lease;
  /** Aborted when the lease is lost (renewal failed): stop and let the next holder redo the rest. */
  signal: AbortSignal;
}

export interface PeriodicJob {
  name: string;
  /** The job is due this long after its last run started (on whichever instance). */
  everyMs: number;
  /** Lease length while running, renewed every third of it (default 30 s). A dead holder's job waits this long. */
  ttlMs?: number;
  /** The first attempt of this instance waits this long (default: at once). */
  startAfterMs?: number;
  run(ctx: JobContext): Promise<unknown>;
}

export type JobOutcome = "ran" | "busy" | "failed" | "lost";

export interface JobRunner {
  /** One attempt at a job: runs it when its lease is free. */
  tryRun(name: string): Promise<JobOutcome>;
  /** Ticks every job every min(everyMs, checkMs). */
  start(): void;
  /** Stops ticking, waits for running jobs (they release their leases). */
  stop(): Promise<void>;
  /** Stops ticking and renewing without releasing anything: what a killed instance leaves (tests). */
  kill(): void;
}

const DEFAULT_TTL_MS = 30_000;

export function createJobRunner({
  leases,
  log,
  jobs,
  checkMs = 5_000,
  monotonic = () => performance.now(),
}: {
  leases: Leases;
  log: Logger;
  jobs: PeriodicJob[];
  checkMs?: number;
  monotonic?: () => number;
}): JobRunner {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const timers = new Set<NodeJS.Timeout>();
  const running = new Map<string, Promise<JobOutcome>>();
  let ticking = false;
  let killed = false;

  async function attempt(job: PeriodicJob): Promise<JobOutcome> {
    const ttl = job.ttlMs ?? DEFAULT_TTL_MS;
    const lease = await leases.acquire(`job:${job.name}`, ttl);
    if (!lease) return "busy";
    const began = monotonic();
    const lost = new AbortController();
    const heartbeat = setInterval(() => {
      if (killed) return;
      // A renewal stuck behind a busy database must not let this instance run on past the lease.
      if (!leases.valid(lease) && !lost.signal.aborted) {
        log.warn({ job: job.name }, "job lease ran out before it could be renewed; stopping the job");
        lost.abort();
        return;
      }
      leases.renew(lease).then(
        (held) => {
          if (!held && !lost.signal.aborted) {
            log.warn({ job: job.name }, "job lease lost while running; another instance will take the job over");
            lost.abort();
          }
        },
        (err) => log.warn({ job: job.name, code: (err as { code?: string }).code }, "job lease renewal failed"),
      );
    }, Math.max(50, Math.floor(ttl / 3)));
    heartbeat.unref();
    let outcome: JobOutcome = "ran";
    try {
      await job.run({ lease, signal: lost.signal });
    } catch (err) {
      if (err instanceof LeaseLostError) {
        // A fenced write found the lease taken over (this instance paused past its expiry): nothing committed.
        log.warn({ job: job.name }, "job lease taken over by another instance; its write was refused");
        lost.abort();
        return killed ? "failed" : "lost";
      }
      outcome = "failed";
      log.error({ job: job.name, code: (err as { code?: string }).code, error: (err as Error).name }, `${job.name} failed`);
    } finally {
      clearInterval(heartbeat);
    }
    if (killed) return outcome;
    if (lost.signal.aborted) return "lost";
    // Not due again until `everyMs` after this run began, on any instance.
    await leases.release(lease, Math.max(0, Math.round(job.everyMs - (monotonic() - began)))).catch((err) =>
      log.warn({ job: job.name, code: (err as { code?: string }).code }, "job lease release failed"),
    );
    return outcome;
  }

  function tryRun(name: string): Promise<JobOutcome> {
    const job = byName.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    // One run of a job at a time in this instance.
    const current = running.get(name);
    if (current) return current.then(() => "busy" as const);
    const p = attempt(job)
      .catch((err) => {
        log.error({ job: name, code: (err as { code?: string }).code }, "job lease could not be taken");
        return "failed" as const;
      })
      .finally(() => running.delete(name));
    running.set(name, p);
    return p;
  }

  function schedule(job: PeriodicJob, delay: number) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!ticking) return;
      void tryRun(job.name).finally(() => {
        if (ticking) schedule(job, Math.min(job.everyMs, checkMs));
      });
    }, delay);
    timers.add(timer);
  }

  return {
    tryRun,
    start() {
      if (ticking) return;
      ticking = true;
      for (const job of jobs) schedule(job, job.startAfterMs ?? 0);
    },
    async stop() {
      ticking = false;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running.values()]);
    },
    kill() {
      killed = true;
      ticking = false;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
