#!/usr/bin/env bash
# Every benchmark of the project in one command (issue 8), each against its peer measured in the
# same run, summarised as ONE Markdown table (metric, AnchorBridge, peer, ratio, target, met?):
#   - AD pull: `anchorbridge ad users` vs `ldapsearch -E pr=1000/noprompt` (Benchmarks/ad-pull.sh)
#   - planning at 100k and 1M users vs a bare UPN hash join (anchorbridge-bench-plan, one core)
#   - tenant writes: bulk vs the quota ceiling and vs a one-at-a-time client (anchorbridge-bench-graph)
#   - incremental `run` vs full `run --full` (Benchmarks/run-incremental.sh)
# The table goes to stdout and (full runs) to Benchmarks/results/summary.md; each benchmark's raw
# output is appended to the summary. The detailed results files in Benchmarks/results/ are not
# touched. Uses the throwaway DC as it is (AB_STATE_DIR); ad-pull.sh and run-incremental.sh reseed
# it to 20,000 bulk users only when it holds fewer.
#
# Usage: Benchmarks/all.sh [--quick] [--runs N] [--only LIST] [--out FILE]
#   --quick      small and fast: planning 100k only, 2 runs, 300 writes at 100 / 5 s; prints the table
#                without writing summary.md unless --out is given
#   --runs N     runs per measurement (default: AD pull 5, planning 3 per size, incremental 5)
#   --only LIST  comma-separated subset of ad,plan,graph,run
#   --out FILE   where to write the summary (default Benchmarks/results/summary.md; "-" = nowhere)
# Environment:
#   AB_PREBUILT=1  use the release binaries as they are (no `swift build`); each can be overridden:
#   AB_BIN, AB_EMULATOR, AB_BENCH_PLAN, AB_BENCH_GRAPH  paths of anchorbridge, anchorbridge-emulator,
#                  anchorbridge-bench-plan, anchorbridge-bench-graph (default: the release bin path)
#   AB_RUN_BIN     the anchorbridge binary for the incremental-run benchmark only (default: AB_BIN)
#   AB_STATE_DIR   the DC's state directory (see Scripts/dc.sh)
#   AB_BENCH_NOTE  one line recorded under the summary's header (e.g. how a binary was built)
# Exit: 0 when every benchmark ran (targets met or not: see the table), 1 when one failed, 2 on usage.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
repo=$(pwd)
args_text="$*"

quick=no
runs=""
only="ad,plan,graph,run"
out=""
usage() { echo "usage: $0 [--quick] [--runs N] [--only ad,plan,graph,run] [--out FILE|-]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=yes; shift ;;
    --runs)
      [ $# -ge 2 ] || usage
      [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "all.sh: --runs needs a positive integer, got '$2'" >&2; exit 2; }
      runs="$2"; shift 2 ;;
    --only)
      [ $# -ge 2 ] || usage
      for part in ${2//,/ }; do
        case "$part" in ad | plan | graph | run) ;; *) echo "all.sh: --only: unknown benchmark '$part' (ad,plan,graph,run)" >&2; exit 2 ;; esac
      done
      only="$2"; shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out="$2"; shift 2 ;;
    -h | --help) sed -n '2,26p' "$script" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "all.sh: unknown option '$1'" >&2; usage ;;
  esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }

if [ "$quick" = yes ]; then
  ad_runs=${runs:-2}; plan_runs=${runs:-2}; run_runs=${runs:-2}
  plan_sizes="100000"
  graph_args=(300 100 5 100 8)   # writes quotaCount quotaSeconds latencyMs concurrency
  out=${out:--}
else
  ad_runs=${runs:-5}; plan_runs=${runs:-3}; run_runs=${runs:-5}
  plan_sizes="100000 1000000"
  graph_args=(1000 300 15 100 8) # issue 4: 1,000 writes, 300 / 15 s, 100 ms latency
  out=${out:-Benchmarks/results/summary.md}
fi

# Release products, built unless AB_PREBUILT=1.
products=()
wants ad && products+=(anchorbridge)
wants run && products+=(anchorbridge anchorbridge-emulator)
wants plan && products+=(anchorbridge-bench-plan)
wants graph && products+=(anchorbridge-bench-graph)
if [ "${AB_PREBUILT:-0}" = 1 ]; then
  bindir="$repo/.build/release"
