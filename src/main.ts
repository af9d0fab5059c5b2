// Composition root: config → db → services → channels → web; graceful stop.
// The only module that wires and starts things; everything else is importable without effects.
import { randomBytes } from "node:crypto";
import { type Config, loadConfig } from "./config.ts";
import type { Db } from "./db/client.ts";
import { prepareDatabase, targetOf } from "./db/open-database.ts";
import { seedRegions } from "./db/seed-regions.ts";
import { createI18n } from "./i18n/i18n.ts";
import { createLogger, type Logger } from "./logging/logger.ts";
import { createHttpServer } from "./http/server.ts";
import { loadDemoRoutingIfEmpty } from "./routing/routing-store.ts";
import { createDialogService } from "./dialog/dialog-service.ts";
import { loadLexicon, useLexicon } from "./screening/red-flags.ts";
import { createAdminPlugin } from "./admin/admin-plugin.ts";
import { deactivateDemoStaff, seedDemoStaff } from "./admin/demo-staff.ts";
import { issueBootstrapLink } from "./auth/bootstrap.ts";
import { createTelegramChannel, telegramWebhookPlugin } from "./channels/telegram/telegram-channel.ts";
import { createMaxChannel, type MaxChannel, maxWebhookPlugin } from "./channels/max/max-channel.ts";
import { type ChannelStatusBoard, createChannelStatusBoard, superviseChannel } from "./channels/channel-status.ts";
import { categoryLabelFor } from "./handoff/center-notifications.ts";
import { createFamilyMessenger, type FamilyMessenger } from "./handoff/family-messages.ts";
import { createMaxOutboxSender, createTelegramOutboxSender } from "./handoff/outbox-senders.ts";
import { createOutboxWorker, type OutboxChannel, type Sender } from "./outbox/outbox.ts";
import { rememberingSent, routeSenders } from "./outbox/reply-delivery.ts";
import { maxFileSource, telegramFileSource, withAttachmentDownloads } from "./requests/attachment-download.ts";
import { createLeases, type Leases, newInstanceId } from "./cluster/leases.ts";
import { createElection } from "./cluster/election.ts";
import { joinInstances, liveInstanceMismatch } from "./cluster/instances.ts";
import { createJobRunner } from "./cluster/periodic-jobs.ts";
import { chatClaimsFactory } from "./cluster/chat-claims.ts";
import { createSendBudget } from "./cluster/send-budget.ts";
import { setOutboundGate } from "./channels/outbound-limiter.ts";
import { engineOf } from "./db/client.ts";
import { workerJobs } from "./cluster/worker-jobs.ts";
import { observeOutboundCalls } from "./channels/http-transport.ts";
import { createMetrics } from "./metrics/metrics.ts";
import { instrumentDialog, instrumentHttp, startMetricsServer } from "./metrics/metrics-http.ts";

