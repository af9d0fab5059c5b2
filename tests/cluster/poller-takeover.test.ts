// Polling with two instances (two MAX channels on one database, each with its election for
// `poll:max`): only the elected one polls; when it dies (no release), the other takes over within
// the lease's ttl + retry, from the marker stored in the database, so no family's message is lost
// or answered twice. A short lease here (1.5 s); the service's default is 10 s + 2 s retry (≤ 15 s).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMaxChannel, type MaxChannel } from "../../src/channels/max/max-channel.ts";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { createElection, type Election } from "../../src/cluster/election.ts";
import { createLeases } from "../../src/cluster/leases.ts";
import { type Db, openDb } from "../../src/db/client.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { type FakeMaxApi, type FakeUser, startFakeMaxApi } from "../fakes/fake-max-api.ts";
import { startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { i18n, log, TOKEN, waitFor } from "../max/harness.ts";

// The dialog's processed-update keys, shared as the database shares them.
const seen = new Set<string>();
const handledBy: Record<string, string[]> = {};
function serviceOf(instance: string): DialogService {
  return {
    async handle(ctx) {
      if (seen.has(ctx.updateKey)) return { type: "duplicate" };
      seen.add(ctx.updateKey);
      handledBy[instance] = [...(handledBy[instance] ?? []), ctx.updateKey];
      return { type: "handled", replies: [{ type: "text", text: "Мы получили ваше сообщение." }] };
    },
  };
}

let api: FakeMaxApi;
let tmp: TempDb;
let dbB: Db;
const channels: MaxChannel[] = [];
const elections: Election[] = [];
beforeEach(async () => {
  seen.clear();
  for (const k of Object.keys(handledBy)) delete handledBy[k];
  api = await startFakeMaxApi({ token: TOKEN });
  tmp = await createTempDb();
  dbB = await openDb(tmp.target);
});
afterEach(async () => {
  for (const e of elections.splice(0)) e.kill();
  for (const c of channels.splice(0)) await c.stop();
  await api.close();
  await dbB.$disconnect();
  await tmp.cleanup();
});

const TTL = 1500;
const RETRY = 200;

async function instance(name: string, db: Db) {
  const election = createElection({ leases: createLeases({ db, holder: name }), name: "poll:max", log, ttlMs: TTL, retryMs: RETRY });
  elections.push(election);
  const channel = createMaxChannel({
    token: TOKEN,
    baseUrl: api.baseUrl,
    service: serviceOf(name),
    db,
    log,
    i18n,
    mode: { type: "polling" },
    setCommands: false,
    menuRow: false,
    polling: { timeoutSeconds: 1, minRetryMs: 50, maxRetryMs: 100, leadership: election },
    outbound: { minRetryDelayMs: 5, maxRetryDelayMs: 20, ratePerSecond: 1000, maxConcurrent: 10 },
  });
  channels.push(channel);
  await channel.start();
  election.start();
  return { election, channel };
}

const parent = (i: number): FakeUser => ({ userId: 100 + i, chatId: 1000 + i });
const answers = (u: FakeUser) => api.messagesTo(u.chatId).length;

describe("elected MAX poller", () => {
  it("one instance polls; when it dies the other takes over from the stored marker, nothing lost or doubled", async () => {
    const a = await instance("a", tmp.db);
    await waitFor(() => a.election.leading, 5000, "a elected");
    const b = await instance("b", dbB);
    for (let i = 0; i < 3; i++) api.pushUpdate(api.textMessage(parent(i), `помогите ${i}`));
    await waitFor(() => [0, 1, 2].every((i) => answers(parent(i)) === 1), 8000, "first three answered");
    expect(b.election.leading).toBe(false);
    expect(handledBy.b ?? []).toEqual([]); // the standby never polled anything

    a.election.kill(); // SIGKILL: a stops, its lease stays until it expires
    const diedAt = Date.now();
    for (let i = 3; i < 6; i++) api.pushUpdate(api.textMessage(parent(i), `помогите ${i}`));
    await waitFor(() => [3, 4, 5].every((i) => answers(parent(i)) === 1), 10_000, "answered after the takeover");
    const tookOver = Date.now() - diedAt;
    expect(b.election.leading).toBe(true);
    expect(tookOver).toBeGreaterThan(TTL - 1000); // not before a's lease could have run out (margin)
    expect(tookOver).toBeLessThan(TTL + RETRY + 3000);
    expect(handledBy.b).toHaveLength(3);
    for (let i = 0; i < 6; i++) expect(answers(parent(i)), `parent ${i}`).toBe(1);
    expect(api.lostUpdates).toBe(0);
    // Only the very first poll of the bot went without a marker; b started from the stored one.
    const polls = api.callsTo("GET", "/updates");
    expect(polls.slice(1).every((c) => c.query.marker !== undefined)).toBe(true);
  });

  it("a clean stop hands over at once (the lease is released)", async () => {
    const a = await instance("a", tmp.db);
    await waitFor(() => a.election.leading, 5000, "a elected");
    const b = await instance("b", dbB);
    await a.channel.stop();
    await a.election.stop();
    const stoppedAt = Date.now();
    await waitFor(() => b.election.leading, 5000, "b elected");
    expect(Date.now() - stoppedAt).toBeLessThan(RETRY + 1000);
    api.pushUpdate(api.textMessage(parent(9), "помогите"));
    await waitFor(() => answers(parent(9)) === 1, 8000, "answered by b");
    expect(handledBy.b).toHaveLength(1);
  });
});

describe("elected Telegram poller", () => {
  it("the standby polls only after the poller died; every message answered once", async () => {
    const tg = await startFakeTelegramApi();
    const tgChannels: TelegramChannel[] = [];
    const tgInstance = async (name: string, db: Db) => {
      const election = createElection({ leases: createLeases({ db, holder: name }), name: "poll:telegram", log, ttlMs: TTL, retryMs: RETRY });
      elections.push(election);
      const channel = createTelegramChannel({
        token: tg.token,
        apiRoot: tg.apiRoot,
        service: serviceOf(name),
        db,
        log,
        i18n,
        mode: { type: "polling", timeoutSeconds: 1 },
        throttle: false,
        leadership: election,
      });
      tgChannels.push(channel);
      await channel.start();
      election.start();
      return { election, channel };
    };
    try {
      const a = await tgInstance("a", tmp.db);
      await waitFor(() => a.election.leading, 5000, "a elected");
      const b = await tgInstance("b", dbB);
      for (let i = 0; i < 3; i++) tg.push(tg.text({ id: 500 + i }, `помогите ${i}`));
      await waitFor(() => [0, 1, 2].every((i) => tg.sentTo(500 + i).length === 1), 8000, "first three answered");
      expect(handledBy.b ?? []).toEqual([]);
      a.election.kill();
      const diedAt = Date.now();
      for (let i = 3; i < 6; i++) tg.push(tg.text({ id: 500 + i }, `помогите ${i}`));
      await waitFor(() => [3, 4, 5].every((i) => tg.sentTo(500 + i).length === 1), 10_000, "answered after the takeover");
      expect(b.election.leading).toBe(true);
      expect(Date.now() - diedAt).toBeLessThan(TTL + RETRY + 3000);
      expect(handledBy.b).toHaveLength(3);
      for (let i = 0; i < 6; i++) expect(tg.sentTo(500 + i), `parent ${i}`).toHaveLength(1);
    } finally {
      for (const e of elections.splice(0)) e.kill();
      for (const c of tgChannels) await c.stop();
      await tg.close();
    }
  });
});
