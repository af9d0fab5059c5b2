// Per test for the MAX suites: a temp database with the demo routing, the real dialog service over
// it, and the harness a test starts — closed after each test. At the top of a test file:
//   const world = maxWorld();   …   h = await world.start("polling");   world.db …
// (apart from harness.ts, which suites without a database import too)
import type { MaxChannelDeps } from "../../src/channels/max/max-channel.ts";
import type { Db } from "../../src/db/client.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { dbPerTest, realDialogService, type ServiceOptions, type WorldOptions } from "../helpers/world.ts";
import { type Family, type Harness, i18n, log, startHarness } from "./harness.ts";

export function maxWorld(options: WorldOptions = {}) {
  let harness: Harness | undefined;
  const db = dbPerTest("maxWorld", { ...options, log }, async () => {
    await harness?.close();
    harness = undefined;
  });
  return {
    get db(): Db {
      return db();
    },
    service: (o: ServiceOptions = {}) => realDialogService(db(), { log, i18n }, { ...options, ...o }),
    /** Starts the MAX channel on the fake API with the real dialog service (or `extra.service`). */
    async start(mode: "polling" | "webhook", extra: { service?: DialogService; channel?: Partial<MaxChannelDeps> } = {}): Promise<Harness> {
      harness = await startHarness({ service: extra.service ?? realDialogService(db(), { log, i18n }, options), db: db(), mode, ...(extra.channel ? { channel: extra.channel } : {}) });
      return harness;
    },
  };
}

/**
 * The dialog up to the summary (as in max-e2e.test.ts): family conflict in Сызрань (Samara region),
 * `description`, a shared phone. The request is sent with `f.press("submit")`.
 */
export async function toSummary(f: Family, description: string): Promise<void> {
  await f.start("63");
  await f.press("more");
  await f.press("c:family_conflict");
  await f.press("no");
  await f.press(/^Сызрань$/);
  await f.press("give");
  await f.say(description);
  await f.share({ phone: "79991234567" });
}
