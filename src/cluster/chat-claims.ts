// Webhook mode on several instances: the load balancer hands a chat's updates to any instance, yet
// each update must be applied once and a chat's updates in order. The inbound journal is the
// per-chat queue (each entry carries its `chatKey`), and a chat is worked on by the one instance
// that holds its claim, a lease named `chat:<channel>:<chatKey>` (leases.ts: the database's clock,
// so skewed instance clocks still agree):
//
// - An instance that receives an update journals it (the webhook answers then) and `kick`s the
//   chat. If it takes the claim it applies the chat's journaled updates oldest first, whoever
//   received them, deleting each once applied, then drops the claim and looks once more (an
//   update journaled meanwhile found the claim taken and left it to us). If another instance
//   holds the claim, that one will reach the update: nothing else to do.
// - A claim is renewed while its holder works. A holder that dies stops renewing; after the ttl
//   any instance's `sweep` (every `sweepMs`) finds the chat's waiting updates with no live claim
//   and takes over. An update is tried at most `maxAttempts` times (one that kills its process
//   would otherwise take every instance down in turn), then dropped with an error line.
// - An update applied but not yet deleted when its holder died is applied again by the next
//   holder; the dialog service's processed-update keys make that a no-op.
// - A holder that stalled (a long pause) past its claim while another instance took the chat over
//   commits nothing more of the chat: its step's claim statement (src/dialog/conversation-store.ts,
//   claimUpdate) marks the update processed and clears its journal entry only while the claim is
//   still this holder's (`currentChatClaim`, one more condition in that statement, no round trip),
//   and it deletes an entry only while it holds the claim — the new holder applies the update.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db } from "../db/client.ts";
import { engineOf } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../logging/logger.ts";
import { clockSql, type Lease, type Leases, leaseHeldSql } from "./leases.ts";

/** The claim of the chat whose update is being applied here (set around `apply`). */
const appliedUnder = new AsyncLocalStorage<Lease>();

/**
 * The chat claim the current update is applied under (webhook mode, several instances), or
 * undefined (one instance, polling): a step's transaction commits only while it still holds.
 */
export function currentChatClaim(): Lease | undefined {
  return appliedUnder.getStore();
}

export interface ChatClaims {
  /** A new update of this chat is journaled: work on the chat here unless another instance holds it. */
  kick(chatKey: string): Promise<void>;
  /** Takes over chats whose journaled updates wait with no live claim; the number of chats taken. */
  sweep(): Promise<number>;
  /** Gives old entries without a chat key one of their own, sweeps, then sweeps every `sweepMs`. */
  start(): Promise<void>;
  /** Stops sweeping and taking entries; waits for the ones being applied, then frees the claims. */
  stop(): Promise<void>;
  /** Stops without freeing anything: what a killed process leaves (tests). */
  kill(): void;
  /** Resolves when this instance works on no chat. */
  idle(): Promise<void>;
}

export type ChatOrder = "numericKey" | "arrival";

/**
 * Entries that are one message (Telegram splits a text over 4096 characters into consecutive
 * updates, which a load balancer may hand to different instances): while `opens` says the parts so
 * far may be continued, the holder waits up to `waitMs` for the chat's next entry and, when it
 * `continues` them, applies `join` of all the parts as one update.
 */
export interface ChatClaimsJoiner {
  waitMs: number;
  opens(parts: readonly unknown[]): boolean;
  continues(parts: readonly unknown[], next: unknown): boolean;
  join(parts: readonly unknown[]): unknown;
}

export interface ChatClaimsOptions {
  db: Db;
  leases: Leases;
  log: Logger;
  channel: "telegram" | "max";
  /** Applies one journaled update (the channel's own path, without its in-process queue). */
  apply(update: unknown): Promise<void>;
  /** A chat's order: by the update key as a number (Telegram's update_id) or by arrival (MAX). */
  order: ChatOrder;
  joiner?: ChatClaimsJoiner;
  /** Claim length, renewed every third of it while working; a dead holder's chats wait this long. */
  ttlMs?: number;
  sweepMs?: number;
  maxAttempts?: number;
}

interface Taken {
  updateKey: string;
  payload: string;
  replays: number | bigint;
}

