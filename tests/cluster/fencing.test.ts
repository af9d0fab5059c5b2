// Fencing of the periodic workers (src/cluster/worker-jobs.ts, leases.ts `leaseFence`): an instance
// that paused past its job lease's expiry (GC, a stalled VM) while another instance took the job
// over commits nothing of that job — no delivery claimed or sent, no reminder, no P0 move, no
// erasure, no prune — and the instance that took over does the job exactly once. Instance a's
// monotonic clock is frozen (a fake clock), so it still believes it holds its lease: only the check
// inside each transaction stops it. Both engines (TEST_DATABASE_URL for PostgreSQL).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLeases, type Lease, LeaseLostError } from "../../src/cluster/leases.ts";
import { createJobRunner, type PeriodicJob } from "../../src/cluster/periodic-jobs.ts";
import { JOB_NAMES, workerJobs } from "../../src/cluster/worker-jobs.ts";
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
const DAY = 24 * 60 * MIN;
const T0 = new Date("2026-11-25T10:00:00+05:00");
/** Business time: the P0 below has waited 20 minutes. */
const clock = () => new Date(T0.getTime() + 20 * MIN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TempDb;
let dbB: Db;
let requestId: number;
let oldRequestId: number;
const sent: { instance: string; target: string }[] = [];

beforeEach(async () => {
  sent.length = 0;
  t = await createTempDb();
  dbB = await openDb(t.target);
  const db = t.db;
  await loadDemoRoutingIfEmpty(db, quietLog, new Date("2026-11-01T00:00:00Z"));
  await db.center.update({ where: { key: "tyumen-family-center" }, data: { notifyTelegramChatId: "-100720" } });
  await db.center.update({ where: { key: "federal-opora-reserve" }, data: { notifyTelegramChatId: "-100999" } });
  const queue = await db.queue.findUniqueOrThrow({ where: { key: "tyumen-default" } });
  const base = {
    channel: "telegram",
    categories: JSON.stringify(["violence"]),
    regionCode: "72",
    queueId: queue.id,
    routingReason: "region_default",
    routingExplanation: "Очередь региона по умолчанию.",
  };
  // An untaken P0 (reminders, escalation) and a request closed 200 days ago (retention purge).
  requestId = (
    await db.request.create({
      data: { ...base, number: "72-00001", urgency: "P0", description: "—", status: "new", createdAt: T0, dueAt: new Date(T0.getTime() + 60 * MIN) },
    })
  ).id;
  oldRequestId = (
    await db.request.create({
      data: { ...base, number: "72-00002", urgency: "P2", status: "closed", contactPhone: "+79990001122", createdAt: new Date(T0.getTime() - 210 * DAY), closedAt: new Date(T0.getTime() - 200 * DAY), dueAt: T0 },
    })
  ).id;
  // A processed-update key 8 days old (technical pruning keeps them 7).
  await db.processedUpdate.create({ data: { channel: "telegram", updateKey: "old", processedAt: new Date(T0.getTime() - 8 * DAY) } });
  for (let i = 0; i < 3; i++) {
    await enqueueDelivery(db, { idempotencyKey: `n:${i}`, kind: "notify_center", channel: "telegram", target: `-300${i}`, payload: { text: `n${i}` } }, clock());
  }
});
afterEach(async () => {
  await dbB.$disconnect();
  await t.cleanup();
});

function instance(name: string, db: Db, monotonic?: () => number) {
  const leases = createLeases({ db, holder: name, ...(monotonic ? { monotonic } : {}) });
  const sender: Sender = async ({ target }) => {
    sent.push({ instance: name, target });
    return { type: "sent" };
  };
  const outbox = createOutboxWorker({ db, log: quietLog, clock, senders: { telegram: sender, max: sender } });
  const jobs = workerJobs({ db, leases, log: quietLog, clock, outbox, notices, p0EscalateAfterMinutes: 15, retentionDays: 180 });
  const job = (n: string) => jobs.find((j) => j.name === n) as PeriodicJob;
  const run = (n: string, lease: Lease) => job(n).run({ lease, signal: new AbortController().signal });
  return { leases, jobs, run };
}

/** What each job leaves in the database (and the fake messengers), to compare before and after. */
async function effects() {
  const db = t.db;
  const req = await db.request.findUniqueOrThrow({ where: { id: requestId }, include: { queue: true } });
  return {
    outbox: (await db.outbox.findMany({ orderBy: { id: "asc" }, select: { idempotencyKey: true, status: true, attempts: true } })).map(
      (r) => `${r.idempotencyKey} ${r.status} ${r.attempts}`,
    ),
    sent: sent.map((s) => `${s.instance} ${s.target}`),
    moves: await db.auditLog.count({ where: { action: UNTAKEN_MOVE_ACTION, requestId } }),
    queue: req.queue.key,
    oldPhone: (await db.request.findUniqueOrThrow({ where: { id: oldRequestId } })).contactPhone,
    processedKeys: await db.processedUpdate.count(),
  };
}

/** a takes the job's lease, then pauses past its expiry; b takes the job over. */
async function takenOver(job: string) {
  const frozen = 1_000; // a's monotonic clock stands still: it believes its lease is valid
  const a = instance("a", t.db, () => frozen);
  const b = instance("b", dbB);
  const la = (await a.leases.acquire(`job:${job}`, 300))!;
  expect(a.leases.valid(la)).toBe(true);
  await sleep(450); // the database's clock runs on: a's lease has expired
  const lb = (await b.leases.acquire(`job:${job}`, 10_000))!;
  expect(lb.token).toBe(la.token + 1);
  expect(a.leases.valid(la)).toBe(true); // a still believes it
  return { a, b, la, lb };
}

type Effects = Awaited<ReturnType<typeof effects>>;
const CASES: [string, (before: Effects, after: Effects) => void][] = [
    ["outbox", (before: Effects, after: Effects) => {
      expect(before.outbox.every((r) => r.endsWith("pending 0"))).toBe(true);
      expect(after.outbox.every((r) => r.endsWith("sent 1"))).toBe(true);
      expect([...after.sent].sort()).toEqual(["b -3000", "b -3001", "b -3002"]);
    }],
    ["reminders", (before: Effects, after: Effects) => {
      expect(after.outbox.length - before.outbox.length).toBe(1); // the P0 reminder, once
      expect(after.outbox.filter((r) => r.startsWith(`p0:${requestId}:`))).toHaveLength(1);
    }],
    ["p0-escalation", (_before: Effects, after: Effects) => {
      expect(after.moves).toBe(1);
      expect(after.queue).toBe("federal-fallback");
    }],
    ["retention-purge", (_before: Effects, after: Effects) => {
      expect(after.oldPhone).toBeNull();
    }],
    ["technical-prune", (_before: Effects, after: Effects) => {
      expect(after.processedKeys).toBe(0);
    }],
];

describe("fencing: a worker whose lease was taken over commits nothing", () => {
  it.each(CASES)("%s: the paused holder is refused, the new holder does the job once", async (job, check) => {
    const { a, b, la, lb } = await takenOver(job);
    const before = await effects();
    await expect(a.run(job, la)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await effects(), "the paused instance committed nothing").toEqual(before);

    await b.run(job, lb);
    await b.run(job, lb); // b's next pass finds nothing left to do
    const after = await effects();
    check(before, after);
    expect(after.sent.filter((s) => s.startsWith("a "))).toEqual([]);
    // a, waking up again later, still commits nothing (refused, or finding nothing left to do).
    await a.run(job, la).catch((err) => expect(err).toBeInstanceOf(LeaseLostError));
    expect(await effects()).toEqual(after);
  });

  it("every worker job is covered above (a new job must be added to the cases)", () => {
    expect(CASES.map(([name]) => name).sort()).toEqual([...JOB_NAMES].sort());
  });

  it("a delivery attempt that stalled past its claim does not reopen the delivery a later attempt sent", async () => {
    const id = (await t.db.outbox.findFirstOrThrow({ where: { idempotencyKey: "n:0" } })).id;
    await t.db.outbox.deleteMany({ where: { id: { not: id } } });
    let finishStalled: (r: { type: "retry"; code: string }) => void = () => undefined;
    const stalled: Sender = () => new Promise((r) => (finishStalled = r));
    const realClock = () => new Date();
    await t.db.outbox.update({ where: { id }, data: { nextAttemptAt: new Date(0) } });
    const a = createOutboxWorker({ db: t.db, log: quietLog, clock: realClock, senders: { telegram: stalled }, leaseMs: 200 });
    const aPass = a.runOnce();
    await sleep(350); // a's send hangs past its 200 ms claim
    const sender: Sender = async ({ target }) => {
      sent.push({ instance: "b", target });
      return { type: "sent" };
    };
    const b = createOutboxWorker({ db: dbB, log: quietLog, clock: realClock, senders: { telegram: sender }, leaseMs: 200 });
    expect(await b.runOnce()).toBe(1);
    expect(await t.db.outbox.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "sent", attempts: 2 });
    finishStalled({ type: "retry", code: "ETIMEDOUT" }); // a wakes up: its attempt failed
    await aPass;
    expect(await t.db.outbox.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "sent", attempts: 2 });
    await sleep(50);
    expect(await b.runOnce()).toBe(0);
    expect(sent).toEqual([{ instance: "b", target: "-3000" }]);
  });

  it("the job runner reports a refused write as a lost lease, and the successor keeps its lease", async () => {
    const a = instance("a", t.db, () => 1_000);
    const b = instance("b", dbB);
    const escalation = a.jobs.find((j) => j.name === "p0-escalation")!;
    const paused: PeriodicJob = {
      ...escalation,
      async run(ctx) {
        // a stalls; its lease runs out in the database (no renewal got through) and b takes the job.
        await dbB.lease.update({ where: { name: "job:p0-escalation" }, data: { expiresAt: new Date(0) } });
        expect(await b.leases.acquire("job:p0-escalation", 10_000)).not.toBeNull();
        return escalation.run(ctx);
      },
    };
    const runner = createJobRunner({ leases: a.leases, log: quietLog, jobs: [paused], checkMs: 100_000, monotonic: () => 1_000 });
    expect(await runner.tryRun("p0-escalation")).toBe("lost");
    expect(await t.db.auditLog.count({ where: { action: UNTAKEN_MOVE_ACTION, requestId } })).toBe(0);
    expect(await b.leases.state("job:p0-escalation")).toMatchObject({ holder: "b", live: true });
  });
});
