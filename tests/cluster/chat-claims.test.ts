// Webhook mode on two instances (two Telegram channels, each with its own database client and
// leases, on one database): a family's messages reach the instances alternately, as a load
// balancer hands them out, while the other instance is still busy with the previous one. Every
// message is applied once, in the family's order, never two of one chat at the same time; and
// when the instance holding a chat dies mid-update, the other takes the chat over after the claim
// runs out and applies the rest in order.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { createInboundJournal } from "../../src/channels/inbound-journal.ts";
import { createMaxChannel } from "../../src/channels/max/max-channel.ts";
import { type ChatClaims, chatClaimsFactory, createChatClaims, currentChatClaim } from "../../src/cluster/chat-claims.ts";
import { createLeases, type Leases } from "../../src/cluster/leases.ts";
import { type Db, engineOf, openDb } from "../../src/db/client.ts";
import { claimUpdate } from "../../src/dialog/conversation-store.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { startFakeMaxApi } from "../fakes/fake-max-api.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { i18n, log, waitFor } from "../max/harness.ts";

interface Applied {
  instance: string;
  text: string;
}

// What the dialog service sees, per chat; processed-update keys shared as the database shares them.
const applied = new Map<string, Applied[]>();
/** The chat claim each step ran under (currentChatClaim), by update key. */
const claimSeen = new Map<string, string | undefined>();
const active = new Set<string>();
const seen = new Set<string>();
let overlaps = 0;
let hangOn: string | undefined;
let release: () => void = () => undefined;

function serviceOf(instance: string): DialogService {
  return {
    async handle(ctx, event) {
      claimSeen.set(ctx.updateKey, currentChatClaim()?.name);
      if (seen.has(ctx.updateKey)) return { type: "duplicate" };
      const chat = ctx.chatId;
      if (active.has(chat)) overlaps += 1;
      active.add(chat);
      try {
        const text = event.type === "text" ? event.text : event.type;
        if (text === hangOn && instance === "A") await new Promise<void>((r) => (release = r)); // this instance freezes here
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 15));
        seen.add(ctx.updateKey);
        applied.set(chat, [...(applied.get(chat) ?? []), { instance, text }]);
        return { type: "handled", replies: [{ type: "text", text: `ok ${text}` }] };
      } finally {
        active.delete(chat);
      }
    },
  };
}

const TTL = 4000; // long enough that a loaded machine never misses a renewal (1.5 s let one lapse in CI on PostgreSQL)
let api: FakeTelegramApi;
let tmp: TempDb;
let dbB: Db;
const channels: TelegramChannel[] = [];
const claims: Record<string, ChatClaims> = {};

beforeEach(async () => {
  applied.clear();
  claimSeen.clear();
  active.clear();
  seen.clear();
  overlaps = 0;
  hangOn = undefined;
  api = await startFakeTelegramApi();
  tmp = await createTempDb();
  dbB = await openDb(tmp.target);
});
afterEach(async () => {
  release();
  for (const c of channels.splice(0)) await c.stop();
  await api.close();
  await dbB.$disconnect();
  await tmp.cleanup();
});

async function instance(name: string, db: Db): Promise<TelegramChannel> {
  const factory = chatClaimsFactory({ db, leases: createLeases({ db, holder: name }), log, channel: "telegram", ttlMs: TTL, sweepMs: 200 });
  const channel = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    service: serviceOf(name),
    db,
    log,
    i18n,
    mode: { type: "webhook", secret: "s3cr3t-token" },
    throttle: false,
    chatClaims: (c) => {
      claims[name] = factory(c);
      return claims[name];
    },
  });
  channels.push(channel);
  await channel.start();
  return channel;
}

const texts = (chat: number) => (applied.get(String(chat)) ?? []).map((a) => a.text);

