// The periodic workers on two instances of one database (two clients, two lease holders, the real
// jobs of src/cluster/worker-jobs.ts): outbox delivery, reminders, P0 escalation, retention purge
// and pruning each run on one instance at a time; a worker killed while holding a job's lease
// (stopped without releasing it) leaves the job to the other, which does it exactly once.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLeases } from "../../src/cluster/leases.ts";
import { createJobRunner, type JobRunner, type PeriodicJob } from "../../src/cluster/periodic-jobs.ts";
import { workerJobs } from "../../src/cluster/worker-jobs.ts";
import { type Db, openDb } from "../../src/db/client.ts";
import { categoryLabelFor } from "../../src/handoff/center-notifications.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createOutboxWorker, enqueueDelivery, type Sender } from "../../src/outbox/outbox.ts";
import { UNTAKEN_MOVE_ACTION } from "../../src/requests/escalate-untaken.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { quietLog } from "../dialog/db-fixture.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const i18n = createI18n();
const notices = { i18n, publicBaseUrl: "https://opora.example", categoryLabel: categoryLabelFor(i18n) };
const MIN = 60_000;
const T0 = new Date("2026-11-25T10:00:00+05:00");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Business time runs in real time from T0 + 20 min (the P0 below has waited 20 minutes). */
const startedAt = Date.now();
const clock = () => new Date(T0.getTime() + 20 * MIN + (Date.now() - startedAt));

let t: TempDb;
let dbB: Db;
const runners: JobRunner[] = [];
beforeEach(async () => {
  t = await createTempDb();
  dbB = await openDb(t.target);
  await loadDemoRoutingIfEmpty(t.db, quietLog, new Date("2026-11-01T00:00:00Z"));
  await t.db.center.update({ where: { key: "tyumen-family-center" }, data: { notifyTelegramChatId: "-100720" } });
  await t.db.center.update({ where: { key: "federal-opora-reserve" }, data: { notifyTelegramChatId: "-100999", notifyMaxChatId: "999" } });
});
afterEach(async () => {
  for (const r of runners.splice(0)) r.kill();
  await dbB.$disconnect();
  await t.cleanup();
});

async function untakenP0() {
  const queue = await t.db.queue.findUniqueOrThrow({ where: { key: "tyumen-default" } });
  return t.db.request.create({
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
      routingExplanation: "Очередь региона по умолчанию.",
      createdAt: T0,
      dueAt: new Date(T0.getTime() + 60 * MIN),
    },
  });
}

/** What the fake messengers received, across both instances. */
const sent: { instance: string; target: string; text: string }[] = [];
function sender(instance: string, hang?: () => boolean): Sender {
  return async ({ target, payload }) => {
    // A call in flight when the process was killed: it never completes.
    if (hang?.()) return new Promise(() => undefined);
    sent.push({ instance, target, text: (payload as { text?: string }).text ?? "" });
    return { type: "sent" };
  };
}

/** Every run of every job, to check no job runs on both instances at once. */
const runs: { instance: string; job: string; from: number; to: number }[] = [];
function instance(name: string, db: Db, opts: { hangOutbox?: () => boolean; hangJob?: string; ttlMs?: number } = {}) {
  const ttlMs = opts.ttlMs ?? 4000;
  const outbox = createOutboxWorker({
    db,
    log: quietLog,
    clock,
    senders: { telegram: sender(name, opts.hangOutbox), max: sender(name, opts.hangOutbox) },
    leaseMs: 1500, // a delivery claimed by a killed worker is retried after this
  });
  const short = { everyMs: 300, ttlMs };
  const leases = createLeases({ db, holder: name });
  const jobs: PeriodicJob[] = workerJobs({
    db,
    leases,
    log: quietLog,
    clock,
    outbox,
    notices,
    p0EscalateAfterMinutes: 15,
    retentionDays: 180,
    timing: {
      outbox: { everyMs: 100, ttlMs },
      reminders: short,
      "p0-escalation": short,
      "retention-purge": short,
      "technical-prune": { ...short, startAfterMs: 0 },
    },
  }).map((job) => ({
    ...job,
    async run(ctx) {
      const run = { instance: name, job: job.name, from: performance.now(), to: Number.POSITIVE_INFINITY };
      runs.push(run);
      if (job.name === opts.hangJob) return new Promise(() => undefined); // killed mid-pass
      try {
        return await job.run(ctx);
      } finally {
        run.to = performance.now();
      }
    },
  }));
  const runner = createJobRunner({ leases, log: quietLog, jobs, checkMs: 100 });
  runners.push(runner);
  return runner;
}

const JOBS = ["outbox", "reminders", "p0-escalation", "retention-purge", "technical-prune"];
const pendingOutbox = () => t.db.outbox.count({ where: { status: { not: "sent" } } });
async function until(done: () => Promise<boolean>, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !(await done())) await sleep(100);
}

/**
 * Every delivery that had to go out (the planted ones, the P0 move's notices) went out, and nothing
 * went out twice. A reminder enqueued by the last pass before stop may still be pending, untried.
 */
