// A benchmark's JSON report as bench/bench-stats.ts `buildReport` prints it (after whatever else the
// run printed on stdout), read back by the summary and ratio scripts.
export interface BenchReport {
  bot: string;
  db: string;
  families: number;
  pacedRate: number | "unpaced";
  updates: number;
  updatesPerSecond: number;
  botCpuMsPerUpdate: number;
  latencyMs: { p50: number; p95: number; p99: number };
  /** The updates sent after the run's first `afterS` seconds (bench-stats.ts, steadyLatencies). */
  steadyLatencyMs?: { afterS: number; updates: number; p50: number; p95: number; p99: number };
  botHeapAfterGcMb: { before: number | null; after: number | null };
  outcomes: Record<string, number>;
}

/** The report in a run's stdout, or undefined when the run printed none (it failed). */
export function parseReport(stdout: string): BenchReport | undefined {
  const start = stdout.indexOf("{");
  return start < 0 ? undefined : (JSON.parse(stdout.slice(start)) as BenchReport);
}