else
  for product in $(printf '%s\n' "${products[@]}" | sort -u); do
    echo "all.sh: swift build -c release --static-swift-stdlib --product $product" >&2
    swift build -c release --static-swift-stdlib --product "$product" >&2
  done
  bindir=$(swift build -c release --static-swift-stdlib --show-bin-path)
fi
bin=${AB_BIN:-$bindir/anchorbridge}
run_bin=${AB_RUN_BIN:-$bin}
emulator=${AB_EMULATOR:-$bindir/anchorbridge-emulator}
bench_plan=${AB_BENCH_PLAN:-$bindir/anchorbridge-bench-plan}
bench_graph=${AB_BENCH_GRAPH:-$bindir/anchorbridge-bench-graph}
need() { # path, the variable that overrides it
  [ -x "$1" ] || { echo "all.sh: no executable at $1 (build it, or set $2 to its path)" >&2; exit 1; }
}
if wants ad || wants run; then need "$bin" AB_BIN; fi
if wants run; then need "$run_bin" AB_RUN_BIN; need "$emulator" AB_EMULATOR; fi
if wants plan; then need "$bench_plan" AB_BENCH_PLAN; fi
if wants graph; then need "$bench_graph" AB_BENCH_GRAPH; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date -u '+%Y-%m-%d %H:%M:%S')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
failed=0

# Runs one benchmark: its stdout goes to $work/NAME.out, its stderr to $work/NAME.err and the terminal;
# the exit status is recorded in $work/NAME.rc (a failure is reported in the table, not fatal here).
bench() {
  local name="$1"; shift
  echo "all.sh: [$name] $(date -u +%H:%M:%S) $*" >&2
  local rc=0
  "$@" >"$work/$name.out" 2> >(tee "$work/$name.err" >&2) || rc=$?
  echo "$rc" >"$work/$name.rc"
  [ "$rc" = 0 ] || { echo "all.sh: [$name] failed with exit $rc" >&2; failed=1; }
}

if wants ad; then
  bench ad env AB_BIN="$bin" Benchmarks/ad-pull.sh --runs "$ad_runs"
fi
if wants plan; then
  # Each size in its own process (peak RSS per size), pinned to one core (issue 3: "on one core"),
  # planning only; the wrapper tags each result row with its run so the summary can take medians.
  # shellcheck disable=SC2317  # invoked through bench
  plan_once() {
    local size="$1" run="$2" text
    text=$(BENCH_SKIP_JSON=1 taskset -c 0 "$bench_plan" "$size") || return $?
    printf '%s\n' "$text" | sed -n "s/^| $size |/BENCH plan run=$run size=$size row=&/p"
    printf '%s\n' "$text" | grep -v '^| ' | grep -v '^|---' || true
  }
  # shellcheck disable=SC2317
  plan_all() {
    local size run
    for run in $(seq "$plan_runs"); do   # sizes alternate within a run, as in results/plan.md
      for size in $plan_sizes; do plan_once "$size" "$run" || return $?; done
    done
  }
  bench plan plan_all
fi
if wants graph; then
  bench graph "$bench_graph" "${graph_args[@]}"
fi
if wants run; then
  bench run env AB_BIN="$run_bin" AB_EMULATOR="$emulator" Benchmarks/run-incremental.sh --runs "$run_runs"
fi

finished=$(date -u '+%Y-%m-%d %H:%M:%S')
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)

python3 - "$work" "$only" "$quick" <<'PY' >"$work/summary.md"
import os, re, statistics, sys
work, only, quick = sys.argv[1], sys.argv[2].split(","), sys.argv[3] == "yes"

def text(name):
    path = os.path.join(work, name + ".out")
    return open(path).read() if os.path.exists(path) else ""
def rc(name):
    path = os.path.join(work, name + ".rc")
    return open(path).read().strip() if os.path.exists(path) else "not run"
def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]
def table_row(name, label):
    for line in text(name).splitlines():
        if line.startswith("|") and cells(line)[0] == label:
            return cells(line)
    return None
def num(s):
    return float(s.replace(",", "").rstrip("x×"))
def f(x, d=2):
    return f"{x:,.{d}f}"
def met(ok):
    return "**yes**" if ok else "**no**"

