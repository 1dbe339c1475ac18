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

import copy
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from contracts.topics import TOPICS as CONTRACT_TOPICS
from runtime.launch import PROCESSES as LAUNCHED
from runtime.messaging import EVENT_MAX_STORED_BYTES

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
    "gateway": "gateway",
}
WITH_DATABASE = {"admin", "content", "editorial", "renderer", "feedback", "search"}
AUTOSCALED = {"gateway", "renderer", "feedback", "search"}
PORT = 8000

# Read by every process; the services add DATABASE_URL, the callers SERVICE_URLS,
# feedback MAIL_ENV.
COMMON_ENV = {
    "HOST",
    "PORT",
    "REDIS_URL",
    "KAFKA_BOOTSTRAP_SERVERS",
    "OPENSEARCH_URL",
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
}
CALLERS = {"gateway", "admin"}
# feedback mails citizens through an SMTP server; its login is optional and secret.
MAIL_ENV = {"SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "MAIL_FROM"}
MAIL_SECRETS = {"SMTP_USERNAME", "SMTP_PASSWORD"}
MAILING = {"feedback"}
SECRET_KEYS = {
    "DATABASE_URL", "PORTAL_AUTH_SECRET", "PORTAL_AUTH_PUBLIC_KEY", "PORTAL_AUTH_PRIVATE_KEY",
    "MEDIA_S3_ACCESS_KEY", "MEDIA_S3_SECRET_KEY",
}  # fmt: skip
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
# (editorial, PORTAL_RECEIPT_STEPS) waits for the sites and for search.
INDEXING = {"search"}
OPENSEARCH_PORT = 9200
RECEIPT_STEPS = {"site", "search"}

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
    """`make run` (runtime/launch.py) and the deployments start the same processes, and
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
    # Local use only (see compose.yaml): no TLS and no users on the compose network.
    assert opensearch["environment"]["DISABLE_SECURITY_PLUGIN"] == "true"
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
    assert "PLAINTEXT://kafka:9092" in kafka_env["KAFKA_ADVERTISED_LISTENERS"]
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
    assert mailbox["command"] == ["python", "-m", "runtime.mailbox"]
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


def test_manifests_match_the_kubernetes_schemas(rendered: tuple[str, list[dict]]) -> None:
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate bundles the Kubernetes schemas"
    )
    _, resources = rendered
    errors = []
    for resource in resources:
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
    opensearch = urlsplit(config["OPENSEARCH_URL"])
    assert opensearch.scheme in {"http", "https"} and opensearch.hostname
    assert not opensearch.password, "credentials belong in the Secret"


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
    assert admitted == STORING_MEDIA | {"minio-bucket"}


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
