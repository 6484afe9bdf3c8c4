#!/usr/bin/env bash
# Idle cost of the release TUI on the GPU tab (DESIGN §8: ≤ 0.15 % of a core locally,
# ≤ 0.3 % with a remote GPU stream, RSS ≤ 12 MB, no process per tick once streams run).
# docs/performance.md records what this printed.
#
# usage: scripts/measure-gpu.sh local|ssh [BINARY] [WINDOW_SECONDS]
#   local  the GPU tab of the local connection (no GPU on the reference machine: the
#          no-GPU state)
#   ssh    the GPU tab of a throwaway sshd on 127.0.0.1 whose PATH starts with
#          scripts/fake-nvidia-smi.py installed as `nvidia-smi` (GB10-shaped stream)
# Two windows follow each other: first sparkdeck's own CPU (utime+stime, schedstat) and
# RSS, untraced; then the processes started, counted with strace -f -e execve (on
# sparkdeck itself locally; on every sshd process of the session over SSH, i.e. what runs
# on the "Spark").
# The binary runs with env -i and a temp HOME / XDG dirs: no real config, ~/.ssh or
# database is touched. Needs tmux, strace, python3, and (ssh) openssh-server; run as root
# (the sshd logs in as the user sshtest, created if missing) or as a normal user.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: measure-gpu.sh local|ssh [BINARY] [WINDOW_SECONDS]}
bin=${2:-${CARGO_TARGET_DIR:-$here/../target}/release/sparkdeck}
bin=$(realpath "$bin")
window=${3:-60}
[[ $mode == local || $mode == ssh ]] || { echo "mode is local or ssh" >&2; exit 2; }
[[ -x $bin ]] || { echo "no binary at $bin; run cargo build --release first" >&2; exit 1; }
for tool in tmux python3 strace; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/sparkdeck-gpuperf.XXXXXX)
chmod 755 "$dir"
socket="sparkdeck-gpuperf-$$"
sshd_pid=""
cleanup() {
    tmux -L "$socket" kill-server 2>/dev/null || true
    [[ -n $sshd_pid ]] && kill "$sshd_pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir"/{home/.ssh,config/sparkdeck,data,state}
isolated=(env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME="$dir/home"
    XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/data" XDG_STATE_HOME="$dir/state")

echo "== machine"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); mode: $mode"
echo "nproc: $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin ($(stat -c %s "$bin") bytes)"

args=()
if [[ $mode == ssh ]]; then
    user=$(id -un)
    if [[ $(id -u) == 0 ]]; then
        # OpenSSH refuses some session requests for root; log in as an ordinary user.
        mkdir -p -m 0755 /run/sshd
        user=sshtest
        id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
        usermod -p '*' "$user"
    fi
    mkdir -m 755 "$dir/bin"
    install -m 755 "$here/fake-nvidia-smi.py" "$dir/bin/nvidia-smi"
    : >"$dir/smi.log"; chmod 666 "$dir/smi.log"
    ssh-keygen -q -t ed25519 -N '' -C gpuperf-host -f "$dir/host_ed25519"
    ssh-keygen -q -t ed25519 -N '' -C gpuperf-client -f "$dir/client_ed25519"
    cp "$dir/client_ed25519.pub" "$dir/authorized_keys"; chmod 644 "$dir/authorized_keys"
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    cat >"$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
UsePAM no
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
MaxSessions 10
LogLevel VERBOSE
SetEnv PATH=$dir/bin:/usr/local/bin:/usr/bin:/bin FAKE_SMI_LOG=$dir/smi.log
CONF
    /usr/sbin/sshd -t -f "$dir/sshd_config"
    /usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>"$dir/sshd.log" &
    sshd_pid=$!
    for _ in $(seq 50); do grep -q "Server listening" "$dir/sshd.log" && break; sleep 0.1; done
    printf 'Host testspark\n    HostName 127.0.0.1\n    Port %s\n    User %s\n    IdentityFile %s\n' \
        "$port" "$user" "$dir/client_ed25519" >"$dir/home/.ssh/config"
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/home/.ssh/known_hosts"
    args=(--host testspark)
fi

echo "== TUI on the GPU tab (tmux 120x40)"
tmux -L "$socket" -f /dev/null new-session -d -s perf -x 120 -y 40 \
    "${isolated[*]} $bin ${args[*]}"
pid=""
for _ in $(seq 50); do
    pane=$(tmux -L "$socket" display-message -p -t perf '#{pane_pid}')
    pid=$(pgrep -P "$pane" -x sparkdeck || true)
    [[ -z $pid && $(readlink "/proc/$pane/exe" 2>/dev/null) == "$bin" ]] && pid=$pane
    [[ -n $pid ]] && break
    sleep 0.1
done
[[ -n $pid ]] || { echo "sparkdeck did not start in tmux" >&2; exit 1; }
sleep 2
tmux -L "$socket" send-keys -t perf 2
if [[ $mode == ssh ]]; then
    for _ in $(seq 150); do
        tmux -L "$socket" capture-pane -p -t perf | grep -q 'GB10' && break
        sleep 0.2
    done
fi
# Let the first process poll and the first samples arrive before the window opens.
sleep 12
tmux -L "$socket" capture-pane -p -t perf | head -14 | sed 's/^/  | /'

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
run_ns() { cat /proc/"$pid"/task/*/schedstat | awk '{s += $1} END {print s}'; }
switches() {
    cat /proc/"$pid"/task/*/status |
        awk '/^(non)?voluntary_ctxt_switches/ {s += $2} END {print s}'
}
smi_runs() { [[ -f $dir/smi.log ]] && wc -l <"$dir/smi.log" || echo 0; }
channels() { [[ -f $dir/sshd.log ]] && grep -c 'Starting session' "$dir/sshd.log" || echo 0; }
t0=$(cpu_ticks); ns0=$(run_ns); sw0=$(switches); r0=$(smi_runs); c0=$(channels)
start=$(date +%s.%N)
sleep "$window"
t1=$(cpu_ticks); ns1=$(run_ns); sw1=$(switches); r1=$(smi_runs); c1=$(channels)
end=$(date +%s.%N)
threads=$(ls /proc/"$pid"/task | wc -l)
echo "== window 1: CPU and memory (untraced)"
awk -v t0="$t0" -v t1="$t1" -v hz="$hz" -v s="$start" -v e="$end" \
    -v n0="$ns0" -v n1="$ns1" -v w0="$sw0" -v w1="$sw1" -v th="$threads" 'BEGIN {
    secs = e - s
    printf "  window %.1f s, CLK_TCK %d, %d threads\n", secs, hz, th
    printf "  utime+stime: %d ticks = %.3f %% of one core\n", t1 - t0, 100 * (t1 - t0) / hz / secs
    printf "  schedstat run time: %.1f ms = %.3f %% of one core\n", (n1 - n0) / 1e6, 100 * (n1 - n0) / 1e9 / secs
    printf "  context switches: %d (%.1f per second)\n", w1 - w0, (w1 - w0) / secs
}'
grep -E '^(VmHWM|VmRSS|RssAnon|RssFile)' "/proc/$pid/status" | sed 's/^/  /'
echo "  largest mappings by Rss (kB):"
awk '/^[0-9a-f]+-[0-9a-f]+ / {m = $2 " " ($6 == "" ? "[anon]" : $6)}
     /^Rss:/ {r[m] += $2} END {for (k in r) print r[k], k}' "/proc/$pid/smaps" |
    sort -rn | head -8 | sed 's/^/    /'
