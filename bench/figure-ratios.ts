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

for (const opora of reports.filter((r) => r.bot === "opora")) {
  const peer = reports.find((r) => r.bot === "peer" && key(r) === key(opora));
  if (!peer) continue;
  const where = key(opora);
  if (opora.pacedRate === "unpaced") {
    const speed = opora.updatesPerSecond / peer.updatesPerSecond;
    // CPU: the peer's per update over Opora's, so "1.5×" reads the same way for both targets.
    const cpu = peer.botCpuMsPerUpdate / opora.botCpuMsPerUpdate;
    console.log(
      `${where}: updates/s ${speed.toFixed(2)}× the peer's (${opora.updatesPerSecond} vs ${peer.updatesPerSecond}; target ≥ ${TARGET_SPEEDUP}× — ${verdict(speed >= TARGET_SPEEDUP)})`,
    );
    console.log(
      `${where}: CPU per update ${opora.botCpuMsPerUpdate} vs ${peer.botCpuMsPerUpdate} ms, the peer needs ${cpu.toFixed(2)}× Opora's (target ≥ ${TARGET_SPEEDUP}× — ${verdict(cpu >= TARGET_SPEEDUP)})`,
    );
  } else {
    const p99 = opora.latencyMs.p99;
    console.log(
      `${where}: p99 ${p99} ms (the peer's ${peer.latencyMs.p99}; target ≤ ${TARGET_P99_MS} ms — ${verdict(p99 <= TARGET_P99_MS)}); CPU per update ${opora.botCpuMsPerUpdate} vs ${peer.botCpuMsPerUpdate} ms`,
    );
  }
}

// "Bot heap flat from 300 to 3,000 finished families": the heap left after a full GC, both paced.
const heapAfter = (families: number) =>
  reports.find((r) => r.bot === "opora" && r.db === "sqlite" && r.pacedRate !== "unpaced" && r.families === families)?.botHeapAfterGcMb.after;
const [small, large] = [heapAfter(300), heapAfter(3000)];
if (small != null && large != null) {
  console.log(`heap after a full GC: ${small} MB after 300 families, ${large} MB after 3,000 (${(large - small).toFixed(1)} MB more for 10× the families)`);
}
