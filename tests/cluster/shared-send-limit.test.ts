// Two instances of one Telegram bot (two channels, each with its own process-wide limiter — told
// apart here by their API roots, as two processes would be — and its own database client) answer
// families at the same time; a family's second message is answered by the other instance. With the
// send budget shared through the database, the fake API's log never shows more than Telegram's
// 30 messages in any second for the bot, nor more than a burst of 4 then 1 a second in a chat.
// Runs with TEST_DATABASE_URL (the PostgreSQL CI run).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setOutboundGate } from "../../src/channels/outbound-limiter.ts";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { createSendBudget } from "../../src/cluster/send-budget.ts";
import { type Db, openDb } from "../../src/db/client.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb, testEngine } from "../helpers/temp-db.ts";
import { i18n, log } from "../max/harness.ts";

const service: DialogService = {
  async handle(_ctx, event) {
    const text = event.type === "text" ? event.text : event.type;
    return { type: "handled", replies: [1, 2, 3].map((n) => ({ type: "text" as const, text: `${text}: part ${n}` })) };
  },
};

/** The most calls in any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/**
 * Token-bucket rule for one chat: any run of k messages spans at least (k − burst) / rate seconds,
 * less 100 ms: arrival times at the fake (same process, a loaded machine) bunch by that much.
 */
function breaksChatBudget(times: number[], burst: number, perSecond: number): boolean {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + burst; j < sorted.length; j++) {
      if ((sorted[j] as number) - (sorted[i] as number) < ((j - i + 1 - burst) * 1000) / perSecond - 100) return true;
    }
  }
  return false;
}

let api: FakeTelegramApi;
let tmp: TempDb;
let dbB: Db;
const channels: TelegramChannel[] = [];

beforeEach(async () => {
  api = await startFakeTelegramApi();
  tmp = await createTempDb();
  dbB = await openDb(tmp.target);
});
afterEach(async () => {
  setOutboundGate(undefined);
  for (const c of channels.splice(0)) await c.stop();
  await api.close();
  await dbB.$disconnect();
  await tmp.cleanup();
});

async function instance(db: Db, apiRoot: string): Promise<TelegramChannel> {
  // The default throttle: Telegram's limits, in this instance's own limiter.
  const channel = createTelegramChannel({ token: api.token, apiRoot, service, db, log, i18n, mode: { type: "webhook", secret: "s3cr3t-token" } });
  channels.push(channel);
  await channel.start();
  return channel;
}

// Several instances share PostgreSQL (the service wires the shared budget only there).
describe.skipIf(testEngine() !== "postgresql")("send limits shared by two instances", () => {
  it("together they stay within 30 messages a second per bot and 4-then-1/s per chat", async () => {
    setOutboundGate(createSendBudget({ db: tmp.db }).take);
    const a = await instance(tmp.db, api.apiRoot);
    const b = await instance(dbB, api.apiRoot.replace("127.0.0.1", "localhost"));
    const families = Array.from({ length: 24 }, (_, i) => 8000 + i);
    await Promise.all(
      families.map(async (id, i) => {
        const [first, second] = i % 2 ? [a, b] : [b, a];
        await first.handleUpdate(api.stamp(api.text({ id }, "hello")));
        await second.handleUpdate(api.stamp(api.text({ id }, "again")));
      }),
    );
    const sends = api.calls.filter((c) => c.method === "sendMessage");
    expect(sends).toHaveLength(families.length * 6);
    const busiest = busiestWindow(sends.map((c) => c.at), 1000);
    expect(busiest).toBeLessThanOrEqual(30);
    expect(busiest).toBeGreaterThan(15); // it was busy: the limit, not idleness, held it
    for (const id of families) {
      const times = sends.filter((c) => String(c.payload.chat_id) === String(id)).map((c) => c.at);
      expect(times).toHaveLength(6);
      expect(breaksChatBudget(times, 4, 1), `chat ${id}`).toBe(false);
    }
  }, 60_000);
});

// What counts where is the same in one process and across instances (send-budget.ts): an edit
// (overall: false, as the Telegram throttle marks editMessage*) spends its chat's budget only, a new
// message also the bot's. Both engines.
describe("shared budget: edits count against their chat, not the bot's 30/s", () => {
  const options = { perSecond: 30, perChat: { perSecond: 1, burst: 4 }, perGroupPerMinute: 20 };
  const BOT = `${"http://127.0.0.1:1"} bot-token-hash`;
  const buckets = async () => (await tmp.db.sendBucket.findMany({ orderBy: { key: "asc" } })).map((r) => r.key.split(":")[1]);

  it("an edit takes only its chat's token; a new message also the bot's", async () => {
    const budget = createSendBudget({ db: tmp.db });
    await budget.take(BOT, options, { chatId: "501", overall: false });
    expect(await buckets()).toEqual(["501"]);
    await budget.take(BOT, options, { chatId: "502" });
    expect(await buckets()).toEqual(["*", "501", "502"]);
  });

  it("edits of one chat still keep to its burst then about 1/s; edits of many chats are not paced bot-wide", async () => {
    const budget = createSendBudget({ db: tmp.db });
    const started: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < 6; i++) {
      await budget.take(BOT, options, { chatId: "601", overall: false });
      started.push(performance.now() - t0);
    }
    expect(started[3]).toBeLessThan(800); // the burst of 4 at once
    expect(started[4]! - started[3]!).toBeGreaterThan(700); // then the chat's rate
    expect(started[5]! - started[4]!).toBeGreaterThan(700);
    // 80 new messages in 80 chats at once are paced by the bot's budget (1 token, ~23/s: ≥ 3.4 s);
    // 80 edits in 80 other chats are not.
    const t1 = performance.now();
    await Promise.all(Array.from({ length: 80 }, (_, i) => budget.take(BOT, options, { chatId: String(2000 + i) })));
    const sendsMs = performance.now() - t1;
    const t2 = performance.now();
    await Promise.all(Array.from({ length: 80 }, (_, i) => budget.take(BOT, options, { chatId: String(1000 + i), overall: false })));
    const editsMs = performance.now() - t2;
    expect(sendsMs).toBeGreaterThan(3000);
    expect(editsMs, `edits ${Math.round(editsMs)} ms, sends ${Math.round(sendsMs)} ms`).toBeLessThan(sendsMs - 1500);
  }, 30_000);
});
