// The benchmarks run in two processes, as in production: the bot (channel, dialog service,
// SQLite) in the measured process, and the messenger side (fake API server + simulated families)
// in a child process, so the families' CPU and memory do not count against the bot.
// Parent and child talk over Node's IPC channel: the child reports its API address, waits for
// "go", runs the families and sends back what it measured.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What the messenger side measured: one entry per family, one latency per update. */
export interface LoadReport {
  outcomes: string[];
  updates: number;
  elapsedS: number;
  /** Milliseconds from the update being queued at the fake API to the bot's first reply. */
  latencies: number[];
  /** Seconds from the run's start to each of those updates being queued (same order as `latencies`). */
  sentAtS: number[];
  peakRss: number;
}

type ToChild = { type: "go" } | { type: "close" };
type FromChild<I> = { type: "ready"; info: I } | { type: "report"; report: LoadReport } | { type: "error"; message: string };

export interface LoadChild<I> {
  /** Whatever the child needs the bot to know (API root, token). */
  info: I;
  run(): Promise<LoadReport>;
  close(): Promise<void>;
}

/** Parent side: starts `script` (a path relative to bench/) with `args` and waits for it to be ready. */
export async function spawnLoad<I>(script: string, args: string[]): Promise<LoadChild<I>> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = () =>
    new Promise<FromChild<I>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load process exited (${code})`));
      child.once("exit", onExit);
      child.once("message", (m) => {
        child.off("exit", onExit);
        resolve(m as FromChild<I>);
      });
    });
  const first = await next();
  if (first.type !== "ready") throw new Error(first.type === "error" ? first.message : "load process: unexpected message");
  return {
    info: first.info,
    async run() {
      const reply = next();
      child.send({ type: "go" } satisfies ToChild);
      const m = await reply;
      if (m.type !== "report") throw new Error(m.type === "error" ? m.message : "load process: unexpected message");
      return m.report;
    },
    async close() {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ type: "close" } satisfies ToChild);
      await exited;
    },
  };
}

/** Child side: `setup` starts the fake API; `run` drives the families once the parent says go. */
export async function serveLoad<I>(setup: () => Promise<{ info: I; run(): Promise<Omit<LoadReport, "peakRss">>; close(): Promise<void> }>) {
  const send = (m: FromChild<I>) => process.send?.(m);
  // The bot's process gone (it crashed before closing us): nothing left to measure for.
  process.once("disconnect", () => process.exit(0));
  try {
    const load = await setup();
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    process.on("message", async (m: ToChild) => {
      if (m.type === "go") {
        try {
          const report = await load.run();
          send({ type: "report", report: { ...report, peakRss } });
        } catch (err) {
          send({ type: "error", message: (err as Error).message });
        }
      } else {
        clearInterval(sampler);
        await load.close();
        process.disconnect();
      }
    });
    send({ type: "ready", info: load.info });
  } catch (err) {
    send({ type: "error", message: (err as Error).message });
    process.exit(1);
  }
}

/** Samples this process's RSS every 50 ms; `stop` returns the peak. */
export function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/**
 * Heap in use after a full garbage collection (needs `node --expose-gc`), or null without it.
 * Compared before and after a run, it shows what finished conversations leave behind.
 */
export function heapAfterGc(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
