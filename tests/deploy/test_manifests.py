"""Offline checks of the deployment files in deploy/.

Nothing here needs Docker, a cluster, kubectl or the network:
- every YAML file parses;
- deploy/Dockerfile builds what pyproject.toml installs, as a non-root user;
- deploy/compose/compose.yaml is checked against the Compose Specification schema
  (vendored by check-jsonschema) and for what the platform needs: every process, its
  command and environment, migrations before services, dependencies that exist,
  consistent ports and URLs, healthchecks on the engines;
- deploy/k8s is rendered by the small Kustomize loader below (the subset of
  Kustomize the manifests use; anything else fails loudly) for the base and each
  overlay, every resource is validated against the Kubernetes OpenAPI schemas bundled
  in kubernetes-validate (strict: unknown fields are errors), and the platform's
  rules are checked on the result (probes, limits, security, migrations, secrets,
  ingress, network policies, autoscaling);
- the topic script shared by compose and Kubernetes declares every topic of
  contracts/topics.py and runs against stub Kafka tools.
"""

from __future__ import annotations

import ast
import copy
import functools
import ipaddress
import json
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from contracts import topics as topic_registry
from contracts.topics import DEAD_LETTER_SUFFIX, Topic
from contracts.topics import TOPICS as CONTRACT_TOPICS
from portal.launch import PROCESSES as LAUNCHED
from runtime.messaging import EVENT_MAX_STORED_BYTES
from runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_DIR = DEPLOY / "compose"
K8S = DEPLOY / "k8s"
TOPIC_SCRIPT = K8S / "base" / "kafka" / "create-topics.sh"

# The oldest Kubernetes the manifests must be valid for.
KUBERNETES_VERSION = "1.30.0"

PROCESSES = {
    "admin": "services.admin",
    "content": "services.content",
    "editorial": "services.editorial",
    "renderer": "services.renderer",
    "feedback": "services.feedback",
    "search": "services.search",
    "syndication": "services.syndication",
    "gateway": "gateway",
}
WITH_DATABASE = {"admin", "content", "editorial", "renderer", "feedback", "search", "syndication"}
AUTOSCALED = {"gateway", "renderer", "feedback", "search"}
PORT = 8000

