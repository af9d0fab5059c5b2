// Group commit for SQLite batch transactions. Steps of different chats that are ready in the same
// turn of the event loop commit in one batch `$transaction([…])`: one BEGIN/COMMIT and one WAL
// write for all of them, where each had its own. Each step's statements stay in order and
// contiguous, so a chain on changes() inside one step is untouched by its neighbours. When the
// group fails, every step is tried again alone: one bad step fails only its own caller.
import type { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "./client.ts";

/** A step's statements, built anew for each attempt (a PrismaPromise runs once). */
export type BuildStatements = () => Prisma.PrismaPromise<unknown>[];

interface Waiting {
  build: BuildStatements;
  resolve: (results: unknown[]) => void;
  reject: (err: unknown) => void;
}

const groups = new WeakMap<Db, Waiting[]>();

/** Runs the statements in one transaction, with whatever other steps join in this turn; resolves with this step's results. */
export function commitGrouped(db: Db, build: BuildStatements): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    let group = groups.get(db);
    if (!group) {
      const started: Waiting[] = [];
      group = started;
      groups.set(db, started);
      setImmediate(() => {
        groups.delete(db);
        void commitGroup(db, started);
      });
    }
    group.push({ build, resolve, reject });
  });
}

async function commitGroup(db: Db, group: Waiting[]): Promise<void> {
  if (group.length > 1) {
    const parts = group.map((w) => w.build());
    let results: unknown[] | undefined;
    try {
      results = await db.$transaction(parts.flat());
    } catch {
      // Rolled back whole: each step again on its own, below.
    }
    if (results) {
      let at = 0;
      for (const [i, waiting] of group.entries()) {
        const n = parts[i]!.length;
        waiting.resolve(results.slice(at, at + n));
        at += n;
      }
      return;
    }
  }
  await Promise.all(
    group.map((w) =>
      db.$transaction(w.build()).then(
        (results) => w.resolve(results),
        (err: unknown) => w.reject(err),
      ),
    ),
  );
}