rows = []  # (metric, anchorbridge, peer, ratio, target, met)
def missing(label, name):
    rows.append((label, "—", "—", "—", "—", f"no figures (exit {rc(name)}; see its raw output)"))

if "ad" in only:
    wall, cpu, rss, entries = (table_row("ad", k) for k in
        ("wall time (s)", "client CPU user+sys (s)", "peak RSS (MB)", "entries"))
    if wall and cpu and rss and entries:
        peer = "ldapsearch -E pr=1000"
        rows.append((f"AD pull, wall time (s); peer {peer}", wall[1], wall[2], wall[3], "ratio <= 1.0", met(num(wall[3]) <= 1.0)))
        rows.append(("AD pull, client CPU user+sys (s)", cpu[1], cpu[2], cpu[3], "ratio <= 1.0", met(num(cpu[3]) <= 1.0)))
        rows.append(("AD pull, peak RSS (MB)", rss[1], rss[2], rss[3], "AnchorBridge <= 150 MB", met(num(rss[1]) <= 150)))
        rows.append(("AD pull, entries read", entries[1], entries[2], "", "equal", met(entries[1] == entries[2])))
    else:
        missing("AD pull", "ad")

if "plan" in only:
    runs = {}
    for m in re.finditer(r"^BENCH plan run=(\d+) size=(\d+) row=(.*)$", text("plan"), re.M):
        c = cells(m.group(3))
        runs.setdefault(int(m.group(2)), []).append({"cpu": num(c[2]), "peer": num(c[3]), "rss": num(c[5]), "ratio": num(c[2]) / num(c[3])})
    if not runs:
        missing("Planning", "plan")
    med = {}
    for size in sorted(runs):
        rs = runs[size]
        plan_cpu = statistics.median(r["cpu"] for r in rs)
        peer_cpu = statistics.median(r["peer"] for r in rs)
        rss = max(r["rss"] for r in rs)
        ratio = statistics.median(r["ratio"] for r in rs)  # planner / join of the same process
        med[size] = (plan_cpu, peer_cpu)
        label = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"
        spread = f" ({min(r['cpu'] for r in rs):.3f}-{max(r['cpu'] for r in rs):.3f})" if len(rs) > 1 else ""
        target, ok = ("", "")
        if size == 1_000_000:
            target, ok = "AnchorBridge <= 2 s", met(plan_cpu <= 2.0)
        rows.append((f"Planning {label} x {label}, CPU s on one core, median of {len(rs)}; peer bare UPN hash join",
                     f"{plan_cpu:.3f}{spread}", f"{peer_cpu:.3f}", f"{ratio:.2f} (median per run)", target, ok))
        target, ok = ("", "")
        if size == 1_000_000:
            target, ok = "<= 1,024 MiB", met(rss <= 1024)
        rows.append((f"Planning {label} x {label}, peak RSS inputs + planner (MiB)", f"{rss:,.0f}", "", "", target, ok))
    if 100_000 in med and 1_000_000 in med:
        ab = med[1_000_000][0] / med[100_000][0]
        peer = med[1_000_000][1] / med[100_000][1]
        rows.append(("Planning scaling 100k -> 1M, CPU growth for 10x users", f"{ab:.1f}x", f"{peer:.1f}x",
                     f"{ab / peer:.2f}", "linear: ratio <= 1.1 (no worse than the join)", met(ab / peer <= 1.1)))

