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
# Authentication, with the names the platform's processes read (runtime/settings.py):
#   KAFKA_SASL_MECHANISM SCRAM-SHA-512 (Kubernetes, Strimzi), PLAIN (compose) or unset
#   KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD   this job's own Kafka user
#   KAFKA_TLS            1: TLS to the brokers (SASL_SSL), checked against KAFKA_CA_FILE
#   KAFKA_CA_FILE        the cluster CA (PEM); unset: the JVM's trust store
#   CONFIG_DIR           where the client properties are written (default: /tmp)
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?BOOTSTRAP_SERVERS is required}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-3}"
MIN_INSYNC_REPLICAS="${MIN_INSYNC_REPLICAS:-2}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"
WAIT_SECONDS="${WAIT_SECONDS:-300}"
CONFIG_DIR="${CONFIG_DIR:-/tmp}"

DLT_RETENTION_MS=2592000000 # 30 days
# Largest stored (compressed) event batch: EVENT_MAX_STORED_BYTES in runtime/messaging.py,
# which the producers' checks and the embedded topics use too (tests/deploy compares).
MAX_MESSAGE_BYTES=1048588

# jaas_value VALUE: VALUE as a quoted JAAS option value, escaped once more for the
# Java properties file it is written into (both treat the backslash as an escape).
jaas_value() {
  local value="${1//\\/\\\\}"
  value="${value//\"/\\\"}"
  value="${value//\\/\\\\}"
  printf '"%s"' "$value"
}

# The client properties of every call below: SASL and/or TLS as configured, else
# plaintext (an unauthenticated broker). The password goes into a file that only this
# user can read, never onto a command line.
client_config="$CONFIG_DIR/kafka-client.properties"
tls=0
case "${KAFKA_TLS:-0}" in 1 | true | True | TRUE | yes | on) tls=1 ;; esac
umask_before="$(umask)"
umask 077
{
  if [[ -n "${KAFKA_SASL_MECHANISM:-}" ]]; then
    : "${KAFKA_SASL_USERNAME:?KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME}"
    : "${KAFKA_SASL_PASSWORD:?KAFKA_SASL_MECHANISM needs KAFKA_SASL_PASSWORD}"
    case "$KAFKA_SASL_MECHANISM" in
      SCRAM-SHA-256 | SCRAM-SHA-512)
        module=org.apache.kafka.common.security.scram.ScramLoginModule
        ;;
      PLAIN) module=org.apache.kafka.common.security.plain.PlainLoginModule ;;
      *)
        echo "unsupported KAFKA_SASL_MECHANISM: $KAFKA_SASL_MECHANISM" >&2
        exit 1
        ;;
    esac
    if ((tls)); then protocol=SASL_SSL; else protocol=SASL_PLAINTEXT; fi
    echo "security.protocol=$protocol"
    echo "sasl.mechanism=$KAFKA_SASL_MECHANISM"
    echo "sasl.jaas.config=$module required" \
      "username=$(jaas_value "$KAFKA_SASL_USERNAME")" \
      "password=$(jaas_value "$KAFKA_SASL_PASSWORD");"
  elif ((tls)); then
    echo "security.protocol=SSL"
  fi
  if ((tls)) && [[ -n "${KAFKA_CA_FILE:-}" ]]; then
    echo "ssl.truststore.type=PEM"
    echo "ssl.truststore.location=$KAFKA_CA_FILE"
  fi
} >"$client_config"
umask "$umask_before"

deadline=$((SECONDS + WAIT_SECONDS))
until "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" \
  --command-config "$client_config" --list >/dev/null; do
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
  "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" \
    --command-config "$client_config" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" "${create_args[@]}"
  local joined
  joined="$(IFS=,; echo "${configs[*]}")"
  "$KAFKA_BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" \
    --command-config "$client_config" --alter --entity-type topics --entity-name "$name" \
    --add-config "$joined"
}

# Every topic of contracts/topics.py (partitions, compaction) and its dead-letter topic
# (<name>.dlt, one partition, kept 30 days); tests/deploy checks the two agree.
topic portal.admin.tenant.v1 1 cleanup.policy=compact
topic portal.admin.tenant.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
topic portal.admin.account.v1 1 cleanup.policy=compact
topic portal.admin.account.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
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
topic portal.syndication.copy.v1 3
topic portal.syndication.copy.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
# For partner systems (public fields only), written by syndication; partners read them
# with their own KafkaUsers (partners.yaml).
topic partner.content.article.v1 3
topic partner.content.article.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"
topic partner.feedback.answer.v1 3
topic partner.feedback.answer.v1.dlt 1 "retention.ms=$DLT_RETENTION_MS"

"$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" \
  --command-config "$client_config" --describe --topics-with-overrides
echo "topics ready"
