// Two services started at the same moment on one fresh SQLite file: both migrate, seed and come up
// (the second waits for the first one's write lock instead of failing with SQLITE_BUSY / P1008).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "../helpers/temp-db.ts";

const TSX = path.resolve("node_modules/tsx/dist/cli.mjs");
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [TSX, "src/main.ts"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  return new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = out.match(/"port":(\d+)[^\n]*Opora is listening/);
      if (m) {
        clearInterval(timer);
        resolve(Number(m[1]));
      }
    }, 50);
    child.on("exit", (code) => {
      clearInterval(timer);
      reject(new Error(`exited with ${code}: ${out.slice(-2000)}`));
    });
  });
}

describe.skipIf(testEngine() !== "sqlite")("two processes on one fresh database", () => {
  it("both come up", { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "opora-two-"));
    dirs.push(dir);
    // Several instances on one database need one shared SESSION_SECRET (src/cluster/instances.ts).
    const env = { DATABASE_FILE: path.join(dir, "opora.db"), SESSION_SECRET: "s".repeat(40) };
    const ports = await Promise.all([start(env), start(env)]);
    for (const port of ports) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    }
  });
});
