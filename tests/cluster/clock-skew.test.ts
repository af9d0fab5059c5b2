// Two instances whose clocks differ by several seconds (issue 18, bad input), on one database, both
// engines (TEST_DATABASE_URL for PostgreSQL). Fake clocks: each instance's wall clock (Date, and the
// business clock the workers read) runs 5 s ahead or 5 s behind.
// - Leases (jobs, chat claims, the poller) expire and are compared on the database's clock only:
//   the periodic workers still run each job on one instance at a time, every delivery goes out
//   once and an untaken P0 moves once.
// - Webhook mode, MAX (a chat's updates applied in arrival order): a family's messages received by
//   the instance ahead and then by the instance behind are applied in the order they arrived — the
//   journal is stamped by the database's clock, not the receiving machine's.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMaxChannel, type MaxChannel } from "../../src/channels/max/max-channel.ts";
import { chatClaimsFactory } from "../../src/cluster/chat-claims.ts";
import { createLeases } from "../../src/cluster/leases.ts";
import { createJobRunner, type JobRunner, type PeriodicJob } from "../../src/cluster/periodic-jobs.ts";
import { workerJobs } from "../../src/cluster/worker-jobs.ts";
import { type Db, openDb } from "../../src/db/client.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { categoryLabelFor } from "../../src/handoff/center-notifications.ts";
import { createOutboxWorker, enqueueDelivery, type Sender } from "../../src/outbox/outbox.ts";
import { UNTAKEN_MOVE_ACTION } from "../../src/requests/escalate-untaken.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { quietLog } from "../dialog/db-fixture.ts";
import { type FakeMaxApi, startFakeMaxApi } from "../fakes/fake-max-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { i18n, log, waitFor } from "../max/harness.ts";

const SKEW_MS = 5_000;
const MIN = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(done: () => Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

let t: TempDb;
let dbB: Db;
beforeEach(async () => {
  t = await createTempDb();
  dbB = await openDb(t.target);
});
afterEach(async () => {
  vi.useRealTimers();
  await dbB.$disconnect();
  await t.cleanup();
});

/** Runs `fn` while this process's wall clock reads `offsetMs` off (as on a skewed machine). */
async function skewed<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + offsetMs });
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

describe("clocks 5 s apart: the periodic workers", () => {
  it("each job on one instance at a time; every delivery once; the untaken P0 moved once", async () => {
    const db = t.db;
    await loadDemoRoutingIfEmpty(db, quietLog, new Date("2026-11-01T00:00:00Z"));
    await db.center.update({ where: { key: "tyumen-family-center" }, data: { notifyTelegramChatId: "-100720" } });
    await db.center.update({ where: { key: "federal-opora-reserve" }, data: { notifyTelegramChatId: "-100999" } });
    const T0 = new Date("2026-11-25T10:00:00+05:00");
    const queue = await db.queue.findUniqueOrThrow({ where: { key: "tyumen-default" } });
    const req = await db.request.create({
      data: {
        number: "72-00001",
        channel: "telegram",
        categories: JSON.stringify(["violence"]),
        urgency: "P0",
        regionCode: "72",
        description: "—",
        queueId: queue.id,
        status: "new",
        routingReason: "region_default",
        routingExplanation: "—",
        createdAt: T0,
        dueAt: new Date(T0.getTime() + 60 * MIN),
      },
    });
    const startedAt = Date.now();
    /** Business time from T0 + 20 min, real-time paced, `offset` off. */
    const clockOf = (offset: number) => () => new Date(T0.getTime() + 20 * MIN + (Date.now() - startedAt) + offset);
    for (let i = 0; i < 20; i++) {
      await enqueueDelivery(db, { idempotencyKey: `n:${i}`, kind: "notify_center", channel: "telegram", target: `-400${i}`, payload: { text: `n${i}` } }, clockOf(-SKEW_MS)());
    }
    const sent: string[] = [];
    const runs: { job: string; from: number; to: number }[] = [];
    const notices = { i18n, publicBaseUrl: "https://opora.example", categoryLabel: categoryLabelFor(i18n) };
    const runners: JobRunner[] = [];
    for (const [name, d, offset] of [["ahead", db, +SKEW_MS], ["behind", dbB, -SKEW_MS]] as const) {
      const clock = clockOf(offset);
      const leases = createLeases({ db: d, holder: name });
      const sender: Sender = async ({ target, payload }) => {
        sent.push(`${target} ${(payload as { text?: string }).text}`);
        return { type: "sent" };
      };
      const outbox = createOutboxWorker({ db: d, log: quietLog, clock, senders: { telegram: sender, max: sender } });
      const short = { everyMs: 300, ttlMs: 2000 };
      const jobs: PeriodicJob[] = workerJobs({
        db: d,
        leases,
        log: quietLog,
        clock,
        outbox,
        notices,
        p0EscalateAfterMinutes: 15,
        retentionDays: 180,
        timing: { outbox: { everyMs: 100, ttlMs: 2000 }, reminders: short, "p0-escalation": short, "retention-purge": short, "technical-prune": { ...short, startAfterMs: 0 } },
      }).map((job) => ({
        ...job,
        async run(ctx) {
          const run = { job: job.name, from: performance.now(), to: Number.POSITIVE_INFINITY };
          runs.push(run);
          try {
            return await job.run(ctx);
          } finally {
            run.to = performance.now();
          }
        },
      }));
      const runner = createJobRunner({ leases, log: quietLog, jobs, checkMs: 100 });
      runners.push(runner);
      runner.start();
    }
    await until(
      async () => runs.filter((r) => r.job === "p0-escalation" && r.to < Number.POSITIVE_INFINITY).length >= 3 && (await db.outbox.count({ where: { status: { not: "sent" } } })) === 0,
      20_000,
      "jobs ran and everything was delivered",
    );
    await Promise.all(runners.map((r) => r.stop()));

    expect(await db.auditLog.count({ where: { action: UNTAKEN_MOVE_ACTION, requestId: req.id } })).toBe(1);
    const rows = await db.outbox.findMany();
    const delivered = rows.filter((r) => r.status === "sent");
    expect(delivered.length).toBeGreaterThan(20); // the 20 and the move's notices
    expect(sent).toHaveLength(delivered.length);
    expect(new Set(sent).size).toBe(sent.length);
    for (const a of runs)
      for (const b of runs) {
        if (a === b || a.job !== b.job) continue;
        expect(a.from >= b.to || b.from >= a.to, `${a.job} ran on both at once`).toBe(true);
      }
  }, 60_000);
});

