#!/usr/bin/env bash
# Measures the DESIGN §8 budgets of a release build; docs/performance.md records the
# figures this printed. Nothing of the real user is touched: the binary runs with env -i,
# a throwaway HOME and XDG dirs, so it reads no config, no ~/.ssh and writes its SQLite
# file and log under a temp dir.
#
# usage: scripts/measure-perf.sh [BINARY] [IDLE_SECONDS] [CONFIG_TOML]
#   BINARY        default target/release/sparkdeck ($CARGO_TARGET_DIR honoured)
#   IDLE_SECONDS  length of the idle window, default 60
#   CONFIG_TOML   a config file to run with (e.g. a longer general.tick_ms, to see what
#                 the clock tick costs); default: none, built-in defaults
# needs: tmux, python3, hyperfine (apt-get install -y hyperfine)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${CARGO_TARGET_DIR:-$here/../target}/release/sparkdeck}
bin=$(realpath "$bin")
window=${2:-60}
config=${3:-}
[[ -x $bin ]] || { echo "no binary at $bin; run cargo build --release first" >&2; exit 1; }
for tool in tmux python3 hyperfine; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/sparkdeck-perf.XXXXXX)
socket="sparkdeck-perf-$$"
cleanup() {
    tmux -L "$socket" kill-server 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir"/{home,config/sparkdeck,data,state}
if [[ -n $config ]]; then
    cp "$config" "$dir/config/sparkdeck/config.toml"
    echo "config: $config"; sed 's/^/  /' "$config"
fi
isolated=(env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME="$dir/home"
    XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/data" XDG_STATE_HOME="$dir/state")

echo "== machine"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "kernel: $(uname -r); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin ($(stat -c %s "$bin") bytes)"

echo "== first frame (pty 120x40, exec to complete frame)"
# The first run creates the SQLite file; the ones after it open an existing one, as every
# start but the very first does.
"${isolated[@]}" python3 "$here/first-frame.py" "$bin" 11

echo "== snapshot --json (local)"
"${isolated[@]}" "$bin" snapshot --json >/dev/null
hyperfine --warmup 3 --runs 30 -N \
    "${isolated[*]} $bin snapshot --json" 2>&1 | sed 's/^/  /'
"${isolated[@]}" /usr/bin/time -v "$bin" snapshot --json 2>&1 >/dev/null |
    grep -E 'Maximum resident|Elapsed' | sed 's/^\s*/  /'

echo "== idle TUI (tmux 120x40, Connections tab, ${window}s)"
tmux -L "$socket" -f /dev/null new-session -d -s perf -x 120 -y 40 \
    "${isolated[*]} $bin"
pid=""
for _ in $(seq 50); do
    pane=$(tmux -L "$socket" display-message -p -t perf '#{pane_pid}')
    pid=$(pgrep -P "$pane" -x sparkdeck || true)
    [[ -z $pid && $(readlink "/proc/$pane/exe" 2>/dev/null) == "$bin" ]] && pid=$pane
    [[ -n $pid ]] && break
    sleep 0.1
done
[[ -n $pid ]] || { echo "sparkdeck did not start in tmux" >&2; exit 1; }
# Let the local connection come up and its facts arrive before the window opens.
sleep 5
tmux -L "$socket" capture-pane -p -t perf | head -4 | sed 's/^/  | /'

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# Per-thread run time in ns: a finer clock than CLK_TCK for a figure this small.
run_ns() { cat /proc/"$pid"/task/*/schedstat | awk '{s += $1} END {print s}'; }
switches() {
    cat /proc/"$pid"/task/*/status |
        awk '/^(non)?voluntary_ctxt_switches/ {s += $2} END {print s}'
}
t0=$(cpu_ticks); ns0=$(run_ns); sw0=$(switches); start=$(date +%s.%N)
sleep "$window"
t1=$(cpu_ticks); ns1=$(run_ns); sw1=$(switches); end=$(date +%s.%N)
threads=$(ls /proc/"$pid"/task | wc -l)
awk -v t0="$t0" -v t1="$t1" -v hz="$hz" -v s="$start" -v e="$end" \
    -v n0="$ns0" -v n1="$ns1" -v w0="$sw0" -v w1="$sw1" -v th="$threads" 'BEGIN {
    secs = e - s
    printf "  window %.1f s, CLK_TCK %d, %d threads\n", secs, hz, th
    printf "  utime+stime: %d ticks = %.3f %% of one core\n", t1 - t0, 100 * (t1 - t0) / hz / secs
    printf "  schedstat run time: %.1f ms = %.3f %% of one core\n", (n1 - n0) / 1e6, 100 * (n1 - n0) / 1e9 / secs
    printf "  context switches: %d (%.1f per second)\n", w1 - w0, (w1 - w0) / secs
}'
grep -E '^(VmHWM|VmRSS)' "/proc/$pid/status" | sed 's/^/  /'
tmux -L "$socket" send-keys -t perf q
