// Issue 14's targets, checked on the reports of one `bench/issue14-figures.sh` run: each Opora run
// against the peer's run with the same engine, load and pacing, one verdict line per target.
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

/** The median of one bot's runs with this key (runs move by ±10 % on the bench machine). */
function median(bot: string, where: string, figure: (r: BenchReport) => number): number | undefined {
  const values = reports
    .filter((r) => r.bot === bot && key(r) === where)
    .map(figure)
    .sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  const mid = Math.floor(values.length / 2);
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}
const round = (n: number) => Number(n.toFixed(2));

// Verdicts against "peer", the obvious build the issue names; "peer-raw" (hand-tuned sessions) for comparison.
const PEERS = [
  { bot: "peer", name: "the peer", judged: true },
  { bot: "peer-raw", name: "the raw-SQL peer", judged: false },
];
for (const where of new Set(reports.filter((r) => r.bot === "opora").map(key))) {
  const runs = reports.filter((r) => r.bot === "opora" && key(r) === where).length;
  const label = `${where}${runs > 1 ? ` (median of ${runs})` : ""}`;
  const speed = (bot: string) => median(bot, where, (r) => r.updatesPerSecond);
  const cpu = (bot: string) => median(bot, where, (r) => r.botCpuMsPerUpdate);
  const p99 = (bot: string) => median(bot, where, (r) => r.latencyMs.p99);
  const [ours, ourCpu] = [speed("opora")!, cpu("opora")!];
  if (!where.includes(" unpaced ")) {
    const [mine, theirs] = [p99("opora")!, p99("peer")];
    if (theirs === undefined) continue;
    console.log(
      `${label}: p99 ${mine} ms (the peer's ${theirs}; target ≤ ${TARGET_P99_MS} ms — ${verdict(mine <= TARGET_P99_MS)}); CPU per update ${round(ourCpu)} vs ${round(cpu("peer")!)} ms`,
    );
    continue;
  }
  for (const peer of PEERS) {
    const [theirs, theirCpu] = [speed(peer.bot), cpu(peer.bot)];
    if (theirs === undefined || theirCpu === undefined) continue;
    const faster = ours / theirs;
    // CPU: the peer's per update over Opora's, so "1.5×" reads the same way for both targets.
    const cheaper = theirCpu / ourCpu;
    const judge = (ratio: number) => (peer.judged ? `target ≥ ${TARGET_SPEEDUP}× — ${verdict(ratio >= TARGET_SPEEDUP)}` : "for comparison");
    console.log(`${label}: updates/s ${faster.toFixed(2)}× ${peer.name}'s (${round(ours)} vs ${round(theirs)}; ${judge(faster)})`);
    console.log(`${label}: CPU per update ${round(ourCpu)} vs ${round(theirCpu)} ms, ${peer.name} needs ${cheaper.toFixed(2)}× Opora's (${judge(cheaper)})`);
  }
}

// "Bot heap flat from 300 to 3,000 finished families": the heap left after a full GC, both paced.
const heapAfter = (families: number) =>
  reports.find((r) => r.bot === "opora" && r.db === "sqlite" && r.pacedRate !== "unpaced" && r.families === families)?.botHeapAfterGcMb.after;
const [small, large] = [heapAfter(300), heapAfter(3000)];
if (small != null && large != null) {
  console.log(`heap after a full GC: ${small} MB after 300 families, ${large} MB after 3,000 (${(large - small).toFixed(1)} MB more for 10× the families)`);
}