describe("clocks 5 s apart: webhook mode, MAX", () => {
  let api: FakeMaxApi;
  const channels: MaxChannel[] = [];
  afterEach(async () => {
    for (const c of channels.splice(0)) await c.stop();
    await api.close();
  });

  it("a family's messages received by the instance ahead, then by the one behind, are applied in arrival order", async () => {
    api = await startFakeMaxApi({ token: "max-skew-token", defaultPollTimeoutMs: 200 });
    const applied: string[] = [];
    let slow: Promise<void> | undefined;
    let busy = false;
    const service: DialogService = {
      async handle(_ctx, event) {
        const text = event.type === "text" ? event.text : event.type;
        if (text === "m0") {
          busy = true;
          await slow; // the chat is busy while m1 and m2 arrive
        }
        applied.push(text);
        return { type: "handled", replies: [{ type: "text", text: `ok ${text}` }] };
      },
    };
    const instance = async (name: string, db: Db) => {
      const channel = createMaxChannel({
        token: "max-skew-token",
        baseUrl: api.baseUrl,
        service,
        db,
        log,
        i18n,
        mode: { type: "webhook", secret: "max-skew-secret-123" },
        outbound: { minRetryDelayMs: 20, maxRetryDelayMs: 100, ratePerSecond: 1000, maxConcurrent: 20 },
        chatClaims: chatClaimsFactory({ db, leases: createLeases({ db, holder: name }), log, channel: "max", ttlMs: 4000, sweepMs: 200 }),
      });
      channels.push(channel);
      await channel.start();
      return channel;
    };
    const ahead = await instance("ahead", t.db);
    const behind = await instance("behind", dbB);
    const family = { userId: 9100, chatId: 9100 };
    let release = () => {};
    slow = new Promise<void>((r) => {
      release = r;
    });
    await ahead.accept(api.textMessage(family, "m0"));
    await waitFor(() => busy, 5000, "m0 taken");
    await skewed(+SKEW_MS, () => ahead.accept(api.textMessage(family, "m1")));
    await sleep(50);
    await skewed(-SKEW_MS, () => behind.accept(api.textMessage(family, "m2")));
    await sleep(50);
    await behind.accept(api.textMessage(family, "m3"));
    release();
    await waitFor(() => applied.length === 4, 10_000, "all applied");
    await ahead.idle();
    await behind.idle();
    expect(applied).toEqual(["m0", "m1", "m2", "m3"]);
    expect(await t.db.inboundUpdate.count()).toBe(0);
  }, 30_000);
});
