// Webhook mode on two instances: a long text Telegram split in two (the first part exactly 4096
// characters, the next message id within a second) reaches the dialog as one text even when the
// load balancer hands the parts to different instances — they meet in the chat's journal, and the
// claim's holder applies them as one (src/cluster/chat-claims.ts `joiner`). One answer, no journal
// entry left. A 4096-character text with nothing after it, or followed by an unrelated message,
// goes on alone, in order. Both engines (TEST_DATABASE_URL for PostgreSQL).
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { chatClaimsFactory } from "../../src/cluster/chat-claims.ts";
import { createLeases } from "../../src/cluster/leases.ts";
import { type Db, openDb } from "../../src/db/client.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { type FakeTelegramApi, type FakeUser, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { i18n, log, waitFor } from "../max/harness.ts";

const applied: { instance: string; text: string }[] = [];
const seen = new Set<string>();

function serviceOf(instance: string): DialogService {
  return {
    async handle(ctx, event) {
      if (seen.has(ctx.updateKey)) return { type: "duplicate" };
      seen.add(ctx.updateKey);
      const text = event.type === "text" ? event.text : event.type;
      applied.push({ instance, text });
      return { type: "handled", replies: [{ type: "text", text: `ok ${text.length}` }] };
    },
  };
}

let api: FakeTelegramApi;
let tmp: TempDb;
let dbB: Db;
const channels: TelegramChannel[] = [];
const anna: FakeUser = { id: 8100, language_code: "ru" };

beforeEach(async () => {
  applied.length = 0;
  seen.clear();
  api = await startFakeTelegramApi();
  tmp = await createTempDb();
  dbB = await openDb(tmp.target);
});
afterEach(async () => {
  for (const c of channels.splice(0)) await c.stop();
  await api.close();
  await dbB.$disconnect();
  await tmp.cleanup();
});

async function instance(name: string, db: Db): Promise<TelegramChannel> {
  const factory = chatClaimsFactory({ db, leases: createLeases({ db, holder: name }), log, channel: "telegram", ttlMs: 4000, sweepMs: 200 });
  const channel = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    service: serviceOf(name),
    db,
    log,
    i18n,
    mode: { type: "webhook", secret: "split-secret" },
    throttle: false,
    splitWaitMs: 1200,
    chatClaims: factory,
  });
  channels.push(channel);
  await channel.start();
  return channel;
}

const story = (length: number) => "Муж пьёт, кричит на детей. ".repeat(200).slice(0, length);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The updates Telegram delivers for one long message; `gapSeconds` between their dates. */
function splitMessage(first: string, second: string, gapSeconds = 0): [Update, Update] {
  const a = api.stamp(api.text(anna, first));
  const b = api.stamp(api.text(anna, second));
  (b.message as { date: number }).date = (a.message as { date: number }).date + gapSeconds;
  return [a, b];
}

describe("webhook mode on two instances: a split long text", () => {
  it("parts received by different instances are applied as one text, answered once", async () => {
    const a = await instance("A", tmp.db);
    const b = await instance("B", dbB);
    const [p1, p2] = splitMessage(story(4096), " И вот теперь мы не знаем, куда идти.", 1);
    await a.accept(p1);
    await sleep(300); // the second part comes a moment later, through the other instance
    await b.accept(p2);
    await waitFor(() => applied.length >= 1, 10_000, "the joined text");
    await sleep(300);
    await a.idle();
    await b.idle();
    expect(applied.map((x) => x.text)).toEqual([`${story(4096)} И вот теперь мы не знаем, куда идти.`]);
    await waitFor(() => api.sentTo(anna.id).length >= 1, 5000, "the answer");
    expect(api.sentTo(anna.id).map((m) => m.text)).toEqual([`ok ${4096 + 37}`]);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
  });

  it("three parts (a text over 8192 characters) over both instances are one text", async () => {
    const a = await instance("A", tmp.db);
    const b = await instance("B", dbB);
    const p1 = api.stamp(api.text(anna, story(4096)));
    const p2 = api.stamp(api.text(anna, story(4096)));
    const p3 = api.stamp(api.text(anna, "Конец."));
    await b.accept(p1);
    await a.accept(p2);
    await sleep(200);
    await b.accept(p3);
    await waitFor(() => applied.length >= 1, 10_000, "the joined text");
    await a.idle();
    await b.idle();
    expect(applied.map((x) => x.text.length)).toEqual([4096 * 2 + 6]);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
  });

  it("a 4096-character text followed by an unrelated message, or by nothing, goes on alone and in order", async () => {
    const a = await instance("A", tmp.db);
    const b = await instance("B", dbB);
    const [p1, later] = splitMessage(story(4096), "да", 5); // five seconds later: a new message, not a part
    await a.accept(p1);
    await b.accept(later);
    const lonely = api.stamp(api.text(anna, story(4096)));
    await b.accept(lonely);
    await waitFor(() => applied.length >= 3, 10_000, "three texts");
    await a.idle();
    await b.idle();
    expect(applied.map((x) => (x.text.length > 100 ? x.text.length : x.text))).toEqual([4096, "да", 4096]);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
  });
});
