// A temp database with seedWorld's rows (demo routing and one account per role) for suites that
// make their database inside a test, often in a set-up function; kept apart from helpers.ts, which
// the stats bench imports outside vitest.
import { afterEach } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { seedWorld } from "./helpers.ts";

export type SeededWorld = Awaited<ReturnType<typeof seedWorld>>;

/** The returned function makes a seeded temp database; whatever it made is removed after the test. */
export function seededDbPerTest(): () => Promise<{ db: Db; file: string; w: SeededWorld }> {
  const made: TempDb[] = [];
  afterEach(async () => {
    for (const t of made.splice(0)) await t.cleanup();
  });
  return async () => {
    const t = await createTempDb();
    made.push(t);
    return { db: t.db, file: t.file, w: await seedWorld(t.db) };
  };
}
