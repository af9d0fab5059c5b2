// MAX long polling owned by the project: GET /updates?marker=…&timeout=…&types=…, with the marker
// stored in the database (PollCursor). The marker moves only after every update of a batch is in
// the inbound journal, so neither an error nor a restart loses an update: a poll without a marker
// returns only the latest update, so the loop never polls without one once it has had one.
// (The library's own loop restarts without its marker after an error; that lost updates.)
import type { Db } from "../../db/client.ts";
import type { Logger } from "../../logging/logger.ts";
import type { Leadership } from "../../cluster/election.ts";
import { type Fence, fenced } from "../../cluster/leases.ts";
import { describeChannelError } from "../channel-status.ts";

export interface MaxUpdatesPage {
  updates: unknown[];
  marker?: number | null;
}

export interface MaxPollingDeps {
  db: Db;
  log: Logger;
  /** Cursor row key (one per bot). */
  channel: string;
  /** GET /updates; `signal` aborts the long poll on stop. */
  getUpdates(query: { marker?: number; timeout: number; limit: number; signal: AbortSignal }): Promise<MaxUpdatesPage>;
  /** Journals the update (and queues it); resolves once stored, rejects when it cannot be. */
  deliver(update: unknown): Promise<void>;
  /** Long-poll wait in seconds (the API allows up to 90; default 30). */
  timeoutSeconds?: number;
  /** Backoff after a failed poll: doubles from min to max (default 1 s … 30 s). */
  minRetryMs?: number;
  maxRetryMs?: number;
  /** Told when polling fails and when it works again (channel state on /readyz). */
  onState?: (state: "up" | "down", err?: unknown) => void;
  /**
   * Several instances: poll only while this instance is the elected poller (src/cluster/election.ts);
   * a new poller resumes from the stored marker and first calls `onTakeover` (journal replay).
   */
  leadership?: Leadership;
  onTakeover?: () => Promise<void>;
}

export interface MaxPolling {
  /** Loads the stored marker (or takes a first one from MAX) and starts the loop. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function loadMarker(db: Db, channel: string): Promise<number | undefined> {
  const row = await db.pollCursor.findUnique({ where: { channel } });
  const n = row ? Number(row.position) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Stores the marker. `fence`: the poller's election lease (several instances): the write commits
 * only in a transaction that finds the lease still this poller's, so a poller that paused past its
 * lease cannot move the marker back (or on) under the poller that took over.
 */
async function saveMarker(db: Db, channel: string, marker: number, fence: Fence | undefined): Promise<void> {
  const position = String(marker);
  const updatedAt = new Date();
  const write = (tx: Pick<Db, "pollCursor">) =>
    tx.pollCursor.upsert({ where: { channel }, create: { channel, position, updatedAt }, update: { position, updatedAt } });
  if (fence) await fenced(db, fence, write);
  else await write(db);
}

export function createMaxPolling(deps: MaxPollingDeps): MaxPolling {
  const { db, log, channel } = deps;
  const timeout = deps.timeoutSeconds ?? 30;
  const minRetry = deps.minRetryMs ?? 1000;
  const maxRetry = deps.maxRetryMs ?? 30_000;
  let abort = new AbortController();
  let loop: Promise<void> | undefined;
  let marker: number | undefined;

  async function pollOnce(): Promise<void> {
    let signal = abort.signal;
    let fence: Fence | undefined;
    if (deps.leadership) {
      const waited = !deps.leadership.leading;
      const turn = await deps.leadership.turn(abort.signal);
      if (!turn) return;
      if (waited) {
        // Another instance polled meanwhile: its marker is the one to go on from.
        marker = (await loadMarker(db, channel)) ?? marker;
        await deps.onTakeover?.();
      }
      if (marker === undefined) return pollOnceWith(0, turn.fence);
      signal = AbortSignal.any([abort.signal, turn.signal]);
      fence = turn.fence;
    }
    const page = await deps.getUpdates({
      ...(marker !== undefined ? { marker } : {}),
      timeout,
      limit: 100,
      signal,
    });
    // Journal the whole batch first; only then may MAX forget it.
    for (const update of page.updates ?? []) await deps.deliver(update);
    if (typeof page.marker === "number" && page.marker !== marker) {
      await saveMarker(db, channel, page.marker, fence);
      marker = page.marker;
    }
  }

  async function run(): Promise<void> {
    let delay = minRetry;
    let failing: string | undefined;
    while (!abort.signal.aborted) {
      try {
        await pollOnce();
        if (failing) {
          log.info({ channel }, "max polling works again");
          deps.onState?.("up");
          failing = undefined;
        }
        delay = minRetry;
      } catch (err) {
        if (abort.signal.aborted) return;
        if (deps.leadership && !deps.leadership.leading) continue; // stepped down mid-poll: not a failure
        const reason = describeChannelError(err);
        // One line per new reason; the same marker is asked again, so nothing is skipped.
        if (reason !== failing) log.warn({ channel, retryInMs: delay }, `max polling failed: ${reason}; retrying with the stored marker`);
        failing = reason;
        deps.onState?.("down", err);
        await new Promise<void>((r) => {
          const t = setTimeout(r, delay);
          abort.signal.addEventListener("abort", () => {
            clearTimeout(t);
            r();
          }, { once: true });
        });
        delay = Math.min(maxRetry, delay * 2);
      }
    }
  }

  return {
    async start() {
      if (loop) return;
      abort = new AbortController();
      marker = await loadMarker(db, channel);
      // With an election the first marker is taken by whichever instance polls first (pollOnce).
      if (marker === undefined && !deps.leadership) {
        // First start of this bot: take a marker now (nothing waits: timeout 0) so every later
        // poll carries one. What the marker-less poll returns is journaled like any batch.
        await pollOnceWith(0, undefined);
      }
      loop = run();
    },
    async stop() {
      abort.abort();
      await loop;
      loop = undefined;
    },
  };

  async function pollOnceWith(seconds: number, fence: Fence | undefined) {
    const page = await deps.getUpdates({ timeout: seconds, limit: 100, signal: abort.signal });
    for (const update of page.updates ?? []) await deps.deliver(update);
    if (typeof page.marker === "number") {
      await saveMarker(db, channel, page.marker, fence);
      marker = page.marker;
    }
  }
}
