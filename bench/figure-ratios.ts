// Issue 14's targets, checked on the reports of one `bench/issue14-figures.sh` run: Opora's runs
// against the peer's with the same engine, load and pacing, one verdict line per target.
//   node --import tsx bench/figure-ratios.ts REPORT.json…
// Both bots ask the same ten-update dialog, so per update and per family give the same ratios.
import { readFileSync } from "node:fs";
import { type BenchReport, parseReport } from "./report-file.ts";

/** Issue 14.7: ahead of the peer by 1.5× in updates/s and in CPU per update; p99 at 100 updates/s. */
const TARGET_SPEEDUP = 1.5;
const TARGET_P99_MS = 30;

const reports = process.argv
  .slice(2)
  .map((file) => parseReport(readFileSync(file, "utf8")))
  .filter((r): r is BenchReport => r !== undefined);
const key = (r: BenchReport) => `${r.db} ${r.pacedRate === "unpaced" ? "unpaced" : `paced ${r.pacedRate}/s`} ${r.families} families`;
const verdict = (met: boolean) => (met ? "met" : "NOT met");

const runsOf = (bot: string, where: string) => reports.filter((r) => r.bot === bot && key(r) === where);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Opora's figure against the peer's, run by run: the i-th Opora run with the i-th peer run of the
 * same kind (the script runs them back to back, so each pair saw the same machine), then the
 * median of those ratios. The machine's own speed drifts by 20 % and more within one script run,
 * which the median of each bot's runs taken apart would read as a difference between the bots.
 */
function pairedRatios(peer: string, where: string, ratio: (opora: BenchReport, peer: BenchReport) => number): number[] {
  const ours = runsOf("opora", where);
  const theirs = runsOf(peer, where);
  return ours.slice(0, theirs.length).map((r, i) => ratio(r, theirs[i]!));
}
const round = (n: number) => Number(n.toFixed(2));

// Verdicts against "peer", the obvious build the issue names; "peer-raw" (hand-tuned sessions) for comparison.
const PEERS = [
  { bot: "peer", name: "the peer", judged: true },
  { bot: "peer-raw", name: "the raw-SQL peer", judged: false },
];
for (const where of new Set(reports.filter((r) => r.bot === "opora").map(key))) {
  const ours = runsOf("opora", where);
  if (!where.includes(" unpaced ")) {
    const theirs = runsOf("peer", where);
    if (theirs.length === 0) continue;
    const p99 = median(ours.map((r) => r.latencyMs.p99));
    console.log(
      `${where}: p99 ${ours.map((r) => r.latencyMs.p99).join(" / ")} ms (the peer's ${theirs.map((r) => r.latencyMs.p99).join(" / ")}; target ≤ ${TARGET_P99_MS} ms — ${verdict(p99 <= TARGET_P99_MS)}); CPU per update ${ours.map((r) => r.botCpuMsPerUpdate).join(" / ")} vs ${theirs.map((r) => r.botCpuMsPerUpdate).join(" / ")} ms`,
    );
    // The same runs without their first seconds (bench-stats.ts, steadyLatencies): the load, not the start.
    // The verdict above stays on the whole run; this line is for comparison.
    const steady = (runs: BenchReport[]) => runs.flatMap((r) => (r.steadyLatencyMs ? [r.steadyLatencyMs] : []));
    const after = steady(ours)[0]?.afterS;
    if (after !== undefined) {
      const p99s = (runs: BenchReport[]) => steady(runs).map((s) => s.p99).join(" / ");
      console.log(`${where}, after the first ${after} s: p99 ${p99s(ours)} ms (the peer's ${p99s(theirs)}; for comparison)`);
    }
    continue;
  }
  for (const peer of PEERS) {
    // CPU: the peer's per update over Opora's, so "1.5×" reads the same way for both targets.
    const figures = [
      { what: "updates/s", ratios: pairedRatios(peer.bot, where, (o, p) => o.updatesPerSecond / p.updatesPerSecond) },
      { what: "CPU per update", ratios: pairedRatios(peer.bot, where, (o, p) => p.botCpuMsPerUpdate / o.botCpuMsPerUpdate) },
    ];
    for (const { what, ratios } of figures) {
      if (ratios.length === 0) continue;
      const m = median(ratios);
      const judged = peer.judged ? `target ≥ ${TARGET_SPEEDUP}× — ${verdict(m >= TARGET_SPEEDUP)}` : "for comparison";
      const each = ratios.length > 1 ? ` (run by run ${ratios.map((r) => `${round(r)}×`).join(" / ")})` : "";
      const how = what === "updates/s" ? `Opora's updates/s over ${peer.name}'s` : `${peer.name}'s CPU per update over Opora's`;
      console.log(`${where}: ${how} ${m.toFixed(2)}×${each}; ${judged}`);
    }
  }
}

// "Bot heap flat from 300 to 3,000 finished families": the heap left after a full GC, both paced.
const heapAfter = (families: number) =>
  reports.find((r) => r.bot === "opora" && r.db === "sqlite" && r.pacedRate !== "unpaced" && r.families === families)?.botHeapAfterGcMb.after;
const [small, large] = [heapAfter(300), heapAfter(3000)];
if (small != null && large != null) {
  console.log(`heap after a full GC: ${small} MB after 300 families, ${large} MB after 3,000 (${(large - small).toFixed(1)} MB more for 10× the families)`);
}