# Read by every process; the services add DATABASE_URL, the callers SERVICE_URLS,
# feedback MAIL_ENV, the Redis users REDIS_URL, search OPENSEARCH_URL. Each signs in to
# Kafka as its own user (KAFKA_SASL_USERNAME); its migrations too, as the same user.
COMMON_ENV = {
    "HOST",
    "PORT",
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_SASL_MECHANISM",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SASL_PASSWORD",
    "PORTAL_AUTH_SECRET",
    "PORTAL_AUTH_PUBLIC_KEY",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "LOG_LEVEL",
    "PORTAL_DEMO",
}
# The base URL of every service (runtime/settings.py), for the processes that call them
# over HTTP: the gateway proxies to all, admin's web UI calls their APIs (backends.py).
SERVICE_URLS = {
    "PORTAL_ADMIN_URL": "admin",
    "PORTAL_CONTENT_URL": "content",
    "PORTAL_EDITORIAL_URL": "editorial",
    "PORTAL_RENDERER_URL": "renderer",
    "PORTAL_FEEDBACK_URL": "feedback",
    "PORTAL_SEARCH_URL": "search",
    "PORTAL_SYNDICATION_URL": "syndication",
}
CALLERS = {"gateway", "admin"}
# feedback mails citizens through an SMTP server; its login is optional and secret.
MAIL_ENV = {"SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "MAIL_FROM"}
MAIL_SECRETS = {"SMTP_USERNAME", "SMTP_PASSWORD"}
MAILING = {"feedback"}
SECRET_KEYS = {
    "DATABASE_URL", "PORTAL_AUTH_SECRET", "PORTAL_AUTH_PUBLIC_KEY", "PORTAL_AUTH_PRIVATE_KEY",
    "MEDIA_S3_ACCESS_KEY", "MEDIA_S3_SECRET_KEY", "REDIS_URL", "OPENSEARCH_URL",
}  # fmt: skip
# The processes whose code reads REDIS_URL (admin's sessions and login limits, feedback's
# abuse limits, the gateway's page cache; test_redis_users_are_who_the_code_says checks
# it): only they are given the URL, which carries Redis's password.
REDIS_USERS = {"admin", "feedback", "gateway"}
# content keeps media in an S3-compatible store (MinIO in compose and the base), never
# on a replica's disk; its keys are secrets, its address and bucket are not.
MEDIA_ENV = {"MEDIA_S3_URL", "MEDIA_S3_BUCKET", "MEDIA_S3_ACCESS_KEY", "MEDIA_S3_SECRET_KEY"}
MEDIA_KEYS = {"MEDIA_S3_ACCESS_KEY", "MEDIA_S3_SECRET_KEY"}
STORING_MEDIA = {"content"}
MINIO_PORT = 9000
#: Images not built from this repository, each pinned to a release.
THIRD_PARTY_IMAGES = (
    "apache/kafka:",
    "minio/minio:",
    "minio/mc:",
    "edoburu/pgbouncer:",
    "busybox:",
)
#: The key that signs editors' tokens, given to admin's serving container and no other.
SIGNING_KEY = "PORTAL_AUTH_PRIVATE_KEY"
# The development mail catcher, in compose's demo profile only.
DEMO_MAILBOX = "mailbox"
# search keeps its index in OpenSearch (OPENSEARCH_URL); the editors' publish receipt
# (editorial, PORTAL_RECEIPT_STEPS) waits for the sites, search, and syndication's copies
# and partners: exactly the steps the deployed processes confirm
# (test_receipt_steps_are_the_ones_the_processes_confirm).
INDEXING = {"search"}
OPENSEARCH_PORT = 9200
RECEIPT_STEPS = {"site", "search", "syndication", "partners"}
# syndication delivers webhooks to partners' receivers (and pings WebSub hubs): HTTPS to
# the internet, public addresses only. PORTAL_WEBHOOKS_ALLOW_PRIVATE stays off in every
# deployment (it lets a partner's URL reach private networks: the laptop's setting).
WEBHOOK_SENDERS = {"syndication"}
WEBHOOKS_ALLOW_PRIVATE = "PORTAL_WEBHOOKS_ALLOW_PRIVATE"
#: What an ipBlock to "the internet" must leave out: the cluster's and the city's private
#: networks, shared address space (CGNAT, used for pods by some clusters), loopback,
#: link-local (the cloud's metadata endpoint) and IPv4-mapped IPv6.
NON_PUBLIC_NETWORKS = (
    "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.168.0.0/16", "::1/128", "::ffff:0:0/96", "fc00::/7", "fe80::/10",
)  # fmt: skip
# The partners' KafkaUsers (kafka/partners.yaml): read-only on partner.*, nothing else.
PARTNER_COMPONENT = "partner"

DLT_RETENTION_MS = str(30 * 24 * 3600 * 1000)
# Every topic of the registry and its dead-letter topic (one partition, kept 30 days),
# as runtime/kafka.py's ensure_topics makes them on the embedded broker.
TOPICS = {
    **{
        topic.name: (
            str(topic.partitions),
            {"cleanup.policy": "compact"} if topic.compacted else {},
        )
        for topic in CONTRACT_TOPICS
    },
    **{topic.dead_letter: ("1", {"retention.ms": DLT_RETENTION_MS}) for topic in CONTRACT_TOPICS},
}

OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
TARGETS = ["base", *(f"overlays/{name}" for name in OVERLAYS)]


def load_yaml_documents(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


# --------------------------------------------------------------------------- Kustomize
# A small loader for the subset of Kustomize that deploy/k8s uses. It renders what
# `kustomize build` renders, except that generated ConfigMaps keep their plain names
# (no hash suffix, which Kustomize also adds to every reference).

KUSTOMIZATION_FIELDS = {
    "apiVersion",
    "kind",
    "namespace",
    "resources",
    "configMapGenerator",
    "images",
    "replicas",
    "patches",
    "labels",
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "IngressClass", "PriorityClass"}


def read_env_file(path: Path) -> dict[str, str]:
    data = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path}: not KEY=VALUE: {raw!r}"
        data[key] = value
    return data


def find(resources: list[dict], kind: str, name: str) -> dict | None:
    for resource in resources:
        if resource["kind"] == kind and resource["metadata"]["name"] == name:
            return resource
    return None


def pod_specs(resource: dict) -> list[dict]:
    if resource["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
        return [resource["spec"]["template"]["spec"]]
    if resource["kind"] == "CronJob":
        return [resource["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    return []


def containers(resource: dict) -> list[dict]:
    out = []
    for spec in pod_specs(resource):
        out += spec.get("initContainers", []) + spec.get("containers", [])
    return out


def _pointer(path: str) -> list[str]:
    assert path.startswith("/"), path
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def apply_json_patch(document: dict, operations: list[dict]) -> None:
    for operation in operations:
        *parents, last = _pointer(operation["path"])
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        op = operation["op"]
        if isinstance(node, list):
            index = len(node) if last == "-" else int(last)
            if op == "add":
                node.insert(index, copy.deepcopy(operation["value"]))
            elif op == "replace":
                node[index] = copy.deepcopy(operation["value"])
            elif op == "remove":
                del node[index]
            else:
                raise NotImplementedError(f"JSON patch op {op!r}")
        elif op == "add":
            node[last] = copy.deepcopy(operation["value"])
        elif op == "replace":
            assert last in node, f"replace of a missing {operation['path']}"
            node[last] = copy.deepcopy(operation["value"])
        elif op == "remove":
            del node[last]
        else:
            raise NotImplementedError(f"JSON patch op {op!r}")


def _matches(resource: dict, target: dict) -> bool:
    unknown = set(target) - {"kind", "name"}
    if unknown:
        raise NotImplementedError(f"patch target fields {unknown}")
    return all(
        (key == "kind" and resource["kind"] == value)
        or (key == "name" and resource["metadata"]["name"] == value)
        for key, value in target.items()
    )


def kustomize(directory: Path) -> list[dict]:
    """Render `directory` like `kustomize build` would (see above)."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kustomization) - KUSTOMIZATION_FIELDS
    if unknown:
        raise NotImplementedError(
            f"{directory}: {sorted(unknown)}: extend the loader in {__file__}"
        )

    resources: list[dict] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        if path.is_dir():
            resources += kustomize(path)
        else:
            resources += load_yaml_documents(path)

    for generator in kustomization.get("configMapGenerator", []):
        data: dict[str, str] = {}
        for env_file in generator.get("envs", []):
            data.update(read_env_file(directory / env_file))
        for literal in generator.get("literals", []):
            key, _, value = literal.partition("=")
            data[key] = value
        for entry in generator.get("files", []):
            key, _, source = entry.rpartition("=")
            data[key or Path(source).name] = (directory / source).read_text(encoding="utf-8")
        behavior = generator.get("behavior", "create")
        existing = find(resources, "ConfigMap", generator["name"])
        if behavior == "create":
            assert existing is None, f"{directory}: ConfigMap {generator['name']} exists"
            resources.append(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": generator["name"]},
                    "data": data,
                }
            )
        elif behavior == "merge":
            assert existing is not None, f"{directory}: no ConfigMap {generator['name']} to merge"
            existing.setdefault("data", {}).update(data)
        else:
            raise NotImplementedError(f"configMapGenerator behavior {behavior!r}")

    for patch in kustomization.get("patches", []):
        text = patch["patch"] if "patch" in patch else (directory / patch["path"]).read_text()
        operations = yaml.safe_load(text)
        if not isinstance(operations, list):
            raise NotImplementedError("only JSON 6902 patches (a list of operations)")
        targets = [r for r in resources if _matches(r, patch["target"])]
        assert targets, f"{directory}: patch target {patch['target']} matches nothing"
        for resource in targets:
            apply_json_patch(resource, operations)

    for replicas in kustomization.get("replicas", []):
        deployment = find(resources, "Deployment", replicas["name"])
        assert deployment is not None, f"{directory}: replicas of unknown {replicas['name']}"
        deployment["spec"]["replicas"] = replicas["count"]

    for image in kustomization.get("images", []):
        if "digest" in image:
            raise NotImplementedError("images[].digest")
        for resource in resources:
            for container in containers(resource):
                name, _, tag = container["image"].partition(":")
                if name == image["name"]:
                    name = image.get("newName", name)
                    tag = image.get("newTag", tag)
                    container["image"] = f"{name}:{tag}" if tag else name

    for labels in kustomization.get("labels", []):
        if labels.get("includeSelectors") or labels.get("includeTemplates"):
            raise NotImplementedError("labels into selectors or templates")
        for resource in resources:
            resource["metadata"].setdefault("labels", {}).update(labels["pairs"])

    namespace = kustomization.get("namespace")
    if namespace:
        for resource in resources:
            if resource["kind"] == "Namespace":
                resource["metadata"]["name"] = namespace
            elif resource["kind"] not in CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = namespace
    return resources


@pytest.fixture(scope="module", params=TARGETS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict]]:
    return request.param, kustomize(K8S / request.param)


def of_kind(resources: list[dict], kind: str) -> dict[str, dict]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


#: Deployments that are not portal processes: the pooler in front of PostgreSQL.
INFRASTRUCTURE = {"pgbouncer"}


def processes(resources: list[dict]) -> dict[str, dict]:
    """The portal's own Deployments (each runs one of PROCESSES)."""
    deployments = of_kind(resources, "Deployment")
    return {name: d for name, d in deployments.items() if name not in INFRASTRUCTURE}


def env_of(container: dict) -> dict[str, dict]:
    return {entry["name"]: entry for entry in container.get("env", [])}


# --------------------------------------------------------------------------- all YAML
@pytest.mark.parametrize(
    "path",
    sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")]),
    ids=lambda p: str(p.relative_to(DEPLOY)),
)
def test_yaml_parses(path: Path) -> None:
    documents = load_yaml_documents(path)
    assert documents, f"{path} is empty"
    assert all(isinstance(doc, dict) for doc in documents)
    # PyYAML keeps the last of two equal keys; docker compose and kubectl refuse them.
    for document in yaml.compose_all(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader):
        assert_no_duplicate_keys(document, path)


def assert_no_duplicate_keys(node: yaml.Node | None, path: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
        duplicates = {key for key in keys if keys.count(key) > 1}
        assert not duplicates, f"{path}, line {node.start_mark.line + 1}: {duplicates} twice"
        for key, value in node.value:
            assert_no_duplicate_keys(key, path)
            assert_no_duplicate_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            assert_no_duplicate_keys(item, path)


# --------------------------------------------------------------------------- Dockerfile
def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_dockerfile() -> None:
    instructions = dockerfile_instructions()
    args = dict(rest.split("=", 1) for kw, rest in instructions if kw == "ARG" and "=" in rest)
    stages = [rest.split()[0] for kw, rest in instructions if kw == "FROM"]
    images = {re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], s) for s in stages}
    assert images == {"python:3.11-slim"}
    assert not any(kw == "HEALTHCHECK" for kw, _ in instructions), "k8s probes do health"
    assert ("EXPOSE", str(PORT)) in instructions
    assert any(
        kw == "RUN" and re.search(r"pip install \.(\s|$)", rest) for kw, rest in instructions
    )
    # The last USER is a numeric, non-root uid (runAsNonRoot can only verify numbers).
    user = [rest for kw, rest in instructions if kw == "USER"][-1]
    uid = user.split(":")[0]
    assert uid.isdigit(), user
    assert int(uid) != 0, user
    k8s_uids = {
        spec["securityContext"]["runAsUser"]
        for resource in kustomize(K8S / "base")
        if resource["kind"] == "Deployment" and resource["metadata"]["name"] not in INFRASTRUCTURE
        for spec in pod_specs(resource)
    }
    assert k8s_uids == {int(uid)}


def test_dockerfile_copies_what_pip_install_needs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set()
    for keyword, rest in dockerfile_instructions():
        if keyword == "COPY" and not rest.startswith("--from"):
            copied |= {Path(source).name for source in rest.split()[:-1]}
    assert {"pyproject.toml", project["project"]["readme"], *packages} <= copied


# --------------------------------------------------------------------------- processes
def test_every_process_of_make_run_is_deployed() -> None:
    """`make run` (portal/launch.py) and the deployments start the same processes, and
    the callers get the base URL of every service."""
    launched = {p.name: p for p in LAUNCHED if p.name != DEMO_MAILBOX}
    assert set(launched) == set(PROCESSES)
    for name, process in launched.items():
        assert process.module == PROCESSES[name], name
    assert {p.url_env for p in LAUNCHED if p.url_env} == set(SERVICE_URLS)
    for process in LAUNCHED:
        if process.url_env:
            assert SERVICE_URLS[process.url_env] == process.name


# --------------------------------------------------------------------------- compose
INTERPOLATION = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")
INTERPOLATION_NAMES = re.compile(r"\$\{(\w+)")


def interpolate(value: Any, variables: dict[str, str]) -> Any:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, as `docker compose` does."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if name in variables and (variables[name] or not (operator or "").startswith(":")):
            return variables[name]
        if operator and operator.endswith("?"):
            raise AssertionError(f"${{{name}}} is required: {argument}")
        return argument or ""

    return INTERPOLATION.sub(substitute, value)


@pytest.fixture(scope="module")
def raw_compose() -> dict:
    return yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose(raw_compose: dict) -> dict:
    """compose.yaml as `docker compose config` sees it with .env.example as .env."""
    return interpolate(raw_compose, read_env_file(COMPOSE_DIR / ".env.example"))


def depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def test_compose_matches_the_compose_specification(raw_compose: dict) -> None:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema vendors the schema")
    from importlib.resources import files

    import jsonschema

    vendor = files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads((vendor / "compose-spec.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(raw_compose)
    ]
    assert not errors, "\n".join(errors)


def test_compose_runs_every_process(compose: dict) -> None:
    services = compose["services"]
    for name, module in PROCESSES.items():
        service = services[name]
        assert service.get("image"), name
        assert service.get("build"), name
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (COMPOSE_DIR / service["build"]["context"] / "pyproject.toml").is_file()
        assert service["command"] == ["python", "-m", module]
        assert service.get("read_only") is True, name


def test_compose_environment(compose: dict) -> None:
    services = compose["services"]
    for name in PROCESSES:
        environment = services[name]["environment"]
        assert isinstance(environment, dict), name
        required = set(COMMON_ENV)
        if name in WITH_DATABASE:
            required.add("DATABASE_URL")
        if name in CALLERS:
            required |= set(SERVICE_URLS)
        if name in MAILING:
            required |= MAIL_ENV | MAIL_SECRETS
        assert required <= set(environment), f"{name}: missing {required - set(environment)}"
        for key, target in SERVICE_URLS.items():
            if key in environment:
                assert urlsplit(environment[key]).hostname == target, f"{name}: {key}"
        assert environment["HOST"] == "0.0.0.0"
        assert str(environment["PORT"]) == str(PORT)
        assert environment["OTEL_SERVICE_NAME"].endswith(name)
        assert environment["PORTAL_DEMO"] == "0", "demo accounts are off unless asked for"
    assert "DATABASE_URL" not in services["gateway"]["environment"], "the gateway has no database"


def test_compose_migrations_run_before_their_service(compose: dict) -> None:
    services = compose["services"]
    for name in WITH_DATABASE:
        migrate = services[f"{name}-migrate"]
        assert migrate["command"] == ["python", "-m", PROCESSES[name], "migrate"]
        assert migrate["image"] == services[name]["image"]
        assert (
            migrate["environment"]["DATABASE_URL"] == services[name]["environment"]["DATABASE_URL"]
        )
        assert depends_on(migrate).get("postgres") == "service_healthy"
        assert depends_on(services[name])[f"{name}-migrate"] == "service_completed_successfully"
    assert "gateway-migrate" not in services


def test_compose_dependencies(compose: dict) -> None:
    services = compose["services"]
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        for target, condition in depends_on(service).items():
            assert target in services, f"{name} depends on unknown {target}"
            assert condition in conditions, f"{name} -> {target}: {condition}"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no healthcheck"
            if condition == "service_completed_successfully":
                assert services[target].get("restart", "no") == "no", f"{target} is a one-shot"
    for name in PROCESSES:
        deps = depends_on(services[name])
        assert deps.get("kafka") == "service_healthy", name
        assert deps.get("kafka-topics") == "service_completed_successfully", name
    gateway = depends_on(services["gateway"])
    for name in WITH_DATABASE:
        assert gateway.get(name) == "service_healthy", f"the gateway waits for {name}"
    # No cycles.
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str) -> None:
        assert name not in visiting, f"dependency cycle through {name}"
        if name in done:
            return
        visiting.add(name)
        for target in depends_on(services[name]):
            visit(target)
        visiting.discard(name)
        done.add(name)

    for name in services:
        visit(name)


def test_compose_engines(compose: dict) -> None:
    services = compose["services"]
    for engine in ("kafka", "postgres", "redis", "opensearch"):
        assert "healthcheck" in services[engine], engine
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"], "KRaft mode"
    assert not any("zookeeper" in key.lower() for key in kafka["environment"])
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["opensearch"]["image"].startswith("opensearchproject/opensearch:2")
    assert services["opensearch"]["environment"]["discovery.type"] == "single-node"


def test_compose_redis_is_bounded_and_evicts_instead_of_refusing(compose: dict) -> None:
    command = [str(part) for part in compose["services"]["redis"]["command"]]
    assert command[command.index("--maxmemory") + 1].endswith(("mb", "gb"))
    # "noeviction" (the default) turns a full cache into failed writes on every page.
    assert command[command.index("--maxmemory-policy") + 1] in ("volatile-lru", "allkeys-lru")


def test_compose_search_has_its_engine_and_the_receipt_waits_for_it(compose: dict) -> None:
    services = compose["services"]
    opensearch = services["opensearch"]
    assert any(v.split(":")[1] == "/usr/share/opensearch/data" for v in opensearch["volumes"]), (
        "the index outlives the container"
    )
    assert not opensearch.get("ports"), "reached on the compose network only"
    for name in INDEXING:
        url = urlsplit(services[name]["environment"]["OPENSEARCH_URL"])
        assert (url.hostname, url.port) == ("opensearch", OPENSEARCH_PORT), name
        assert depends_on(services[name]).get("opensearch") == "service_healthy", name
    steps = services["editorial"]["environment"]["PORTAL_RECEIPT_STEPS"].split(",")
    assert set(steps) == RECEIPT_STEPS
    assert services["otel-collector"]["image"].startswith("otel/opentelemetry-collector-contrib")


def _url_targets(environment: dict) -> dict[str, tuple[str, int | None]]:
    out = {}
    for key, value in environment.items():
        if key.endswith("_URL") or key in {"OTEL_EXPORTER_OTLP_ENDPOINT"}:
            parts = urlsplit(str(value))
            out[key] = (parts.hostname, parts.port)
        elif key == "KAFKA_BOOTSTRAP_SERVERS":
            for i, server in enumerate(str(value).split(",")):
                host, _, port = server.rpartition(":")
                out[f"{key}[{i}]"] = (host, int(port))
    return out


def test_compose_ports_and_addresses(compose: dict) -> None:
    services = compose["services"]
    for name in PROCESSES:
        published = services[name].get("ports", [])
        if name == "gateway":
            assert [str(p) for p in published] == [f"{PORT}:{PORT}"]
        else:
            assert not published, f"only the gateway is published, not {name}"
        for key, (host, port) in _url_targets(services[name]["environment"]).items():
            assert host in services, f"{name}: {key} points at unknown host {host}"
            if host in PROCESSES:
                assert port == int(services[host]["environment"]["PORT"]), f"{name}: {key}"
    for caller in CALLERS:
        environment = services[caller]["environment"]
        for key, target in SERVICE_URLS.items():
            assert urlsplit(environment[key]).hostname == target, f"{caller}: {key}"
    # The ports the processes use on the engines are the ones the engines listen on.
    kafka_env = services["kafka"]["environment"]
    advertised = dict(
        reversed(listener.split("://"))
        for listener in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    )
    protocols = dict(
        pair.split(":") for pair in kafka_env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    )
    assert protocols[advertised["kafka:9092"]].startswith("SASL_"), "clients sign in"
    assert services["kafka-topics"]["environment"]["BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_compose_bind_mounts_exist(compose: dict) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source")
            if source.startswith((".", "/")):
                assert (COMPOSE_DIR / source).exists(), f"{name}: {source}"
            else:
                assert source in (compose.get("volumes") or {}), f"{name}: volume {source}"


def test_compose_otel_collector_config(compose: dict) -> None:
    mounts = compose["services"]["otel-collector"]["volumes"]
    assert any(m.startswith("./otel-collector.yaml:") for m in mounts)
    config = yaml.safe_load((COMPOSE_DIR / "otel-collector.yaml").read_text(encoding="utf-8"))
    pipelines = config["service"]["pipelines"]
    assert {"traces", "metrics", "logs"} <= set(pipelines)
    for pipeline in pipelines.values():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                assert component in config[section], component
        assert set(pipeline["exporters"]) <= {"debug", "logging"}
    http = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    for name in PROCESSES:
        endpoint = compose["services"][name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
        assert urlsplit(endpoint).port == int(http.rsplit(":", 1)[1])


def test_compose_env_example_covers_the_required_variables() -> None:
    text = (COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    assert {"POSTGRES_PASSWORD", "PORTAL_AUTH_SECRET"} <= required
    example = read_env_file(COMPOSE_DIR / ".env.example")
    assert required <= set(example)
    for key in required:
        assert "change-me" in example[key], f"{key} must be a placeholder"
    assert ".env" in (COMPOSE_DIR / ".gitignore").read_text(encoding="utf-8").split()


def test_compose_mail_goes_to_the_demo_mailbox_unless_a_relay_is_named(
    raw_compose: dict,
) -> None:
    example = read_env_file(COMPOSE_DIR / ".env.example")
    services = interpolate(raw_compose, example)["services"]
    mailbox = services[DEMO_MAILBOX]
    assert mailbox["command"] == ["python", "-m", "portal.mailbox"]
    assert mailbox.get("profiles") == ["demo"], "a development mail catcher, demo only"
    assert mailbox["image"] == services["feedback"]["image"]
    assert mailbox.get("read_only") is True
    assert "healthcheck" in mailbox
    # It keeps the messages on the writable /tmp, and shows them to this machine only.
    assert mailbox["environment"]["PORTAL_DATA_DIR"].startswith("/tmp/")
    assert "/tmp" in mailbox["tmpfs"]
    assert [str(p) for p in mailbox["ports"]] == [f"127.0.0.1:8106:{PORT}"]
    for name in MAILING:
        environment = services[name]["environment"]
        # Nothing in .env: the mailbox, with no login and no TLS.
        assert environment["SMTP_HOST"] == DEMO_MAILBOX
        assert environment["SMTP_PORT"] == mailbox["environment"]["SMTP_PORT"]
        assert environment["SMTP_STARTTLS"] == "0"
        assert environment["SMTP_USERNAME"] == environment["SMTP_PASSWORD"] == ""
        assert environment["MAIL_FROM"]
        # Not started without the demo profile: nothing may wait for it.
        assert DEMO_MAILBOX not in depends_on(services[name])
    for name, service in services.items():
        assert DEMO_MAILBOX not in depends_on(service), f"{name} waits for the demo mailbox"
    # .env names the city's relay: the mail goes there.
    relay = {"SMTP_HOST": "relay.example.vn", "SMTP_PORT": "587", "SMTP_STARTTLS": "1"}
    with_relay = interpolate(raw_compose, {**example, **relay})
    environment = with_relay["services"]["feedback"]["environment"]
    assert {key: environment[key] for key in relay} == relay


def test_compose_env_example_mentions_every_variable() -> None:
    """Each ${VAR} of compose.yaml is in .env.example, set or as a commented default."""
    used = set(INTERPOLATION_NAMES.findall((COMPOSE_DIR / "compose.yaml").read_text("utf-8")))
    text = (COMPOSE_DIR / ".env.example").read_text(encoding="utf-8")
    mentioned = set(re.findall(r"^#?\s*(\w+)=", text, flags=re.MULTILINE))
    assert used <= mentioned, f"not in .env.example: {sorted(used - mentioned)}"
    assert {"SMTP_HOST", "SMTP_PASSWORD"} <= used
    password = re.search(r"^#?\s*SMTP_PASSWORD=(.*)$", text, flags=re.MULTILINE)
    assert password is not None and "change-me" in password.group(1)


# --------------------------------------------------------------------------- topics
def declared_topics() -> dict[str, tuple[str, dict[str, str]]]:
    text = TOPIC_SCRIPT.read_text(encoding="utf-8")
    text = text.replace("$DLT_RETENTION_MS", re.search(r"DLT_RETENTION_MS=(\d+)", text).group(1))
    topics = {}
    for line in text.splitlines():
        words = line.replace('"', "").split()
        if len(words) >= 3 and words[0] == "topic":
            topics[words[1]] = (words[2], dict(w.split("=", 1) for w in words[3:]))
    return topics


def test_topic_script_declares_the_topics() -> None:
    assert declared_topics() == TOPICS


def test_every_topic_takes_the_events_the_producers_check_for() -> None:
    """One limit in three places: the producers' check, the embedded topics, the
    script that makes the real ones; an event that passed the check always fits."""
    text = TOPIC_SCRIPT.read_text(encoding="utf-8")
    assert int(re.search(r"^MAX_MESSAGE_BYTES=(\d+)", text, re.MULTILINE).group(1)) == (
        EVENT_MAX_STORED_BYTES
    )
    assert '"max.message.bytes=$MAX_MESSAGE_BYTES"' in text.split("topic() {")[1]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_topic_script_runs_against_stub_kafka_tools(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    for tool in ("kafka-topics.sh", "kafka-configs.sh"):
        stub = tmp_path / tool
        stub.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n', encoding="utf-8")
        stub.chmod(0o755)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BOOTSTRAP_SERVERS": "kafka:9092",
        "REPLICATION_FACTOR": "3",
        "MIN_INSYNC_REPLICAS": "2",
        "KAFKA_BIN": str(tmp_path),
    }
    subprocess.run(
        ["bash", str(TOPIC_SCRIPT)], env=env, check=True, capture_output=True, timeout=30
    )
    created, altered = {}, {}
    for line in log.read_text(encoding="utf-8").splitlines():
        tool, *args = line.split()
        options = dict(zip(args, [*args[1:], ""], strict=True))
        if "--create" in args:
            assert "--if-not-exists" in args
            configs = dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--config")
            created[options["--topic"]] = (
                options["--partitions"],
                options["--replication-factor"],
                configs,
            )
        elif tool == "kafka-configs.sh":
            altered[options["--entity-name"]] = dict(
                c.split("=", 1) for c in options["--add-config"].split(",")
            )
    assert set(created) == set(TOPICS)
    for name, (partitions, configs) in TOPICS.items():
        expected = {
            "min.insync.replicas": "2",
            "max.message.bytes": str(EVENT_MAX_STORED_BYTES),
            **configs,
        }
        assert created[name] == (partitions, "3", expected)
        assert altered[name] == expected


def _java_properties(text: str) -> dict[str, str]:
    """A properties file as Java reads it (key=value lines, backslash escapes)."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith(("#", "!")):
            values[key.strip()] = re.sub(r"\\(.)", r"\1", value.lstrip())
    return values


def _jaas_options(config: str) -> tuple[str, dict[str, str]]:
    """The login module and the options of a one-entry sasl.jaas.config."""
    module = config.split()[0]
    options = {
        key: re.sub(r"\\(.)", r"\1", value)
        for key, value in re.findall(r'([\w.-]+)="((?:[^"\\]|\\.)*)"', config)
    }
    assert config.rstrip().endswith(";"), config
    return module, options


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("mechanism", "tls", "protocol"),
    [("SCRAM-SHA-512", "1", "SASL_SSL"), ("PLAIN", "0", "SASL_PLAINTEXT")],
)
def test_topic_script_signs_in_with_its_own_user(
    tmp_path: Path, mechanism: str, tls: str, protocol: str
) -> None:
    """With KAFKA_SASL_* (and KAFKA_TLS, KAFKA_CA_FILE) the script hands every Kafka tool
    a client config, readable by its user only, that signs in as the given user: the
    password survives quoting, never on a command line."""
    log = tmp_path / "calls.log"
    for tool in ("kafka-topics.sh", "kafka-configs.sh"):
        stub = tmp_path / tool
        stub.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n', encoding="utf-8")
        stub.chmod(0o755)
    password = 'pa"ss\\word=x;y'
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BOOTSTRAP_SERVERS": "kafka:9093",
        "KAFKA_BIN": str(tmp_path),
        "CONFIG_DIR": str(tmp_path),
        "KAFKA_SASL_MECHANISM": mechanism,
        "KAFKA_SASL_USERNAME": "portal-kafka-topics",
        "KAFKA_SASL_PASSWORD": password,
        "KAFKA_TLS": tls,
        "KAFKA_CA_FILE": "/etc/portal/kafka-ca/ca.crt",
    }
    subprocess.run(
        ["bash", str(TOPIC_SCRIPT)], env=env, check=True, capture_output=True, timeout=30
    )
    calls = log.read_text(encoding="utf-8").splitlines()
    assert len(calls) == 2 * len(TOPICS) + 2
    configs = set()
    for call in calls:
        args = call.split()
        assert password not in call
        configs.add(args[args.index("--command-config") + 1])
    (config_path,) = configs
    assert Path(config_path).stat().st_mode & 0o077 == 0, "only the job's user reads it"
    properties = _java_properties(Path(config_path).read_text(encoding="utf-8"))
    assert properties["security.protocol"] == protocol
    assert properties["sasl.mechanism"] == mechanism
    module, options = _jaas_options(properties["sasl.jaas.config"])
    expected_module = "Scram" if mechanism.startswith("SCRAM") else "Plain"
    assert module.rsplit(".", 1)[1] == f"{expected_module}LoginModule"
    assert options == {"username": "portal-kafka-topics", "password": password}
    if tls == "1":
        assert properties["ssl.truststore.type"] == "PEM"
        assert properties["ssl.truststore.location"] == env["KAFKA_CA_FILE"]
    else:
        assert "ssl.truststore.location" not in properties
    # Asked for a mechanism without a user: refused before any call.
    del env["KAFKA_SASL_USERNAME"]
    log.unlink()
    refused = subprocess.run(["bash", str(TOPIC_SCRIPT)], env=env, capture_output=True, timeout=30)
    assert refused.returncode != 0 and not log.exists()


def test_topic_script_is_used_by_compose_and_kubernetes(compose: dict) -> None:
    init = compose["services"]["kafka-topics"]
    assert init["image"] == compose["services"]["kafka"]["image"]
    assert any(
        (COMPOSE_DIR / v.split(":")[0]).resolve() == TOPIC_SCRIPT.resolve() for v in init["volumes"]
    )
    assert init["environment"]["REPLICATION_FACTOR"] == "1"
    script = TOPIC_SCRIPT.read_text(encoding="utf-8")
    for target in TARGETS:
        resources = kustomize(K8S / target)
        job = of_kind(resources, "Job")["kafka-topics"]
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["image"].startswith("apache/kafka:")
        env = env_of(container)
        assert env["REPLICATION_FACTOR"]["value"] == "3"
        assert int(env["MIN_INSYNC_REPLICAS"]["value"]) >= 2
        assert env["BOOTSTRAP_SERVERS"]["valueFrom"]["configMapKeyRef"]["key"] == (
            "KAFKA_BOOTSTRAP_SERVERS"
        )
        volumes = {v["name"]: v for v in job["spec"]["template"]["spec"]["volumes"]}
        config_map = of_kind(resources, "ConfigMap")[volumes["scripts"]["configMap"]["name"]]
        assert config_map["data"]["create-topics.sh"] == script


# --------------------------------------------------------------------------- Kubernetes
def test_kustomizations_reference_existing_files() -> None:
    kustomizations = sorted(K8S.rglob("kustomization.yaml"))
    assert {p.parent.relative_to(K8S).as_posix() for p in kustomizations} == set(TARGETS)
    for path in kustomizations:
        kustomization = yaml.safe_load(path.read_text(encoding="utf-8"))
        referenced = list(kustomization.get("resources", []))
        for generator in kustomization.get("configMapGenerator", []):
            referenced += generator.get("envs", [])
            referenced += [f.rpartition("=")[2] for f in generator.get("files", [])]
        referenced += [p["path"] for p in kustomization.get("patches", []) if "path" in p]
        for entry in referenced:
            target = path.parent / entry
            assert target.exists(), f"{path}: {entry} does not exist"
            if target.is_dir():
                assert (target / "kustomization.yaml").is_file(), f"{path}: {entry}"
        # Every manifest next to a kustomization is listed in it (none forgotten).
        listed = {(path.parent / e).resolve() for e in kustomization.get("resources", [])}
        for manifest in path.parent.rglob("*.yaml"):
            if manifest.name != "kustomization.yaml" and manifest.parent == path.parent:
                assert manifest.resolve() in listed, f"{manifest} is not in {path}"


#: Strimzi's operations of simple authorization (AclRule, kafka.strimzi.io/v1beta2).
KAFKA_ACL_OPERATIONS = [
    "Read", "Write", "Create", "Delete", "Alter", "Describe", "ClusterAction", "AlterConfigs",
    "DescribeConfigs", "IdempotentWrite", "All",
]  # fmt: skip
_NAMED_RESOURCE = {
    "type": "object",
    "required": ["type", "name"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["topic", "group", "transactionalId"]},
        "name": {"type": "string", "minLength": 1},
        "patternType": {"enum": ["literal", "prefix"]},
    },
}
#: The part of Strimzi's KafkaUser CRD schema (v1beta2) that deploy/k8s uses, strict
#: like the Kubernetes schemas: the CRD is not bundled with kubernetes-validate.
KAFKA_USER_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "kafka.strimzi.io/v1beta2"},
        "kind": {"const": "KafkaUser"},
        "metadata": {
            "type": "object",
            "required": ["name", "labels"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"},
                "namespace": {"type": "string"},
                "labels": {
                    "type": "object",
                    "required": ["strimzi.io/cluster"],
                    "additionalProperties": {"type": "string"},
                },
            },
        },
        "spec": {
            "type": "object",
            "required": ["authentication", "authorization"],
            "additionalProperties": False,
            "properties": {
                "authentication": {
                    "type": "object",
                    "required": ["type"],
                    "additionalProperties": False,
                    "properties": {"type": {"enum": ["tls", "tls-external", "scram-sha-512"]}},
                },
                "authorization": {
                    "type": "object",
                    "required": ["type", "acls"],
                    "additionalProperties": False,
                    "properties": {
                        "type": {"const": "simple"},
                        "acls": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["resource", "operations"],
                                "additionalProperties": False,
                                "properties": {
                                    "type": {"enum": ["allow", "deny"]},
                                    "host": {"type": "string"},
                                    "operations": {
                                        "type": "array",
                                        "minItems": 1,
                                        "uniqueItems": True,
                                        "items": {"enum": KAFKA_ACL_OPERATIONS},
                                    },
                                    "resource": {
                                        "oneOf": [
                                            _NAMED_RESOURCE,
                                            {
                                                "type": "object",
                                                "required": ["type"],
                                                "additionalProperties": False,
                                                "properties": {"type": {"const": "cluster"}},
                                            },
                                        ]
                                    },
                                },
                            },
                        },
                    },
                },
                # KafkaUserQuotas: per broker, for each client of the user.
                "quotas": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": False,
                    "properties": {
                        "producerByteRate": {"type": "integer", "minimum": 0},
                        "consumerByteRate": {"type": "integer", "minimum": 0},
                        "requestPercentage": {"type": "integer", "minimum": 0},
                        "controllerMutationRate": {"type": "number", "minimum": 0},
                    },
                },
            },
        },
    },
}
CUSTOM_RESOURCE_SCHEMAS = {("kafka.strimzi.io/v1beta2", "KafkaUser"): KAFKA_USER_SCHEMA}


def test_manifests_match_the_kubernetes_schemas(rendered: tuple[str, list[dict]]) -> None:
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate bundles the Kubernetes schemas"
    )
    import jsonschema

    _, resources = rendered
    errors = []
    for resource in resources:
        custom = CUSTOM_RESOURCE_SCHEMAS.get((resource["apiVersion"], resource["kind"]))
        if custom is not None:
            errors += [
                f"{resource['kind']}/{resource['metadata']['name']}: "
                f"{'.'.join(map(str, e.path))}: {e.message}"
                for e in jsonschema.Draft202012Validator(custom).iter_errors(resource)
            ]
            continue
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(map(str, error.path))
            errors.append(
                f"{resource['kind']}/{resource['metadata']['name']}: {path}: {error.message}"
            )
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(error.message)
    assert not errors, "\n".join(errors)


def test_every_process_is_a_deployment(rendered: tuple[str, list[dict]]) -> None:
    _, resources = rendered
    deployments = processes(resources)
    assert set(deployments) == set(PROCESSES)
    for name, deployment in deployments.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", PROCESSES[name]]
        assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [("http", PORT)]


def test_deployments_probes_resources_and_security(rendered: tuple[str, list[dict]]) -> None:
    _, resources = rendered
    for name, deployment in processes(resources).items():
        spec = deployment["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec.get("automountServiceAccountToken") is False, name
        volumes = {v["name"]: v for v in spec["volumes"]}
        (container,) = spec["containers"]
        probes = {
            kind: (container[kind]["httpGet"]["path"], container[kind]["httpGet"]["port"])
            for kind in ("readinessProbe", "livenessProbe")
        }
        assert probes == {
            "readinessProbe": ("/readyz", "http"),
            "livenessProbe": ("/healthz", "http"),
        }
        for each in spec.get("initContainers", []) + spec["containers"]:
            where = f"{name}/{each['name']}"
            limits = each["resources"]["limits"]
            requests = each["resources"]["requests"]
            assert {"cpu", "memory"} <= set(limits), where
            assert {"cpu", "memory"} <= set(requests), where
            security = each["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            mounts = {m["mountPath"]: m["name"] for m in each["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], where


def test_services_taking_uploads_have_room_to_spool_them(
    rendered: tuple[str, list[dict]],
) -> None:
    from runtime.service import FORMS
    from services.feedback.api import MAX_SUBMISSION_BYTES

    _, resources = rendered
    deployments = processes(resources)
    for name in ("content", "feedback"):
        volumes = {v["name"]: v for v in deployments[name]["spec"]["template"]["spec"]["volumes"]}
        limit = volumes["tmp"]["emptyDir"]["sizeLimit"]
        assert limit.endswith("Mi"), limit
        # Every form the process reads at once may spool its whole body to /tmp.
        assert int(limit[:-2]) * 1024 * 1024 >= FORMS.size * MAX_SUBMISSION_BYTES, name


def test_services_migrate_first(rendered: tuple[str, list[dict]]) -> None:
    _, resources = rendered
    for name, deployment in processes(resources).items():
        spec = deployment["spec"]["template"]["spec"]
        init = spec.get("initContainers", [])
        if name not in WITH_DATABASE:
            assert not init, f"{name} has no database to migrate"
            continue
        (migrate,) = init
        (container,) = spec["containers"]
        assert migrate["command"] == ["python", "-m", PROCESSES[name], "migrate"]
        assert migrate["image"] == container["image"]
        assert env_of(migrate)["DATABASE_URL"] == env_of(container)["DATABASE_URL"]


def test_environment_config_and_secrets(rendered: tuple[str, list[dict]]) -> None:
    target, resources = rendered
    config_maps = of_kind(resources, "ConfigMap")
    assert not of_kind(resources, "Secret"), "Secrets are created by operators, not committed"
    example = read_env_file(K8S / "secrets.env.example")
    assert set(example) == SECRET_KEYS | MAIL_SECRETS
    assert all("change-me" in value for value in example.values())
    for name, deployment in processes(resources).items():
        for container in containers(deployment):
            where = f"{target}: {name}/{container['name']}"
            available = set()
            for source in container.get("envFrom", []):
                config_map = config_maps[source["configMapRef"]["name"]]
                available |= set(config_map["data"])
            env = env_of(container)
            available |= set(env)
            required = set(COMMON_ENV) | ({"DATABASE_URL"} if name in WITH_DATABASE else set())
            serving = container["name"] == name  # not the migrate init container
            if name in CALLERS and serving:
                required |= set(SERVICE_URLS)
            if name in MAILING and serving:
                required |= MAIL_ENV | MAIL_SECRETS
            if name in REDIS_USERS and serving:
                required.add("REDIS_URL")
            if name in INDEXING and serving:
                required.add("OPENSEARCH_URL")
            assert required <= available, f"{where}: missing {required - available}"
            for key in SECRET_KEYS & set(env):
                reference = env[key]["valueFrom"]["secretKeyRef"]
                assert reference == {"name": "portal-secrets", "key": key}, where
            for key in MAIL_SECRETS & set(env):
                # Optional: a relay may take the cluster's mail without a login.
                reference = env[key]["valueFrom"]["secretKeyRef"]
                assert reference == {"name": "portal-secrets", "key": key, "optional": True}
            for key, service in SERVICE_URLS.items():
                if key in env:
                    url = urlsplit(env[key]["value"])
                    assert (url.hostname, url.port) == (service, PORT), where
    config = config_maps["portal-config"]["data"]
    assert (config["HOST"], config["PORT"]) == ("0.0.0.0", str(PORT))
    assert not (SECRET_KEYS | MAIL_SECRETS) & set(config), "secrets belong in the Secret"
    assert config["SMTP_PORT"] in {"25", "587"}, "the relay's SMTP or submission port"
    assert (config["SMTP_PORT"] == "587") == (config["SMTP_STARTTLS"] == "1")
    assert config["PORTAL_DEMO"] == "0"
    assert set(config["PORTAL_RECEIPT_STEPS"].split(",")) == RECEIPT_STEPS
    assert not {"KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"} & set(config), "per process"


def test_services_select_their_deployments(rendered: tuple[str, list[dict]]) -> None:
    _, resources = rendered
    deployments = processes(resources)
    services = of_kind(resources, "Service")
    assert set(services) == set(PROCESSES) | {"minio"} | INFRASTRUCTURE
    for name, service in services.items():
        if name not in PROCESSES:
            continue
        pod_labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        selector = deployments[name]["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
        assert service["spec"]["selector"].items() <= pod_labels.items(), name
        assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [(PORT, "http")]


def test_autoscaling_and_disruption_budgets(rendered: tuple[str, list[dict]]) -> None:
    _, resources = rendered
    deployments = processes(resources)
    autoscalers = of_kind(resources, "HorizontalPodAutoscaler")
    budgets = of_kind(resources, "PodDisruptionBudget")
    assert set(autoscalers) == AUTOSCALED
    assert set(budgets) == AUTOSCALED | INFRASTRUCTURE
    for name in AUTOSCALED:
        target = autoscalers[name]["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name)
        assert autoscalers[name]["spec"]["minReplicas"] <= autoscalers[name]["spec"]["maxReplicas"]
        assert "replicas" not in deployments[name]["spec"], f"the autoscaler owns {name}'s replicas"
        pod_labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert budgets[name]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        if "minAvailable" in budgets[name]["spec"]:
            assert budgets[name]["spec"]["minAvailable"] < autoscalers[name]["spec"]["minReplicas"]


def test_ingress(rendered: tuple[str, list[dict]]) -> None:
    target, resources = rendered
    (ingress,) = of_kind(resources, "Ingress").values()
    rules = ingress["spec"]["rules"]
    hosts = [rule["host"] for rule in rules]
    domain = "staging.hanoi.gov.vn" if target == "overlays/staging" else "hanoi.gov.vn"
    assert hosts == [domain, f"*.{domain}"]
    tls_hosts = {host for tls in ingress["spec"]["tls"] for host in tls["hosts"]}
    assert set(hosts) <= tls_hosts
    assert all(tls["secretName"] for tls in ingress["spec"]["tls"])
    gateway = of_kind(resources, "Service")["gateway"]
    port_names = {p["name"] for p in gateway["spec"]["ports"]}
    for rule in rules:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == "gateway"
            assert backend["port"]["name"] in port_names


def _selects(selector: dict, labels: dict) -> bool:
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        return True
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        value = labels.get(expression["key"])
        operator = expression["operator"]
        if (operator == "In" and value not in expression["values"]) or (
            operator == "NotIn" and value in expression["values"]
        ):
            return False
        if (operator == "Exists" and value is None) or (operator == "DoesNotExist" and value):
            return False
    return True


def test_network_policies(rendered: tuple[str, list[dict]]) -> None:
    _, resources = rendered
    policies = list(of_kind(resources, "NetworkPolicy").values())
    pods = {
        name: d["spec"]["template"]["metadata"]["labels"]
        for name, d in processes(resources).items()
    }
    # Everything is denied unless a policy allows it.
    assert any(
        p["spec"]["podSelector"] == {}
        and not p["spec"].get("ingress")
        and "Ingress" in p["spec"]["policyTypes"]
        for p in policies
    )
    admitted_from: dict[str, list[dict]] = {name: [] for name in pods}
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            assert rule.get("from"), f"{policy['metadata']['name']} admits everyone"
            for name, labels in pods.items():
                if _selects(policy["spec"]["podSelector"], labels):
                    admitted_from[name] += rule["from"]

    def from_ingress_controller(peer: dict) -> bool:
        namespace = peer.get("namespaceSelector", {}).get("matchLabels", {})
        return namespace.get("kubernetes.io/metadata.name") == "ingress-nginx"

    receiving = {
        name for name, peers in admitted_from.items() if any(map(from_ingress_controller, peers))
    }
    assert receiving == {"gateway"}
    for name in pods:
        same_namespace = [p for p in admitted_from[name] if "namespaceSelector" not in p]
        callers = {
            caller
            for caller, labels in pods.items()
            for peer in same_namespace
            if _selects(peer["podSelector"], labels)
        }
        # The services are reached by the gateway and admin's web UI only; the gateway
        # by none of the platform's pods.
        expected = CALLERS if name in WITH_DATABASE else set()
        assert callers == expected, f"{name} is reached from {callers}"


def test_namespace(rendered: tuple[str, list[dict]]) -> None:
    target, resources = rendered
    expected = "portal-staging" if target == "overlays/staging" else "portal"
    (namespace,) = of_kind(resources, "Namespace")
    assert namespace == expected
    for resource in resources:
        if resource["kind"] not in CLUSTER_SCOPED:
            assert resource["metadata"]["namespace"] == expected, resource["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlays_pin_a_released_image(overlay: str) -> None:
    images = set()
    for resource in kustomize(K8S / "overlays" / overlay):
        for spec in pod_specs(resource):
            for container in spec.get("initContainers", []) + spec["containers"]:
                images.add(container["image"])
    portal_images = {image for image in images if not image.startswith(THIRD_PARTY_IMAGES)}
    for image in images - portal_images:
        assert image.rpartition(":")[2] not in {"", "latest"}, f"{image}: pin a release"
    assert len(portal_images) == 1, portal_images
    (image,) = portal_images
    name, _, tag = image.rpartition(":")
    registry = name.split("/")[0] if "/" in name else ""
    assert "." in registry, f"{image}: name the registry"
    assert tag not in {"", "latest", "dev"}, f"{image}: pin a released tag"


def test_production_settings() -> None:
    resources = kustomize(K8S / "overlays" / "production")
    config = of_kind(resources, "ConfigMap")["portal-config"]["data"]
    assert config["PORTAL_DEMO"] == "0"
    assert config["LOG_LEVEL"] in {"INFO", "WARNING", "ERROR"}
    deployments = processes(resources)
    # feedback's clock set over its API is for end-to-end tests and drills only.
    assert config.get("PORTAL_CONTROLLABLE_CLOCK", "0") == "0"
    for deployment in deployments.values():
        for container in containers(deployment):
            assert "PORTAL_CONTROLLABLE_CLOCK" not in env_of(container)
    for name in WITH_DATABASE - AUTOSCALED:
        assert deployments[name]["spec"]["replicas"] >= 2, name
    for name, autoscaler in of_kind(resources, "HorizontalPodAutoscaler").items():
        assert autoscaler["spec"]["minReplicas"] >= 2, name


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="cross-check only where kubectl is")
@pytest.mark.parametrize("target", TARGETS)
def test_loader_renders_what_kubectl_kustomize_renders(target: str) -> None:
    """Keeps the small loader above honest where a real Kustomize is at hand."""
    result = subprocess.run(
        ["kubectl", "kustomize", str(K8S / target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0 and "unknown command" in result.stderr:
        pytest.skip("this kubectl has no kustomize")
    assert result.returncode == 0, result.stderr
    generated = "|".join(
        re.escape(c["name"])
        for path in K8S.rglob("kustomization.yaml")
        for c in yaml.safe_load(path.read_text(encoding="utf-8")).get("configMapGenerator", [])
    )
    text = re.sub(rf"\b({generated})-[a-z0-9]{{10}}\b", r"\1", result.stdout)
    theirs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(text) if d}
    ours = {(d["kind"], d["metadata"]["name"]): d for d in kustomize(K8S / target)}
    assert ours == theirs


def test_only_admin_holds_the_token_signing_key(
    rendered: tuple[str, list[dict]], compose: dict
) -> None:
    """Every process checks editors' tokens with the public key; the private key that
    signs them is admin's alone (not even its migrate init container's)."""
    target, resources = rendered
    for name, deployment in processes(resources).items():
        for container in containers(deployment):
            holds = SIGNING_KEY in env_of(container)
            assert holds == (name == "admin" and container["name"] == "admin"), (
                f"{target}: {name}/{container['name']}"
            )
    for name in PROCESSES:
        holds = SIGNING_KEY in compose["services"][name]["environment"]
        assert holds == (name == "admin"), name


# --------------------------------------------------------------------------- media
def test_compose_media_is_in_minio(compose: dict) -> None:
    """content keeps media in MinIO's bucket; MinIO is on the compose network only."""
    services = compose["services"]
    minio = services["minio"]
    assert minio["image"].startswith("minio/minio:RELEASE.")
    assert minio["command"][:2] == ["server", "/data"]
    assert "healthcheck" in minio
    assert not minio.get("ports"), "reached on the compose network only"
    assert any(
        v.split(":")[1] == "/data" and v.split(":")[0] in compose["volumes"]
        for v in minio["volumes"]
    ), "media outlive the container"
    bucket_job = services["minio-bucket"]
    assert bucket_job["image"].startswith("minio/mc:RELEASE.")
    assert bucket_job.get("restart") == "no"
    assert depends_on(bucket_job) == {"minio": "service_healthy"}
    script = " ".join(bucket_job["entrypoint"])
    assert "mb --ignore-existing" in script and "anonymous set none" in script
    for name in STORING_MEDIA:
        environment = services[name]["environment"]
        assert set(environment) >= MEDIA_ENV, name
        url = urlsplit(environment["MEDIA_S3_URL"])
        assert (url.scheme, url.hostname, url.port) == ("http", "minio", MINIO_PORT), name
        assert environment["MEDIA_S3_BUCKET"] == bucket_job["environment"]["MEDIA_S3_BUCKET"]
        # content signs in with MinIO's own credentials, from .env.
        assert environment["MEDIA_S3_ACCESS_KEY"] == minio["environment"]["MINIO_ROOT_USER"]
        assert environment["MEDIA_S3_SECRET_KEY"] == minio["environment"]["MINIO_ROOT_PASSWORD"]
        for key in MEDIA_KEYS:
            assert environment[key] == bucket_job["environment"][key]
        deps = depends_on(services[name])
        assert deps["minio"] == "service_healthy", name
        assert deps["minio-bucket"] == "service_completed_successfully", name
    text = (COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    assert required >= MEDIA_KEYS, "MinIO has no default credentials"


def test_compose_no_process_writes_media_to_its_disk(compose: dict) -> None:
    for name in PROCESSES:
        service = compose["services"][name]
        assert service.get("read_only") is True, name
        assert not service.get("volumes"), f"{name} mounts a volume"
        assert "PORTAL_MEDIA_DIR" not in service["environment"], name
        if name not in STORING_MEDIA:
            assert not MEDIA_KEYS & set(service["environment"]), f"{name} has the media keys"


def test_kubernetes_media_is_in_the_object_store(rendered: tuple[str, list[dict]]) -> None:
    target, resources = rendered
    deployments = processes(resources)
    minio = of_kind(resources, "StatefulSet")["minio"]
    service = of_kind(resources, "Service")["minio"]
    (port,) = service["spec"]["ports"]
    assert port["port"] == MINIO_PORT
    pod_labels = minio["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert minio["spec"]["serviceName"] == "minio"
    (claim,) = minio["spec"]["volumeClaimTemplates"]
    (server,) = minio["spec"]["template"]["spec"]["containers"]
    assert server["image"].startswith("minio/minio:RELEASE.")
    mounts = {m["mountPath"]: m["name"] for m in server["volumeMounts"]}
    assert mounts["/data"] == claim["metadata"]["name"], "media on the PersistentVolume"
    assert "/data" in server["args"]
    server_env = env_of(server)
    # MinIO's root credentials are content's keys, from the operators' Secret.
    roots = {"MINIO_ROOT_USER": "MEDIA_S3_ACCESS_KEY", "MINIO_ROOT_PASSWORD": "MEDIA_S3_SECRET_KEY"}
    for variable, key in roots.items():
        reference = server_env[variable]["valueFrom"]["secretKeyRef"]
        assert reference == {"name": "portal-secrets", "key": key}, variable

    job = of_kind(resources, "Job")["minio-bucket"]
    (mc,) = job["spec"]["template"]["spec"]["containers"]
    assert mc["image"].startswith("minio/mc:RELEASE.")
    job_env = env_of(mc)

    for name in STORING_MEDIA:
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        env = env_of(container)
        where = f"{target}: {name}"
        assert set(env) >= MEDIA_ENV, where
        url = urlsplit(env["MEDIA_S3_URL"]["value"])
        assert (url.scheme, url.hostname, url.port) == ("http", "minio", MINIO_PORT), where
        assert env["MEDIA_S3_BUCKET"]["value"] == job_env["MEDIA_S3_BUCKET"]["value"], where
        assert job_env["MEDIA_S3_URL"] == env["MEDIA_S3_URL"], where
        for key in MEDIA_KEYS:
            assert "value" not in env[key], f"{where}: {key} is written out"
            reference = env[key]["valueFrom"]["secretKeyRef"]
            assert reference == {"name": "portal-secrets", "key": key}, where
            assert job_env[key] == env[key], where


def test_kubernetes_no_replica_writes_media_to_its_disk(rendered: tuple[str, list[dict]]) -> None:
    """Only MinIO has a persistent volume; every process has an emptyDir /tmp and no
    local media directory, however many replicas it runs."""
    target, resources = rendered
    config = of_kind(resources, "ConfigMap")["portal-config"]["data"]
    assert "PORTAL_MEDIA_DIR" not in config
    assert "MEDIA_S3_URL" not in config, "content's setting, in content.yaml"
    for name, deployment in processes(resources).items():
        spec = deployment["spec"]["template"]["spec"]
        for volume in spec.get("volumes", []):
            assert set(volume) - {"name"} <= {"emptyDir", "configMap", "secret"}, (
                f"{target}: {name}: volume {volume['name']}"
            )
        for container in containers(deployment):
            env = env_of(container)
            assert "PORTAL_MEDIA_DIR" not in env, f"{target}: {name}"
            serving = container["name"] == name
            if not (name in STORING_MEDIA and serving):
                assert not MEDIA_KEYS & set(env), f"{target}: {name}/{container['name']}"
    stateful = of_kind(resources, "StatefulSet")
    assert set(stateful) == {"minio"}
    assert stateful["minio"]["spec"]["replicas"] == 1, "one node: a single-node MinIO"


def test_kubernetes_minio_pods_are_locked_down(rendered: tuple[str, list[dict]]) -> None:
    target, resources = rendered
    for resource in [
        of_kind(resources, "StatefulSet")["minio"],
        of_kind(resources, "Job")["minio-bucket"],
    ]:
        spec = pod_specs(resource)[0]
        where = f"{target}: {resource['kind']}/{resource['metadata']['name']}"
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec.get("automountServiceAccountToken") is False, where
        for container in spec["containers"]:
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), where
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), where
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
    (server,) = of_kind(resources, "StatefulSet")["minio"]["spec"]["template"]["spec"]["containers"]
    assert server["readinessProbe"]["httpGet"]["path"] == "/minio/health/ready"
    assert server["livenessProbe"]["httpGet"]["path"] == "/minio/health/live"


def test_kubernetes_only_content_reaches_minio(rendered: tuple[str, list[dict]]) -> None:
    _, resources = rendered
    minio_labels = of_kind(resources, "StatefulSet")["minio"]["spec"]["template"]["metadata"][
        "labels"
    ]
    pods = {
        name: d["spec"]["template"]["metadata"]["labels"]
        for name, d in processes(resources).items()
    }
    job_labels = of_kind(resources, "Job")["minio-bucket"]["spec"]["template"]["metadata"]["labels"]
    pods["minio-bucket"] = job_labels
    backup = of_kind(resources, "CronJob")["backup"]["spec"]["jobTemplate"]["spec"]
    pods["backup"] = backup["template"]["metadata"]["labels"]
    admitted: set[str] = set()
    for policy in of_kind(resources, "NetworkPolicy").values():
        if not _selects(policy["spec"]["podSelector"], minio_labels):
            continue
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                if "namespaceSelector" in peer:
                    continue  # Prometheus' scrape rule names the port `http`, which MinIO lacks
                admitted |= {
                    n for n, labels in pods.items() if _selects(peer["podSelector"], labels)
                }
    assert admitted == STORING_MEDIA | {"minio-bucket", "backup"}


def test_kubernetes_backs_up_weekly(rendered: tuple[str, list[dict]]) -> None:
    """Quy chế 004 Điều 13.3.b: a weekly backup of the databases and the media, onto
    a volume of its own, never two at once, from a locked-down pod."""
    target, resources = rendered
    cron = of_kind(resources, "CronJob")["backup"]
    spec = cron["spec"]
    *_, day, month, weekday = spec["schedule"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit(), "once a week"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["timeZone"] == "Asia/Ho_Chi_Minh"
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["image"] == containers(processes(resources)["content"])[0]["image"]
    command = container["command"]
    assert command[:4] == ["python", "-m", "portal.cli", "backup"]
    destination = command[command.index("--to") + 1]
    assert int(command[command.index("--keep") + 1]) >= 4, "at least a month of sets"
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    claim = volumes[mounts[destination]]["persistentVolumeClaim"]["claimName"]
    assert claim in of_kind(resources, "PersistentVolumeClaim"), target
    env = env_of(container)
    content_env = env_of(containers(processes(resources)["content"])[-1])
    for key in ["DATABASE_URL", "MEDIA_S3_URL", "MEDIA_S3_BUCKET", "MEDIA_S3_ACCESS_KEY",
                "MEDIA_S3_SECRET_KEY"]:  # fmt: skip
        assert env[key] == content_env[key], f"{key}: the backup reads what content writes"


# --------------------------------------------------------------------------- pooling
def _ini(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith(("#", ";")):
            values[name.strip()] = value.strip()
    return values


def test_services_reach_postgres_through_pgbouncer_in_transaction_mode(
    rendered: tuple[str, list[dict]],
) -> None:
    _, resources = rendered
    bouncer = of_kind(resources, "Deployment")["pgbouncer"]
    ini = _ini(of_kind(resources, "ConfigMap")["pgbouncer-config"]["data"]["pgbouncer.ini"])
    assert ini["pool_mode"] == "transaction"
    # The services set search_path per connection and use prepared statements.
    assert "search_path" in ini["track_extra_parameters"]
    assert int(ini["max_prepared_statements"]) > 0
    assert ini["auth_type"] == "scram-sha-256"
    assert ini["server_tls_sslmode"] in ("require", "verify-ca", "verify-full")
    assert "pgbouncer" in of_kind(resources, "Service")
    spec = bouncer["spec"]["template"]["spec"]
    for container in spec["initContainers"] + spec["containers"]:
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
    # Its upstream and users come from a Secret, never from the committed config.
    assert "password" not in ini.get("portal", "")
    secret_volumes = [v for v in spec["volumes"] if "secret" in v]
    assert secret_volumes and secret_volumes[0]["secret"]["secretName"] == "pgbouncer-secrets"


def test_the_connection_budget_holds_at_every_autoscaling_maximum(
    rendered: tuple[str, list[dict]],
) -> None:
    target, resources = rendered
    env = dict(
        line.split("=", 1)
        for line in (K8S / "base" / "portal.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    per_process = int(env["PORTAL_DB_POOL_SIZE"]) + int(env["PORTAL_DB_MAX_OVERFLOW"])
    deployments = processes(resources)
    scalers = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"]
        for h in of_kind(resources, "HorizontalPodAutoscaler").values()
    }
    clients = sum(
        scalers.get(name, deployments[name]["spec"].get("replicas", 1)) * per_process
        for name in WITH_DATABASE
    )
    ini = _ini(of_kind(resources, "ConfigMap")["pgbouncer-config"]["data"]["pgbouncer.ini"])
    assert clients <= int(ini["max_client_conn"]), (target, clients)
    bouncers = of_kind(resources, "Deployment")["pgbouncer"]["spec"]["replicas"]
    # PostgreSQL's default max_connections is 100; keep room for operators and backups.
    assert bouncers * int(ini["default_pool_size"]) <= 90, target
    assert int(ini["max_db_connections"]) <= int(ini["default_pool_size"])


# --------------------------------------------------------------------------- data planes
# Who reads and writes which topic, and who uses Redis and OpenSearch, read from the
# sources (importing the services would take seconds): the ACLs, credentials and egress
# rules below are checked against it, so that they cannot drift from the code.
RUNTIME = ROOT / "runtime"
EVENT_TOPICS = {event.__name__: topic for topic in CONTRACT_TOPICS for event in topic.events}
TOPIC_CONSTANTS = {n: t for n, t in vars(topic_registry).items() if isinstance(t, Topic)}
KAFKA_USER_OPERATIONS = {"Read", "Write", "Describe"}
TOPIC_JOB = "kafka-topics"
TOPIC_JOB_OPERATIONS = {"Create", "Describe", "DescribeConfigs", "AlterConfigs"}


def package_files(name: str) -> list[Path]:
    return sorted((ROOT / Path(*PROCESSES[name].split("."))).rglob("*.py"))


@functools.cache
def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


@functools.cache
def produced_topics(name: str) -> frozenset[str]:
    """The topics a process's outbox publishes to: the events its code makes, and the
    audit entries of UnitOfWork.audit (an AuditRecorded on the audit topic)."""
    produced = set()
    for path in package_files(name):
        for node in ast.walk(_parsed(path)):
            if isinstance(node, ast.Call):
                called = _called(node)
                if called in EVENT_TOPICS:
                    produced.add(EVENT_TOPICS[called].name)
                elif called == "audit" and isinstance(node.func, ast.Attribute):
                    produced.add(topic_registry.AUDIT.name)
    return frozenset(produced)


@functools.cache
def consumed_topics(name: str) -> Mapping[str, tuple[str, str] | None]:
    """Each topic a process subscribes to (Subscription(topics.X, ...) in its
    __main__.py) -> its consumer group's name and ACL pattern type, as runtime/service.py
    names it: `<service>.<aggregate>`, or `<consumer_group>.<aggregate>` where the
    service names its own group (the gateway: one per instance, a prefix). A service
    that checks tokens (service.token_auth()) reads the account topic too, in no group
    (None: every partition assigned, nothing to join)."""
    tree = _parsed(package_files(name)[0].parent / "__main__.py")
    subscribed: list[Topic] = []
    group: tuple[str, str] | None = None
    per_instance: dict[str, tuple[str, str] | None] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if _called(node) == "token_auth":
            account = topic_registry.ACCOUNT
            per_instance[account.name] = None
        elif _called(node) == "Subscription":
            argument = node.args[0]
            assert isinstance(argument, ast.Attribute), ast.unparse(node)
            assert ast.unparse(argument.value) == "topics", ast.unparse(node)
            subscribed.append(TOPIC_CONSTANTS[argument.attr])
        elif _called(node) == "Service":
            for keyword in node.keywords:
                if keyword.arg != "consumer_group":
                    continue
                if isinstance(keyword.value, ast.Constant):
                    group = (keyword.value.value, "literal")
                else:
                    assert isinstance(keyword.value, ast.JoinedStr), ast.unparse(keyword)
                    head = keyword.value.values[0]
                    assert isinstance(head, ast.Constant) and head.value, ast.unparse(keyword)
                    group = (head.value, "prefix")
    consumed: dict[str, tuple[str, str] | None] = {}
    for topic in subscribed:
        if group is None:
            consumed[topic.name] = (f"{name}.{topic.aggregate}", "literal")
        elif group[1] == "literal":
            consumed[topic.name] = (f"{group[0]}.{topic.aggregate}", "literal")
        else:
            consumed[topic.name] = group
    return MappingProxyType({**consumed, **per_instance})


def test_kafka_usage_is_read_from_the_code() -> None:
    """The readers above see what the runtime does: group names, dead letters, audit."""
    consumer = (RUNTIME / "consumer.py").read_text(encoding="utf-8")
    service = (RUNTIME / "service.py").read_text(encoding="utf-8")
    relay = (RUNTIME / "relay.py").read_text(encoding="utf-8")
    # Group ids: <service>.<aggregate> unless the service names its own.
    assert 'f"{service}.{subscription.topic.aggregate}"' in consumer
    assert 'f"{group}.{sub.topic.aggregate}" if group' in service
    # Token checks read the revocations, each instance all partitions in no group.
    assert "topics.ACCOUNT" in service and "replay=True" in service
    assert 'options = {"partitions": [TopicPartition(self.topic.name, p)' in consumer
    # Consumers park on the consumed topic's dead-letter topic, the relay on the
    # produced one's: both write there.
    assert "self.topic.dead_letter" in consumer
    assert 'f"{row.topic}.dlt"' in relay
    (audit,) = [
        node
        for node in ast.walk(_parsed(RUNTIME / "messaging.py"))
        if isinstance(node, ast.FunctionDef) and node.name == "audit"
    ]
    assert any(isinstance(n, ast.Call) and _called(n) == "AuditRecorded" for n in ast.walk(audit))
    # A few facts the platform is built on, so that a reader gone blind fails here.
    assert topic_registry.ARTICLE.name in produced_topics("content")
    assert topic_registry.TENANT.name in produced_topics("admin")
    assert produced_topics("gateway") == set()
    assert consumed_topics("admin") == {
        topic_registry.AUDIT.name: ("admin.audit", "literal"),
        topic_registry.ACCOUNT.name: None,
    }
    assert topic_registry.ACCOUNT.name in consumed_topics("content")
    assert topic_registry.ACCOUNT.name not in consumed_topics("gateway")
    assert consumed_topics("gateway")[topic_registry.TENANT.name] == ("gateway-", "prefix")


def _grants(user: dict) -> tuple[dict[str, set[str]], dict[tuple[str, str], set[str]], list]:
    """A KafkaUser's ACLs: every topic of the registry (and dead-letter topic) they
    match -> its operations; group rules (name, pattern type) -> operations; others."""
    topics: dict[str, set[str]] = {name: set() for name in TOPICS}
    groups: dict[tuple[str, str], set[str]] = {}
    other = []
    for acl in user["spec"]["authorization"]["acls"]:
        resource, operations = acl["resource"], set(acl["operations"])
        assert acl.get("type", "allow") == "allow", acl
        pattern = resource.get("patternType", "literal")
        if resource["type"] == "topic":
            matched = [
                t
                for t in TOPICS
                if (
                    t == resource["name"]
                    if pattern == "literal"
                    else t.startswith(resource["name"])
                )
            ]
            assert matched, f"{user['metadata']['name']}: {resource} matches no topic"
            for t in matched:
                topics[t] |= operations
        elif resource["type"] == "group":
            groups.setdefault((resource["name"], pattern), set()).update(operations)
        else:
            other.append(acl)
    return topics, groups, other


def _workload_templates(resources: list[dict]) -> dict[str, dict]:
    """Every workload's pod template, by the workload's name."""
    out = {}
    for resource in resources:
        if resource["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
            out[resource["metadata"]["name"]] = resource["spec"]["template"]
        elif resource["kind"] == "CronJob":
            out[resource["metadata"]["name"]] = resource["spec"]["jobTemplate"]["spec"]["template"]
    return out


def kafka_users_of(resources: list[dict]) -> dict[str, str]:
    """Each workload that talks to Kafka -> the Kafka user its containers sign in as."""
    users = {}
    for name, template in _workload_templates(resources).items():
        spec = template["spec"]
        for container in spec.get("initContainers", []) + spec["containers"]:
            username = env_of(container).get("KAFKA_SASL_USERNAME", {}).get("value")
            if username:
                assert users.setdefault(name, username) == username, f"{name}: two users"
    return users


def test_kafka_users_acls_match_what_the_code_reads_and_writes(
    rendered: tuple[str, list[dict]],
) -> None:
    """Each process's KafkaUser may write exactly the topics it publishes to and the
    dead-letter topics it parks on, read exactly the topics it subscribes to (with its
    consumer groups), and describe the registry; the topic Job may create and configure
    the registry's topics and nothing else."""
    target, resources = rendered
    users = of_kind(resources, "KafkaUser")
    users_of = kafka_users_of(resources)
    assert set(users_of) == set(PROCESSES) | {TOPIC_JOB}, target
    for name in PROCESSES:
        where = f"{target}: {name} ({users_of[name]})"
        topics, groups, other = _grants(users[users_of[name]])
        produced, consumed = produced_topics(name), consumed_topics(name)
        writes = produced | {t + ".dlt" for t in produced | set(consumed)}
        assert {t for t, ops in topics.items() if "Write" in ops} == writes, where
        assert {t for t, ops in topics.items() if "Read" in ops} == set(consumed), where
        # ensure_topics lists the whole registry when it starts (metadata, no records).
        assert all(ops for ops in topics.values()), f"{where}: cannot describe every topic"
        assert set().union(*topics.values()) <= KAFKA_USER_OPERATIONS, where
        assert set(groups) == {g for g in consumed.values() if g is not None}, where
        assert all(ops == {"Read"} for ops in groups.values()), where
        assert not other, f"{where}: cluster or transactional rules {other}"
    topics, groups, other = _grants(users[users_of[TOPIC_JOB]])
    assert topics == dict.fromkeys(TOPICS, TOPIC_JOB_OPERATIONS), target
    assert not groups and not other, target
    partners = set(partner_users(resources))
    assert not partners & set(users_of.values()), "a workload signs in as a partner"
    assert set(users) == set(users_of.values()) | partners, "a KafkaUser nobody signs in as"


def partner_users(resources: list[dict]) -> dict[str, dict]:
    """The partners' KafkaUsers (label app.kubernetes.io/component: partner)."""
    return {
        name: user
        for name, user in of_kind(resources, "KafkaUser").items()
        if user["metadata"]["labels"].get("app.kubernetes.io/component") == PARTNER_COMPONENT
    }


def test_partner_kafka_users_only_read_the_partner_topics(
    rendered: tuple[str, list[dict]],
) -> None:
    """Each partner (at least the example, iHanoi) signs in as its own KafkaUser that may
    read and describe the partner.* topics and nothing of portal.*, consume in groups of
    its own prefix only (which no platform group or other partner's falls under), write
    nothing, and is held to quotas."""
    target, resources = rendered
    partners = partner_users(resources)
    assert "partner-ihanoi" in partners, f"{target}: the example partner"
    # partner.* is the registry's PARTNER_TOPICS and their dead-letter topics.
    readable = {name for name in TOPICS if name.startswith("partner.")}
    partner_topics = {t.name for t in topic_registry.PARTNER_TOPICS}
    assert readable == partner_topics | {t + DEAD_LETTER_SUFFIX for t in partner_topics}
    platform_groups = {
        group for name in PROCESSES for group in consumed_topics(name).values() if group is not None
    }
    config = of_kind(resources, "ConfigMap")["portal-config"]["data"]
    cluster = config["KAFKA_BOOTSTRAP_SERVERS"].split(".")[0].removesuffix("-kafka-bootstrap")
    prefixes = {}
    for name, user in partners.items():
        where = f"{target}: {name}"
        assert name.startswith("partner-"), where
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == cluster, where
        assert user["spec"]["authentication"]["type"] in {"scram-sha-512", "tls"}, where
        for acl in user["spec"]["authorization"]["acls"]:
            if acl["resource"]["type"] == "topic":
                assert acl["resource"]["name"].startswith("partner."), f"{where}: {acl}"
        topics, groups, other = _grants(user)
        assert {t for t, ops in topics.items() if ops} == readable, where
        for topic, ops in topics.items():
            expected = {"Read", "Describe"} if topic in readable else set()
            assert ops == expected, f"{where}: {topic} {sorted(ops)}"
        assert not any(ops for t, ops in topics.items() if t.startswith("portal.")), where
        assert groups == {(f"{name}.", "prefix"): {"Read"}}, f"{where}: {groups}"
        assert not other, f"{where}: cluster or transactional rules {other}"
        prefix = f"{name}."
        for group, pattern in platform_groups:
            assert not group.startswith(prefix), f"{where}: the platform's {group}"
            assert pattern == "literal" or not prefix.startswith(group), f"{where}: {group}"
        prefixes[name] = prefix
        quotas = user["spec"].get("quotas", {})
        assert quotas.get("consumerByteRate", 0) > 0, f"{where}: no fetch quota"
    for name, prefix in prefixes.items():
        others = [p for n, p in prefixes.items() if n != name]
        assert not any(p.startswith(prefix) or prefix.startswith(p) for p in others), name


def _config_value(container: dict, key: str, config_maps: dict[str, dict]) -> str | None:
    """`key` as the container sees it from a ConfigMap (envFrom or configMapKeyRef)."""
    entry = env_of(container).get(key)
    if entry is not None:
        reference = entry.get("valueFrom", {}).get("configMapKeyRef")
        return config_maps[reference["name"]]["data"][reference["key"]] if reference else None
    for source in container.get("envFrom", []):
        data = config_maps[source["configMapRef"]["name"]]["data"]
        if key in data:
            return data[key]
    return None


def test_kubernetes_kafka_clients_sign_in_as_their_own_user(
    rendered: tuple[str, list[dict]],
) -> None:
    """Every container that talks to Kafka (the processes, their migrations, the topic
    Job) uses TLS against the cluster CA and SCRAM as its workload's own KafkaUser,
    the password from the Secret Strimzi keeps for that user; no other pod has one."""
    target, resources = rendered
    config_maps = of_kind(resources, "ConfigMap")
    config = config_maps["portal-config"]["data"]
    users = of_kind(resources, "KafkaUser")
    host, _, port = config["KAFKA_BOOTSTRAP_SERVERS"].rpartition(":")
    cluster = host.split(".")[0].removesuffix("-kafka-bootstrap")
    assert port == "9093", "Strimzi's TLS listener"
    # The names and values the runtime reads (runtime/settings.py).
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS=config["KAFKA_BOOTSTRAP_SERVERS"],
        KAFKA_SASL_MECHANISM=config["KAFKA_SASL_MECHANISM"],
        KAFKA_TLS=config["KAFKA_TLS"],
        KAFKA_CA_FILE=config["KAFKA_CA_FILE"],
    )
    assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
    assert settings.kafka_tls is True
    assert settings.kafka_ca_file is not None
    ca_dir, ca_name = str(settings.kafka_ca_file.parent), settings.kafka_ca_file.name
    signed_in: dict[str, set[str]] = {}
    for name, template in _workload_templates(resources).items():
        spec = template["spec"]
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for container in spec.get("initContainers", []) + spec["containers"]:
            where = f"{target}: {name}/{container['name']}"
            env = env_of(container)
            if name not in PROCESSES and name != TOPIC_JOB:
                assert "KAFKA_SASL_PASSWORD" not in env, f"{where} does not talk to Kafka"
                continue
            for key in ("KAFKA_SASL_MECHANISM", "KAFKA_TLS", "KAFKA_CA_FILE"):
                assert _config_value(container, key, config_maps) == config[key], where
            username = env["KAFKA_SASL_USERNAME"]["value"]
            assert "value" not in env["KAFKA_SASL_PASSWORD"], f"{where}: a written password"
            reference = env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]
            assert reference == {"name": username, "key": "password"}, where
            user = users[username]
            assert user["metadata"]["labels"]["strimzi.io/cluster"] == cluster, where
            assert user["spec"]["authentication"]["type"] == "scram-sha-512", where
            signed_in.setdefault(username, set()).add(name)
            mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
            assert mounts[ca_dir].get("readOnly") is True, where
            secret = volumes[mounts[ca_dir]["name"]]["secret"]
            assert {"key": "ca.crt", "path": ca_name} in secret["items"], where
    assert all(len(owners) == 1 for owners in signed_in.values()), f"shared users: {signed_in}"
    assert len(signed_in) == len(PROCESSES) + 1
    assert not {"KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"} & set(config)


@functools.cache
def _runtime_modules_reading(field: str) -> frozenset[str]:
    """runtime modules that read `settings.<field>`, directly or through another."""
    trees = {f"runtime.{p.stem}": _parsed(p) for p in RUNTIME.glob("*.py")}

    def imports(tree: ast.Module) -> set[str]:
        out = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                out.add(node.module)
            elif isinstance(node, ast.Import):
                out |= {alias.name for alias in node.names}
        return out

    reading = {
        module
        for module, tree in trees.items()
        if any(isinstance(n, ast.Attribute) and n.attr == field for n in ast.walk(tree))
    }
    while True:
        more = {m for m, tree in trees.items() if imports(tree) & reading} - reading
        if not more:
            return frozenset(reading)
        reading |= more


@functools.cache
def reads_setting(name: str, field: str) -> bool:
    """Whether a process's code reads `settings.<field>`, itself or through runtime."""
    through = _runtime_modules_reading(field)
    for path in package_files(name):
        for node in ast.walk(_parsed(path)):
            if isinstance(node, ast.Attribute) and node.attr == field:
                return True
            if isinstance(node, ast.ImportFrom) and node.module in through:
                return True
            if isinstance(node, ast.Import) and {a.name for a in node.names} & through:
                return True
    return False


def test_redis_and_opensearch_users_are_who_the_code_says() -> None:
    assert {name for name in PROCESSES if reads_setting(name, "redis_url")} == REDIS_USERS
    assert {name for name in PROCESSES if reads_setting(name, "opensearch_url")} == INDEXING


@functools.cache
def confirmed_steps(name: str) -> frozenset[str]:
    """The publish receipt's steps a process confirms: the `step` of every
    DeliveryConfirmed its code makes."""
    steps = set()
    for path in package_files(name):
        for node in ast.walk(_parsed(path)):
            if isinstance(node, ast.Call) and _called(node) == "DeliveryConfirmed":
                (step,) = [k.value for k in node.keywords if k.arg == "step"]
                assert isinstance(step, ast.Constant), f"{path}: {ast.unparse(step)}"
                steps.add(step.value)
    return frozenset(steps)


def test_receipt_steps_are_the_ones_the_processes_confirm() -> None:
    """PORTAL_RECEIPT_STEPS (RECEIPT_STEPS, checked in compose and Kubernetes) names every
    step a deployed process confirms, and no other: a step nobody confirms would leave
    every receipt late, one not named would not be shown."""
    by_process = {name: confirmed_steps(name) for name in PROCESSES}
    assert set().union(*by_process.values()) == RECEIPT_STEPS, by_process
    assert by_process["syndication"] == {"syndication", "partners"}
    assert by_process["renderer"] == {"site"} and by_process["search"] == {"search"}
    assert "DeliveryConfirmed" in EVENT_TOPICS, "the reader above looks for it"


def test_webhooks_to_private_addresses_stay_off_in_every_deployment(
    compose: dict,
) -> None:
    """PORTAL_WEBHOOKS_ALLOW_PRIVATE lets a partner's webhook URL reach private and
    loopback addresses (make run's setting): no deployment sets it, so syndication
    refuses them as production must (runtime/settings.py, SyndicationSettings)."""
    assert Settings.model_fields["webhooks_allow_private"].alias == WEBHOOKS_ALLOW_PRIVATE
    assert Settings.model_fields["webhooks_allow_private"].default is False
    for name, service in compose["services"].items():
        assert WEBHOOKS_ALLOW_PRIVATE not in service.get("environment", {}), name
    assert WEBHOOKS_ALLOW_PRIVATE not in read_env_file(COMPOSE_DIR / ".env.example")
    for target in TARGETS:
        resources = kustomize(K8S / target)
        for config_map in of_kind(resources, "ConfigMap").values():
            assert WEBHOOKS_ALLOW_PRIVATE not in config_map.get("data", {}), target
        for name, template in _workload_templates(resources).items():
            spec = template["spec"]
            for container in spec.get("initContainers", []) + spec["containers"]:
                assert WEBHOOKS_ALLOW_PRIVATE not in env_of(container), f"{target}: {name}"


def _secret_env(resources: list[dict], key: str) -> dict[str, set[str]]:
    """Workload -> its containers that have `key`, each checked to come from portal-secrets."""
    holders: dict[str, set[str]] = {}
    for name, template in _workload_templates(resources).items():
        spec = template["spec"]
        for container in spec.get("initContainers", []) + spec["containers"]:
            entry = env_of(container).get(key)
            if entry is None:
                continue
            assert "value" not in entry, f"{name}/{container['name']}: {key} written out"
            reference = entry["valueFrom"]["secretKeyRef"]
            assert reference == {"name": "portal-secrets", "key": key}, name
            holders.setdefault(name, set()).add(container["name"])
    return holders


def test_kubernetes_redis_url_carries_a_password_from_the_secret(
    rendered: tuple[str, list[dict]],
) -> None:
    """The processes that use Redis (and only their serving containers) get REDIS_URL
    from portal-secrets; the committed example has a password in it."""
    target, resources = rendered
    config = of_kind(resources, "ConfigMap")["portal-config"]["data"]
    assert "REDIS_URL" not in config, "the URL holds the password: in the Secret"
    assert _secret_env(resources, "REDIS_URL") == {name: {name} for name in REDIS_USERS}, target
    example = urlsplit(read_env_file(K8S / "secrets.env.example")["REDIS_URL"])
    assert example.scheme in {"redis", "rediss"} and example.password and example.hostname


def test_kubernetes_opensearch_credentials_are_search_s_alone(
    rendered: tuple[str, list[dict]],
) -> None:
    target, resources = rendered
    config = of_kind(resources, "ConfigMap")["portal-config"]["data"]
    assert not {key for key in config if "OPENSEARCH" in key}, "search's, in the Secret"
    assert _secret_env(resources, "OPENSEARCH_URL") == {n: {n} for n in INDEXING}, target
    example = urlsplit(read_env_file(K8S / "secrets.env.example")["OPENSEARCH_URL"])
    assert example.scheme == "https", "TLS to the operators' cluster"
    assert example.username and example.password and example.port == OPENSEARCH_PORT
    # The certificate is checked against the cluster's CA, mounted from a Secret.
    for name in INDEXING:
        spec = processes(resources)[name]["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        ca_file = Path(env_of(container)["OPENSEARCH_CA_FILE"]["value"])
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        volume = {v["name"]: v for v in spec["volumes"]}[mounts[str(ca_file.parent)]]
        assert {"key": "ca.crt", "path": ca_file.name} in volume["secret"]["items"], target


def _port_number(port: int | str, destination: dict | None) -> int:
    if isinstance(port, int):
        return port
    assert destination is not None, f"named port {port} outside the namespace"
    for container in destination["spec"]["containers"]:
        for each in container.get("ports", []):
            if each["name"] == port:
                return int(each["containerPort"])
    raise AssertionError(f"no port named {port}")


def _leaves_out_the_non_public_networks(cidr: str, excepted: list[str]) -> bool:
    """Whether an ipBlock of `cidr` but `excepted` misses every network of
    NON_PUBLIC_NETWORKS (of its IP version) that lies in it."""
    block = ipaddress.ip_network(cidr)
    holes = [ipaddress.ip_network(e) for e in excepted]
    assert all(h.version == block.version and h.subnet_of(block) for h in holes), excepted
    for network in map(ipaddress.ip_network, NON_PUBLIC_NETWORKS):
        inside = network.version == block.version and network.subnet_of(block)
        if inside and not any(network.subnet_of(hole) for hole in holes):
            return False
    return True


def test_a_public_ip_block_leaves_out_every_non_public_network() -> None:
    """The reader of `except` above: what counts as "public addresses only"."""
    v4 = [n for n in NON_PUBLIC_NETWORKS if ":" not in n]
    v6 = [n for n in NON_PUBLIC_NETWORKS if ":" in n]
    assert _leaves_out_the_non_public_networks("0.0.0.0/0", v4)
    assert _leaves_out_the_non_public_networks("::/0", v6)
    assert not _leaves_out_the_non_public_networks("0.0.0.0/0", v4[1:])
    assert not _leaves_out_the_non_public_networks("::/0", ["fc00::/7"])
    # A wider hole covers the networks inside it; a narrower one does not.
    assert _leaves_out_the_non_public_networks("10.0.0.0/8", ["10.0.0.0/8"])
    assert not _leaves_out_the_non_public_networks("10.0.0.0/8", ["10.0.0.0/9"])


def egress_of(resources: list[dict]) -> dict[str, set[tuple[str, str]]]:
    """Where each workload's pods may connect: (peer, protocol/port) with the peer a
    workload of the namespace, `ns:<namespace>` (with a pod selector: checked), a CIDR,
    `public:<CIDR>` for a CIDR but every non-public network (NON_PUBLIC_NETWORKS, checked;
    no other `except` is understood), `*` for anywhere; a port `*` for any port."""
    templates = _workload_templates(resources)
    labels = {name: t["metadata"]["labels"] for name, t in templates.items()}
    allowed: dict[str, set[tuple[str, str]]] = {name: set() for name in templates}
    for policy in of_kind(resources, "NetworkPolicy").values():
        spec = policy["spec"]
        if "Egress" not in spec["policyTypes"]:
            continue
        for rule in spec.get("egress", []):
            peers: list[tuple[str, dict | None]] = []
            for peer in rule.get("to") or [{}]:
                if "ipBlock" in peer:
                    cidr, excepted = peer["ipBlock"]["cidr"], peer["ipBlock"].get("except")
                    if excepted:
                        assert _leaves_out_the_non_public_networks(cidr, excepted), (
                            f"{policy['metadata']['name']}: {cidr} but {excepted}"
                        )
                        peers.append((f"public:{cidr}", None))
                    else:
                        peers.append((cidr, None))
                elif "namespaceSelector" in peer:
                    namespace = peer["namespaceSelector"]["matchLabels"][
                        "kubernetes.io/metadata.name"
                    ]
                    assert peer.get("podSelector", {}).get("matchLabels"), (
                        f"{policy['metadata']['name']}: every pod of namespace {namespace}"
                    )
                    peers.append((f"ns:{namespace}", None))
                elif "podSelector" in peer:
                    selected = [n for n, ls in labels.items() if _selects(peer["podSelector"], ls)]
                    assert selected, f"{policy['metadata']['name']}: a peer nobody is"
                    peers += [(n, templates[n]) for n in selected]
                else:
                    peers.append(("*", None))
            for name, pod_labels in labels.items():
                if not _selects(spec["podSelector"], pod_labels):
                    continue
                for peer, destination in peers:
                    for port in rule.get("ports") or [{"port": "*"}]:
                        number = (
                            "*" if port["port"] == "*" else _port_number(port["port"], destination)
                        )
                        allowed[name].add((peer, f"{port.get('protocol', 'TCP')}/{number}"))
    return allowed


def _namespace_and_port(url: str) -> tuple[str, str]:
    """`ns:<namespace>` and TCP/port of a Service URL (<svc>.<namespace>.svc...)."""
    parts = urlsplit(url)
    return f"ns:{parts.hostname.split('.')[1]}", f"TCP/{parts.port}"


def test_kubernetes_egress_is_denied_but_for_what_each_workload_uses(
    rendered: tuple[str, list[dict]],
) -> None:
    """Default deny, then DNS for all, and for each workload only the engines and
    services it uses, at the addresses the configuration names: Kafka for its clients,
    Redis for its users, OpenSearch for search, PgBouncer for the services and the
    backup, MinIO for content and the backup, the SMTP ports for feedback, HTTPS to the
    internet's public addresses for syndication's webhooks, the collector for the
    processes, the services for the gateway and admin."""
    target, resources = rendered
    policies = of_kind(resources, "NetworkPolicy").values()
    assert any(
        p["spec"]["podSelector"] == {}
        and p["spec"]["policyTypes"] == ["Egress"]
        and not p["spec"].get("egress")
        for p in policies
    ), "no default deny for egress"
    config = of_kind(resources, "ConfigMap")["portal-config"]["data"]
    secrets = read_env_file(K8S / "secrets.env.example")
    ini = _ini(of_kind(resources, "ConfigMap")["pgbouncer-config"]["data"]["pgbouncer.ini"])
    upstream_port = re.search(r"\bport=(\d+)", ini["portal"]).group(1)
    dns = {("ns:kube-system", "UDP/53"), ("ns:kube-system", "TCP/53")}
    kafka = _namespace_and_port(f"kafka://{config['KAFKA_BOOTSTRAP_SERVERS']}")
    collector = _namespace_and_port(config["OTEL_EXPORTER_OTLP_ENDPOINT"])
    redis = _namespace_and_port(secrets["REDIS_URL"])
    opensearch = _namespace_and_port(secrets["OPENSEARCH_URL"])
    postgres = ("ns:postgres", f"TCP/{upstream_port}")
    bouncer = ("pgbouncer", "TCP/6432")
    minio = ("minio", f"TCP/{MINIO_PORT}")
    smtp = {(cidr, f"TCP/{port}") for cidr in ("0.0.0.0/0", "::/0") for port in (587, 25)}
    webhooks = {(f"public:{cidr}", "TCP/443") for cidr in ("0.0.0.0/0", "::/0")}
    services = {(name, f"TCP/{PORT}") for name in WITH_DATABASE}

    allowed = egress_of(resources)

    def reaching(destination: tuple[str, str]) -> set[str]:
        return {name for name, rules in allowed.items() if destination in rules}

    assert reaching(minio) == STORING_MEDIA | {"backup", "minio-bucket"}, target
    assert set.union(*(reaching(d) for d in smtp)) == MAILING, target
    assert all(reaching(d) == WEBHOOK_SENDERS for d in webhooks), target
    assert reaching(opensearch) == INDEXING, target
    assert reaching(redis) == REDIS_USERS, target
    assert reaching(kafka) == set(PROCESSES) | {TOPIC_JOB}, target
    assert reaching(bouncer) == WITH_DATABASE | {"backup"}, target
    assert reaching(postgres) == {"pgbouncer"}, "only PgBouncer reaches PostgreSQL"
    expected: dict[str, set[tuple[str, str]]] = {name: set(dns) for name in allowed}
    for name in PROCESSES:
        expected[name] |= {kafka, collector}
    expected[TOPIC_JOB].add(kafka)
    for name in REDIS_USERS:
        expected[name].add(redis)
    for name in INDEXING:
        expected[name].add(opensearch)
    for name in WITH_DATABASE | {"backup"}:
        expected[name].add(bouncer)
    for name in STORING_MEDIA | {"backup", "minio-bucket"}:
        expected[name].add(minio)
    for name in MAILING:
        expected[name] |= smtp
    for name in WEBHOOK_SENDERS:
        expected[name] |= webhooks
    for name in CALLERS:
        expected[name] |= services
    expected["pgbouncer"].add(postgres)
    for name in allowed:
        assert allowed[name] == expected[name], (
            f"{target}: {name}: more {sorted(allowed[name] - expected[name])}, "
            f"missing {sorted(expected[name] - allowed[name])}"
        )


#: compose's one-shots that run a process's code (and sign in as that process).
COMPOSE_MIGRATIONS = {f"{name}-migrate": name for name in WITH_DATABASE}


def test_compose_kafka_clients_sign_in_as_their_own_user(compose: dict) -> None:
    """Kafka takes no connection from the compose network without SASL; each process
    (with its migrations) and the topic job sign in with a user of its own, the same
    names as in Kubernetes, which the broker knows with the client's password."""
    services = compose["services"]
    kafka = services["kafka"]["environment"]
    protocols = dict(p.split(":") for p in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    for listener in kafka["KAFKA_LISTENERS"].split(","):
        name, address = listener.split("://")
        if not address.startswith(("localhost:", "127.0.0.1:")):
            assert protocols[name].startswith("SASL_"), f"{listener} takes anyone"
    client = kafka["KAFKA_INTER_BROKER_LISTENER_NAME"].lower()
    mechanisms = kafka[f"KAFKA_LISTENER_NAME_{client.upper()}_SASL_ENABLED_MECHANISMS"]
    module, options = _jaas_options(
        kafka[f"KAFKA_LISTENER_NAME_{client.upper()}_{mechanisms.upper()}_SASL_JAAS_CONFIG"]
    )
    assert module.endswith(".PlainLoginModule") and mechanisms == "PLAIN"
    known = {
        key.removeprefix("user_"): value
        for key, value in options.items()
        if key.startswith("user_")
    }
    assert known[options["username"]] == options["password"], "the broker signs in too"
    # No ACLs here: a partner's user would read every topic (kafka/partners.yaml has them).
    assert not [user for user in known if user.startswith("partner-")], "a partner in compose"
    healthcheck = " ".join(services["kafka"]["healthcheck"]["test"])
    assert "--command-config" in healthcheck
    k8s_users = kafka_users_of(kustomize(K8S / "base"))
    clients = {**{name: name for name in PROCESSES}, **COMPOSE_MIGRATIONS, TOPIC_JOB: TOPIC_JOB}
    users: dict[str, set[str]] = {}
    for service_name, service in services.items():
        environment = service.get("environment", {})
        if service_name not in clients:
            assert not {"KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"} & set(environment), (
                f"{service_name} does not talk to Kafka"
            )
            continue
        username = environment["KAFKA_SASL_USERNAME"]
        assert environment["KAFKA_SASL_MECHANISM"] == mechanisms, service_name
        assert known[username] == environment["KAFKA_SASL_PASSWORD"], service_name
        assert username == k8s_users[clients[service_name]], "the same users as in Kubernetes"
        users.setdefault(username, set()).add(clients[service_name])
    assert all(len(owners) == 1 for owners in users.values()), users
    assert len(users) == len(PROCESSES) + 1
    text = (COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8")
    assert "KAFKA_PASSWORD" in set(re.findall(r"\$\{(\w+):\?", text)), "no default password"


def test_compose_redis_wants_a_password_only_its_users_have(compose: dict) -> None:
    services = compose["services"]
    redis = services["redis"]
    command = [str(part) for part in redis["command"]]
    password = command[command.index("--requirepass") + 1]
    assert password, "Redis takes anyone"
    assert redis["environment"]["REDISCLI_AUTH"] == password, "the healthcheck signs in"
    with_url = {
        name for name, service in services.items() if "REDIS_URL" in service.get("environment", {})
    }
    assert with_url == REDIS_USERS
    for name in REDIS_USERS:
        url = urlsplit(services[name]["environment"]["REDIS_URL"])
        assert (url.hostname, url.port, url.password) == ("redis", 6379, password), name
        assert depends_on(services[name]).get("redis") == "service_healthy", name
    text = (COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8")
    assert "REDIS_PASSWORD" in set(re.findall(r"\$\{(\w+):\?", text)), "no default password"


def test_compose_opensearch_signs_in_and_only_search_can(compose: dict) -> None:
    """The security plugin is on; search alone holds the credentials. HTTP inside the
    compose network is plain (the demo certificate does not name `opensearch`): the
    scheme follows the plugin's HTTP TLS setting, so that search speaks what it serves."""
    services = compose["services"]
    environment = services["opensearch"]["environment"]
    assert str(environment.get("DISABLE_SECURITY_PLUGIN", "false")).lower() != "true"
    assert str(environment.get("DISABLE_INSTALL_DEMO_CONFIG", "false")).lower() != "true"
    password = environment["OPENSEARCH_INITIAL_ADMIN_PASSWORD"]
    assert password
    https = str(environment.get("plugins.security.ssl.http.enabled", "true")).lower() == "true"
    holders = {
        name
        for name, service in services.items()
        if "OPENSEARCH_URL" in service.get("environment", {})
    }
    assert holders == INDEXING
    for name in INDEXING:
        url = urlsplit(services[name]["environment"]["OPENSEARCH_URL"])
        assert url.scheme == ("https" if https else "http"), name
        assert (url.username, url.password) == ("admin", password), name
    healthcheck = " ".join(services["opensearch"]["healthcheck"]["test"])
    assert "-u " in healthcheck and "OPENSEARCH_INITIAL_ADMIN_PASSWORD" in healthcheck
    text = (COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8")
    assert "OPENSEARCH_PASSWORD" in set(re.findall(r"\$\{(\w+):\?", text))


def test_compose_backup_job(compose: dict) -> None:
    """`docker compose --profile backup run --rm backup`: the weekly backup (Quy chế 004
    Điều 13.3.b) of what content stores, the database and the media bucket, onto a
    named volume; not started by `up`, and nothing waits for it."""
    services = compose["services"]
    backup = services["backup"]
    content = services["content"]
    assert backup.get("profiles") == ["backup"], "run on purpose (cron), not by `up`"
    assert backup["image"] == content["image"]
    assert backup.get("read_only") is True
    assert backup.get("restart") == "no"
    command = [str(part) for part in backup["command"]]
    assert command[:4] == ["python", "-m", "portal.cli", "backup"]
    destination = command[command.index("--to") + 1]
    assert int(command[command.index("--keep") + 1]) >= 4, "at least a month of sets"
    (volume,) = backup["volumes"]
    source, target = volume.split(":")[:2]
    assert target == destination and source in compose["volumes"], "sets on a named volume"
    environment = backup["environment"]
    for key in ["DATABASE_URL", *sorted(MEDIA_ENV)]:
        assert environment[key] == content["environment"][key], f"{key}: what content writes"
    assert not {k for k in environment if k.startswith(("KAFKA_", "REDIS", "OPENSEARCH"))}
    assert depends_on(backup) == {"postgres": "service_healthy", "minio": "service_healthy"}
    for name, service in services.items():
        assert "backup" not in depends_on(service), f"{name} waits for the backup"
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "--profile backup run --rm backup" in readme