function expectDeliveredOnce(rows: { status: string; kind: string; attempts: number }[]) {
  const delivered = rows.filter((r) => r.status === "sent");
  for (const r of rows) {
    if (r.status !== "sent") expect(r, "only a late reminder may be left").toMatchObject({ status: "pending", attempts: 0, kind: expect.stringMatching(/reminder/) });
  }
  expect(sent).toHaveLength(delivered.length);
  expect(new Set(sent.map((s) => `${s.target} ${s.text}`)).size).toBe(delivered.length);
}

function expectNoOverlap() {
  for (const a of runs)
    for (const b of runs) {
      if (a === b || a.job !== b.job) continue;
      expect(a.from >= b.to || b.from >= a.to, `${a.job} ran on ${a.instance} and ${b.instance} at once`).toBe(true);
    }
}

beforeEach(() => {
  sent.length = 0;
  runs.length = 0;
});

describe("workers once on two instances", () => {
  it("both running every worker: each job on one instance at a time, every delivery exactly once, the P0 moved once", async () => {
    const req = await untakenP0();
    for (let i = 0; i < 40; i++) {
      await enqueueDelivery(t.db, { idempotencyKey: `n:${i}`, kind: "notify_center", channel: "telegram", target: `-100${i}`, payload: { text: `n${i}` } }, clock());
    }
    const a = instance("a", t.db);
    const b = instance("b", dbB);
    a.start();
    b.start();
    // Until everything is delivered and every job has run a few times (a loaded machine is slow).
    await until(async () => JOBS.every((j) => runs.filter((r) => r.job === j && r.to < Number.POSITIVE_INFINITY).length >= 3));
    await until(async () => (await pendingOutbox()) === 0);
    await Promise.all([a.stop(), b.stop()]);

    expect(await t.db.auditLog.count({ where: { action: UNTAKEN_MOVE_ACTION, requestId: req.id } })).toBe(1);
    expect((await t.db.request.findUniqueOrThrow({ where: { id: req.id }, include: { queue: true } })).queue.key).toBe("federal-fallback");
    const rows = await t.db.outbox.findMany();
    expect(rows.length).toBeGreaterThan(40); // the 40, the escalation's notices and a P0 reminder
    expectDeliveredOnce(rows);
    expectNoOverlap();
    // Each job ran, and a job that just ran on one instance was not run again by the other's tick:
    // consecutive runs (whichever instance) are at least its interval apart, less a little slack.
    for (const [job, every] of [["outbox", 100], ["reminders", 300], ["p0-escalation", 300], ["retention-purge", 300], ["technical-prune", 300]] as const) {
      const starts = runs.filter((r) => r.job === job).map((r) => r.from).sort((x, y) => x - y);
      for (let k = 1; k < starts.length; k++) expect(starts[k]! - starts[k - 1]!, `${job} run ${k}`).toBeGreaterThan(every - 40);
    }
  });

  it("a worker killed while holding the leases: the other finishes after expiry, each delivery and the P0 move exactly once", async () => {
    const req = await untakenP0();
    for (let i = 0; i < 10; i++) {
      await enqueueDelivery(t.db, { idempotencyKey: `n:${i}`, kind: "notify_center", channel: "telegram", target: `-200${i}`, payload: { text: `n${i}` } }, clock());
    }
    // a takes the outbox and escalation leases; its send hangs and its escalation pass never ends.
    await dbB.$queryRaw`SELECT 1`; // b's connection is open before the clock starts
    const a = instance("a", t.db, { hangOutbox: () => true, hangJob: "p0-escalation", ttlMs: 2000 });
    void a.tryRun("outbox");
    void a.tryRun("p0-escalation");
    await until(async () => runs.length === 2);
    a.kill(); // SIGKILL: no renewal, no release
    const killedAt = performance.now();
    const b = instance("b", dbB, { ttlMs: 2000 });
    expect(await b.tryRun("outbox")).toBe("busy");
    expect(await b.tryRun("p0-escalation")).toBe("busy");
    b.start();
    await until(async () => runs.some((r) => r.instance === "b" && r.job === "p0-escalation" && r.to < Number.POSITIVE_INFINITY));
    await until(async () => (await pendingOutbox()) === 0); // the move's notices too
    await b.stop();

    const mine = (name: string) => runs.filter((r) => r.instance === "b" && r.job === name);
    // b took over only once a's leases had expired (2 s ttl).
    expect(Math.min(...mine("outbox").map((r) => r.from)) - killedAt).toBeGreaterThan(1500);
    expect(Math.min(...mine("p0-escalation").map((r) => r.from)) - killedAt).toBeGreaterThan(1500);
    expect(await t.db.auditLog.count({ where: { action: UNTAKEN_MOVE_ACTION, requestId: req.id } })).toBe(1);
    const rows = await t.db.outbox.findMany();
    expectDeliveredOnce(rows);
    expect(sent.filter((s) => s.instance === "a")).toEqual([]);
    for (let i = 0; i < 10; i++) expect(sent.filter((s) => s.target === `-200${i}`)).toHaveLength(1);
  });
});
