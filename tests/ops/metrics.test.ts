// /metrics scraped as Prometheus would: every named series is there with the values the database
// and the traffic imply; the token guards it; the internal listener serves it without one.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createMetrics } from "../../src/metrics/metrics.ts";
import { instrumentDialog, instrumentHttp, startMetricsServer } from "../../src/metrics/metrics-http.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { makeRequest, NOW, seedWorld } from "../web/helpers.ts";

const TOKEN = "metrics-token-0123456789";
let t: TempDb;
beforeEach(async () => {
  t = await createTempDb();
});
afterEach(async () => {
  await t.cleanup();
});

/** value of `name{labels}` in the exposition text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function world() {
  const w = await seedWorld(t.db);
  const db = t.db;
  // Open requests: two P0 in Samara, the oldest untaken 25 minutes old; one P2; one closed P1.
  await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", urgency: "P0", createdAt: new Date(NOW.getTime() - 25 * 60_000) });
  await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", urgency: "P0", createdAt: new Date(NOW.getTime() - 5 * 60_000) });
  await makeRequest(db, { queueId: w.queues.smolensk, regionCode: "67", urgency: "P2" });
  await makeRequest(db, { queueId: w.queues.smolensk, regionCode: "67", urgency: "P1", status: "closed" });
  await makeRequest(db, { queueId: w.queues.smolensk, regionCode: "67", urgency: "P0", isTest: true });
  // A center whose operators' chat keeps failing, and outbox rows in every state.
  await db.center.update({ where: { key: "samara-deti-v-seme" }, data: { notifyTelegramChatId: "-100777" } });
  const row = (i: number, status: string, attempts: number, kind = "center_new_request", target = "-100777", ageMin = 3) => ({
    idempotencyKey: `k${i}`,
    kind,
    channel: "telegram",
    target,
    payload: "{}",
    status,
    attempts,
    createdAt: new Date(NOW.getTime() - ageMin * 60_000),
  });
  await db.outbox.createMany({
    data: [
      row(1, "pending", 3, "center_new_request", "-100777", 12),
      row(2, "failed", 8),
      row(3, "pending", 0, "relay_to_family", "555", 1),
      row(4, "sent", 1, "relay_to_family", "555"),
      row(5, "dead", 9, "relay_to_family", "556"),
    ],
  });
}

describe("/metrics", () => {
  it("exposes every named series with the values the database and the traffic imply", async () => {
    await world();
    const log = createLogger({ level: "silent" });
    const metrics = createMetrics({ db: t.db, databaseFile: t.file || undefined, clock: () => NOW });
    const app = createHttpServer({ db: t.db, log });
    instrumentHttp(app, metrics, { token: TOKEN });
    app.get("/slow", async () => {
      await new Promise((r) => setTimeout(r, 30));
      return { ok: true };
    });

    // Traffic: three Telegram updates (one fails), one MAX update; outbound calls incl. a 429.
    let calls = 0;
    const inner: DialogService = {
      async handle() {
        calls += 1;
        if (calls === 2) throw new Error("step failed");
        return { type: "handled", replies: [] };
      },
    };
    const service = instrumentDialog(inner, metrics);
    const ctx = (channel: "telegram" | "max") => ({ channel, chatId: "1", userId: "1", updateKey: String(Math.random()) });
    await service.handle(ctx("telegram"), { type: "text", text: "x" } as never);
    await expect(service.handle(ctx("telegram"), { type: "text", text: "x" } as never)).rejects.toThrow();
    await service.handle(ctx("telegram"), { type: "text", text: "x" } as never);
    await service.handle(ctx("max"), { type: "text", text: "x" } as never);
    metrics.outboundCall("telegram", 200);
    metrics.outboundCall("telegram", 429);
    metrics.outboundCall("max", 200);
    metrics.outboundCall("max", undefined);
    await app.inject({ method: "GET", url: "/slow" });

    const res = await app.inject({ method: "GET", url: "/metrics", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/plain; version=0\.0\.4/);
    const text = res.body;

    expect(sample(text, "opora_updates_received_total", { messenger: "telegram" })).toBe(3);
    expect(sample(text, "opora_updates_applied_total", { messenger: "telegram" })).toBe(2);
    expect(sample(text, "opora_updates_failed_total", { messenger: "telegram" })).toBe(1);
    expect(sample(text, "opora_updates_received_total", { messenger: "max" })).toBe(1);
    expect(sample(text, "opora_dialog_step_seconds_count", { messenger: "telegram" })).toBe(3);
    expect(sample(text, "opora_outbound_calls_total", { messenger: "telegram", outcome: "ok" })).toBe(1);
    expect(sample(text, "opora_outbound_calls_total", { messenger: "telegram", outcome: "rate_limited" })).toBe(1);
    expect(sample(text, "opora_outbound_calls_total", { messenger: "max", outcome: "network_error" })).toBe(1);
    expect(sample(text, "opora_outbound_rate_limited_total", { messenger: "telegram" })).toBe(1);
    expect(sample(text, "opora_messenger_last_success_timestamp_seconds", { messenger: "max" })).toBeGreaterThan(0);

    expect(sample(text, "opora_outbox_pending")).toBe(2);
    expect(sample(text, "opora_outbox_failed")).toBe(2);
    expect(sample(text, "opora_outbox_oldest_pending_age_seconds")).toBe(12 * 60);
    expect(sample(text, "opora_open_requests", { urgency: "P0" })).toBe(2); // the test request is not counted
    expect(sample(text, "opora_open_requests", { urgency: "P2" })).toBe(1);
    expect(sample(text, "opora_open_requests", { urgency: "P1" })).toBe(0); // closed
    expect(sample(text, "opora_oldest_untaken_p0_age_seconds", { region: "63" })).toBe(25 * 60);
    expect(sample(text, "opora_oldest_untaken_p0_age_seconds", { region: "67" })).toBeUndefined();
    expect(sample(text, "opora_center_chat_deliveries_failing", { center: "samara-deti-v-seme" })).toBe(2);
    expect(sample(text, "opora_http_request_duration_seconds_count", { method: "GET", route: "/slow", status: "200" })).toBe(1);
    expect(sample(text, "opora_http_request_duration_seconds_bucket", { route: "/slow", le: "0.01" })).toBe(0);
    if (t.file) {
      expect(sample(text, "opora_database_disk_free_bytes")).toBeGreaterThan(0);
      expect(sample(text, "opora_database_file_bytes")).toBeGreaterThan(0);
    }
    // Labels carry codes and route patterns, never a phone, a name or a raw URL.
    expect(text).not.toMatch(/\+7\d{10}|description|contactName/);
    await app.close();
  });

  it("answers 401 without the token, 404 when no token is configured; the internal listener needs none", async () => {
    await seedWorld(t.db);
    const log = createLogger({ level: "silent" });
    const metrics = createMetrics({ db: t.db, clock: () => NOW });
    const guarded = createHttpServer({ db: t.db, log });
    instrumentHttp(guarded, metrics, { token: TOKEN });
    expect((await guarded.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(401);
    expect((await guarded.inject({ method: "GET", url: "/metrics", headers: { authorization: "Bearer wrong-token-0123456789" } })).statusCode).toBe(401);
    const open = createHttpServer({ db: t.db, log });
    instrumentHttp(open, metrics, {});
    expect((await open.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(404);

    const server = await startMetricsServer({ host: "127.0.0.1", port: 0, metrics, log });
    const port = (server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^opora_outbox_pending 0$/m);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    await new Promise((r) => server.close(r));
    await guarded.close();
    await open.close();
  });
});
