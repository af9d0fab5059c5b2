// Starts the compiled service (or any command) as a child process and follows its log: the port
// it listens on, its exit code, everything it printed. Killed with SIGKILL after each test file.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach } from "vitest";

export interface ServiceProcess {
  child: ChildProcess;
  /** Resolves with the port once "Opora is listening" is logged; rejects when the process exits first. */
  listening: Promise<number>;
  exited: Promise<number>;
  output(): string;
  /** SIGTERM, then the exit code once it has stopped. */
  stop(): Promise<number>;
  /** The exit code; a process that starts listening instead is killed (it would never exit). */
  exitedWithoutListening(): Promise<number>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The environment a service gets: nothing inherited but PATH and HOME. */
export function baseEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info", ...env };
}

export function spawnService(command: string, args: string[], env: Record<string, string>, cwd?: string): ServiceProcess {
  const child = spawn(command, args, { env: baseEnv(env), cwd, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : -2))));
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = out.match(/"port":(\d+)[^\n]*Opora is listening/);
      if (m) {
        clearInterval(timer);
        resolve(Number(m[1]));
      }
    }, 25);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited with ${code}: ${out}`));
    });
  });
  // Some tests expect the process to exit without listening: that rejection is theirs to ignore.
  listening.catch(() => undefined);
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  const exitedWithoutListening = () =>
    Promise.race([exited, listening.then(() => (child.kill("SIGKILL"), exited), () => exited)]);
  return { child, listening, exited, output: () => out, stop, exitedWithoutListening };
}

/** `node dist/main.js` from the project root (call ensureBuilt() first). */
export function startBuilt(env: Record<string, string>): ServiceProcess {
  return spawnService(process.execPath, [path.resolve("dist/main.js")], env);
}

export function tempDir(prefix = "opora-ops-"): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
