// Chaos (issue 18): PostgreSQL, two Opora instances (the compiled service) behind nginx on
// loopback, Telegram in webhook mode (the fake Bot API; the test posts each family's updates to
// nginx as Telegram would, again until it gets a 200). 200 simulated families go through the
// whole dialog while one instance is killed with SIGKILL three times at random moments and
// restarted on its port. Asserted and printed: every dialog finishes, no request lost (one request
// per family in the database), no message delivered twice, each chat's messages in the dialog's
// order, nothing left in the inbound journal or the outbox.
// Opt-in: runs only with CHAOS=1 and TEST_DATABASE_URL, and needs nginx (Debian package nginx-light).
// Not yet in CI: on this machine one family of twelve stayed stuck after the third kill (README).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import type { Update } from "grammy/types";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb, testEngine } from "../helpers/temp-db.ts";
import { startBuilt, type ServiceProcess, tempDir } from "../ops/service-process.ts";
import { createInbox, runFamily } from "../telegram/family-driver.ts";

// 200 full dialogs need about 3,200 counted sends, over 2 minutes at the bot's shared budget alone (23/s,
// src/cluster/send-budget.ts), and each family at least ~17 s at its chat's 4-then-0.9/s.
const FAMILIES = Number(process.env.CHAOS_FAMILIES ?? 200);
const KILLS = Number(process.env.CHAOS_KILLS ?? 3);
const SECRET = "chaos-webhook-secret-0123456789";
const nginxBin = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bot's texts of one chat with numbers blanked (request numbers, dates), for comparing chats. */
const shape = (texts: string[]) => texts.map((t) => t.replace(/\d+/g, "#"));

let tmp: TempDb | undefined;
/** Processes to kill even when the test times out (its finally block does not run then). */
const leftovers: Array<{ kill(signal: NodeJS.Signals): unknown }> = [];
beforeAll(async () => {
  if (testEngine() === "postgresql" && process.env.CHAOS === "1") await ensureBuilt({ log: () => undefined });
}, 180_000);
afterAll(async () => {
  for (const p of leftovers.splice(0)) p.kill("SIGKILL");
  await tmp?.cleanup();
});

