// Starts the real service (`npm start` equivalent) as a child process on a temporary database.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const TSX = path.resolve("node_modules/tsx/dist/cli.mjs");
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function startService(env: Record<string, string>) {
  const child = spawn(process.execPath, [TSX, "src/main.ts"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = out.match(/"port":(\d+)[^\n]*Opora is listening/);
      if (m) {
        clearInterval(timer);
        resolve(Number(m[1]));
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited with ${code}: ${out}`));
    });
  });
  // Some tests expect the process to exit without listening: that rejection is theirs to ignore.
  listening.catch(() => undefined);
  return { child, listening, exited, output: () => out };
}

function tempDir() {
  const d = mkdtempSync(path.join(tmpdir(), "opora-start-"));
  dirs.push(d);
  return d;
}

describe("npm start", () => {
  it("migrates, seeds, answers /healthz and /readyz, refuses a second start on the same port, stops on SIGTERM", async () => {
    const dir = tempDir();
    const first = startService({ DATABASE_FILE: path.join(dir, "opora.db"), PORT: "0" });
    const port = await first.listening;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(first.output()).toMatch(/Telegram channel disabled: set TELEGRAM_BOT_TOKEN/);
    expect(first.output()).toMatch(/demo login:/);

    const second = startService({ DATABASE_FILE: path.join(dir, "opora.db"), PORT: String(port) });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already in use/);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  }, 60_000);

  it("exits 1 with every configuration problem listed and starts nothing", async () => {
    const s = startService({ PORT: "nope", LOG_LEVEL: "loud" });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/configuration is invalid/);
    expect(s.output()).toMatch(/PORT/);
    expect(s.output()).toMatch(/LOG_LEVEL/);
  }, 30_000);

  it("exits 1 with a clear message when the database path cannot be written", async () => {
    const s = startService({ DATABASE_FILE: "/etc/hostname/opora/x.db", PORT: "0" });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/cannot open or create the database file/);
  }, 30_000);
});
