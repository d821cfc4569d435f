#!/usr/bin/env bash
# The whole pipeline on the bundled fixtures: an embedded Kafka-protocol
# broker (unless KAFKA_BROKERS names a real one), the matcher, the reporter
# following the candidates, and ingest of the brands and listings.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
LOGS=$BIN/demo
mkdir -p "$LOGS"
pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "== stopping"
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "== stopped; logs in $LOGS/"
}
trap stop INT TERM EXIT

if [ -z "${KAFKA_BROKERS:-}" ]; then
  BROKERS=127.0.0.1:9092
  "$BIN/devbroker" --port 9092 >"$LOGS/devbroker.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null && break
    sleep 0.1
  done
  echo "== embedded broker (kfake) on $BROKERS   (set KAFKA_BROKERS=host:port to use a real Kafka)"
else
  BROKERS=$KAFKA_BROKERS
  echo "== using Kafka at $BROKERS"
fi
export KAFKA_BROKERS=$BROKERS

echo "== ingest brands fixtures/brands.yaml"
"$BIN/ingest" brands fixtures/brands.yaml | tail -n 1

# --image-dir: the fixtures name their photos by relative path; listings
# with http(s) image URLs are fetched (loopback and private hosts refused).
"$BIN/matcher" run --listen 127.0.0.1:9101 --image-dir fixtures --group "assay-demo-$$" >"$LOGS/matcher.log" 2>&1 &
pids+=($!)
echo "== matcher running: metrics http://127.0.0.1:9101/metrics, log $LOGS/matcher.log"

rm -rf "$LOGS"/cases.db*
"$BIN/reporter" run --db "$LOGS/cases.db" --listen 127.0.0.1:8090 --image-dir fixtures --group "assay-demo-reporter-$$" >"$LOGS/reporter.log" 2>&1 &
pids+=($!)
echo "== reporter storing cases in $LOGS/cases.db; analyst UI: http://127.0.0.1:8090/cases"
for _ in $(seq 100); do
  curl -sf http://127.0.0.1:9101/readyz >/dev/null 2>&1 && break
  sleep 0.1
done
echo "== ingest publish fixtures/listings.jsonl"
"$BIN/ingest" publish fixtures/listings.jsonl | tail -n 1

echo "== reporter watch: flagged listings as they arrive (Ctrl-C to stop)"
"$BIN/reporter" watch &
pids+=($!)
wait "${pids[-1]}" || true
