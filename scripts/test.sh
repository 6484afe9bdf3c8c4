#!/usr/bin/env bash
# Installs what the test suite needs (OpenSSH server and client for the real-sshd tests,
# tmux for the end-to-end test of the real binary, PostgreSQL for the direct-database jobs
# backend) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || {
  echo "cargo not found: install Rust >= 1.89 first (https://rustup.rs), then re-run $0" >&2
  exit 1
}

need=()
command -v cc >/dev/null || need+=(build-essential)   # rusqlite (bundled SQLite) and aws-lc build C
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v ssh-agent >/dev/null || need+=(openssh-client)
command -v tmux >/dev/null || need+=(tmux)
[ -x /usr/bin/kill ] || [ -x /bin/kill ] || need+=(procps)   # the sshd harness stops sshd with kill(1)
command -v useradd >/dev/null || need+=(passwd)         # as root, the harness logs in as a test user
# The direct-PostgreSQL backend is tested against a real server (initdb + pg_ctl), which
# Debian keeps off PATH under /usr/lib/postgresql/<version>/bin.
command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v openssl >/dev/null || need+=(openssl)        # the PostgreSQL test server's TLS certificate
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing test dependencies: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo test --locked "$@"
