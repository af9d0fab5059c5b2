// One outbound limiter per bot and process: every sender of a bot — the dialog's replies, the outbox
// worker's notices, keyboard clean-up, callback answers — takes its turn here, so together they stay
// within the messenger's limits (Telegram: ≈30 messages/s per bot, ≈1 message/s per chat with short
// bursts; MAX: 30 requests/s). Senders find the bot's limiter by its token and API root
// (`sharedOutboundLimiter`), so nothing has to be wired between them.
//
// - Per chat: a token bucket (`limiter`), a short burst then the sustained rate, in arrival order.
// - Overall: a p-queue with a strict sliding window (never more than `perSecond` calls started in
//   any second) and priorities: when the bot is over its overall limit, urgent families (P0, the
//   emergency numbers) go first, then dialog replies, then notices, then keyboard clean-up.
// Each call names its priority (`OutboundCall.priority`): a messenger library's calls get it from
// the client they go through (one per priority, see telegram-throttle.ts). Not from an
// AsyncLocalStorage context: on Node 20 one turns on promise hooks for the whole process, which
// cost 7–10 % of the CPU per update under load (bench/README.md, Batch 9).
import { createHash } from "node:crypto";
import { TokenBucket } from "limiter";
import PQueue from "p-queue";

export type OutboundPriority = "urgent" | "reply" | "notice" | "cleanup";

const RANK: Record<OutboundPriority, number> = { urgent: 3, reply: 2, notice: 1, cleanup: 0 };

export interface LimiterOptions {
  /** Calls started per second over the whole bot (a sliding window). */
  perSecond: number;
  /** Per chat: sustained calls per second and the burst a quiet chat may get at once. */
  perChat?: { perSecond: number; burst: number };
  /** Per group chat (negative Telegram ids): calls per minute (Telegram: about 20). */
  perGroupPerMinute?: number;
}

export interface OutboundCall {
  /** The chat the call writes to: its own budget applies first. */
  chatId?: string;
  /** False: the call does not count against the limits and starts at once (getUpdates, callback answers). */
  counted?: boolean;
  /** False: only the chat's budget applies, not the overall one (Telegram: edits). Default true. */
  overall?: boolean;
  /** Default: "notice". */
  priority?: OutboundPriority;
}

export interface OutboundLimiter {
  /** Starts `fn` when the chat's and the bot's budgets allow it; resolves or rejects with it. */
  run<T>(call: OutboundCall, fn: () => Promise<T>): Promise<T>;
  /** Calls waiting for the overall budget. */
  readonly waiting: number;
}

/**
 * Several instances (src/cluster/send-budget.ts): every counted call also passes this gate when it
 * starts, which takes tokens from budgets shared through the database. Set once at start (main.ts).
 */
export type OutboundGate = (bot: string, options: LimiterOptions, call: OutboundCall) => Promise<void>;
let outboundGate: OutboundGate | undefined;
export function setOutboundGate(gate: OutboundGate | undefined): void {
  outboundGate = gate;
}

/**
 * The overall window is this much longer than a second: a call the limiter starts on time may reach
 * the API tens of milliseconds late on a busy process (event-loop lag), and the next window's first
 * call then arrives less than a second after it — a 429 whose retry costs the family a second or
 * more. Measured with --throttle at ≈ 25 updates/s (bench/README.md): 33 refused sends without the
 * margin, none with it.
 */
const LAG_MARGIN_MS = 60;

/** Chats whose buckets are kept before idle (full) ones are dropped. */
const MAX_CHATS = 10_000;

interface ChatLane {
  bucket: TokenBucket;
  /** Settles when the chat's latest call has started (or given up). */
  tail: Promise<void>;
  pending: number;
}

function fullBucket(opts: ConstructorParameters<typeof TokenBucket>[0]): TokenBucket {
  const bucket = new TokenBucket(opts);
  bucket.content = bucket.bucketSize; // a chat starts with its burst available
  return bucket;
}

export function createOutboundLimiter(options: LimiterOptions, bot?: string): OutboundLimiter {
  const overall = new PQueue({ intervalCap: options.perSecond, interval: 1000 + LAG_MARGIN_MS, strict: true });
  const lanes = new Map<string, ChatLane>();

  const laneOf = (chatId: string): ChatLane => {
    let lane = lanes.get(chatId);
    if (lane) return lane;
    if (lanes.size >= MAX_CHATS) {
      for (const [id, l] of lanes) {
        l.bucket.drip();
        if (l.pending === 0 && l.bucket.content >= l.bucket.bucketSize) lanes.delete(id);
      }
    }
    const perGroup = chatId.startsWith("-") ? options.perGroupPerMinute : undefined;
    const perChat = options.perChat ?? { perSecond: 1, burst: 1 };
    // A group: a burst of half its minute, then a rate that keeps any minute within `perGroup` calls.
    const groupBurst = Math.max(1, Math.floor((perGroup ?? 2) / 2));
    const bucket =
      perGroup !== undefined
        ? fullBucket({ bucketSize: groupBurst, tokensPerInterval: Math.max(1, perGroup - groupBurst), interval: 60_000 })
        : fullBucket({ bucketSize: perChat.burst, tokensPerInterval: perChat.perSecond, interval: 1000 });
    lane = { bucket, tail: Promise.resolve(), pending: 0 };
    lanes.set(chatId, lane);
    return lane;
  };

  return {
    async run(call, callFn) {
      const priority = RANK[call.priority ?? "notice"];
      if (call.counted === false) return callFn();
      const fn = () => (outboundGate && bot !== undefined ? outboundGate(bot, options, call).then(callFn) : callFn());
      // Calls outside the overall budget (overall: false) start as soon as the chat allows.
      const start = <T>(task: () => T | Promise<T>) => (call.overall === false ? Promise.resolve().then(task) : overall.add(task, { priority }));
      if (call.chatId === undefined || !(options.perChat || options.perGroupPerMinute !== undefined)) return start(fn);
      // The chat's calls go one after another: each waits for the one before it to start and for a
      // token of the chat, which it takes only when it really starts (after the overall queue), so
      // the chat's budget holds for the times the API sees.
      const lane = laneOf(call.chatId);
      lane.pending += 1;
      const previous = lane.tail;
      let release = () => {};
      lane.tail = new Promise<void>((resolve) => {
        release = resolve;
      });
      let done = false;
      const started = () => {
        if (done) return;
        done = true;
        lane.pending -= 1;
        release();
      };
      try {
        await previous;
        await lane.bucket.removeTokens(1);
        lane.bucket.content += 1; // only waited for it: taken when the call starts
        return await start(() => {
          lane.bucket.tryRemoveTokens(1);
          started();
          return fn();
        });
      } finally {
        started();
      }
    },
    get waiting() {
      return overall.size;
    },
  };
}

const shared = new Map<string, OutboundLimiter>();

/**
 * The limiter of one bot in this process, created on first use. Keyed by the API root and a hash
 * of the token (never the token itself): every sender of the same bot gets the same limiter.
 */
export function sharedOutboundLimiter(bot: { token: string; apiRoot: string }, options: LimiterOptions): OutboundLimiter {
  const key = `${bot.apiRoot} ${createHash("sha256").update(bot.token).digest("hex")}`;
  let limiter = shared.get(key);
  if (!limiter) {
    limiter = createOutboundLimiter(options, key);
    shared.set(key, limiter);
  }
  return limiter;
}
