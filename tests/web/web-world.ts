// Per test: a fresh temp database with the seeded world (demo routing, one account per role) and the
// web app over it, cleaned up after each test. Call once at the top of a test file:
//   const setup = webWorld();   …   const { app, w, db } = await setup();
// (kept apart from helpers.ts, which benchmarks import outside the test runner)
import { afterEach } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { type AdminTestDeps, buildAdminTestApp, seedWorld } from "./helpers.ts";

export function webWorld(defaults: Omit<AdminTestDeps, "db"> = {}) {
  let temp: TempDb | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });
  const setup = async (deps: Omit<AdminTestDeps, "db"> = {}) => {
    temp = await createTempDb();
    const w = await seedWorld(temp.db);
    const app = await buildAdminTestApp({ ...defaults, ...deps, db: temp.db });
    return { app, w, db: temp.db };
  };
  /** Only the fresh database, for a test that seeds its own. */
  setup.emptyDb = async (): Promise<Db> => {
    temp = await createTempDb();
    return temp.db;
  };
  return setup;
}
