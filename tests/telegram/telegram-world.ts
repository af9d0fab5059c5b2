// Per test for the Telegram suites: a temp database with the demo routing, the fake Bot API and the
// real Telegram channel over the real dialog service — stopped and closed after each test (as
// tests/max/max-world.ts does for MAX). At the top of a test file:
//   const world = telegramWorld();   …   const { api, channel } = await world.start();   world.db …
import { createTelegramChannel, type TelegramChannel, type TelegramChannelDeps } from "../../src/channels/telegram/telegram-channel.ts";
import type { Db } from "../../src/db/client.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { dbPerTest, realDialogService, type ServiceOptions, type WorldOptions } from "../helpers/world.ts";

export const log = createLogger({ level: "silent" });
export const i18n = createI18n();
/** Limits far above what a test sends (the channel still goes through its limiter). */
export const FAST_THROTTLE = { globalPerSecond: 1000, perChatPerSecond: 100, perChatBurst: 20 };

export interface Started {
  api: FakeTelegramApi;
  channel: TelegramChannel;
}

export function telegramWorld(options: WorldOptions = {}) {
  let api: FakeTelegramApi | undefined;
  let channel: TelegramChannel | undefined;
  const db = dbPerTest("telegramWorld", { ...options, log: options.log ?? log }, async () => {
    await channel?.stop();
    channel = undefined;
    await api?.close();
    api = undefined;
  });
  const service = (o: ServiceOptions = {}) => realDialogService(db(), { log, i18n }, { ...options, ...o });
  return {
    get db(): Db {
      return db();
    },
    service,
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
        service: extra.service ?? service(clock ? { clock } : {}),
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
