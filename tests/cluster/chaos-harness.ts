// Several compiled Opora instances behind nginx on loopback, Telegram in webhook mode through the
// fake Bot API, and simulated families driving whole dialogs: shared by the chaos test
// (tests/cluster/chaos.test.ts, with SIGKILLs) and the one-versus-two-instances benchmark
// (bench/cluster-bench.ts). Imports nothing from vitest, so the benchmark can use it too.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Update } from "grammy/types";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import pg from "pg";
import { createInbox, DEFAULT_SCRIPT, type FamilyResult, type FamilyScript, runFamily } from "../telegram/family-driver.ts";

export const nginxBin = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));
const SECRET = "chaos-webhook-secret-0123456789";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A small seeded generator (mulberry32): the same seed gives the same kill moments. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Instance {
  child: ChildProcess;
  exited: Promise<unknown>;
  output(): string;
}

export interface Cluster {
  api: FakeTelegramApi;
  /** nginx's port (the load balancer families' updates go to). */
  port: number;
  instances: Instance[];
  /** Starts instance `i` (again) on its port; resolves once it listens. */
  up(i: number): Promise<Instance>;
  /** SIGKILL, and waits for the process to be gone. */
  kill(i: number): Promise<string>;
  /** POSTs the update as Telegram does, again after a pause until it is answered 200. */
  deliver(update: Update): Promise<void>;
  counts: { posts: number; refused: number };
  stop(): Promise<void>;
}