if "graph" in only:
    head = re.search(r"writes: (\d+), quota: (\d+) / (\d+) s \(ceiling ([\d.]+) writes/s\)", text("graph"))
    rows_g = [cells(l) for l in text("graph").splitlines() if l.startswith("| ") and not l.startswith("| path")]
    bulk = next((r for r in rows_g if r[0].startswith("bulk (")), None)
    seq = next((r for r in rows_g if r[0].startswith("one at a time")), None)
    if head and bulk and seq:
        writes, qc, qs, ceiling = int(head[1]), int(head[2]), int(head[3]), float(head[4])
        ideal = ((writes + qc - 1) // qc - 1) * qs
        bwall, swall = num(bulk[2]), num(seq[2])
        brate = writes / bwall
        rows.append((f"Tenant writes ({writes:,}, quota {qc}/{qs} s, 100 ms), bulk rate vs quota ceiling (writes/s)",
                     f"{brate:.1f}", f"{ceiling:.1f} (ceiling)", f"{brate / ceiling:.2f}", ">= 0.95", met(brate / ceiling >= 0.95)))
        rows.append(("Tenant writes, bulk wall time vs the quota's fastest schedule (s)", f"{bwall:.1f}", f"{ideal:.1f} (ideal)",
                     f"{ideal / bwall:.2f} (ideal / wall)", ">= 0.95", met(ideal / bwall >= 0.95)))
        rows.append(("Tenant writes, wall time vs one-at-a-time PATCH client (s)", f"{bwall:.1f}", f"{swall:.1f}",
                     f"{bwall / swall:.2f} ({swall / bwall:.1f}x faster)", "ratio < 1", met(bwall < swall)))
        fails = lambda r: f"{r[6]} / {r[7]} / {r[8]}"
        rows.append(("Tenant writes, failed / duplicated / wrong value", fails(bulk), fails(seq), "",
                     "0 / 0 / 0", met(bulk[6] == bulk[7] == bulk[8] == "0")))
    else:
        missing("Tenant writes", "graph")

if "run" in only:
    wall, cpu = table_row("run", "wall time (s)"), table_row("run", "client CPU user+sys (s)")
    if wall and cpu:
        # The script's table is full | incremental | ratio; AnchorBridge's measured path is the incremental run.
        rows.append(("Incremental run (nothing changed) vs full run --full, wall time (s)", f"{num(wall[2]):.2f}", f"{num(wall[1]):.2f}",
                     f"{num(wall[3]):.3f}", "ratio <= 0.10", met(num(wall[3]) <= 0.10)))
        rows.append(("Incremental vs full run, client CPU user+sys (s)", f"{num(cpu[2]):.2f}", f"{num(cpu[1]):.2f}", f"{num(cpu[3]):.3f}", "", ""))
    else:
        missing("Incremental run", "run")

print("| metric | AnchorBridge | peer | ratio | target | met? |")
print("|---|---:|---:|---:|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
PY

{
  echo "# Benchmark summary (Benchmarks/all.sh)"
  echo
  echo "Command: \`Benchmarks/all.sh${args_text:+ $args_text}\`$([ "${AB_PREBUILT:-0}" = 1 ] && echo " with AB_PREBUILT=1")"
  echo "date: $started - $finished UTC, commit: $commit, host: $(uname -m), $cpu, cores: $(nproc),"
  echo "load average (1/5/15 min): $load_start at start, $load_end at the end"
  used=()
  describe() { used+=("${1#"$repo"/} (built $(date -u -r "$1" '+%H:%M'))${2:-}"); }
  { wants ad || wants run; } && describe "$bin"
  wants run && [ "$run_bin" != "$bin" ] && describe "$run_bin" " for the incremental run"
  wants run && describe "$emulator"
  wants plan && describe "$bench_plan"
  wants graph && describe "$bench_graph"
  joined=$(printf '%s, ' "${used[@]}")
  echo "binaries: ${joined%, }"
  [ -z "${AB_BENCH_NOTE:-}" ] || echo "note: $AB_BENCH_NOTE"
  echo
  echo "Every row's peer is measured in the same run. AD pull and incremental runs: medians of $ad_runs / $run_runs"
  echo "alternating runs against the shared Samba DC; planning: each size in its own process pinned to"
  echo "CPU 0, $plan_runs runs, planning only (BENCH_SKIP_JSON=1); tenant writes: one run of each client"
  echo "against a fresh emulator (\`anchorbridge-bench-graph ${graph_args[*]}\`)."
  echo
  cat "$work/summary.md"
} >"$work/head.md"

cat "$work/head.md"
if [ "$out" != "-" ]; then
  {
    cat "$work/head.md"
    echo
    echo "## Raw output of each benchmark"
    for name in ad plan graph run; do
      wants "$name" || continue
      echo
      echo "### $name (exit $(cat "$work/$name.rc" 2>/dev/null || echo 'not run'))"
      echo
      echo '```'
      cat "$work/$name.out" 2>/dev/null || true
      echo '```'
    done
  } >"$out"
  echo "all.sh: wrote $out" >&2
fi
exit "$failed"
