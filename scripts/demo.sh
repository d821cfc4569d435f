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
  DEVBROKER_OPS=127.0.0.1:9102
  "$BIN/devbroker" --port 9092 --ops-listen $DEVBROKER_OPS >"$LOGS/devbroker.log" 2>&1 &
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
# No default account: the demo's admin gets a fresh random password, shown
# once here (reporter users passwd admin --db ... to change it).
ADMIN_PASSWORD=$("$BIN/reporter" users add admin --role admin --random-password --db "$LOGS/cases.db" | sed -n 's/^password: //p')
[ -n "$ADMIN_PASSWORD" ] || { echo "could not create the demo's admin account" >&2; exit 1; }
"$BIN/reporter" run --db "$LOGS/cases.db" --listen 127.0.0.1:8090 --image-dir fixtures --group "assay-demo-reporter-$$" >"$LOGS/reporter.log" 2>&1 &
pids+=($!)
echo "== reporter storing cases in $LOGS/cases.db; analyst UI: http://127.0.0.1:8090/cases"
echo "   sign in as: admin   password: $ADMIN_PASSWORD   (more accounts: $BIN/reporter users add NAME --role analyst|owner --db $LOGS/cases.db)"
for _ in $(seq 100); do
  curl -sf http://127.0.0.1:9101/readyz >/dev/null 2>&1 && break
  sleep 0.1
done
# Prometheus, when installed (Debian: apt-get install prometheus), scrapes
# every program with the shipped alert rules.
if command -v prometheus >/dev/null; then
  targets="      - targets: ['127.0.0.1:9101']\n        labels: {job: assay-matcher}\n      - targets: ['127.0.0.1:8090']\n        labels: {job: assay-reporter}"
  [ -z "${DEVBROKER_OPS:-}" ] || targets="$targets\n      - targets: ['$DEVBROKER_OPS']\n        labels: {job: assay-devbroker}"
  printf "global:\n  scrape_interval: 5s\n  evaluation_interval: 5s\nrule_files:\n  - %s\nscrape_configs:\n  - job_name: assay\n    static_configs:\n$targets\n" \
    "$PWD/deploy/prometheus/alerts.yml" >"$LOGS/prometheus.yml"
  rm -rf "$LOGS/prometheus-data"   # a fresh demo, as the case database is
  if prometheus --config.file "$LOGS/prometheus.yml" --storage.tsdb.path "$LOGS/prometheus-data" \
      --web.listen-address 127.0.0.1:${PROMETHEUS_PORT:-9090} >"$LOGS/prometheus.log" 2>&1 &
  then
    pids+=($!)
    prom=http://127.0.0.1:${PROMETHEUS_PORT:-9090}
    # Publish only once Prometheus has scraped the matcher's counters at 0,
    # so that the fixtures' flags show as the burst they are.
    for _ in $(seq 150); do
      curl -sf "$prom/api/v1/query?query=count(assay_matcher_listings_flagged_total)" 2>/dev/null | grep -q '"result":\[{' && break
      sleep 0.2
    done
    echo "== Prometheus: $prom (Alerts tab; rules deploy/prometheus/alerts.yml, log $LOGS/prometheus.log)"
    echo "   the fixtures arrive at once: InfringementSpike goes pending for each brand with 20+ flags"
  fi
else
  echo "== Prometheus not installed: no alerting in this demo (Debian: apt-get install prometheus)"
fi

echo "== ingest publish fixtures/listings.jsonl"
"$BIN/ingest" publish fixtures/listings.jsonl | tail -n 1

echo "== reporter watch: flagged listings as they arrive (Ctrl-C to stop)"
"$BIN/reporter" watch &
pids+=($!)
wait "${pids[-1]}" || true