describe.skipIf(testEngine() !== "postgresql" || process.env.CHAOS !== "1")("chaos: two instances behind nginx, one killed three times", () => {
  it(`${FAMILIES} families finish their dialogs: nothing lost, nothing twice, order kept`, async () => {
    expect(nginxBin, "nginx is needed (Debian package nginx-light; .ci/run installs it)").toBeDefined();
    tmp = await createTempDb();
    const databaseUrl = (tmp.target as { url: string }).url;
    const api = await startFakeTelegramApi();
    const dir = tempDir("opora-chaos-");
    const [p1, p2, pn] = [await freePort(), await freePort(), await freePort()];

    // nginx: both instances upstream; a request that fails on one (killed mid-request) goes to the other.
    for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(dir, d));
    writeFileSync(
      path.join(dir, "nginx.conf"),
      `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream opora { server 127.0.0.1:${p1} max_fails=1 fail_timeout=2s; server 127.0.0.1:${p2} max_fails=1 fail_timeout=2s; keepalive 32; }
  server {
    listen 127.0.0.1:${pn};
    location / {
      proxy_pass http://opora; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503 non_idempotent; proxy_next_upstream_tries 2;
      proxy_connect_timeout 1s; proxy_read_timeout 15s;
    }
  }
}
`,
    );
    execFileSync(nginxBin as string, ["-t", "-q", "-e", `${dir}/error.log`, "-p", dir, "-c", `${dir}/nginx.conf`]);
    const nginx = spawn(nginxBin as string, ["-e", `${dir}/error.log`, "-p", dir, "-c", `${dir}/nginx.conf`], { stdio: "ignore" });
    leftovers.push(nginx);

    const env = (port: number) => ({
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: "info", // "Opora is listening" is an info line
      SESSION_SECRET: "c".repeat(40),
      PUBLIC_BASE_URL: "https://opora.example", // registered with the fake by setWebhook; the test posts to nginx itself
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: "webhook",
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    });
    const ports = [p1, p2];
    const up = async (i: number) => {
      const s = startBuilt(env(ports[i] as number));
      leftovers.push(s.child);
      await s.listening;
      return s;
    };
    const instances: ServiceProcess[] = [await up(0), await up(1)];
    const counts = { posts: 0, refused: 0, kills: 0 };
    try {
      // Telegram: POST the update, again after a pause until it is answered 200.
      const deliver = async (update: Update) => {
        for (;;) {
          counts.posts += 1;
          const ok = await fetch(`http://127.0.0.1:${pn}/webhooks/telegram`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
            body: JSON.stringify(update),
            signal: AbortSignal.timeout(20_000),
          }).then(
            (r) => {
              if (r.status !== 200 && process.env.CHAOS_DEBUG) console.log(`update ${update.update_id}: ${r.status}`);
              return r.status === 200;
            },
            (err) => {
              if (process.env.CHAOS_DEBUG) console.log(`update ${update.update_id}: ${(err as Error).name}`);
              return false;
            },
          );
          if (ok) return;
          counts.refused += 1;
          await sleep(300);
        }
      };
      const inbox = createInbox(api);
      const started = Date.now();
      const families = Array.from({ length: FAMILIES }, (_, i) =>
        sleep((i * 10_000) / FAMILIES).then(() =>
          runFamily({ api, inbox, user: { id: 900_000 + i, first_name: "Parent", language_code: "ru" }, deliver, stepTimeoutMs: Number(process.env.CHAOS_STEP_TIMEOUT_MS ?? 90_000) }).then((r) => {
            if (process.env.CHAOS_DEBUG) console.log(`family ${i}: ${r.outcome} after ${r.steps} steps, ${Date.now() - started} ms`);
            return r;
          }),
        ),
      );
      // Three kills at random moments while the families talk, each followed by a restart on the same port.
      const chaos = (async () => {
        for (let k = 0; k < KILLS; k++) {
          await sleep(4_000 + Math.random() * 8_000);
          const victim = Math.floor(Math.random() * 2);
          instances[victim]?.child.kill("SIGKILL");
          await instances[victim]?.exited;
          counts.kills += 1;
          if (process.env.CHAOS_DEBUG) console.log(`killed instance ${victim} at ${Date.now() - started} ms`);
          await sleep(500 + Math.random() * 1_500);
          instances[victim] = await up(victim);
        }
      })();
      const results = await Promise.all(families);
      if (process.env.CHAOS_DEBUG) {
        console.log("posts", counts, "calls", api.calls.map((c) => c.method).join(","));
        for (const s of instances) console.log(s.output().slice(-3000));
      }
      await chaos;
      const took = Date.now() - started;

      // Let stragglers (a reply re-sent by the outbox) show before counting.
      await sleep(3_000);
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const q = async (sql: string) => Number((await client.query(sql)).rows[0]?.n ?? 0);
      const requests = await q(`SELECT count(*) AS n FROM "Request"`);
      const journal = await q(`SELECT count(*) AS n FROM "InboundUpdate"`);
      const outboxLeft = await q(`SELECT count(*) AS n FROM "Outbox" WHERE "status" NOT IN ('sent', 'dead')`);
      await client.end();

      // The dialog each family should have seen: the most common sequence of the bot's messages.
      const seqs = results.map((_, i) => shape(api.sentTo(900_000 + i).map((m) => m.text)));
      const tally = new Map<string, number>();
      for (const s of seqs) tally.set(JSON.stringify(s), (tally.get(JSON.stringify(s)) ?? 0) + 1);
      const usual = JSON.parse([...tally.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "[]") as string[];
      let duplicates = 0;
      let outOfOrder = 0;
      for (const s of seqs) {
        // A message twice: the same text right after itself, which the usual dialog never does.
        const doubled = s.filter((t, j) => j > 0 && t === s[j - 1] && usual.indexOf(t) === usual.lastIndexOf(t)).length;
        duplicates += doubled;
        const deduped = s.filter((t, j) => !(j > 0 && t === s[j - 1] && usual.indexOf(t) === usual.lastIndexOf(t)));
        if (JSON.stringify(deduped) !== JSON.stringify(usual)) outOfOrder += 1;
      }
      const finished = results.filter((r) => r.outcome === "done").length;
      const figures = {
        families: FAMILIES,
        finished,
        requests,
        lostRequests: FAMILIES - requests,
        duplicateDeliveries: duplicates,
        chatsOutOfOrder: outOfOrder,
        kills: counts.kills,
        webhookPosts: counts.posts,
        postsRefusedAndRetried: counts.refused,
        journalLeft: journal,
        outboxLeft,
        seconds: Math.round(took / 1000),
      };
      console.log(`chaos: ${JSON.stringify(figures)}`);
      expect(counts.kills).toBe(KILLS);
      expect(finished).toBe(FAMILIES);
      expect(requests).toBe(FAMILIES);
      expect(duplicates).toBe(0);
      expect(outOfOrder).toBe(0);
      expect(journal).toBe(0);
      expect(outboxLeft).toBe(0);
    } finally {
      for (const s of instances) s.child.kill("SIGKILL");
      nginx.kill("SIGKILL");
      await api.close();
    }
  }, Number(process.env.CHAOS_TIMEOUT_MS ?? 600_000));
});
