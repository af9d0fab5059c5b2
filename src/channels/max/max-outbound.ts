// Every outbound MAX API call goes through one queue: it stays within the platform's overall
// rate (~30 requests/s) and retries 429/5xx/network failures with backoff, because the library
// itself does not. 403 means the person blocked or left the dialog: no retry.
// The rate is the bot's one limiter in this process (../outbound-limiter.ts), shared with the
// outbox worker's sender; it starts a call at once when the budget allows.
import { MaxError } from "@maxhub/max-bot-api";
import { Semaphore } from "async-mutex";
import pRetry, { AbortError } from "p-retry";
import type { Logger } from "../../logging/logger.ts";
import { createOutboundLimiter, type OutboundLimiter, type OutboundPriority, sharedOutboundLimiter } from "../outbound-limiter.ts";

/** MAX allows about 30 requests per second per bot. */
export const MAX_REQUESTS_PER_SECOND = 30;

/** The limiter of the MAX bot with this token in this process (the channel and the outbox sender share it). */
export function maxBotLimiter(bot: { token: string; baseUrl?: string }, perSecond = MAX_REQUESTS_PER_SECOND): OutboundLimiter {
  return sharedOutboundLimiter({ token: bot.token, apiRoot: bot.baseUrl ?? "max-default" }, { perSecond });
}

export interface OutboundOptions {
  /** Requests per second across all chats. */
  ratePerSecond?: number;
  /** Parallel requests in flight. */
  maxConcurrent?: number;
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export type OutboundErrorKind = "blocked" | "rejected" | "exhausted";

/** A failed call after classification; never carries message text. */
export class OutboundError extends Error {
  constructor(
    readonly kind: OutboundErrorKind,
    readonly status: number | undefined,
    readonly code: string | undefined,
  ) {
    super(`max outbound ${kind}${status ? ` ${status}` : ""}${code ? ` ${code}` : ""}`);
    this.name = "OutboundError";
  }
}

export interface Outbound {
  /** Runs `fn` through the rate limiter (at `priority`, default "notice") with retries; `op` is a short label for logs. */
  call<T>(op: string, fn: () => Promise<T>, priority?: OutboundPriority): Promise<T>;
  /** Waits until every queued call has finished. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

const isRetryable = (err: unknown): boolean => {
  if (err instanceof MaxError) return err.status === 429 || err.status >= 500;
  // fetch() network failures surface as TypeError("fetch failed").
  return err instanceof TypeError;
};

const isBlocked = (err: unknown): boolean =>
  err instanceof MaxError &&
  (err.status === 403 || /chat\.denied|dialog\.suspended|user\.blocked|bot\.blocked/i.test(err.code ?? ""));

interface Limiter {
  schedule<T>(fn: () => Promise<T>, priority?: OutboundPriority): Promise<T>;
}

/**
 * At most `perSecond` calls start in any one-second window (`rate`, the bot's shared limiter, or
 * one of its own) and at most `maxConcurrent` run at once (`async-mutex`'s semaphore); both queue
 * in arrival order, the rate by priority first. A call that finds budget and a slot starts at once.
 */
export function createLimiter(perSecond: number, maxConcurrent: number, rate?: OutboundLimiter): Limiter {
  const shared = rate ?? createOutboundLimiter({ perSecond });
  const slots = new Semaphore(maxConcurrent);
  return {
    schedule: (fn, priority) => slots.runExclusive(() => shared.run(priority ? { priority } : {}, fn)),
  };
}

export function createOutbound(log: Logger, opts: OutboundOptions = {}, rate?: OutboundLimiter): Outbound {
  const limiter = createLimiter(opts.ratePerSecond ?? MAX_REQUESTS_PER_SECOND, opts.maxConcurrent ?? 10, rate);
  const inFlight = new Set<Promise<unknown>>();

  async function run<T>(op: string, fn: () => Promise<T>, priority?: OutboundPriority): Promise<T> {
    try {
      return await pRetry(
        async () => {
          try {
            return await limiter.schedule(() => fn(), priority);
          } catch (err) {
            if (isBlocked(err))
              throw new AbortError(new OutboundError("blocked", 403, (err as MaxError).code));
            if (!isRetryable(err)) {
              const e = err instanceof MaxError ? new OutboundError("rejected", err.status, err.code) : err;
              throw new AbortError(e as Error);
            }
            throw err;
          }
        },
        {
          retries: opts.retries ?? 5,
          minTimeout: opts.minRetryDelayMs ?? 500,
          maxTimeout: opts.maxRetryDelayMs ?? 15_000,
          factor: 2,
          randomize: true,
          // p-retry 7 passes a context ({ error, attemptNumber, retriesLeft }), not the decorated error.
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            const status = error instanceof MaxError ? error.status : undefined;
            log.warn(
              { op, status, attempt: attemptNumber, retriesLeft },
              "max api call failed, retrying",
            );
          },
        },
      );
    } catch (err) {
      if (err instanceof OutboundError) throw err;
      if (err instanceof MaxError) throw new OutboundError("exhausted", err.status, err.code);
      throw err;
    }
  }

  return {
    call(op, fn, priority) {
      const p = run(op, fn, priority);
      inFlight.add(p);
      const done = () => inFlight.delete(p);
      p.then(done, done);
      return p;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async stop() {
      await this.drain();
    },
  };
}
