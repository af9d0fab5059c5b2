// Login throttling, keyed on the real client address (req.ip, which believes X-Forwarded-For only
// from TRUST_PROXY peers) and the account. Only failures count; a success clears its address ×
// account record. Three limits:
//  - per address × account: after a few failures each further try waits an exponentially growing,
//    capped delay — a delay, never a lock, so nobody can shut a real user out for long;
//  - per address: many failures across any accounts within a window → wait for the window
//    (stops one address from spraying passwords over many e-mails);
//  - per account from all addresses: a short delay once an account sees many failures, which
//    slows a distributed guess without locking the owner out.
// Kept in memory (one process serves the web view); the maps are bounded.

export interface LoginThrottleOptions {
  clock?: () => Date;
  /** Failures per address × account before the delay starts. */
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failures per address (any accounts) within `windowMs` before the address waits. */
  addressFailures?: number;
  windowMs?: number;
  /** Failures per account (any addresses) within `windowMs` before each try waits `accountDelayMs`. */
  accountFailures?: number;
  accountDelayMs?: number;
  /** Password checks one address may have running at once (more would overshoot the limits). */
  maxInFlightPerAddress?: number;
  /** Bound of each map; the oldest entries go first. */
  maxEntries?: number;
}

export type ThrottleDecision = { type: "allowed" } | { type: "wait"; retryAfterSeconds: number };

/**
 * `check` → "allowed" starts a password check that must end with exactly one of `recordFailure`,
 * `recordSuccess` or `release` (an error before the outcome is known).
 */
export interface LoginThrottle {
  check(address: string, account: string): ThrottleDecision;
  recordFailure(address: string, account: string): void;
  recordSuccess(address: string, account: string): void;
  release(address: string, account: string): void;
}

interface Streak {
  failures: number;
  lastAt: number;
}

interface Window {
  failures: number;
  startedAt: number;
  lastAt: number;
}

export const LOGIN_THROTTLE_DEFAULTS = {
  freeFailures: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
  addressFailures: 50,
  windowMs: 15 * 60_000,
  accountFailures: 20,
  accountDelayMs: 2_000,
  maxInFlightPerAddress: 4,
  maxEntries: 50_000,
} as const;

export function normalizeAccount(email: string): string {
  return email.trim().toLowerCase().slice(0, 320);
}

export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const o = { ...LOGIN_THROTTLE_DEFAULTS, ...options };
  const now = () => (options.clock ?? (() => new Date()))().getTime();
  const streaks = new Map<string, Streak>();
  const addresses = new Map<string, Window>();
  const accounts = new Map<string, Window>();
  // Checks running now, per address and per address × account: without this, parallel requests
  // would all pass `check` before the first failure is recorded.
  const inFlight = new Map<string, number>();
  const bump = (key: string, by: number) => {
    const n = (inFlight.get(key) ?? 0) + by;
    if (n > 0) inFlight.set(key, n);
    else inFlight.delete(key);
  };
  const end = (address: string, account: string) => {
    bump(address, -1);
    bump(pairKey(address, account), -1);
  };

  const pairKey = (address: string, account: string) => `${address}\u0000${normalizeAccount(account)}`;

  function remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key); // re-insert at the end: Map order is the eviction order
    map.set(key, value);
    while (map.size > o.maxEntries) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  }

  function liveWindow(map: Map<string, Window>, key: string, t: number): Window | undefined {
    const w = map.get(key);
    if (w && t - w.startedAt >= o.windowMs) {
      map.delete(key);
      return undefined;
    }
    return w;
  }

  function streakDelay(s: Streak): number {
    if (s.failures < o.freeFailures) return 0;
    return Math.min(o.baseDelayMs * 2 ** (s.failures - o.freeFailures), o.maxDelayMs);
  }

  return {
    check(address, account) {
      const t = now();
      let waitMs = 0;
      const a = liveWindow(addresses, address, t);
      if (a && a.failures >= o.addressFailures) waitMs = Math.max(waitMs, a.startedAt + o.windowMs - t);
      const acc = liveWindow(accounts, normalizeAccount(account), t);
      if (acc && acc.failures >= o.accountFailures) waitMs = Math.max(waitMs, acc.lastAt + o.accountDelayMs - t);
      const s = streaks.get(pairKey(address, account));
      if (s) {
        if (t - s.lastAt >= o.windowMs) streaks.delete(pairKey(address, account));
        else waitMs = Math.max(waitMs, s.lastAt + streakDelay(s) - t);
      }
      const busy = (inFlight.get(address) ?? 0) >= o.maxInFlightPerAddress || inFlight.has(pairKey(address, account));
      if (busy) waitMs = Math.max(waitMs, 1000);
      if (waitMs > 0) return { type: "wait", retryAfterSeconds: Math.ceil(waitMs / 1000) };
      bump(address, 1);
      bump(pairKey(address, account), 1);
      return { type: "allowed" };
    },
    recordFailure(address, account) {
      end(address, account);
      const t = now();
      const key = pairKey(address, account);
      const s = streaks.get(key);
      remember(streaks, key, { failures: (s && t - s.lastAt < o.windowMs ? s.failures : 0) + 1, lastAt: t });
      for (const [map, k] of [
        [addresses, address],
        [accounts, normalizeAccount(account)],
      ] as const) {
        const w = liveWindow(map, k, t);
        remember(map, k, w ? { ...w, failures: w.failures + 1, lastAt: t } : { failures: 1, startedAt: t, lastAt: t });
      }
    },
    recordSuccess(address, account) {
      end(address, account);
      streaks.delete(pairKey(address, account));
    },
    release: end,
  };
}
