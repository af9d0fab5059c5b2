// Prometheus metrics (prom-client) of what an on-call person must see: updates per messenger, step
// latency, outbound calls and 429s, the outbox, open requests, the oldest untaken P0 per region,
// operators' chats whose notices fail, HTTP latency, the database's disk. Counters are fed by
// main.ts's wiring; the database gauges are read at scrape time. Labels never carry personal data:
// messenger names, urgency codes, region codes, center keys, route patterns.
import { statfsSync, statSync } from "node:fs";
import path from "node:path";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "../db/client.ts";

export type Messenger = "telegram" | "max" | "console" | "web";
export type OutboundOutcome = "ok" | "rate_limited" | "client_error" | "server_error" | "network_error";

export interface Metrics {
  registry: Registry;
  updateReceived(messenger: Messenger): void;
  updateApplied(messenger: Messenger, seconds: number): void;
  updateFailed(messenger: Messenger, seconds: number): void;
  outboundCall(messenger: "telegram" | "max", status: number | undefined): void;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** The exposition text (Prometheus text format 0.0.4). */
  scrape(): Promise<string>;
  contentType: string;
}

export interface MetricsDeps {
  db: Db;
  /** The SQLite file: its folder's free space and the file's size are exported. */
  databaseFile?: string;
  clock?: () => Date;
}

const OPEN = ["new", "in_progress", "contacted", "unreachable"];

