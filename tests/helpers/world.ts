// What the per-test worlds of the channel suites share (tests/max/max-world.ts,
// tests/telegram/telegram-world.ts): the test's database — a temp database with the demo routing,
// made before each test and removed after it — and the real dialog service over it.
import { afterEach, beforeEach } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import type { I18n } from "../../src/i18n/i18n.ts";
import type { Logger } from "../../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { createTempDb, type TempDb } from "./temp-db.ts";

export interface ServiceOptions {
  /** The service's clock; the wall clock by default. */
  clock?: () => Date;
  consentVersion?: string;
  operatorName?: string;
  log?: Logger;
}

export interface WorldOptions extends ServiceOptions {
  /** Load the demo routing before each test (default); `false` for a test that seeds its own. */
  demoRouting?: boolean;
}

/** The real dialog service over `db`, with a test consent version. */
export function realDialogService(db: Db, deps: { log: Logger; i18n: I18n }, o: ServiceOptions = {}): DialogService {
  return createDialogService({
    db,
    log: o.log ?? deps.log,
    i18n: deps.i18n,
    clock: o.clock ?? (() => new Date()),
    config: { consentVersion: o.consentVersion ?? "2025-09-test", publicBaseUrl: "https://opora.example", operatorName: o.operatorName ?? "ГБУ «Опора»" },
  });
}

/**
 * A temp database per test (with the demo routing unless `options.demoRouting` is false), removed
 * after the test once `close` — what the world started on it — has run. Returns the test's database.
 */
export function dbPerTest(world: string, options: WorldOptions & { log: Logger }, close: () => Promise<void>): () => Db {
  let tmp: TempDb | undefined;
  beforeEach(async () => {
    tmp = await createTempDb();
    if (options.demoRouting !== false) await loadDemoRoutingIfEmpty(tmp.db, options.log);
  });
  afterEach(async () => {
    await close();
    await tmp?.cleanup();
    tmp = undefined;
  });
  return () => {
    if (!tmp) throw new Error(`${world}: the database exists only inside a test`);
    return tmp.db;
  };
}