describe("webhook mode on two instances", () => {
  it("a family's messages alternating between the instances are applied once each, in order, one at a time", async () => {
    const a = await instance("A", tmp.db);
    const b = await instance("B", dbB);
    const families = [7001, 7002, 7003, 7004, 7005];
    const N = 12;
    // Each family posts its next message once the previous one was accepted (the webhook's 200),
    // not once it was applied: the next one lands on the other instance while the first is busy.
    await Promise.all(
      families.map(async (id) => {
        for (let i = 1; i <= N; i++) await ((i + id) % 2 ? a : b).accept(api.stamp(api.text({ id }, `m${i}`)));
      }),
    );
    const want = Array.from({ length: N }, (_, i) => `m${i + 1}`);
    await waitFor(() => families.every((id) => texts(id).length === N), 20_000, "every message applied");
    await a.idle();
    await b.idle();
    for (const id of families) {
      expect(texts(id), `family ${id}`).toEqual(want);
      expect(api.sentTo(id).map((m) => m.text)).toEqual(want.map((t) => `ok ${t}`)); // each answered once, in order
    }
    expect(overlaps).toBe(0);
    const by = [...applied.values()].flat();
    expect(by.some((x) => x.instance === "A") && by.some((x) => x.instance === "B")).toBe(true);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
    expect(await tmp.db.lease.count({ where: { name: { startsWith: "chat:" } } })).toBe(0); // claims leave no rows
    // Each step ran under its chat's claim (what the dialog's claim statement checks).
    expect(claimSeen.size).toBe(families.length * N);
    for (const [key, name] of claimSeen) expect(name, `update ${key}`).toMatch(/^chat:telegram:700\d$/);
  });

  it("when the instance holding a chat dies mid-update, the other takes the chat over and keeps its order", async () => {
    const a = await instance("A", tmp.db);
    const id = 7100;
    hangOn = "m2";
    await a.accept(api.stamp(api.text({ id }, "m1")));
    await a.accept(api.stamp(api.text({ id }, "m2")));
    await waitFor(() => active.has(String(id)), 5000, "A busy with m2");
    // B starts once A holds the chat (started earlier, B's sweep could take m1 before A's own kick did).
    const b = await instance("B", dbB);
    claims.A?.kill(); // SIGKILL: A stops renewing its claim and never finishes m2
    const diedAt = Date.now();
    await b.accept(api.stamp(api.text({ id }, "m3")));
    await b.accept(api.stamp(api.text({ id }, "m4")));
    await waitFor(() => texts(id).length === 4, 10_000, "B applied the rest");
    expect(Date.now() - diedAt).toBeGreaterThan(TTL - 1000); // not before A's claim could have run out
    expect(Date.now() - diedAt).toBeLessThan(TTL + 3000);
    expect(texts(id)).toEqual(["m1", "m2", "m3", "m4"]);
    expect(applied.get(String(id))?.map((x) => x.instance)).toEqual(["A", "B", "B", "B"]);
    await waitFor(() => api.sentTo(id).length >= 4, 5000, "replies sent");
    await b.idle();
    expect(api.sentTo(id).map((m) => m.text)).toEqual(["ok m1", "ok m2", "ok m3", "ok m4"]);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
  });
});

describe("webhook mode, MAX", () => {
  it("a chat's step runs under the chat's claim (what the dialog's claim statement checks)", async () => {
    const max = await startFakeMaxApi({ token: "max-claims-token" });
    const seenClaims: Array<string | undefined> = [];
    const service: DialogService = {
      async handle() {
        seenClaims.push(currentChatClaim()?.name);
        return { type: "handled", replies: [{ type: "text", text: "ok" }] };
      },
    };
    const channel = createMaxChannel({
      token: "max-claims-token",
      baseUrl: max.baseUrl,
      service,
      db: tmp.db,
      log,
      i18n,
      mode: { type: "webhook", secret: "max-claims-secret-123" },
      outbound: { minRetryDelayMs: 20, maxRetryDelayMs: 100, ratePerSecond: 1000, maxConcurrent: 20 },
      chatClaims: chatClaimsFactory({ db: tmp.db, leases: createLeases({ db: tmp.db, holder: "A" }), log, channel: "max", ttlMs: TTL, sweepMs: 200 }),
    });
    try {
      await channel.start();
      await channel.accept(max.textMessage({ userId: 9300, chatId: 9300 }, "m1"));
      await waitFor(() => seenClaims.length === 1, 5000, "applied");
      expect(seenClaims).toEqual(["chat:max:9300"]);
    } finally {
      await channel.stop();
      await max.close();
    }
  });
});

