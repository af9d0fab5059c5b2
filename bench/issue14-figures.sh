#!/usr/bin/env bash
# Every figure of bench/README.md's "Opora against the peer build" in one go (about 12 minutes on
# the 2-core machine): Opora, the peer and the raw-SQL peer, unpaced, on SQLite and PostgreSQL; p50/p99 at 100
# updates/s; Opora's heap after 300 and after 3,000 finished families. One line per run, with the
# load average before it, then each target of issue 14 with its verdict. PostgreSQL: TEST_DATABASE_URL's server, or a throwaway cluster started
# here (.ci/postgres-setup.sh) and stopped at the end.
#   bash bench/issue14-figures.sh            # everything
#   bash bench/issue14-figures.sh quick      # without the 3,000-family heap run (about 8 minutes)
#   ROUNDS=3 bash bench/issue14-figures.sh   # the unpaced runs three times each
set -euo pipefail
cd "$(dirname "$0")/.."

stop_pg=""
if [[ ! "${TEST_DATABASE_URL:-}" =~ ^postgres ]]; then
  eval "$(bash .ci/postgres-setup.sh)"
  stop_pg=$PG_STOP
fi

# Each run's report is kept for the verdicts at the end (bench/figure-ratios.ts).
reports=$(mktemp -d)
trap 'rm -rf "$reports"; eval "$stop_pg"' EXIT
runs=0
run() {
  local load report
  load=$(cut -d' ' -f1 /proc/loadavg)
  runs=$((runs + 1))
  report="$reports/$(printf %02d "$runs").json"
  node --expose-gc --import tsx bench/telegram-bench.ts "$@" 2>/dev/null >"$report" || true
  node --import tsx bench/summary-line.ts "$load" <"$report"
}

# Unpaced: Opora, the peer (published @grammyjs/storage-prisma sessions) and the peer with raw-SQL
# sessions, one after the other, ROUNDS times (default 2): runs on this machine move by ±10 %, so
# the verdicts take each bot's median.
for _ in $(seq "${ROUNDS:-2}"); do
  for bot in opora peer peer-raw; do run --families 200 --db sqlite --bot "$bot"; done
  for bot in opora peer peer-raw; do run --families 150 --db postgres --bot "$bot"; done
done
run --families 300 --rate 100 --db sqlite
run --families 300 --rate 100 --db sqlite --bot peer
run --families 300 --rate 100 --db postgres
run --families 300 --rate 100 --db postgres --bot peer
if [[ "${1:-}" != "quick" ]]; then
  run --families 3000 --rate 100 --db sqlite
fi
echo
node --import tsx bench/figure-ratios.ts "$reports"/*.json
