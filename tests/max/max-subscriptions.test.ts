// MAX webhook registration at start: the service subscribes itself (url, secret, update types),
// replaces a subscription left at an old address, does it idempotently, and removes every
// subscription when it runs in polling mode (MAX would not serve GET /updates otherwise).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMaxChannel, type MaxMode } from "../../src/channels/max/max-channel.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { type FakeMaxApi, startFakeMaxApi } from "../fakes/fake-max-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { i18n, log, SECRET, TOKEN } from "./harness.ts";

const service: DialogService = { handle: async () => ({ type: "handled", replies: [] }) };
const URL_NOW = "https://opora.example.org/webhooks/max";
const URL_OLD = "https://old.example.org/webhooks/max";

let api: FakeMaxApi;
let tmp: TempDb;
beforeEach(async () => {
  api = await startFakeMaxApi({ token: TOKEN, defaultPollTimeoutMs: 50 });
  tmp = await createTempDb();
});
afterEach(async () => {
  await api.close();
  await tmp.cleanup();
});

async function runOnce(mode: MaxMode) {
  const channel = createMaxChannel({
    token: TOKEN,
    baseUrl: api.baseUrl,
    service,
    db: tmp.db,
    log,
    i18n,
    mode,
    setCommands: false,
    outbound: { minRetryDelayMs: 5, maxRetryDelayMs: 20, ratePerSecond: 1000, maxConcurrent: 5, retries: 1 },
  });
  try {
    await channel.start();
  } finally {
    await channel.stop();
  }
}

describe("MAX webhook subscription", () => {
  it("subscribes the public URL with the secret and the update types the channel handles", async () => {
    await runOnce({ type: "webhook", secret: SECRET, url: URL_NOW });
    expect(api.subscriptions).toHaveLength(1);
    const sub = api.subscriptions[0];
    expect(sub?.url).toBe(URL_NOW);
    expect(sub?.secret).toBe(SECRET);
    expect(sub?.update_types).toEqual(expect.arrayContaining(["message_created", "message_callback", "message_edited", "bot_started"]));
  });

  it("is idempotent across restarts and replaces an old address", async () => {
    api.subscriptions.push({ url: URL_OLD, secret: "old-secret", update_types: ["message_created"] });
    await runOnce({ type: "webhook", secret: SECRET, url: URL_NOW });
    await runOnce({ type: "webhook", secret: SECRET, url: URL_NOW });
    expect(api.subscriptions.map((s) => s.url)).toEqual([URL_NOW]);
    expect(api.callsTo("DELETE", "/subscriptions").map((c) => c.query.url)).toEqual([URL_OLD]);
  });

  it("switching back to polling removes the subscription", async () => {
    await runOnce({ type: "webhook", secret: SECRET, url: URL_NOW });
    await runOnce({ type: "polling" });
    expect(api.subscriptions).toEqual([]);
  });

  it("a URL MAX refuses (not https) fails the start with the API's answer instead of running deaf", async () => {
    await expect(runOnce({ type: "webhook", secret: SECRET, url: "http://opora.example.org/webhooks/max" })).rejects.toThrow();
    expect(api.subscriptions).toEqual([]);
  });

  it("the fake refuses what the public API refuses", async () => {
    const post = (body: unknown) =>
      fetch(`${api.baseUrl}subscriptions`, { method: "POST", headers: { authorization: TOKEN, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post({ url: "https://a.example/x:8443" })).status).toBe(200);
    expect((await post({ url: "https://a.example:8443/x" })).status).toBe(400);
    expect((await post({ url: URL_NOW, secret: "bad secret!" })).status).toBe(400);
    expect((await post({ url: URL_NOW, update_types: ["no_such_type"] })).status).toBe(400);
    const del = await fetch(`${api.baseUrl}subscriptions`, { method: "DELETE", headers: { authorization: TOKEN } });
    expect(del.status).toBe(400);
  });
});
