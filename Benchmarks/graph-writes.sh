#!/bin/sh
# Bulk ($batch) vs one-at-a-time ImmutableID writes against the in-process emulator with a
# scaled-down write quota. Prints a Markdown table (see Benchmarks/results/graph-writes.md).
# Arguments (all optional): writes quotaCount quotaSeconds latencyMs concurrency
set -eu
cd "$(dirname "$0")/.."
swift build --product anchorbridge-bench-graph >/dev/null
exec "$(swift build --show-bin-path)/anchorbridge-bench-graph" "$@"
