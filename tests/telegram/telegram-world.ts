// Per test for the Telegram suites: a temp database with the demo routing, the fake Bot API and the
// real Telegram channel over the real dialog service — stopped and closed after each test (as
// tests/max/max-world.ts does for MAX). At the top of a test file:
//   const world = telegramWorld();   …   const { api, channel } = await world.start();   world.db …
import { afterEach, beforeEach } from "vitest";
import { createTelegramChannel, type TelegramChannel, type TelegramChannelDeps } from "../../src/channels/telegram/telegram-channel.ts";
import type { Db } from "../../src/db/client.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger, type Logger } from "../../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

export const log = createLogger({ level: "silent" });
export const i18n = createI18n();
/** Limits far above what a test sends (the channel still goes through its limiter). */
export const FAST_THROTTLE = { globalPerSecond: 1000, perChatPerSecond: 100, perChatBurst: 20 };

export interface ServiceOptions {
  log?: Logger;
  /** The service's clock (and the channel's, in `start`); the wall clock by default. */
  clock?: () => Date;
  consentVersion?: string;
  operatorName?: string;
}

/** The real dialog service over `db`, with a test consent version. */
export function realDialogService(db: Db, o: ServiceOptions = {}): DialogService {
  return createDialogService({
    db,
    log: o.log ?? log,
    i18n,
    clock: o.clock ?? (() => new Date()),
    config: { consentVersion: o.consentVersion ?? "test-1", publicBaseUrl: "https://opora.example", operatorName: o.operatorName ?? "Opora test operator" },
  });
}

export interface WorldOptions extends ServiceOptions {
  /** Load the demo routing before each test (default); `false` for a test that seeds its own. */
  demoRouting?: boolean;
}

export interface Started {
  api: FakeTelegramApi;
  channel: TelegramChannel;
}

export function telegramWorld(options: WorldOptions = {}) {
  let tmp: TempDb | undefined;
  let api: FakeTelegramApi | undefined;
  let channel: TelegramChannel | undefined;
  beforeEach(async () => {
    tmp = await createTempDb();
    if (options.demoRouting !== false) await loadDemoRoutingIfEmpty(tmp.db, options.log ?? log);
  });
  afterEach(async () => {
    await channel?.stop();
    channel = undefined;
    await api?.close();
    api = undefined;
    await tmp?.cleanup();
    tmp = undefined;
  });
  const db = (): Db => {
    if (!tmp) throw new Error("telegramWorld: the database exists only inside a test");
    return tmp.db;
  };
  return {
    get db(): Db {
      return db();
    },
    service: (o: ServiceOptions = {}) => realDialogService(db(), { ...options, ...o }),
    /**
     * Starts the fake Bot API and the channel on it (polling, fast limits) with the real dialog
     * service — on `extra.clock` if given — or `extra.service`; `extra.channel` overrides the channel's deps.
     */
    async start(extra: { service?: DialogService; clock?: () => Date; channel?: Partial<TelegramChannelDeps> } = {}): Promise<Started> {
      const clock = extra.clock ?? options.clock;
      api = await startFakeTelegramApi();
      channel = createTelegramChannel({
        token: api.token,
        apiRoot: api.apiRoot,
        service: extra.service ?? realDialogService(db(), { ...options, ...(clock ? { clock } : {}) }),
        db: db(),
        log: options.log ?? log,
        i18n,
        ...(clock ? { clock } : {}),
        mode: { type: "polling", timeoutSeconds: 1 },
        throttle: FAST_THROTTLE,
        ...extra.channel,
      });
      await channel.start();
      return { api, channel };
    },
  };
}
