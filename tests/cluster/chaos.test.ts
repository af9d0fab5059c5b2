// Chaos (issue 18): PostgreSQL, two Opora instances (the compiled service, as `npm start` runs it)
// behind nginx on loopback, Telegram in webhook mode (the fake Bot API; the families' updates are
// posted to nginx as Telegram would, again until answered 200). 200 simulated families go through
// the whole dialog while one instance is killed with SIGKILL three times at seeded random moments
// and restarted on its port. Asserted, and printed on one line: every dialog finishes, no request
// lost (one request per family in the database), no message delivered twice, each chat's messages
// in the dialog's order, nothing left in the inbound journal or the outbox.
//
// One kind of repeat is allowed and counted apart ("inDoubtResent"): a message whose first copy went
// out at most IN_DOUBT_MS before a kill. The killed instance may have sent it and died before its
// database recorded that; Telegram has no idempotency key, so the survivor sends it again rather
// than risk never sending it (each message is recorded as it goes out: src/outbox/reply-delivery.ts).
// The family may answer that copy and take another path (a "this question is behind" answer, a
// question again), so such a chat is checked up to the repeat and must still finish.
//
// Operators' chats: every center has a linked operators' Telegram group (the link an admin makes
// with the code the bot shows in the group), and the families type places spread over all the
// demo centers (a group takes 20 messages a minute: 200 notices in one would take ten minutes).
// Each request's new-request notice must reach its center's group exactly once — counted by request
// number in the fake API's log, with the same in-doubt rule ("operatorInDoubt", counted apart).
//
// Runs with TEST_DATABASE_URL (PostgreSQL) and nginx (Debian package nginx-light or nginx); without
// nginx it is skipped, except in CI (CI=true), where it fails. CHAOS_FAMILIES, CHAOS_KILLS,
// CHAOS_SEED change the run; CHAOS_DUMP=file writes the chats that went wrong, with the instances' logs.
import { writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { createTempDb, type TempDb, testEngine } from "../helpers/temp-db.ts";
import {
  type Cluster,
  checkChats,
  checkOperatorChats,
  FIRST_USER,
  linkOperatorGroups,
  nginxBin,
  PLACES,
  placeScript,
  runFamilies,
  seeded,
  sleep,
  startCluster,
} from "./chaos-harness.ts";

const FAMILIES = Number(process.env.CHAOS_FAMILIES ?? 200);
const KILLS = Number(process.env.CHAOS_KILLS ?? 3);
const SEED = Number(process.env.CHAOS_SEED ?? 18);
// Under CI load (2 cores, the other test pass beside this one) a record can lag its send by seconds.
const IN_DOUBT_MS = 3_000;
const inCi = process.env.CI === "true";
const enabled = testEngine() === "postgresql" && (nginxBin !== undefined || inCi);

let tmp: TempDb | undefined;
let cluster: Cluster | undefined;
beforeAll(async () => {
  if (enabled) await ensureBuilt({ log: () => undefined });
}, 240_000);
afterAll(async () => {
  await cluster?.stop();
  await tmp?.cleanup();
});

describe.skipIf(!enabled)("chaos: two instances behind nginx, one killed three times", () => {
  it(`${FAMILIES} families finish their dialogs: nothing lost, nothing twice, order kept`, async () => {
    expect(nginxBin, "nginx is needed (Debian package nginx-light; .ci/run installs it)").toBeDefined();
    tmp = await createTempDb();
    const databaseUrl = (tmp.target as { url: string }).url;
    const c = await startCluster({ databaseUrl, instances: 2, root: path.resolve(".") });
    cluster = c;
    const groups = await linkOperatorGroups(databaseUrl, c.api);
    const random = seeded(SEED);
    const started = Date.now();
    const killsAt: number[] = [];
    const deadLogs: string[] = [];

    // Families start over 30 s (all 200 talk at once for most of the run); the kills fall in the
    // busy part, one in each 25 s slot after the first 8 s. A reply the killed instance's outbox
    // worker had claimed waits out that claim (60 s, src/outbox/outbox.ts) before a survivor sends
    // it: a family may wait that long, twice over when a later kill hits the new worker.
    const families = runFamilies(c, FAMILIES, { spreadMs: 30_000, stepTimeoutMs: 150_000, scriptOf: placeScript });
    const chaos = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await sleep(Math.max(0, started + 8_000 + k * 25_000 + random() * 20_000 - Date.now()));
        const victim = random() < 0.5 ? 0 : 1;
        killsAt.push(Date.now());
        deadLogs.push(await c.kill(victim));
        await sleep(500 + random() * 1_500);
        await c.up(victim);
      }
    })();
    const results = await families;
    await chaos;
    const dialogsMs = Date.now() - started;

    // A reply a killed instance left behind is sent by a survivor after its hold (up to a minute):
    // wait for the outbox and the journal to empty before counting.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const q = async (sql: string) => Number((await client.query(sql)).rows[0]?.n ?? 0);
    const left = async () => ({
      journal: await q(`SELECT count(*) AS n FROM "InboundUpdate"`),
      outbox: await q(`SELECT count(*) AS n FROM "Outbox" WHERE "status" NOT IN ('sent', 'dead')`),
    });
    let rest = await left();
    for (let waited = 0; waited < 75_000 && rest.journal + rest.outbox > 0; waited += 1_000) {
      await sleep(1_000);
      rest = await left();
    }
    await sleep(1_000);
    const requests = await q(`SELECT count(*) AS n FROM "Request"`);
    const dead = await q(`SELECT count(*) AS n FROM "Outbox" WHERE "status" = 'dead'`);
    const told = await client.query<{ number: string; group: string | null }>(
      `SELECT r."number", c."notifyTelegramChatId" AS "group" FROM "Request" r JOIN "Queue" qu ON qu."id" = r."queueId" JOIN "Center" c ON c."id" = qu."centerId"`,
    );
    await client.end();

    const { chats } = checkChats(c.api, FAMILIES, killsAt, IN_DOUBT_MS, (i) => String(i % PLACES.length));
    const operators = checkOperatorChats(c.api, told.rows, killsAt, IN_DOUBT_MS);
    const sum = (f: (x: (typeof chats)[number]) => number) => chats.reduce((a, x) => a + f(x), 0);
    const finished = results.filter((r) => r.outcome === "done").length;
    const figures = {
      families: FAMILIES,
      finished,
      requests,
      lostRequests: FAMILIES - requests,
      duplicateDeliveries: sum((x) => x.duplicates),
      inDoubtResent: sum((x) => x.inDoubt),
      staleAnswers: sum((x) => x.staleAnswers),
      chatsAfterInDoubt: sum((x) => (x.afterDoubt ? 1 : 0)),
      chatsOutOfOrder: sum((x) => (x.outOfOrder ? 1 : 0)),
      operatorGroups: `${operators.groups}/${groups.size}`,
      operatorNotices: operators.notices,
      operatorLost: operators.lost,
      operatorDuplicates: operators.duplicates,
      operatorInDoubt: operators.inDoubt,
      operatorMisrouted: operators.misrouted,
      kills: killsAt.length,
      killsAtS: killsAt.map((k) => Math.round((k - started) / 100) / 10),
      webhookPosts: c.counts.posts,
      postsRetried: c.counts.refused,
      journalLeft: rest.journal,
      outboxLeft: rest.outbox,
      outboxDead: dead,
      dialogsSeconds: Math.round(dialogsMs / 1000),
      seconds: Math.round((Date.now() - started) / 1000),
      seed: SEED,
    };
    console.log(`chaos: ${JSON.stringify(figures)}`);
    if (process.env.CHAOS_DUMP) {
      const bad = chats.flatMap((x, i) =>
        x.duplicates + x.inDoubt + x.staleAnswers > 0 || x.outOfOrder || results[i]?.outcome !== "done"
          ? [{ i, ...x, outcome: results[i]?.outcome, trail: results[i]?.trail, calls: c.api.calls.filter((k) => String(k.payload.chat_id) === String(FIRST_USER + i)).map((k) => ({ m: k.method, at: k.at - started, t: String(k.payload.text ?? "").slice(0, 50) })) }]
          : [],
      );
      writeFileSync(process.env.CHAOS_DUMP, JSON.stringify({ figures, bad, logs: c.instances.map((s) => s.output()), deadLogs }, null, 1));
    }
    expect(figures.kills).toBe(KILLS);
    expect(finished).toBe(FAMILIES);
    expect(figures.lostRequests).toBe(0);
    expect(figures.duplicateDeliveries).toBe(0);
    expect(figures.chatsOutOfOrder).toBe(0);
    // Operators' chats: each request's notice in its center's group, once (in-doubt repeats apart).
    expect(operators.requests).toBe(requests);
    expect(operators.lost).toBe(0);
    expect(operators.duplicates).toBe(0);
    expect(operators.misrouted).toBe(0);
    expect(operators.notices).toBe(requests + operators.inDoubt);
    expect(operators.groups).toBeGreaterThan(1); // the places reach several centers (all nine by day)
    // A family is told "this question is behind" only after pressing a copy re-sent in doubt.
    expect(figures.staleAnswers).toBe(0);
    expect(rest).toEqual({ journal: 0, outbox: 0 });
    expect(dead).toBe(0);
  }, 420_000);
});