export function createMetrics({ db, databaseFile, clock = () => new Date() }: MetricsDeps): Metrics {
  const registry = new Registry();
  const seconds = (d: Date | null | undefined) => (d ? Math.max(0, (clock().getTime() - d.getTime()) / 1000) : 0);

  const received = new Counter({
    name: "opora_updates_received_total",
    help: "Updates from people that reached the dialog, per messenger",
    labelNames: ["messenger"],
    registers: [registry],
  });
  const applied = new Counter({
    name: "opora_updates_applied_total",
    help: "Updates applied (or recognised as already applied), per messenger",
    labelNames: ["messenger"],
    registers: [registry],
  });
  const failed = new Counter({
    name: "opora_updates_failed_total",
    help: "Updates whose dialog step threw (kept in the inbound journal for replay), per messenger",
    labelNames: ["messenger"],
    registers: [registry],
  });
  const step = new Histogram({
    name: "opora_dialog_step_seconds",
    help: "Time to apply one update to the dialog (database included, sending excluded)",
    labelNames: ["messenger"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const outbound = new Counter({
    name: "opora_outbound_calls_total",
    help: "Calls to the messengers' Bot APIs by outcome",
    labelNames: ["messenger", "outcome"],
    registers: [registry],
  });
  const limited = new Counter({
    name: "opora_outbound_rate_limited_total",
    help: "Bot API answers 429 (too many requests)",
    labelNames: ["messenger"],
    registers: [registry],
  });
  const lastOk = new Gauge({
    name: "opora_messenger_last_success_timestamp_seconds",
    help: "Unix time of the last successful Bot API call (polling calls at least every 30 s)",
    labelNames: ["messenger"],
    registers: [registry],
  });
  const http = new Histogram({
    name: "opora_http_request_duration_seconds",
    help: "HTTP request latency by method, route pattern and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  // Read from the database at scrape time.
  const outboxPending = new Gauge({ name: "opora_outbox_pending", help: "Outbox deliveries waiting to be sent", registers: [registry] });
  const outboxFailed = new Gauge({
    name: "opora_outbox_failed",
    help: "Outbox deliveries that failed for good (failed or dead)",
    registers: [registry],
  });
  const outboxOldest = new Gauge({
    name: "opora_outbox_oldest_pending_age_seconds",
    help: "Age of the oldest pending outbox delivery (0 when none)",
    registers: [registry],
  });
  const openRequests = new Gauge({
    name: "opora_open_requests",
    help: "Open requests (not resolved or closed), per urgency",
    labelNames: ["urgency"],
    registers: [registry],
  });
  const untakenP0 = new Gauge({
    name: "opora_oldest_untaken_p0_age_seconds",
    help: "Age of the oldest P0 request nobody has taken, per region (absent when none)",
    labelNames: ["region"],
    registers: [registry],
  });
  const centerFailing = new Gauge({
    name: "opora_center_chat_deliveries_failing",
    help: "Notices to a center's operators' chat that are failing (retrying or failed), per center",
    labelNames: ["center"],
    registers: [registry],
  });
  const diskFree = new Gauge({
    name: "opora_database_disk_free_bytes",
    help: "Free bytes on the file system holding the database",
    registers: [registry],
  });
  const diskSize = new Gauge({
    name: "opora_database_disk_size_bytes",
    help: "Size of the file system holding the database",
    registers: [registry],
  });
  const dbBytes = new Gauge({ name: "opora_database_file_bytes", help: "Size of the database file and its WAL", registers: [registry] });

  async function collect(): Promise<void> {
    const now = clock();
    const [pending, failedCount, oldest, open, p0, failing] = await Promise.all([
      db.outbox.count({ where: { status: "pending" } }),
      db.outbox.count({ where: { status: { in: ["failed", "dead"] } } }),
      db.outbox.findFirst({ where: { status: "pending" }, orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
      db.request.groupBy({ by: ["urgency"], where: { status: { in: OPEN }, isTest: false }, _count: { _all: true } }),
      db.request.groupBy({
        by: ["regionCode"],
        where: { urgency: "P0", status: "new", assigneeId: null, takenAt: null, isTest: false },
        _min: { createdAt: true },
      }),
      db.outbox.groupBy({
        by: ["channel", "target"],
        where: {
          kind: { startsWith: "center_" }, // notices to an operators' chat (new request, reminders, escalations)
          OR: [{ status: { in: ["failed", "dead"] } }, { status: "pending", attempts: { gt: 0 } }],
        },
        _count: { _all: true },
      }),
    ]);
    outboxPending.set(pending);
    outboxFailed.set(failedCount);
    outboxOldest.set(oldest ? Math.max(0, (now.getTime() - oldest.createdAt.getTime()) / 1000) : 0);
    openRequests.reset();
    for (const u of ["P0", "P1", "P2", "P3"]) openRequests.set({ urgency: u }, 0);
    for (const g of open) openRequests.set({ urgency: g.urgency }, g._count._all);
    untakenP0.reset();
    for (const g of p0) untakenP0.set({ region: g.regionCode }, seconds(g._min.createdAt));
    centerFailing.reset();
    if (failing.length > 0) {
      const centers = await db.center.findMany({
        where: {
          OR: [
            { notifyTelegramChatId: { in: failing.filter((f) => f.channel === "telegram").map((f) => f.target) } },
            { notifyMaxChatId: { in: failing.filter((f) => f.channel === "max").map((f) => f.target) } },
          ],
        },
        select: { key: true, notifyTelegramChatId: true, notifyMaxChatId: true },
      });
      for (const c of centers) {
        const n = failing
          .filter(
            (f) =>
              (f.channel === "telegram" && f.target === c.notifyTelegramChatId) || (f.channel === "max" && f.target === c.notifyMaxChatId),
          )
          .reduce((sum, f) => sum + f._count._all, 0);
        centerFailing.set({ center: c.key }, n);
      }
    }
    if (databaseFile) {
      try {
        const fs = statfsSync(path.dirname(path.resolve(databaseFile)));
        diskFree.set(fs.bavail * fs.bsize);
        diskSize.set(fs.blocks * fs.bsize);
        let bytes = statSync(databaseFile).size;
        try {
          bytes += statSync(`${databaseFile}-wal`).size;
        } catch {}
        dbBytes.set(bytes);
      } catch {
        // The file system cannot be read: the gauges keep their last values.
      }
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    updateReceived: (m) => received.inc({ messenger: m }),
    updateApplied: (m, s) => {
      applied.inc({ messenger: m });
      step.observe({ messenger: m }, s);
    },
    updateFailed: (m, s) => {
      failed.inc({ messenger: m });
      step.observe({ messenger: m }, s);
    },
    outboundCall: (m, status) => {
      const outcome: OutboundOutcome =
        status === undefined
          ? "network_error"
          : status === 429
            ? "rate_limited"
            : status >= 500
              ? "server_error"
              : status >= 400
                ? "client_error"
                : "ok";
      outbound.inc({ messenger: m, outcome });
      if (outcome === "rate_limited") limited.inc({ messenger: m });
      if (outcome === "ok") lastOk.set({ messenger: m }, Date.now() / 1000);
    },
    httpRequest: (method, route, status, s) => http.observe({ method, route, status: String(status) }, s),
    async scrape() {
      await collect();
      return registry.metrics();
    },
  };
}
