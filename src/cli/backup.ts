// `npm run backup -- FILE` — a consistent copy of the live SQLite database (DATABASE_FILE), taken
// with SQLite's online backup API while the service runs and writes. The live database is opened
// read-only and never changed; the copy is written to a temporary name next to FILE and renamed
// into place only when complete and checked, so FILE is either a whole backup or absent.
// An existing FILE is never overwritten. PostgreSQL is backed up with pg_dump (README "Backups").
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";

export type BackupResult =
  | { type: "ok"; file: string; bytes: number; requests: number }
  | { type: "error"; message: string };

export async function backupDatabase(source: string, target: string): Promise<BackupResult> {
  const dest = path.resolve(target);
  if (existsSync(dest)) return { type: "error", message: `${target} already exists: backups are never overwritten; choose a new file name` };
  const dir = path.dirname(dest);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { type: "error", message: `the folder ${dir} does not exist` };
  if (!existsSync(source)) return { type: "error", message: `the database ${source} does not exist (set DATABASE_FILE)` };
  const partial = path.join(dir, `.${path.basename(dest)}.partial-${process.pid}`);
  let live: Database.Database | undefined;
  try {
    live = new Database(source, { readonly: true, fileMustExist: true });
    live.pragma("busy_timeout = 10000");
    // All pages in one step, i.e. one read transaction: a consistent snapshot even while the service
    // writes (in small steps, SQLite restarts the copy after every write and may never finish).
    await live.backup(partial, { progress: () => 0x7fffffff });
    const copy = new Database(partial, { fileMustExist: true });
    try {
      const check = copy.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(`the copy failed its integrity check (${String(check)})`);
      // A standalone file: no WAL next to it, readable by any SQLite.
      copy.pragma("journal_mode = DELETE");
      const requests = (copy.prepare("SELECT count(*) AS n FROM Request").get() as { n: number }).n;
      copy.close();
      renameSync(partial, dest);
      return { type: "ok", file: dest, bytes: statSync(dest).size, requests };
    } finally {
      if (copy.open) copy.close();
    }
  } catch (err) {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === "SQLITE_CANTOPEN" || e.code === "EACCES" || /unable to open|permission/i.test(e.message)
        ? `cannot write to ${dir} (permissions?)`
        : e.code === "SQLITE_FULL" || /disk is full/i.test(e.message)
          ? `the disk holding ${dir} is full`
          : e.message;
    return { type: "error", message: why };
  } finally {
    live?.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [target, ...extra] = argv;
  if (!target || extra.length > 0 || target.startsWith("-")) {
    console.error("usage: npm run backup -- FILE   (a new file; the database is DATABASE_FILE)");
    return 2;
  }
  if (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "")) {
    console.error("backup: this service uses PostgreSQL; back it up with pg_dump (README \"Backups\")");
    return 2;
  }
  const source = process.env.DATABASE_FILE?.trim() || "./data/opora.db";
  const result = await backupDatabase(source, target);
  if (result.type === "error") {
    console.error(`backup failed: ${result.message}. The live database was not changed.`);
    return 1;
  }
  console.log(`backup written: ${result.file} (${(result.bytes / 1e6).toFixed(1)} MB, ${result.requests} requests)`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`backup failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
