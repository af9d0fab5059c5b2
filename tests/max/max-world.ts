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
import { type Harness, i18n, log, startHarness } from "./harness.ts";

export interface ServiceOptions {
  consentVersion?: string;
  operatorName?: string;
  log?: typeof log;
}

/** The real dialog service over `db`, on the wall clock, with a test consent version. */
export function realDialogService(db: Db, o: ServiceOptions = {}): DialogService {
  return createDialogService({
    db,
    log: o.log ?? log,
    i18n,
    clock: () => new Date(),
    config: { consentVersion: o.consentVersion ?? "2025-09-test", publicBaseUrl: "https://opora.example", operatorName: o.operatorName ?? "ГБУ «Опора»" },
  });
}

export function maxWorld(options: ServiceOptions = {}) {
  let tmp: TempDb | undefined;
  let harness: Harness | undefined;
  beforeEach(async () => {
    tmp = await createTempDb();
    await loadDemoRoutingIfEmpty(tmp.db, log);
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
