// Send limits across instances. Each process has one outbound limiter per bot
// (src/channels/outbound-limiter.ts), which keeps that process within the messenger's limits; with
// several instances their sends add up, so every counted call also takes a token from buckets in
// the database before it starts: one per bot and one per chat. The buckets are refilled on the
// database's clock (skewed instance clocks do not matter), and a call takes its tokens in one
// transaction (rows locked on PostgreSQL), so two instances never spend the same token.
//
// The bot's bucket holds one token and refills at 80 % of the rate, less one (Telegram: 23/s): no
// second of the API's log holds more than the rate even when calls arrive bunched by a busy
// machine. A chat's bucket is the messenger's burst, then 90 % of its rate (Telegram: 4, then
// 0.9/s; a group: 3, then the rest of its minute). Wired on PostgreSQL only (main.ts): several
// instances need it, and a take costs one short transaction per call.
//
// Which calls count where follows the in-process limiter (`OutboundCall.overall`), so one instance
// and N instances limit the same things. Telegram's ~30/s per bot is documented for messages sent
// ("bulk notifications": sendMessage and the like); editing a message in place is not a new message
// and is not throttled bot-wide, but the chat's flood control does answer rapid edits of one chat
// with 429. So an edit (overall: false) takes its chat's token only: counting it against the bot's
// 30/s would slow every family's answer whenever many keyboards are being cleaned up. MAX's 30
// requests/s covers every request: its calls all count overall.
import { createHash } from "node:crypto";
import { type Db, type DbEngine, engineOf, type Tx } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { LimiterOptions, OutboundCall } from "../channels/outbound-limiter.ts";

export interface SendBudget {
  /** Waits until the bot's budget (and the chat's, with `chatId`) has a token, and takes it. */
  take(bot: string, options: LimiterOptions, call: OutboundCall): Promise<void>;
}

interface Bucket {
  key: string;
  cap: number;
  perMs: number;
}

function sqlFor(engine: DbEngine) {
  const pg = engine === "postgresql";
  return {
    now: Prisma.raw(pg ? "(extract(epoch from clock_timestamp()) * 1000)::float8" : "((julianday('now') - 2440587.5) * 86400000.0)"),
    least: pg ? "LEAST" : "MIN",
    num: (n: number) => (pg ? Prisma.sql`CAST(${n} AS DOUBLE PRECISION)` : Prisma.sql`CAST(${n} AS REAL)`),
  };
}

export function createSendBudget({ db, sleep = (ms) => new Promise((r) => setTimeout(r, ms)) }: { db: Db; sleep?: (ms: number) => Promise<void> }): SendBudget {
  const q = sqlFor(engineOf(db));
  const least = Prisma.raw(q.least);
  let takes = 0;

  class Empty extends Error {
    constructor(readonly bucket: Bucket) {
      super("send budget empty");
    }
  }

  /** One token, taken only when there is one (one statement; the row stays locked until commit). */
  async function takeOne(tx: Tx, b: Bucket): Promise<void> {
    const available = Prisma.sql`${least}(${q.num(b.cap)}, "SendBucket"."tokens" + (${q.now} - "SendBucket"."at") * ${q.num(b.perMs)})`;
    const taken = await tx.$queryRaw<unknown[]>`
      INSERT INTO "SendBucket" ("key", "tokens", "at") VALUES (${b.key}, ${q.num(b.cap - 1)}, ${q.now})
      ON CONFLICT ("key") DO UPDATE SET "tokens" = ${available} - 1, "at" = ${q.now}
      WHERE ${available} >= 1
      RETURNING "tokens"`;
    if (taken.length === 0) throw new Empty(b);
  }

  async function waitFor(b: Bucket): Promise<number> {
    const rows = await db.$queryRaw<{ avail: number }[]>`
      SELECT ${least}(${q.num(b.cap)}, "tokens" + (${q.now} - "at") * ${q.num(b.perMs)}) AS avail FROM "SendBucket" WHERE "key" = ${b.key}`;
    return Math.max(2, Math.ceil((1 - Number(rows[0]?.avail ?? 1)) / b.perMs));
  }

  /**
   * Takes a token from every bucket at once, or from none: a call's chat token and the bot's are
   * spent at the same moment, so neither budget is held while waiting for the other (that would let
   * the call start late and bunch with later ones). The bot's bucket comes last, so its row, which
   * every call needs, is locked only from its statement to the commit.
   */
  async function takeAll(buckets: Bucket[]): Promise<void> {
    for (;;) {
      try {
        await db.$transaction(async (tx) => {
          for (const b of buckets) await takeOne(tx, b);
        });
        return;
      } catch (err) {
        if (!(err instanceof Empty)) throw err;
        await sleep(await waitFor(err.bucket));
      }
    }
  }

  return {
    async take(bot, options, call) {
      // The bot is its token (the limiter's key ends with the token's hash), whatever API root an instance uses.
      const id = createHash("sha256").update(bot.slice(bot.lastIndexOf(" ") + 1)).digest("base64url").slice(0, 16);
      const buckets: Bucket[] = [];
      if (call.chatId !== undefined) {
        const group = call.chatId.startsWith("-") && options.perGroupPerMinute !== undefined;
        const perChat = options.perChat;
        if (group) {
          const perMinute = options.perGroupPerMinute as number;
          buckets.push({ key: `${id}:${call.chatId}`, cap: Math.min(3, perMinute), perMs: Math.max(1, perMinute - 3) / 60_000 });
        } else if (perChat) {
          buckets.push({ key: `${id}:${call.chatId}`, cap: perChat.burst, perMs: (perChat.perSecond * 0.9) / 1000 });
        }
      }
      if (call.overall !== false) buckets.push({ key: `${id}:*`, cap: 1, perMs: Math.max(1, options.perSecond * 0.8 - 1) / 1000 });
      if (buckets.length === 0) return;
      await takeAll(buckets);
      // Idle buckets are full again after a minute: the same as no row.
      if (++takes % 500 === 0) await db.$executeRaw`DELETE FROM "SendBucket" WHERE "at" < ${q.now} - 60000`;
    },
  };
}
