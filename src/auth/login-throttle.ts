// Login throttling, keyed on the real client address (req.ip, which believes X-Forwarded-For only
// from TRUST_PROXY peers) and the account. Only failures count; a success clears its address ×
// account record. Three limits:
//  - per address × account: after a few failures each further try waits an exponentially growing,
//    capped delay — a delay, never a lock, so nobody can shut a real user out for long;
//  - per address: many failures across any accounts within a window → wait for the window
//    (stops one address from spraying passwords over many e-mails);
//  - per account from all addresses: a short delay once an account sees many failures, which
//    slows a distributed guess without locking the owner out.
// `createLoginThrottle` keeps the counts in memory (bounded maps); `createSharedLoginThrottle`
// keeps them in the database (LoginFailure, keyed by hashes, never the address or e-mail), so
// several instances behind a load balancer enforce one set of limits: an attacker spreading tries
// over the instances gets no more. The checks running at once are counted per instance either way.
import { createHash } from "node:crypto";
import type { Db } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";

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
  check(address: string, account: string): ThrottleDecision | Promise<ThrottleDecision>;
  recordFailure(address: string, account: string): void | Promise<void>;
  recordSuccess(address: string, account: string): void | Promise<void>;
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

interface Row {
  key: string;
  failures: number | bigint;
  startedAt: number | bigint;
  lastAt: number | bigint;
}

/**
 * The same limits with the counts in the database, shared by every instance. Each failure is one
 * atomic upsert per key (no lost count when two instances record at once); rows are keyed by a
 * SHA-256 of the address and/or account, and ones idle past the window are deleted now and then.
 */
export function createSharedLoginThrottle(options: LoginThrottleOptions & { db: Db }): LoginThrottle {
  const { db } = options;
  const o = { ...LOGIN_THROTTLE_DEFAULTS, ...options };
  const now = () => (options.clock ?? (() => new Date()))().getTime();
  const local = createLoginThrottle({ ...options, freeFailures: Number.MAX_SAFE_INTEGER, addressFailures: Number.MAX_SAFE_INTEGER, accountFailures: Number.MAX_SAFE_INTEGER });
  const hash = (...parts: string[]) => createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 32);
  const keysOf = (address: string, account: string) => ({
    pair: `p:${hash(address, normalizeAccount(account))}`,
    address: `a:${hash(address)}`,
    account: `c:${hash(normalizeAccount(account))}`,
  });
  let failuresSincePrune = 0;

  return {
    async check(address, account) {
      const k = keysOf(address, account);
      const rows = await db.$queryRaw<Row[]>`
        SELECT "key", "failures", "startedAt", "lastAt" FROM "LoginFailure" WHERE "key" IN (${Prisma.join([k.pair, k.address, k.account])})`;
      const t = now();
      const get = (key: string) => {
        const r = rows.find((x) => x.key === key);
        return r ? { failures: Number(r.failures), startedAt: Number(r.startedAt), lastAt: Number(r.lastAt) } : undefined;
      };
      let waitMs = 0;
      const a = get(k.address);
      if (a && t - a.startedAt < o.windowMs && a.failures >= o.addressFailures) waitMs = Math.max(waitMs, a.startedAt + o.windowMs - t);
      const acc = get(k.account);
      if (acc && t - acc.startedAt < o.windowMs && acc.failures >= o.accountFailures) waitMs = Math.max(waitMs, acc.lastAt + o.accountDelayMs - t);
      const s = get(k.pair);
      if (s && t - s.lastAt < o.windowMs && s.failures >= o.freeFailures) {
        waitMs = Math.max(waitMs, s.lastAt + Math.min(o.baseDelayMs * 2 ** (s.failures - o.freeFailures), o.maxDelayMs) - t);
      }
      if (waitMs > 0) return { type: "wait", retryAfterSeconds: Math.ceil(waitMs / 1000) };
      // Checks running at once in this instance (the in-memory throttle keeps only those here).
      return local.check(address, account);
    },
    async recordFailure(address, account) {
      local.release(address, account);
      const k = keysOf(address, account);
      const t = now();
      const cut = t - o.windowMs;
      // A streak lapses after a quiet window (from its last failure); a window restarts when it is over.
      const upsert = (key: string, since: "lastAt" | "startedAt") => {
        const ref = Prisma.raw(`"LoginFailure"."${since}"`);
        return db.$executeRaw`
          INSERT INTO "LoginFailure" ("key", "failures", "startedAt", "lastAt") VALUES (${key}, 1, ${t}, ${t})
          ON CONFLICT ("key") DO UPDATE SET
            "failures" = CASE WHEN ${ref} <= ${cut} THEN 1 ELSE "LoginFailure"."failures" + 1 END,
            "startedAt" = CASE WHEN ${ref} <= ${cut} THEN ${t} ELSE "LoginFailure"."startedAt" END,
            "lastAt" = ${t}`;
      };
      await db.$transaction([upsert(k.pair, "lastAt"), upsert(k.address, "startedAt"), upsert(k.account, "startedAt")]);
      if (++failuresSincePrune >= 100) {
        failuresSincePrune = 0;
        await db.$executeRaw`DELETE FROM "LoginFailure" WHERE "lastAt" < ${cut}`;
      }
    },
    async recordSuccess(address, account) {
      local.release(address, account);
      await db.$executeRaw`DELETE FROM "LoginFailure" WHERE "key" = ${keysOf(address, account).pair}`;
    },
    release: (address, account) => local.release(address, account),
  };
}