export function createChatClaims(opts: ChatClaimsOptions): ChatClaims {
  const { db, leases, channel, apply, order } = opts;
  const log = opts.log.child({ component: "chat-claims", channel });
  const ttlMs = opts.ttlMs ?? 15_000;
  const sweepMs = opts.sweepMs ?? 2_000;
  const maxAttempts = opts.maxAttempts ?? 3;
  const clock = clockSql(engineOf(db));
  const prefix = `chat:${channel}:`;
  const orderBy =
    order === "numericKey" ? Prisma.raw(`length("updateKey"), "updateKey"`) : Prisma.raw(`"receivedAt", length("updateKey"), "updateKey"`);
  /** Chats this instance works on now (one drain per chat per process). */
  const draining = new Map<string, Promise<void>>();
  /** Chats kicked again while being worked on here. */
  const again = new Set<string>();
  let stopped = false;
  let killed = false;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<number> | undefined;

  /** The chat's oldest entry, its attempts counted in the same statement. */
  async function take(chatKey: string): Promise<Taken | undefined> {
    const rows = await db.$queryRaw<Taken[]>`
      UPDATE "InboundUpdate" SET "replays" = "replays" + 1
      WHERE "channel" = ${channel} AND "updateKey" = (
        SELECT "updateKey" FROM "InboundUpdate" WHERE "channel" = ${channel} AND "chatKey" = ${chatKey} ORDER BY ${orderBy} LIMIT 1)
      RETURNING "updateKey", "payload", "replays"`;
    return rows[0];
  }

  /** Deletes an entry while the claim holds (else the chat's new holder applies it). */
  async function done(updateKey: string, lease: Lease) {
    await db.$executeRaw`DELETE FROM "InboundUpdate" WHERE "channel" = ${channel} AND "updateKey" = ${updateKey} AND ${leaseHeldSql(lease)}`;
  }

  /** The chat's entry after the first `skip` ones (not taken: it is applied with them or on its own later). */
  async function peek(chatKey: string, skip: number): Promise<{ updateKey: string; payload: string } | undefined> {
    const rows = await db.$queryRaw<{ updateKey: string; payload: string }[]>`
      SELECT "updateKey", "payload" FROM "InboundUpdate" WHERE "channel" = ${channel} AND "chatKey" = ${chatKey}
      ORDER BY ${orderBy} LIMIT 1 OFFSET ${skip}`;
    return rows[0];
  }

  /** The entries that continue `first` (the joiner's rule), waited for while the claim holds. */
  async function continuation(chatKey: string, lease: Lease, first: unknown): Promise<{ keys: string[]; updates: unknown[] }> {
    const joiner = opts.joiner;
    const keys: string[] = [];
    const updates: unknown[] = [first];
    if (!joiner) return { keys, updates };
    let deadline = performance.now() + joiner.waitMs;
    while (joiner.opens(updates) && !stopped && leases.valid(lease)) {
      const next = await peek(chatKey, updates.length);
      if (!next) {
        if (performance.now() >= deadline) break;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      let update: unknown;
      try {
        update = JSON.parse(next.payload);
      } catch {
        break;
      }
      if (!joiner.continues(updates, update)) break;
      keys.push(next.updateKey);
      updates.push(update);
      deadline = performance.now() + joiner.waitMs;
    }
    return { keys, updates };
  }

  async function waiting(chatKey: string): Promise<boolean> {
    const rows = await db.$queryRaw<unknown[]>`
      SELECT 1 AS one FROM "InboundUpdate" WHERE "channel" = ${channel} AND "chatKey" = ${chatKey} LIMIT 1`;
    return rows.length > 0;
  }

  /** Applies the chat's entries while the claim holds; false when the claim was lost. */
  async function work(chatKey: string, lease: Lease): Promise<boolean> {
    let renewing: Promise<boolean> | undefined;
    const heartbeat = setInterval(() => {
      if (killed || renewing) return;
      renewing = leases.renew(lease).catch(() => false);
      void renewing.finally(() => {
        renewing = undefined;
      });
    }, Math.max(50, Math.floor(ttlMs / 3)));
    heartbeat.unref();
    try {
      while (!stopped) {
        // Believed held only until a little before anyone else could take it (leases.ts).
        if (!leases.valid(lease)) {
          log.warn({ chatKey }, "chat claim ran out before it could be renewed; another instance takes the chat over");
          return false;
        }
        const entry = await take(chatKey);
        if (!entry) return true;
        if (Number(entry.replays) > maxAttempts) {
          log.error({ updateKey: entry.updateKey, attempts: maxAttempts }, "dropped an update tried this many times without being applied");
          await done(entry.updateKey, lease);
          continue;
        }
        let update: unknown;
        try {
          update = JSON.parse(entry.payload);
        } catch {
          await done(entry.updateKey, lease);
          continue;
        }
        // A long text split into parts is applied as one (the parts' entries go with it).
        const more = await continuation(chatKey, lease, update);
        try {
          const next = more.keys.length > 0 ? opts.joiner?.join(more.updates) : update;
          await appliedUnder.run(lease, () => apply(next));
        } catch (err) {
          // As without claims: a failing update is logged (no payload) and dropped; the chat goes on.
          log.error({ updateKey: entry.updateKey, error: (err as Error)?.name, code: (err as { code?: unknown })?.code }, "update failed");
        }
        if (killed) return false;
        for (const key of [entry.updateKey, ...more.keys]) await done(key, lease);
      }
      return true;
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function drain(chatKey: string): Promise<void> {
    for (;;) {
      if (stopped) return;
      const lease = await leases.acquire(prefix + chatKey, ttlMs);
      if (!lease) return; // its holder reaches our entry
      let held = false;
      try {
        held = await work(chatKey, lease);
      } finally {
        if (!killed) await leases.drop(lease).catch((err) => log.warn({ code: (err as { code?: string }).code }, "chat claim not freed"));
      }
      if (!held || stopped) return;
      // An update journaled while we held the chat found the claim taken: look once more.
      if (!(await waiting(chatKey))) return;
    }
  }

  function kick(chatKey: string): Promise<void> {
    const current = draining.get(chatKey);
    if (current) {
      // Already working on it here; it may be past its last look, so go round once more after it.
      again.add(chatKey);
      return current;
    }
    const p = drain(chatKey)
      .catch((err) => log.error({ chatKey, code: (err as { code?: string }).code, error: (err as Error)?.name }, "chat claim failed; the sweep retries"))
      .finally(() => {
        draining.delete(chatKey);
        if (again.delete(chatKey) && !stopped) void kick(chatKey);
      });
    draining.set(chatKey, p);
    return p;
  }

  async function sweepOnce(): Promise<number> {
    const rows = await db.$queryRaw<{ chatKey: string }[]>`
      SELECT DISTINCT i."chatKey" AS "chatKey" FROM "InboundUpdate" i
      WHERE i."channel" = ${channel} AND i."chatKey" IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM "Lease" l WHERE l."name" = ${prefix} || i."chatKey" AND l."expiresAt" > ${clock.now})
      LIMIT 500`;
    const free = rows.map((r) => r.chatKey).filter((k) => !draining.has(k));
    if (free.length > 0) log.info({ chats: free.length }, "taking over chats with waiting updates and no live claim");
    await Promise.all(free.map(kick));
    return free.length;
  }

  function sweep(): Promise<number> {
    sweeping ??= sweepOnce().finally(() => {
      sweeping = undefined;
    });
    return sweeping;
  }

  function schedule() {
    timer = setTimeout(() => {
      if (stopped) return;
      // Not awaited by the timer: a sweep waits for its chats, new sweeps meanwhile share it.
      void sweep()
        .catch((err) => log.warn({ code: (err as { code?: string }).code }, "chat sweep failed"))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, sweepMs);
    timer.unref();
  }

  return {
    kick,
    sweep,
    async start() {
      stopped = false;
      killed = false;
      // Entries journaled before chat keys existed: each becomes its own chat.
      await db.$executeRaw`UPDATE "InboundUpdate" SET "chatKey" = ${"update:"} || "updateKey" WHERE "channel" = ${channel} AND "chatKey" IS NULL`;
      void sweep().catch((err) => log.warn({ code: (err as { code?: string }).code }, "chat sweep failed"));
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...draining.values()]);
    },
    kill() {
      killed = true;
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    async idle() {
      while (draining.size > 0) await Promise.allSettled([...draining.values()]);
    },
  };
}

/** What a channel is given in webhook mode on several instances: it supplies how to apply and its chat order. */
export type ChatClaimsFactory = (channel: { apply(update: unknown): Promise<void>; order: ChatOrder; joiner?: ChatClaimsJoiner }) => ChatClaims;

export function chatClaimsFactory(base: Omit<ChatClaimsOptions, "apply" | "order" | "joiner">): ChatClaimsFactory {
  return ({ apply, order, joiner }) => createChatClaims({ ...base, apply, order, ...(joiner ? { joiner } : {}) });
}
