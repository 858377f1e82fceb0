# Sourced (not run) by the benchmarks that time one t3vp command: sets `root`, `t3vp` (the first
# argument when it is not an option, which is then shifted away; else build/t3vp) and `out` (a
# temporary directory, removed on exit). The remaining arguments stay in "$@".
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
t3vp="$root/build/t3vp"
if [[ $# -gt 0 && "$1" != --* ]]; then
  t3vp="$1"
  shift
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