/** Starts the fake Bot API, `n` instances of dist/main.js on `databaseUrl` and nginx in front. */
export async function startCluster(opts: { databaseUrl: string; instances: number; root: string }): Promise<Cluster> {
  if (!nginxBin) throw new Error("nginx is needed (Debian package nginx-light or nginx)");
  const api = await startFakeTelegramApi();
  const dir = mkdtempSync(path.join(tmpdir(), "opora-cluster-"));
  const ports = await Promise.all(Array.from({ length: opts.instances }, () => freePort()));
  const port = await freePort();
  const children: ChildProcess[] = [];
  // nginx (a non-root process with its own config and temp dirs): a request that fails on one
  // instance (killed mid-request) goes to the other.
  for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(dir, d));
  const servers = ports.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join(" ");
  writeFileSync(
    path.join(dir, "nginx.conf"),
    `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream opora { ${servers} keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://opora; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503 non_idempotent; proxy_next_upstream_tries ${Math.max(2, opts.instances)};
      proxy_connect_timeout 1s; proxy_read_timeout 15s;
    }
  }
}
`,
  );
  execFileSync(nginxBin, ["-t", "-q", "-e", `${dir}/error.log`, "-p", dir, "-c", `${dir}/nginx.conf`]);
  const nginx = spawn(nginxBin, ["-e", `${dir}/error.log`, "-p", dir, "-c", `${dir}/nginx.conf`], { stdio: "ignore" });
  children.push(nginx);

  const env = (p: number): Record<string, string> => ({
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    DATABASE_URL: opts.databaseUrl,
    PORT: String(p),
    LOG_LEVEL: "info", // "Opora is listening" is an info line
    SESSION_SECRET: "c".repeat(40),
    PUBLIC_BASE_URL: "https://opora.example", // registered with the fake by setWebhook; updates are posted to nginx here
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    TELEGRAM_MODE: "webhook",
    TELEGRAM_WEBHOOK_SECRET: SECRET,
  });
  const instances: Instance[] = [];
  const up = async (i: number): Promise<Instance> => {
    const child = spawn(process.execPath, [path.join(opts.root, "dist/main.js")], { env: env(ports[i] as number), stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const instance = { child, exited, output: () => out };
    instances[i] = instance;
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/Opora is listening/.test(out)) {
          clearInterval(timer);
          resolve();
        }
      }, 25);
      void exited.then(() => {
        clearInterval(timer);
        reject(new Error(`instance ${i} exited before listening: ${out.slice(-2000)}`));
      });
    });
    return instance;
  };
  const counts = { posts: 0, refused: 0 };
  const deliver = async (update: Update) => {
    for (;;) {
      counts.posts += 1;
      const ok = await fetch(`http://127.0.0.1:${port}/webhooks/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body: JSON.stringify(update),
        signal: AbortSignal.timeout(20_000),
      }).then(
        async (r) => {
          await r.arrayBuffer().catch(() => undefined);
          return r.status === 200;
        },
        () => false,
      );
      if (ok) return;
      counts.refused += 1;
      await sleep(300);
    }
  };
  try {
    // One at a time: the first migrates the database, the others join it.
    for (let i = 0; i < opts.instances; i++) await up(i);
  } catch (err) {
    for (const c of children) c.kill("SIGKILL");
    await api.close();
    throw err;
  }
  return {
    api,
    port,
    instances,
    up,
    async kill(i) {
      const instance = instances[i];
      instance?.child.kill("SIGKILL");
      await instance?.exited;
      return instance?.output() ?? "";
    },
    deliver,
    counts,
    async stop() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const FIRST_USER = 900_000;

/** `n` families through the whole dialog, started evenly over `spreadMs`; each result with its start. */
export async function runFamilies(
  cluster: Cluster,
  n: number,
  opts: {
    spreadMs: number;
    stepTimeoutMs: number;
    thinkMs?: number;
    onDone?: (i: number, r: FamilyResult) => void;
    /** Family `i`'s script (default: DEFAULT_SCRIPT for all). */
    scriptOf?: (i: number) => FamilyScript;
  },
): Promise<FamilyResult[]> {
  const inbox = createInbox(cluster.api);
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      sleep((i * opts.spreadMs) / n).then(async () => {
        const r = await runFamily({
          api: cluster.api,
          inbox,
          user: { id: FIRST_USER + i, first_name: "Parent", language_code: "ru" },
          script: opts.scriptOf?.(i) ?? DEFAULT_SCRIPT,
          deliver: cluster.deliver,
          stepTimeoutMs: opts.stepTimeoutMs,
          // Time to read and answer each question (not counted in the latency).
          ...(opts.thinkMs ? { pace: () => sleep(opts.thinkMs as number) } : {}),
        });
        opts.onDone?.(i, r);
        return r;
      }),
    ),
  );
}

/** The bot's texts with numbers blanked (request numbers, dates), for comparing chats. */
const shape = (t: string) => t.replace(/\d+/g, "#");
const STALE = /уже позади/;

export interface ChatCheck {
  /** A message the chat had already had, sent again, not explained below. */
  duplicates: number;
  /**
   * A message sent again whose first copy went out within `inDoubtMs` before a kill: the killed
   * instance may have sent it and died before recording that (Telegram has no idempotency key, so
   * such a message is sent again rather than risk never sending it).
   */
  inDoubt: number;
  /** "This question is behind" answers (a press on an older copy) before any in-doubt repeat. */
  staleAnswers: number;
  /**
   * The chat had an in-doubt repeat: from then on the family may answer the repeated copy and take
   * another path through the dialog ("behind" answers, a question again), so only its messages
   * before the repeat are checked for repeats and order (the dialog must still finish).
   */
  afterDoubt: boolean;
  /** With repeats and "behind" answers left out, the chat's messages differ from the usual dialog. */
  outOfOrder: boolean;
}

/**
 * A message sent again whose first copy went out at `sentAt` is in doubt when a kill came at most
 * `inDoubtMs` after that first copy and before the repeat (a message already on its way when the
 * kill came is recorded by the fake a moment after it).
 */
function inDoubtOf(killsAt: number[], inDoubtMs: number) {
  return (sentAt: number, againAt: number) => killsAt.some((k) => sentAt <= k + 250 && k - sentAt <= inDoubtMs && againAt > k);
}

/**
 * Checks every family's chat against the usual dialog (the most common sequence of the bot's
 * messages among the families of the same group — families with another script, e.g. another
 * place, see other texts): repeats, in-doubt repeats after a kill, order.
 */
export function checkChats(
  api: FakeTelegramApi,
  n: number,
  killsAt: number[],
  inDoubtMs: number,
  groupOf: (i: number) => string = () => "",
): { usual: Map<string, string[]>; chats: ChatCheck[] } {
  const inDoubt = inDoubtOf(killsAt, inDoubtMs);
  // Sent messages, and questions edited in place (another page of topics): the family saw those texts too.
  const byChat = new Map<string, Array<{ text: string; at: number; edit: boolean }>>();
  for (const c of api.calls) {
    if (c.method !== "sendMessage" && !(c.method === "editMessageText" && c.payload.text)) continue;
    const key = String(c.payload.chat_id);
    const list = byChat.get(key) ?? [];
    list.push({ text: String(c.payload.text ?? ""), at: c.at, edit: c.method === "editMessageText" });
    byChat.set(key, list);
  }
  const all = Array.from({ length: n }, (_, i) => byChat.get(String(FIRST_USER + i)) ?? []);
  // A question's next page is an edit in place or, now and then, a new message (timing): the same
  // text either way, so both count in the order (an edit is never a repeat).
  const seqs = all;
  const tallies = new Map<string, Map<string, number>>();
  seqs.forEach((s, i) => {
    const tally = tallies.get(groupOf(i)) ?? new Map<string, number>();
    const k = JSON.stringify(s.map((m) => shape(m.text)));
    tally.set(k, (tally.get(k) ?? 0) + 1);
    tallies.set(groupOf(i), tally);
  });
  const usual = new Map<string, string[]>();
  const usualCounts = new Map<string, Map<string, number>>();
  for (const [group, tally] of tallies) {
    const u = JSON.parse([...tally.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "[]") as string[];
    usual.set(group, u);
    const counts = new Map<string, number>();
    for (const t of u) counts.set(t, (counts.get(t) ?? 0) + 1);
    usualCounts.set(group, counts);
  }
  const chats = all.map((seq, i): ChatCheck => {
    const usualOfChat = usual.get(groupOf(i)) ?? [];
    const usualCount = usualCounts.get(groupOf(i)) ?? new Map<string, number>();
    // A repeat is the same text again (a real one carries the same request number); the order is
    // checked on shapes, each at most as often as the usual dialog has it (a question re-rendered
    // as a new message on the outbox's retry, e.g. the second page of topics, is not a repeat).
    const seen = new Map<string, number[]>(); // exact text → times it went out
    const kept: string[] = [];
    let duplicates = 0;
    let doubtful = 0;
    let staleAnswers = 0;
    let afterStale = false;
    for (const m of seq) {
      if (doubtful > 0) break;
      if (STALE.test(m.text)) {
        staleAnswers += 1;
        afterStale = true;
        continue;
      }
      const sh = shape(m.text);
      const times = seen.get(m.text) ?? [];
      const last = times[times.length - 1];
      if (!m.edit && !afterStale && last !== undefined && inDoubt(last, m.at)) {
        // The very text again, its last copy in flight at a kill: an in-doubt re-send, also where the
        // usual dialog has that shape twice (the topics question's two pages) — the family may
        // answer this copy, so the chat is checked up to here.
        doubtful += 1;
      } else if (!m.edit && times.length >= (usualCount.get(sh) ?? 1)) {
        // Shown again: the current question after a "behind" answer, or a repeat.
        if (!afterStale) {
          if (inDoubt(last ?? 0, m.at)) doubtful += 1;
          else duplicates += 1;
        }
      } else if (kept.filter((k) => k === sh).length < (usualCount.get(sh) ?? 1)) kept.push(sh);
      if (!m.edit) afterStale = false;
      times.push(m.at);
      seen.set(m.text, times);
    }
    const expected = doubtful > 0 ? usualOfChat.slice(0, kept.length) : usualOfChat;
    return { duplicates, inDoubt: doubtful, staleAnswers, afterDoubt: doubtful > 0, outOfOrder: JSON.stringify(kept) !== JSON.stringify(expected) };
  });
  return { usual, chats };
}

/**
 * Places the families type (one of each, in turn): every center of the demo routing data that a
 * family conflict can reach — Samara's regional queue and its four municipal teams, Smolensk,
 * Tyumen, Novosibirsk, and the federal reserve (a region without routing data). Spread like this,
 * no operators' group gets more than its Telegram limit (20 messages a minute) can carry in the run.
 */
export const PLACES = [
  "Самарская область",
  "Сызрань",
  "Октябрьск",
  "Сызранский район",
  "Шигонский район",
  "Смоленская область",
  "Тюменская область",
  "Новосибирская область",
  "Московская область",
] as const;

/** Family `i`'s script: the usual one with the `i`-th place of PLACES (in turn). */
export function placeScript(i: number): FamilyScript {
  return { ...DEFAULT_SCRIPT, regionText: PLACES[i % PLACES.length] as string };
}

/** First id of the operators' groups linkOperatorGroups gives the centers (Telegram group ids are negative). */
const FIRST_GROUP = -1_001_000_000_000;

/**
 * Links an operators' Telegram group to every center, as an admin does with the code the bot shows
 * in the group (src/handoff/linking.ts, linkCenterChat: the center's notifyTelegramChatId), and
 * tells the fake Bot API the groups exist. Returns the group chat ids by center id.
 */
export async function linkOperatorGroups(databaseUrl: string, api: FakeTelegramApi): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const centers = (await client.query<{ id: string }>(`SELECT "id" FROM "Center" ORDER BY "key"`)).rows;
    const groups = new Map<string, string>();
    for (const [k, c] of centers.entries()) {
      const chat = String(FIRST_GROUP - k);
      await client.query(`UPDATE "Center" SET "notifyTelegramChatId" = $1 WHERE "id" = $2`, [chat, c.id]);
      api.addChat(chat);
      groups.set(c.id, chat);
    }
    return groups;
  } finally {
    await client.end();
  }
}

export interface OperatorChatCheck {
  /** Requests whose center has an operators' group (each must be told there once). */
  requests: number;
  /** New-request notices that reached the operators' groups (every copy). */
  notices: number;
  /** Requests whose group never got their notice. */
  lost: number;
  /** A request's notice again in its group, not explained by a kill. */
  duplicates: number;
  /** A request's notice again, its first copy sent at most `inDoubtMs` before a kill. */
  inDoubt: number;
  /** Notices in a group other than the request's center's (or for no request of the database). */
  misrouted: number;
  /** Operators' groups that got at least one notice. */
  groups: number;
}

/** New-request notice (locales/ru/handoff.ftl, handoff-new-request): the request's number. */
const NOTICE = /^Новое обращение № \u2068?([^\s\u2069]+)/;

/**
 * Checks the operators' groups in the fake API's log: every request's new-request notice in its
 * center's group exactly once (counted by request number), none lost, none twice (a repeat whose
 * first copy went out just before a kill counted apart, as in the families' chats).
 */
export function checkOperatorChats(
  api: FakeTelegramApi,
  requests: Array<{ number: string; group: string | null }>,
  killsAt: number[],
  inDoubtMs: number,
): OperatorChatCheck {
  const inDoubt = inDoubtOf(killsAt, inDoubtMs);
  const groupOf = new Map(requests.map((r) => [r.number, r.group]));
  const copies = new Map<string, number[]>(); // request number → times its notice went out
  const groups = new Set<string>();
  let notices = 0;
  let misrouted = 0;
  for (const c of api.calls) {
    if (c.method !== "sendMessage" || !String(c.payload.chat_id).startsWith("-")) continue;
    const number = NOTICE.exec(String(c.payload.text ?? ""))?.[1];
    if (!number) continue;
    notices += 1;
    groups.add(String(c.payload.chat_id));
    if (groupOf.get(number) !== String(c.payload.chat_id)) {
      misrouted += 1;
      continue;
    }
    copies.set(number, [...(copies.get(number) ?? []), c.at]);
  }
  let lost = 0;
  let duplicates = 0;
  let doubtful = 0;
  const linked = requests.filter((r) => r.group !== null);
  for (const r of linked) {
    const times = copies.get(r.number) ?? [];
    if (times.length === 0) lost += 1;
    for (let k = 1; k < times.length; k++) {
      if (inDoubt(times[k - 1] as number, times[k] as number)) doubtful += 1;
      else duplicates += 1;
    }
  }
  return { requests: linked.length, notices, lost, duplicates, inDoubt: doubtful, misrouted, groups: groups.size };
}

/** Percentile of `xs` (0–100), nearest rank. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