// A holder that stalled past its claim (its renewals stopped: a long pause) while another instance
// took the chat over: its step, resumed late, must commit nothing — the dialog's claim statement
// (src/dialog/conversation-store.ts, claimUpdate) checks the claim — and it must not delete the
// chat's entry, which the new holder applies. The steps here are that claim statement alone.
describe("a holder that lost its chat's claim", () => {
  const CHAT = "chat-9";
  const SHORT = 600;
  const committed: string[] = [];
  const gates = new Map<string, { entered: boolean; open: () => void; opened: Promise<void> }>();
  const gate = (name: string) => {
    let open: () => void = () => undefined;
    const opened = new Promise<void>((r) => (open = r));
    const g = { entered: false, open, opened };
    gates.set(name, g);
    return g;
  };

  /**
   * One instance's claims on `db`; its step for an update waits at the gate named `<name>:<key>`.
   * `cached`: the step first claims with a cached conversation state that is out of date, then
   * again without it (the dialog service's path when another instance changed the conversation).
   */
  function holder(name: string, db: Db, leases: Leases, cached: boolean) {
    return createChatClaims({
      db,
      leases,
      log,
      channel: "telegram",
      order: "numericKey",
      ttlMs: SHORT,
      sweepMs: 60_000,
      apply: async (update) => {
        const key = String((update as { update_id: number }).update_id);
        const g = gates.get(`${name}:${key}`);
        if (g) {
          g.entered = true;
          await g.opened;
        }
        const claim = { channel: "telegram" as const, updateKey: key, now: new Date(), journalKeys: [key] };
        const ok = await db.$transaction(async (tx) =>
          cached
            ? (await claimUpdate(tx, engineOf(db), { ...claim, unchanged: { id: "none", text: "{}" } })) ||
              (await claimUpdate(tx, engineOf(db), { ...claim, journalKeys: [] }))
            : claimUpdate(tx, engineOf(db), claim),
        );
        if (ok) committed.push(`${name}:${key}`);
      },
    });
  }
  /** A's leases, its renewals lost (the pause): the claim runs out in the database after SHORT. */
  const stalled = (db: Db): Leases => {
    const leases = createLeases({ db, holder: "A" });
    return { ...leases, renew: async () => false };
  };
  const journal = async (keys: number[]) =>
    createInboundJournal(tmp.db, log, "telegram").record(
      keys.map((k) => ({ updateKey: String(k), payload: JSON.stringify({ update_id: k }), chatKey: CHAT })),
      new Date(),
    );

  beforeEach(() => {
    committed.length = 0;
    gates.clear();
  });

  it.each([false, true])("commits no step once another instance took the chat over; the new holder applies it, in order (cached state: %s)", async (cached) => {
    await journal([101, 102]);
    const ga = gate("A:101");
    const a = holder("A", tmp.db, stalled(tmp.db), cached);
    const drainA = a.kick(CHAT);
    await waitFor(() => ga.entered, 5000, "A at its step");
    await new Promise((r) => setTimeout(r, SHORT + 200)); // A's claim runs out
    const gb = gate("B:101");
    const b = holder("B", dbB, createLeases({ db: dbB, holder: "B" }), cached);
    const drainB = b.kick(CHAT);
    await waitFor(() => gb.entered, 5000, "B took the chat over and is at the same step");
    ga.open(); // A resumes its step late
    await drainA;
    expect(committed).toEqual([]); // nothing of A's
    gb.open();
    await drainB;
    expect(committed).toEqual(["B:101", "B:102"]);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
  });

  it.each([false, true])("leaves the chat's entry to the new holder: its step and its clean-up delete nothing (cached state: %s)", async (cached) => {
    await journal([201]);
    const ga = gate("A:201");
    const a = holder("A", tmp.db, stalled(tmp.db), cached);
    const drainA = a.kick(CHAT);
    await waitFor(() => ga.entered, 5000, "A at its step");
    await new Promise((r) => setTimeout(r, SHORT + 200));
    // B has just taken the claim (its drain is about to take the chat's oldest entry).
    const claimB = await createLeases({ db: dbB, holder: "B" }).acquire(`chat:telegram:${CHAT}`, 10_000);
    expect(claimB).not.toBeNull();
    ga.open();
    await drainA;
    expect(committed).toEqual([]);
    expect((await tmp.db.inboundUpdate.findMany()).map((e) => e.updateKey)).toEqual(["201"]); // still there for B
  });
});
