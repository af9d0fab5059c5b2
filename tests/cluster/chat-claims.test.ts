// Webhook mode on two instances (two Telegram channels, each with its own database client and
// leases, on one database): a family's messages reach the instances alternately, as a load
// balancer hands them out, while the other instance is still busy with the previous one. Every
// message is applied once, in the family's order, never two of one chat at the same time; and
// when the instance holding a chat dies mid-update, the other takes the chat over after the claim
// runs out and applies the rest in order.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { type ChatClaims, chatClaimsFactory } from "../../src/cluster/chat-claims.ts";
import { createLeases } from "../../src/cluster/leases.ts";
import { type Db, openDb } from "../../src/db/client.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { i18n, log, waitFor } from "../max/harness.ts";

interface Applied {
  instance: string;
  text: string;
}

// What the dialog service sees, per chat; processed-update keys shared as the database shares them.
const applied = new Map<string, Applied[]>();
const active = new Set<string>();
const seen = new Set<string>();
let overlaps = 0;
let hangOn: string | undefined;
let release: () => void = () => undefined;

function serviceOf(instance: string): DialogService {
  return {
    async handle(ctx, event) {
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
