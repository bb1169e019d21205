#!/bin/sh
# Keeps one function process running on this machine as Kubernetes keeps a pod's container: when
# the process exits on its own (a crash, an OOM, kill -9) it is started again after a backoff of
# 1 s doubling up to 30 s, back to 1 s once it has run for a minute. Every exit is written to the
# state file that `npm run infra -- status` and the start-up report read. SIGTERM/SIGINT stop the
# process and the keeper with it. A shell, not a Node process: ~1 MB per function instead of ~45.
#
# usage: keeper.sh <state-file> <command> [arguments...]
set -u
state=$1
shift
restarts=0
delay=1
child=
sleeper=
last=null

write_state() {
  printf '{"childPid":%s,"restarts":%s,"lastExit":%s}\n' "$1" "$restarts" "$last" >"$state.tmp" &&
    mv "$state.tmp" "$state"
}

stop() {
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  write_state null
  exit 0
}
trap stop TERM INT

while :; do
  started=$(date +%s)
  "$@" &
  child=$!
  write_state "$child"
  wait "$child"
  code=$?
  child=
  ended=$(date +%s)
  ran=$((ended - started))
  if [ "$code" -gt 128 ]; then
    reason="signal SIG$(kill -l $((code - 128)))"
  else
    reason="exit code $code"
  fi
  last="{\"reason\":\"$reason\",\"at\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"ranSeconds\":$ran}"
  [ "$ran" -ge 60 ] && delay=1
  restarts=$((restarts + 1))
  write_state null
  echo "{\"level\":\"warn\",\"keeper\":true,\"outcome\":\"restarting\",\"reason\":\"$reason\",\"ranSeconds\":$ran,\"restartInSeconds\":$delay,\"msg\":\"process exited; restarting\"}"
  sleep "$delay" &
  sleeper=$!
  wait "$sleeper"
  sleeper=
  delay=$((delay * 2))
  [ "$delay" -gt 30 ] && delay=30
done
