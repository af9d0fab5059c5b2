// The service on PostgreSQL: it migrates an empty database at start and serves; a DATABASE_URL it
// cannot use ends the start with one clear line (never the password) and exit code 1, quickly.
import net from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { migratePostgres } from "../../src/db/migrate-postgres.ts";
import { createPostgresDatabase, testEngine } from "../helpers/temp-db.ts";
import { startBuilt } from "../ops/service-process.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

// The compiled service starts in a second or two even on a busy machine (tsx would compile every
// module at each start: tens of seconds under load); dist/ is rebuilt only when src/ changed.
beforeAll(() => ensureBuilt({ log: () => undefined }), 180_000);

const start = (env: Record<string, string>) => startBuilt({ PORT: "0", ...env });

/** Lines the service printed for people (not the JSON log). */
const plainLines = (out: string) => out.split("\n").filter((l) => l.startsWith("Opora cannot start"));

describe("DATABASE_URL that cannot be used", () => {
  /** Accepts TCP connections and then says nothing, like a firewalled or hung server. */
  async function silentServer(): Promise<number> {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          silent.close(() => r());
        }),
    );
    return (silent.address() as net.AddressInfo).port;
  }

  it("a server that never answers: given up within 10 s", async () => {
    const port = await silentServer();
    const began = Date.now();
    const r = await migratePostgres(`postgresql://opora:s3cret-pw@127.0.0.1:${port}/opora`);
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(r).toMatchObject({ type: "error", code: "DB_UNREACHABLE" });
    if (r.type === "error") expect(r.message).not.toContain("s3cret-pw");
  }, 20_000);

  it("the service: one clear line, exit 1, no password", async () => {
    const port = await silentServer();
    const s = start({ DATABASE_URL: `postgresql://opora:s3cret-pw@127.0.0.1:${port}/opora` });
    expect(await s.exited).toBe(1);
    expect(plainLines(s.output())).toEqual([expect.stringMatching(/cannot reach PostgreSQL at postgresql:\/\/opora:\*\*\*@127\.0\.0\.1/)]);
    expect(s.output()).not.toContain("s3cret-pw");
  }, 60_000);

  it("a URL that is not PostgreSQL's is a configuration error", async () => {
    const s = start({ DATABASE_URL: "mysql://u:p@127.0.0.1/x" });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/DATABASE_URL: must be a postgresql:\/\/ URL/);
  }, 40_000);

  it.skipIf(testEngine() !== "postgresql")("wrong credentials: one clear line, exit 1, no password", async () => {
    const u = new URL(process.env.TEST_DATABASE_URL ?? "");
    u.password = "wrong-pw-123";
    const s = start({ DATABASE_URL: u.toString() });
    expect(await s.exited).toBe(1);
    expect(plainLines(s.output())).toEqual([expect.stringMatching(/refused the user name or password/)]);
    expect(s.output()).not.toContain("wrong-pw-123");
  }, 40_000);
});

describe.skipIf(testEngine() !== "postgresql")("the service on PostgreSQL", () => {
  it("migrates an empty database at start and is ready", async () => {
    const created = await createPostgresDatabase({ empty: true });
    cleanups.push(() => created.drop());
    const s = start({ DATABASE_URL: created.url });
    const port = await s.listening;
    expect(s.output()).toMatch(/"engine":"postgresql"[^\n]*database migrated/);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
  }, 90_000);
});
