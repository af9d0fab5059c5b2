// One elected instance per role (e.g. the poller of a messenger, `poll:telegram`): the holder of a
// lease that it renews every third of its ttl. When the holder dies, its lease runs out and another
// instance, trying every `retryMs`, takes over: within ttl + retryMs (10 s + 2 s by default, inside
// the 15 s the service promises). A holder that cannot renew in time (database unreachable, a long
// pause) steps down by itself before the database would let another take over.
import type { Logger } from "../logging/logger.ts";
import { type Fence, type Lease, type Leases, leaseFence } from "./leases.ts";

/**
 * A spell of leadership: `signal` aborts when it ends. `fence` is the term's lease: a write that
 * must not land after another instance took over (a poller's stored marker) runs under it
 * (`fenced`), so a holder that paused past its lease commits nothing.
 */
export interface LeaderTerm {
  term: number;
  signal: AbortSignal;
  fence: Fence;
}

/** What a polling loop needs: wait for its turn, stop when the term ends. */
export interface Leadership {
  readonly leading: boolean;
  /** Resolves when this instance leads (at once if it does); undefined when `stop` aborts first. */
  turn(stop: AbortSignal): Promise<LeaderTerm | undefined>;
}

export interface Election extends Leadership {
  start(): void;
  /** Steps down and frees the lease at once, so another instance takes over without waiting. */
  stop(): Promise<void>;
  /** Stops without releasing (what a killed process leaves; tests). */
  kill(): void;
}

export function createElection({
  leases,
  name,
  log,
  ttlMs = 10_000,
  retryMs = 2_000,
}: {
  leases: Leases;
  name: string;
  log: Logger;
  ttlMs?: number;
  retryMs?: number;
}): Election {
  let lease: Lease | undefined;
  let current: { term: number; controller: AbortController; fence: Fence } | undefined;
  let terms = 0;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let tick: Promise<void> | undefined;
  const waiters = new Set<(t: LeaderTerm) => void>();

  function demote(why: string) {
    if (!current) return;
    current.controller.abort();
    current = undefined;
    lease = undefined;
    if (watchdog) clearTimeout(watchdog);
    log.warn({ lease: name }, `no longer ${name} (${why}); another instance takes over`);
  }

  /** Steps down by itself when the lease runs out locally before a renewal got through. */
  function armWatchdog(held: Lease) {
    if (watchdog) clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      if (lease === held && !leases.valid(held)) demote("the lease could not be renewed in time");
    }, Math.max(0, held.validUntil - performance.now()) + 1);
    watchdog.unref();
  }

  async function step() {
    try {
      if (lease) {
        if (!leases.valid(lease) || !(await leases.renew(lease))) demote("the lease was lost");
        else armWatchdog(lease);
      } else {
        const got = await leases.acquire(name, ttlMs);
        if (got && running) {
          lease = got;
          terms += 1;
          current = { term: terms, controller: new AbortController(), fence: leaseFence(leases, got) };
          armWatchdog(got);
          log.info({ lease: name, token: got.token }, `this instance is now ${name}`);
          const term = { term: current.term, signal: current.controller.signal, fence: current.fence };
          for (const w of waiters) w(term);
          waiters.clear();
        } else if (got) {
          await leases.release(got);
        }
      }
    } catch (err) {
      log.warn({ lease: name, code: (err as { code?: string }).code }, `${name}: lease check failed`);
    }
  }

  function schedule(delay: number) {
    timer = setTimeout(() => {
      tick = step().finally(() => {
        tick = undefined;
        if (running) schedule(lease ? Math.max(50, Math.floor(ttlMs / 3)) : retryMs);
      });
    }, delay);
  }

  return {
    get leading() {
      return current !== undefined && lease !== undefined && leases.valid(lease);
    },
    turn(stop) {
      if (current && lease && leases.valid(lease)) return Promise.resolve({ term: current.term, signal: current.controller.signal, fence: current.fence });
      if (stop.aborted) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const onStop = () => {
          waiters.delete(resolve);
          resolve(undefined);
        };
        stop.addEventListener("abort", onStop, { once: true });
        waiters.add((t) => {
          stop.removeEventListener("abort", onStop);
          resolve(t);
        });
      });
    },
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await tick;
      const held = lease;
      demote("stopping");
      if (held) await leases.release(held).catch(() => undefined);
    },
    kill() {
      running = false;
      if (timer) clearTimeout(timer);
      if (watchdog) clearTimeout(watchdog);
      current?.controller.abort();
      current = undefined;
      lease = undefined;
    },
  };
}
