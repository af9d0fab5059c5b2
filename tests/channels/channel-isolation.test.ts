// A messenger that cannot start never takes the service down: it is retried with backoff, logged
// in one line, and /readyz stays 200 (database fine) while saying that channel is down and why;
// once the API accepts the token / comes back, the channel comes up on its own.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChannelStatusBoard, superviseChannel, type SupervisedChannel } from "../../src/channels/channel-status.ts";
import { createMaxChannel, type MaxChannel } from "../../src/channels/max/max-channel.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { FakeMaxApi, startFakeMaxApi } from "../fakes/fake-max-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const TOKEN = "max-test-token";
const service: DialogService = { handle: async () => ({ type: "handled", replies: [] }) };

let tmp: TempDb;
let api: FakeMaxApi;
let lines: string[];
let app: FastifyInstance;
let channel: MaxChannel;
let supervised: SupervisedChannel;
let extra: Server | undefined;

beforeEach(async () => {
  tmp = await createTempDb();
  api = await startFakeMaxApi({ token: TOKEN, defaultPollTimeoutMs: 50 });
  lines = [];
});
afterEach(async () => {
  await supervised?.stop();
  await channel?.stop();
  await app?.close();
  await api.close().catch(() => undefined);
  await new Promise((r) => (extra ? extra.close(r) : r(undefined)));
  extra = undefined;
  await tmp.cleanup();
});

function start(baseUrl: string) {
  const log = createLogger({
    level: "info",
    destination: new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  const board = createChannelStatusBoard();
  board.register("max", "polling");
  channel = createMaxChannel({
    token: TOKEN,
    baseUrl,
    service,
    db: tmp.db,
    log,
    i18n: createI18n(),
    mode: { type: "polling" },
    setCommands: false,
    outbound: { minRetryDelayMs: 5, maxRetryDelayMs: 10, ratePerSecond: 1000, maxConcurrent: 5, retries: 1 },
  });
  supervised = superviseChannel({ name: "max", board, log, start: () => channel.start(), minDelayMs: 30, maxDelayMs: 60 });
  app = createHttpServer({ db: tmp.db, log, channels: () => board.list() });
}

async function readyz() {
  const res = await app.inject({ method: "GET", url: "/readyz" });
  return { status: res.statusCode, body: res.json() as { status: string; channels: Record<string, { state: string; lastError?: string }> } };
}

async function until(cond: () => Promise<boolean> | boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a messenger that cannot start", () => {
  it("refused token: service stays ready, MAX reported down with the reason, one log line; up once the token is accepted", async () => {
    api.failNext({ status: 401, code: "verify.token", times: 4, match: "GET /me" });
    start(api.baseUrl);
    await until(async () => (await readyz()).body.channels.max?.state === "down");
    const down = await readyz();
    expect(down.status).toBe(200);
    expect(down.body.channels.max?.lastError).toMatch(/token was refused \(401\)/);
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    await until(async () => (await readyz()).body.channels.max?.state === "up");
    expect(api.callsTo("GET", "/me").length).toBeGreaterThanOrEqual(5);
    const failures = lines.filter((l) => l.includes("cannot start"));
    expect(failures).toHaveLength(1);
    expect(failures[0]).not.toMatch(/stack|at .*\.ts:/);
  });

  it("unreachable API: down while it is gone, up when it comes back on the same address", async () => {
    const port = Number(new URL(api.baseUrl).port);
    await api.close();
    start(api.baseUrl);
    await until(async () => (await readyz()).body.channels.max?.state === "down");
    expect((await readyz()).body.channels.max?.lastError).toMatch(/unreachable/);
    // Between retries it stays "down" (not back to "starting"), so monitoring does not flap.
    for (let i = 0; i < 5; i += 1) {
      expect((await readyz()).body.channels.max?.state).toBe("down");
      await new Promise((r) => setTimeout(r, 25));
    }
    api = new FakeMaxApi({ token: TOKEN, defaultPollTimeoutMs: 50 });
    await api.listen(port);
    await until(async () => (await readyz()).body.channels.max?.state === "up");
  });

  it("an HTML error page instead of JSON: down with a clear reason, the service still ready", async () => {
    extra = createServer((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
    });
    await new Promise<void>((r) => extra?.listen(0, "127.0.0.1", r));
    start(`http://127.0.0.1:${(extra.address() as AddressInfo).port}/`);
    await until(async () => (await readyz()).body.channels.max?.state === "down");
    const r = await readyz();
    expect(r.status).toBe(200);
    expect(r.body.channels.max?.lastError).toMatch(/502|not JSON|failing|kept failing/);
  });
});
