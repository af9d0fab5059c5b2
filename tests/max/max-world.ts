// Per test for the MAX suites: a temp database with the demo routing, the real dialog service over
// it, and the harness a test starts — closed after each test. At the top of a test file:
//   const world = maxWorld();   …   h = await world.start("polling");   world.db …
// (apart from harness.ts, which suites without a database import too)
import { afterEach, beforeEach } from "vitest";
import type { MaxChannelDeps } from "../../src/channels/max/max-channel.ts";
import type { Db } from "../../src/db/client.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { type Family, type Harness, i18n, log, startHarness } from "./harness.ts";

export interface ServiceOptions {
  /** The service's clock; the wall clock by default. */
  clock?: () => Date;
  consentVersion?: string;
  operatorName?: string;
  log?: typeof log;
}

/** The real dialog service over `db`, with a test consent version. */
export function realDialogService(db: Db, o: ServiceOptions = {}): DialogService {
  return createDialogService({
    db,
    log: o.log ?? log,
    i18n,
    clock: o.clock ?? (() => new Date()),
    config: { consentVersion: o.consentVersion ?? "2025-09-test", publicBaseUrl: "https://opora.example", operatorName: o.operatorName ?? "ГБУ «Опора»" },
  });
}

export interface WorldOptions extends ServiceOptions {
  /** Load the demo routing before each test (default); `false` for a test that seeds its own. */
  demoRouting?: boolean;
}

export function maxWorld(options: WorldOptions = {}) {
  let tmp: TempDb | undefined;
  let harness: Harness | undefined;
  beforeEach(async () => {
    tmp = await createTempDb();
    if (options.demoRouting !== false) await loadDemoRoutingIfEmpty(tmp.db, log);
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await tmp?.cleanup();
    tmp = undefined;
  });
  const db = (): Db => {
    if (!tmp) throw new Error("maxWorld: the database exists only inside a test");
    return tmp.db;
  };
  return {
    get db(): Db {
      return db();
    },
    service: (o: ServiceOptions = {}) => realDialogService(db(), { ...options, ...o }),
    /** Starts the MAX channel on the fake API with the real dialog service (or `extra.service`). */
    async start(mode: "polling" | "webhook", extra: { service?: DialogService; channel?: Partial<MaxChannelDeps> } = {}): Promise<Harness> {
      harness = await startHarness({ service: extra.service ?? realDialogService(db(), options), db: db(), mode, ...(extra.channel ? { channel: extra.channel } : {}) });
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
