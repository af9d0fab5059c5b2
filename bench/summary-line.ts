// One line of a benchmark's JSON report (read from stdin), per update and per family (Opora and the
// peer both take 10 updates a family, so the two units agree).
//   node --expose-gc --import tsx bench/telegram-bench.ts … | node --import tsx bench/summary-line.ts [load]
import { parseReport } from "./report-file.ts";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const r = parseReport(input);
if (!r) {
  console.log(`no report: ${input.slice(-300)}`);
  process.exit(1);
}
const perFamily = r.updates / r.families;
const cells = [
  process.argv[2] ? `load ${process.argv[2]}` : "",
  `${r.bot} ${r.db}`,
  `${r.families} families`,
  r.pacedRate && r.pacedRate !== "unpaced" ? `paced ${r.pacedRate}/s` : "unpaced",
  `${r.updatesPerSecond} updates/s`,
  `${(r.updatesPerSecond / perFamily).toFixed(2)} families/s`,
  `CPU ${r.botCpuMsPerUpdate} ms/update, ${(r.botCpuMsPerUpdate * perFamily).toFixed(1)} ms/family`,
  `p50 ${r.latencyMs.p50} p95 ${r.latencyMs.p95} p99 ${r.latencyMs.p99} ms`,
  r.steadyLatencyMs && r.pacedRate !== "unpaced"
    ? `after the first ${r.steadyLatencyMs.afterS} s: p50 ${r.steadyLatencyMs.p50} p95 ${r.steadyLatencyMs.p95} p99 ${r.steadyLatencyMs.p99} ms`
    : "",
  `heap ${r.botHeapAfterGcMb.before} → ${r.botHeapAfterGcMb.after} MB`,
  JSON.stringify(r.outcomes),
];
console.log(cells.filter(Boolean).join(" | "));
