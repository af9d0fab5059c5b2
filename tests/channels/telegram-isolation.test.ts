// Telegram on its own: a refused token keeps the service ready with Telegram reported down (and
// retried), and failing getUpdates calls after start show as down until polling works again.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChannelStatusBoard, superviseChannel, type SupervisedChannel } from "../../src/channels/channel-status.ts";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const service: DialogService = { handle: async () => ({ type: "handled", replies: [] }) };
const log = createLogger({ level: "silent" });
let tmp: TempDb;
let api: FakeTelegramApi;
let channel: TelegramChannel | undefined;
let supervised: SupervisedChannel | undefined;
let attempts = 0;

beforeEach(async () => {
  tmp = await createTempDb();
  api = await startFakeTelegramApi();
});
afterEach(async () => {
  await supervised?.stop();
  await channel?.stop();
  await api.close();
  await tmp.cleanup();
});

function start(token: string) {
  const board = createChannelStatusBoard();
  board.register("telegram", "polling");
  channel = createTelegramChannel({
    token,
    apiRoot: api.apiRoot,
    service,
    db: tmp.db,
    log,
    i18n: createI18n(),
    mode: { type: "polling", timeoutSeconds: 1 },
    // No transparent retries of 5xx: the failed poll must reach the channel's own loop.
    retry: { maxRetryAttempts: 0, maxDelaySeconds: 0 },
    onState: (state, err) => board.set("telegram", state, err),
  });
  supervised = superviseChannel({
    name: "telegram",
    board,
    log,
    start: () => {
      attempts += 1;
      return channel!.start();
    },
    minDelayMs: 30,
    maxDelayMs: 60,
  });
  const app = createHttpServer({ db: tmp.db, log, channels: () => board.list() });
  return async () => {
    const res = await app.inject({ method: "GET", url: "/readyz" });
    return { status: res.statusCode, tg: (res.json() as { channels: Record<string, { state: string; lastErrorCode?: string }> }).channels.telegram };
  };
}

async function until(cond: () => Promise<boolean>, ms = 8000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("Telegram channel isolation", () => {
  it("a refused token: ready 200, Telegram down with token_refused, retried", async () => {
    const readyz = start("999:wrong-token");
    await until(async () => (await readyz()).tg?.state === "down");
    const r = await readyz();
    expect(r.status).toBe(200);
    expect(r.tg?.lastErrorCode).toBe("token_refused");
    const before = attempts;
    await new Promise((res) => setTimeout(res, 200));
    expect(attempts).toBeGreaterThan(before); // still retrying
  });

  it("getUpdates failing after start: down, then up again once polling works", async () => {
    const readyz = start(api.token);
    await until(async () => (await readyz()).tg?.state === "up");
    api.failNext("getUpdates", 2, { code: 500 });
    await until(async () => (await readyz()).tg?.state === "down");
    await until(async () => (await readyz()).tg?.state === "up");
  });
});
