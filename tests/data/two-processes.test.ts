// Two services started at the same moment on one fresh SQLite file: both migrate, seed and come up
// (the second waits for the first one's write lock instead of failing with SQLITE_BUSY / P1008).
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { testEngine } from "../helpers/temp-db.ts";
import { startBuilt, tempDir } from "../ops/service-process.ts";

const start = (env: Record<string, string>) => startBuilt({ PORT: "0", ...env }).listening;

describe.skipIf(testEngine() !== "sqlite")("two processes on one fresh database", () => {
  beforeAll(() => ensureBuilt({ log: () => undefined }), 180_000);

  it("both come up", { timeout: 90_000 }, async () => {
    const dir = tempDir("opora-two-");
    // Several instances on one database need one shared SESSION_SECRET (src/cluster/instances.ts).
    const env = { DATABASE_FILE: path.join(dir, "opora.db"), SESSION_SECRET: "s".repeat(40) };
    const ports = await Promise.all([start(env), start(env)]);
    for (const port of ports) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    }
  });
});