/** How long a graceful stop may take before the process exits anyway. */
const STOP_TIMEOUT_MS = 8000;

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (loaded.type === "invalid") {
    console.error(`Opora cannot start: the configuration is invalid.\n${loaded.problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  const config = loaded.config;
  // A clinician's broken lexicon edit must stop the service here, not silently screen nothing.
  const lexicon = loadLexicon(config.redFlagLexiconFile);
  if (lexicon.type === "invalid") {
    console.error(
      `Opora cannot start: the red-flag lexicon ${lexicon.file} is invalid.\n${lexicon.problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    process.exit(1);
  }
  useLexicon(lexicon.lexicon);
  const log = createLogger({ level: config.logLevel });

  // Live instances of another version or SESSION_SECRET: refused before this start migrates anything.
  const mismatch = await liveInstanceMismatch(targetOf(config), config.sessionSecret);
  if (mismatch) {
    log.fatal({ code: "INSTANCE_MISMATCH" }, mismatch);
    console.error(`Opora cannot start: ${mismatch}`);
    process.exit(1);
  }
  const prepared = await prepareDatabase(targetOf(config));
  if (prepared.type === "error") {
    log.fatal({ code: prepared.code, database: prepared.where }, prepared.message);
    console.error(`Opora cannot start: ${prepared.message}`);
    process.exit(1);
  }
  if (prepared.applied.length > 0) log.info({ applied: prepared.applied, engine: prepared.target.engine }, "database migrated");
  const db = prepared.db;
  const instanceId = newInstanceId();
  // Leases make periodic jobs and pollers run on one instance at a time (src/cluster/leases.ts).
  const leases = createLeases({ db, holder: instanceId });
  // Several instances (PostgreSQL): messenger send limits are budgets in the database too (src/cluster/send-budget.ts).
  if (engineOf(db) === "postgresql") setOutboundGate(createSendBudget({ db }).take);
  // Instances on one database must share SESSION_SECRET and the schema version (src/cluster/instances.ts).
  const joined = await joinInstances({ db, id: instanceId, sessionSecret: config.sessionSecret, log });
  if (joined.type === "refused") {
    log.fatal({ code: "INSTANCE_MISMATCH" }, joined.message);
    console.error(`Opora cannot start: ${joined.message}`);
    await db.$disconnect();
    process.exit(1);
  }
  await seedRegions(db);
  if (config.demo) {
    if (await loadDemoRoutingIfEmpty(db, log)) log.info("demo routing data loaded (fake phones, marked as demo)");
  } else if ((await db.center.count()) === 0) {
    log.warn("no routing data: import each region's routing file with `npm run routing -- import FILE`");
  }

  const i18n = createI18n();
  const clock = () => new Date();
  const metrics = createMetrics({ db, databaseFile: config.databaseFile, clock });
  const service = instrumentDialog(createDialogService({
    db,
    log,
    i18n,
    clock,
    config: {
      consentVersion: config.consentVersion,
      publicBaseUrl: config.publicBaseUrl,
      operatorName: config.operatorName,
      // Named in the consent text: the bot's screen and /consent must say the same.
      retentionDays: config.retentionDays,
    },
  }), metrics);

  const family = createFamilyMessenger({ i18n });
  // Each messenger's state (up / down and why), for /readyz and the admin overview.
  const channels = createChannelStatusBoard(clock);
  const app = createHttpServer({
    db, log, trustProxy: config.trustProxy, publicBaseUrl: config.publicBaseUrl, channels: () => channels.list(),
    // /readyz checks the SQLite file's disk too (PostgreSQL's disk is the database server's).
    readiness: { databaseFile: config.databaseUrl ? undefined : config.databaseFile },
  });
  instrumentHttp(app, metrics, { token: config.metrics.token });
  observeOutboundCalls(({ url, status }) => {
    if (config.telegram.enabled && url.startsWith(config.telegram.apiRoot)) metrics.outboundCall("telegram", status);
    else if (config.max.enabled && url.startsWith(config.max.baseUrl)) metrics.outboundCall("max", status);
  });
  const sessionSecret = config.sessionSecret ?? randomBytes(32).toString("hex");
  await app.register(
    createAdminPlugin({
      db,
      log,
      i18n,
      clock,
      service,
      family,
      channels: () => channels.list(),
      config: {
        publicBaseUrl: config.publicBaseUrl,
        sessionSecret,
        cookieSecure: config.publicBaseUrl.startsWith("https://"),
        consentVersion: config.consentVersion,
        operatorName: config.operatorName,
        retentionDays: config.retentionDays,
      },
    }),
  );

  const stoppables: Stoppable[] = [];
  const replySenders = await startChannels({ config, db, log, i18n, service, app, stoppables, family, channels, leases });

  // Deliveries that must happen (operator notices, reminders) are retried from the database.
  const senders: Partial<Record<OutboxChannel, Sender>> = {};
  // Dialog replies left undelivered go back through their channel (src/outbox/reply-delivery.ts).
  if (config.telegram.enabled) senders.telegram = routeSenders(replySenders.telegram, createTelegramOutboxSender(config.telegram));
  if (config.max.enabled) senders.max = routeSenders(replySenders.max, rememberingSent(createMaxOutboxSender(config.max), maxSentMemory));
  // Families' pictures and documents are downloaded by the same worker (src/requests/attachment-download.ts).
  const fileDeps = { db, log: log.child({ component: "files" }), i18n, clock };
  if (config.telegram.enabled) senders.telegram = withAttachmentDownloads(senders.telegram, telegramFileSource(config.telegram), fileDeps);
  if (config.max.enabled) senders.max = withAttachmentDownloads(senders.max, maxFileSource(), fileDeps);
  const outbox = createOutboxWorker({ db, log: log.child({ component: "outbox" }), senders, clock });
  const noticeDeps = { i18n, publicBaseUrl: config.publicBaseUrl, categoryLabel: categoryLabelFor(i18n) };
  // Outbox delivery, reminders, P0 escalation (an untaken P0 moves along its region's 24/7 chain),
  // retention purge and pruning: every instance ticks them, each runs on one instance at a time
  // under a lease in the database (src/cluster/worker-jobs.ts).
  const jobs = createJobRunner({
    leases,
    log: log.child({ component: "jobs" }),
    jobs: workerJobs({ db, leases, log, clock, outbox, notices: noticeDeps, p0EscalateAfterMinutes: config.p0EscalateAfterMinutes, retentionDays: config.retentionDays }),
  });
  jobs.start();
  stoppables.push({ name: "jobs", stop: () => jobs.stop() });

  if (config.demo) {
    const demoLogins = await seedDemoStaff(db);
    if (demoLogins.length > 0) console.log("Demo logins (random passwords, shown only this once):");
    for (const l of demoLogins) console.log(`demo login: ${l.role.padEnd(14)} ${l.email}  password: ${l.password}`);
  } else {
    const off = await deactivateDemoStaff(db);
    if (off > 0) log.warn({ accounts: off }, "demo is off: demo accounts deactivated");
  }
  const bootstrap = await issueBootstrapLink(db, config.publicBaseUrl, clock());
  if (bootstrap) {
    // Printed, never logged to a collector: whoever opens it first becomes superadmin.
    console.log(`No superadmin yet. Create the first one within 24 hours at (one-time link):\n  ${bootstrap}\nor with: npm run user -- create --role superadmin ...`);
  }

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === "EADDRINUSE"
        ? `port ${config.port} on ${config.host} is already in use (is Opora already running?); set PORT to another port`
        : `cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`;
    log.fatal({ code }, reason);
    console.error(`Opora cannot start: ${reason}`);
    await Promise.allSettled(stoppables.map((s) => s.stop()));
    await db.$disconnect();
    process.exit(1);
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log.info({ host: config.host, port }, "Opora is listening");
  if (config.metrics.port !== undefined) {
    const { host, port: metricsPort } = config.metrics;
    const server = await startMetricsServer({ host, port: metricsPort, metrics, log });
    stoppables.push({ name: "metrics", stop: () => new Promise((r) => server.close(() => r())) });
    log.info({ host, port: metricsPort }, "metrics served at /metrics");
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing in-flight work");
    // Bounded: an orchestrator waits ~10 s before SIGKILL; whatever is unfinished stays in the
    // database (inbound journal, outbox) and is taken up at the next start.
    setTimeout(() => {
      log.error({ afterMs: STOP_TIMEOUT_MS }, "stop did not finish in time; exiting");
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    await Promise.allSettled(stoppables.map((s) => s.stop()));
    await app.close();
    await joined.registration.leave().catch(() => undefined);
    await db.$disconnect();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

interface ChannelWiring {
  config: Config;
  db: Db;
  log: Logger;
  i18n: ReturnType<typeof createI18n>;
  service: ReturnType<typeof createDialogService>;
  app: ReturnType<typeof createHttpServer>;
  stoppables: Stoppable[];
  family: FamilyMessenger;
  channels: ChannelStatusBoard;
  leases: Leases;
}

/** Polling with several instances: only the holder of `poll:<messenger>` polls; stopping frees it at once. */
function pollerElection(wiring: ChannelWiring, messenger: "telegram" | "max") {
  const election = createElection({ leases: wiring.leases, name: `poll:${messenger}`, log: wiring.log });
  election.start();
  return election;
}

/** The MAX channel once started: keeps the mids of operators' replies for the family's /hide. */
let maxSentMemory: Pick<MaxChannel, "rememberSent"> | undefined;

/**
 * Starts the enabled messengers without waiting for them: each one retries on its own with
 * backoff (channel-status.ts), so a refused token or an unreachable API never stops the service.
 */
async function startChannels(wiring: ChannelWiring): Promise<Partial<Record<OutboxChannel, Sender>>> {
  const { config, db, log, i18n, service, app, stoppables, family, channels } = wiring;
  const replySenders: Partial<Record<OutboxChannel, Sender>> = {};
  if (config.telegram.enabled) {
    const tg = config.telegram;
    const mode =
      tg.mode === "webhook" && tg.webhookSecret
        ? ({ type: "webhook", secret: tg.webhookSecret, url: `${config.publicBaseUrl}/webhooks/telegram` } as const)
        : ({ type: "polling" } as const);
    const election = mode.type === "polling" ? pollerElection(wiring, "telegram") : undefined;
    const channel = createTelegramChannel({
      token: tg.token, apiRoot: tg.apiRoot, service, db, log, i18n, mode, family,
      onState: (state, err) => channels.set("telegram", state, err),
      ...(election ? { leadership: election } : {}),
      // Webhooks may reach any instance: a chat's updates are applied under its claim (chat-claims.ts).
      ...(mode.type === "webhook" ? { chatClaims: chatClaimsFactory({ db, leases: wiring.leases, log, channel: "telegram" }) } : {}),
    });
    replySenders.telegram = channel.replySender;
    if (mode.type === "webhook") await app.register(telegramWebhookPlugin(channel, { secret: mode.secret }));
    channels.register("telegram", mode.type);
    const supervised = superviseChannel({ name: "telegram", board: channels, log, start: () => channel.start() });
    stoppables.push({ name: "telegram", stop: async () => { await supervised.stop(); await channel.stop(); await election?.stop(); } });
  } else {
    log.info("Telegram channel disabled: set TELEGRAM_BOT_TOKEN to enable it");
  }

  if (config.max.enabled) {
    const mx = config.max;
    const mode =
      mx.mode === "webhook" && mx.webhookSecret
        ? ({ type: "webhook", secret: mx.webhookSecret, url: `${config.publicBaseUrl}/webhooks/max` } as const)
        : ({ type: "polling" } as const);
    const election = mode.type === "polling" ? pollerElection(wiring, "max") : undefined;
    const channel = createMaxChannel({
      token: mx.token, baseUrl: mx.baseUrl, service, db, log, i18n, mode, family,
      ...(election ? { polling: { leadership: election } } : {}),
      ...(mode.type === "webhook" ? { chatClaims: chatClaimsFactory({ db, leases: wiring.leases, log, channel: "max" }) } : {}),
      // Polling failures after start show as "down" on /readyz and the admin overview, too.
      onState: (state, err) => channels.set("max", state, err),
    });
    replySenders.max = channel.replySender;
    maxSentMemory = channel;
    if (mode.type === "webhook") await app.register(maxWebhookPlugin(channel, { secret: mode.secret }));
    channels.register("max", mode.type);
    const supervised = superviseChannel({ name: "max", board: channels, log, start: () => channel.start() });
    stoppables.push({ name: "max", stop: async () => { await supervised.stop(); await channel.stop(); await election?.stop(); } });
  } else {
    log.info("MAX channel disabled: set MAX_BOT_TOKEN to enable it");
  }
  return replySenders;
}

/** One clear line instead of a stack trace for the start-up failures an admin can fix. */
function startFailure(err: unknown): string | null {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  const file = process.env.DATABASE_FILE?.trim() || "./data/opora.db";
  if (code.startsWith("SQLITE_READONLY") || /readonly database/i.test(message)) {
    return `the database ${file} is read-only (${code || "SQLITE_READONLY"}): give the service's user write access to the file, its -wal/-shm files and its folder`;
  }
  if (code === "SQLITE_FULL" || /database or disk is full/i.test(message)) return `the disk holding the database ${file} is full`;
  return null;
}

await main().catch((err: unknown) => {
  const line = startFailure(err);
  if (!line) throw err;
  console.error(`Opora cannot start: ${line}`);
  process.exit(1);
});
