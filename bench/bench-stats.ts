// Shared by the channel benchmarks: latency percentiles and a steady pacer.

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

/** Paces deliveries to `perSecond` over all families (token bucket without burst); 0 = unpaced. */
export function createPacer(perSecond: number): () => Promise<void> {
  if (perSecond <= 0) return async () => {};
  const interval = 1000 / perSecond;
  let next = performance.now();
  return async () => {
    const now = performance.now();
    next = Math.max(next + interval, now);
    const wait = next - now;
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  };
}

/**
 * Paced runs start families one after another (family i at i × perFamily / perSecond seconds), as
 * people arrive, instead of all at once: otherwise every family reaches the same step at the same
 * moment and the load comes in waves of one kind of update (say, 200 request creations a second).
 * Unpaced runs start everyone at once.
 */
export function createStagger(perSecond: number, updatesPerFamily: number): (index: number) => Promise<void> {
  if (perSecond <= 0) return async () => {};
  const started = performance.now();
  return async (index) => {
    const wait = started + (index * updatesPerFamily * 1000) / perSecond - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  };
}

export interface RunFigures {
  channel: string;
  /** Which bot was measured: "opora" or "peer" (bench/peer/). */
  bot?: string;
  /** Database engine of the run. */
  db?: string;
  families: number;
  rate: number;
  outcomes: string[];
  requestsInDb: number;
  updates: number;
  elapsedS: number;
  /** Milliseconds, any order. */
  latencies: number[];
  /** Seconds from the run's start to each update being sent, in the order of `latencies`. */
  sentAtS?: number[];
  /** The start of the run left out of the steady-state latencies (see `steadyLatencies`). */
  warmupS?: number;
  /** Peak RSS of the bot process. */
  peakRss: number;
  /** Peak RSS of the child process running the fake API and the families. */
  loadPeakRss?: number;
  /** Bot heap after a full GC before and after the run (null without --expose-gc). */
  heapBefore?: number | null;
  heapAfter?: number | null;
  /** CPU time (user + system) the bot process spent during the run, ms. */
  cpuMs?: number;
}

/** p50 / p95 / p99 / max of some latencies, rounded for the report. */
function latencyFigures(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: Number(percentile(sorted, 50).toFixed(1)),
    p95: Number(percentile(sorted, 95).toFixed(1)),
    p99: Number(percentile(sorted, 99).toFixed(1)),
    max: Number((sorted.at(-1) ?? Number.NaN).toFixed(1)),
  };
}

/**
 * The latencies of the updates sent after the first `warmupS` seconds of the run. Right after a
 * start the bot runs code V8 has not optimized yet and opens its database connections, at about
 * twice the CPU per update of the steady state (bench/README.md, Batch 12); at 100 updates/s on two
 * cores that first second alone can hold 1 % of a 3,000-update run, so the whole run's p99 says how
 * a start goes more than how the bot does at that load. Both are reported.
 */
export function steadyLatencies(latencies: number[], sentAtS: number[], warmupS: number): number[] {
  return latencies.filter((_, i) => (sentAtS[i] ?? 0) >= warmupS);
}

/** The report both benchmarks print, so their figures compare one to one. */
export function buildReport(f: RunFigures) {
  const steady = f.sentAtS && f.warmupS !== undefined ? steadyLatencies(f.latencies, f.sentAtS, f.warmupS) : undefined;
  const outcomes: Record<string, number> = {};
  for (const o of f.outcomes) outcomes[o] = (outcomes[o] ?? 0) + 1;
  return {
    channel: f.channel,
    ...(f.bot ? { bot: f.bot } : {}),
    ...(f.db ? { db: f.db } : {}),
    families: f.families,
    pacedRate: f.rate || "unpaced",
    outcomes,
    requestsInDb: f.requestsInDb,
    updates: f.updates,
    seconds: Number(f.elapsedS.toFixed(2)),
    updatesPerSecond: Math.round(f.updates / f.elapsedS),
    ...(f.cpuMs !== undefined ? { botCpuMsPerUpdate: Number((f.cpuMs / f.updates).toFixed(2)) } : {}),
    latencyMs: latencyFigures(f.latencies),
    ...(steady && steady.length > 0
      ? { steadyLatencyMs: { afterS: f.warmupS, updates: steady.length, ...latencyFigures(steady) } }
      : {}),
    botPeakRssMb: Math.round(f.peakRss / 1024 / 1024),
    ...(f.loadPeakRss ? { loadProcessPeakRssMb: Math.round(f.loadPeakRss / 1024 / 1024) } : {}),
    ...(f.heapBefore && f.heapAfter
      ? {
          botHeapAfterGcMb: {
            before: Number((f.heapBefore / 1024 / 1024).toFixed(1)),
            after: Number((f.heapAfter / 1024 / 1024).toFixed(1)),
          },
        }
      : {}),
    node: process.version,
  };
}
