#!/bin/bash
# Creates the platform's Kafka topics, idempotently, with the Kafka image's own tools.
# One file for both deployments: the Kubernetes Job mounts it from a ConfigMap
# (deploy/k8s/base/kustomization.yaml) and docker compose bind-mounts it
# (deploy/compose/compose.yaml).
#
# Environment:
#   BOOTSTRAP_SERVERS    required, e.g. kafka:9092
#   REPLICATION_FACTOR   3 in Kubernetes, 1 for the single compose broker
#   MIN_INSYNC_REPLICAS  2 in Kubernetes (producers use acks=all), 1 in compose
#   KAFKA_BIN            where kafka-topics.sh lives (default: /opt/kafka/bin)
#   WAIT_SECONDS         how long to wait for the brokers (default: 300)
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?BOOTSTRAP_SERVERS is required}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-3}"
MIN_INSYNC_REPLICAS="${MIN_INSYNC_REPLICAS:-2}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"
WAIT_SECONDS="${WAIT_SECONDS:-300}"

DLT_RETENTION_MS=2592000000 # 30 days
# Largest stored (compressed) event batch: EVENT_MAX_STORED_BYTES in runtime/messaging.py,
# which the producers' checks and the embedded topics use too (tests/deploy compares).
MAX_MESSAGE_BYTES=1048588

deadline=$((SECONDS + WAIT_SECONDS))
until "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --list >/dev/null; do
  if ((SECONDS >= deadline)); then
    echo "Kafka at $BOOTSTRAP_SERVERS not reachable after ${WAIT_SECONDS}s" >&2
    exit 1
  fi
  echo "waiting for Kafka at $BOOTSTRAP_SERVERS ..."
  sleep 5
done

# topic NAME PARTITIONS [KEY=VALUE ...]
# Creates the topic if it is missing, then sets its configs (so a changed config is
# applied to an existing topic too). Partition counts of existing topics are left alone:
# changing them would move keys to other partitions and break per-aggregate ordering.
topic() {
  local name="$1" partitions="$2"
  shift 2
  local configs=("min.insync.replicas=$MIN_INSYNC_REPLICAS" "max.message.bytes=$MAX_MESSAGE_BYTES" "$@")
  local create_args=() config
  for config in "${configs[@]}"; do
    create_args+=(--config "$config")
  done
  "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" \
    "${create_args[@]}"
  local joined
  joined="$(IFS=,; echo "${configs[*]}")"
  "$KAFKA_BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --alter \
    --entity-type topics --entity-name "$name" --add-config "$joined"
}

# Every topic of contracts/topics.py (partitions, compaction) and its dead-letter topic
# (<name>.dlt, one partition, kept 30 days); tests/deploy checks the two agree.
topic portal.admin.tenant.v1 1 cleanup.policy=compact
topic portal.admin.tenant.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
topic portal.content.article.v1 3
topic portal.content.article.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
topic portal.editorial.review.v1 3
topic portal.editorial.review.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
topic portal.content.category.v1 1 cleanup.policy=compact
topic portal.content.category.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
topic portal.platform.receipt.v1 3
topic portal.platform.receipt.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
topic portal.platform.audit.v1 1
topic portal.platform.audit.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
topic portal.renderer.pages.v1 3
topic portal.renderer.pages.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
topic portal.feedback.question.v1 3
topic portal.feedback.question.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"

"$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --describe \
  --topics-with-overrides
echo "topics ready"
