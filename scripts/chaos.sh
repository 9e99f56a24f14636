#!/usr/bin/env bash
# Two kefu instances on one PostgreSQL database, the load tool spread over both, and one instance killed with
# SIGKILL in the middle of the run. The load tool's clients on the killed instance reconnect to the other and
# resume by sequence number; its JSON report says what was lost or doubled and the figures before and after.
#
#   scripts/chaos.sh 'postgres://user@host:5432/empty_db' [customers] [messages] [rate] [kill_after_seconds]
#
# Needs a release build (swift build -c release --product kefu; or KEFU_BIN=path) and an empty database. The
# instances listen on ports 8201 and 8202 (CHAOS_PORT_A, CHAOS_PORT_B). With CHAOS_FAULT set to a shell command, that
# command runs instead of the kill (e.g. restarting PostgreSQL: both instances stay up and must reconnect).
set -euo pipefail
cd "$(dirname "$0")/.."
db="$1"; customers="${2:-250}"; messages="${3:-400}"; rate="${4:-2}"; kill_after="${5:-60}"
kefu="${KEFU_BIN:-.build/release/kefu}"
port_a="${CHAOS_PORT_A:-8201}"; port_b="${CHAOS_PORT_B:-8202}"
work="$(mktemp -d)"
export KEFU_DATABASE_URL="$db" KEFU_SECRET_KEY="chaos-secret-key-that-is-long-enough-0123456789"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

ready() {
  local deadline=$((SECONDS + 120))
  until curl -sf "http://127.0.0.1:$1/ready" >/dev/null; do
    if [ $SECONDS -gt $deadline ]; then echo "instance on port $1 did not become ready"; exit 1; fi
    sleep 0.2
  done
}

"$kefu" serve --demo --data-dir "$work/a" --port "$port_a" > "$work/a.log" 2>&1 & pids+=($!); victim=$!
ready "$port_a"
"$kefu" serve --data-dir "$work/b" --port "$port_b" > "$work/b.log" 2>&1 & pids+=($!)
ready "$port_b"
password="$(grep -m1 '^Demo owner: ' "$work/a.log" | sed -E 's/.* password: //')"

echo "$password" | "$kefu" bench chat --url "http://127.0.0.1:$port_a" --url "http://127.0.0.1:$port_b" \
  --email owner@demo-shop.example --password-stdin --customers "$customers" --messages "$messages" --rate "$rate" \
  --json > "$work/report.json" &
bench=$!
sleep "$kill_after"
if [ -n "${CHAOS_FAULT:-}" ]; then
  echo "fault: $CHAOS_FAULT" >&2
  sh -c "$CHAOS_FAULT" >&2
else
  echo "killing instance A (pid $victim) with SIGKILL" >&2
  kill -9 "$victim"
fi
wait "$bench"
cat "$work/report.json"