echo "  nvidia-smi runs in the window: $((r1 - r0)); SSH sessions (channels) opened: $((c1 - c0))"

echo "== window 2: processes started (strace -f -e execve, ${window}s)"
if [[ $mode == ssh ]]; then
    # Every sshd process of the connection: the per-channel shells are forked from them.
    tree() { echo "$1"; for c in $(pgrep -P "$1"); do tree "$c"; done; }
    targets=$(tree "$sshd_pid" | grep -v "^$sshd_pid\$" | sed 's/^/-p /' | tr '\n' ' ')
else
    targets="-p $pid"
fi
r0=$(smi_runs); c0=$(channels)
# shellcheck disable=SC2086
timeout -s INT "$window" strace -f -qq -e trace=execve -e signal=none $targets \
    -o "$dir/exec.log" 2>/dev/null || true
r1=$(smi_runs); c1=$(channels)
execs=$(grep -c 'execve(' "$dir/exec.log" || true)
echo "  processes exec'd: $execs; nvidia-smi runs: $((r1 - r0)); SSH channels: $((c1 - c0))"
grep -o 'execve("[^"]*"' "$dir/exec.log" | sort | uniq -c | sed 's/^/  /' || true
if [[ $mode == ssh ]]; then
    echo "  nvidia-smi invocations since start (fake's log):"
    cut -d' ' -f2- "$dir/smi.log" | cut -c1-60 | sort | uniq -c | sed 's/^/  /'
fi
tmux -L "$socket" send-keys -t perf q
