"""Generate and check the event contract artefacts under contracts/.

    python scripts/contracts.py generate [--allow-breaking]
    python scripts/contracts.py check

The Pydantic models in contracts/events.py are the source of truth. From them come one
JSON Schema per event (contracts/schemas/<topic>/<Event>.json) and the AsyncAPI document
(contracts/asyncapi.yaml). `check` fails on drift and on any change that would break a
schema already on disk or ever committed to git.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# First: scripts/ holds a contracts.py that would shadow the package.
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from contracts import envelope  # noqa: E402
from contracts.compat import breaking_changes  # noqa: E402
from contracts.content import CONTENT_TYPE_MODELS  # noqa: E402
from contracts.events import Event  # noqa: E402
from contracts.topics import TOPICS, Topic  # noqa: E402

SCHEMAS_DIR = Path("contracts/schemas")
CONTENT_TYPES_DIR = SCHEMAS_DIR / "content-types"
ASYNCAPI_PATH = Path("contracts/asyncapi.yaml")
SCHEMA_BASE_URL = "https://hanoi.gov.vn/schemas"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
PAYLOAD_SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"
KAFKA_BINDING_VERSION = "0.5.0"
FIX_DRIFT = "run `make contracts` (python scripts/contracts.py generate)"

#: Headers the dead-letter writer adds to the original message.
DLT_HEADERS = {
    "dlt_error": "Why the consumer gave up: exception type and message.",
    "dlt_attempts": "How many times the consumer tried the message (decimal integer).",
    "dlt_consumer": "Consumer group that failed on the message.",
    "dlt_original_topic": "Topic the message was read from.",
    "dlt_original_partition": "Partition the message was read from (decimal integer).",
    "dlt_original_offset": "Offset of the message in that partition (decimal integer).",
}

Artefacts = dict[Path, str]  # path relative to ROOT -> file content


# --- rendering ---------------------------------------------------------------


def schema_path(topic: Topic, event: type[Event]) -> Path:
    return SCHEMAS_DIR / topic.name / f"{event.__name__}.json"


def event_schema(topic: Topic, event: type[Event]) -> dict[str, Any]:
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{SCHEMA_BASE_URL}/{topic.name}/{event.__name__}.json",
        **event.model_json_schema(),
        "x-ce-type": event.ce_type,
        "x-key-field": event.key_field,
    }


def content_type_schema(model: type[Any]) -> dict[str, Any]:
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{SCHEMA_BASE_URL}/content-types/{model.__name__}.json",
        **model.model_json_schema(),
    }


def schemas() -> list[tuple[Path, dict[str, Any]]]:
    """Every JSON Schema under contracts/schemas: events, then the content types."""
    found = [
        (schema_path(topic, event), event_schema(topic, event))
        for topic in TOPICS
        for event in topic.events
    ]
    found += [
        (CONTENT_TYPES_DIR / f"{model.__name__}.json", content_type_schema(model))
        for model in CONTENT_TYPE_MODELS
    ]
    return found


def dump_json(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render() -> Artefacts:
    """Every artefact, as it should be on disk."""
    artefacts = {path: dump_json(schema) for path, schema in schemas()}
    artefacts[ASYNCAPI_PATH] = render_asyncapi()
    return artefacts


def render_asyncapi() -> str:
    header = (
        "# Generated from contracts/ by scripts/contracts.py: do not edit by hand.\n"
        f"# To change it, change the models and {FIX_DRIFT}.\n"
    )
    return header + yaml.safe_dump(
        asyncapi_document(), sort_keys=False, allow_unicode=True, width=100
    )


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS:
        channel_id = _identifier(topic.name)
        dlt_id = _identifier(topic.dead_letter)
        dlt_message = dlt_id  # one message per dead-letter topic, named after it
        channels[channel_id] = _channel(topic)
        channels[dlt_id] = _dead_letter_channel(topic, dlt_message)
        operations[f"send-{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"The {topic.service} service publishes the {topic.aggregate} events.",
            "tags": [{"name": topic.service}],
            "messages": [
                {"$ref": f"#/channels/{channel_id}/messages/{event.__name__}"}
                for event in topic.events
            ],
        }
        messages.update({event.__name__: _message(topic, event) for event in topic.events})
        messages[dlt_message] = _dead_letter_message(topic, dlt_message)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Hanoi government portal: platform events",
            "version": "1.0.0",
            "description": (
                "Events the portal's services publish on Kafka. Each message is a CloudEvent "
                "in binary mode: the body is the event as JSON, the CloudEvents attributes "
                "travel as Kafka headers, and the Kafka key is the aggregate id, so the events "
                "of one aggregate stay in order. Consumers ignore fields they do not know. "
                "A breaking change is a new event on a new `.v2` topic."
            ),
        },
        "defaultContentType": envelope.CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def _channel(topic: Topic) -> dict[str, Any]:
    retention = (
        "Compacted (cleanup.policy=compact): Kafka keeps the latest event per key forever, "
        "so the topic is the current state of every " + topic.aggregate + "."
        if topic.compacted
        else "Not compacted (cleanup.policy=delete): the topic is a history of events."
    )
    return {
        "address": topic.name,
        "title": f"{topic.service} / {topic.aggregate}",
        "description": f"{topic.description} {retention} Owned by the {topic.service} service.",
        "messages": {
            event.__name__: {"$ref": f"#/components/messages/{event.__name__}"}
            for event in topic.events
        },
        "bindings": {"kafka": _topic_binding(topic.name, topic.partitions, topic.compacted)},
    }


def _dead_letter_channel(topic: Topic, message: str) -> dict[str, Any]:
    return {
        "address": topic.dead_letter,
        "title": f"{topic.service} / {topic.aggregate}: dead letters",
        "description": (
            f"Messages of `{topic.name}` a consumer could not process. Each is the original "
            "message (same key, value and headers) plus the headers " + ", ".join(DLT_HEADERS) + "."
        ),
        "messages": {message: {"$ref": f"#/components/messages/{message}"}},
        "bindings": {"kafka": _topic_binding(topic.dead_letter, topic.partitions, False)},
    }


def _topic_binding(name: str, partitions: int, compacted: bool) -> dict[str, Any]:
    return {
        "topic": name,
        "partitions": partitions,
        "topicConfiguration": {"cleanup.policy": ["compact" if compacted else "delete"]},
        "bindingVersion": KAFKA_BINDING_VERSION,
    }


def _message(topic: Topic, event: type[Event]) -> dict[str, Any]:
    payload_ref = "./" + schema_path(topic, event).relative_to(ASYNCAPI_PATH.parent).as_posix()
    return {
        "name": event.__name__,
        "title": _title(event.__name__),
        "summary": (event.__doc__ or "").strip(),
        "contentType": envelope.CONTENT_TYPE,
        "headers": _cloudevents_headers(event.ce_type),
        "payload": {
            "schemaFormat": PAYLOAD_SCHEMA_FORMAT,
            "schema": {"$ref": payload_ref},
        },
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": f"The {topic.aggregate} id: the event's `{event.key_field}`.",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _dead_letter_message(topic: Topic, name: str) -> dict[str, Any]:
    headers = _cloudevents_headers(None)
    headers["description"] = "The original message's headers, plus the dead-letter headers."
    headers["properties"].update(
        {key: {"type": "string", "description": text} for key, text in DLT_HEADERS.items()}
    )
    headers["required"] = list(DLT_HEADERS)  # the original may be the reason it failed
    return {
        "name": name,
        "title": f"Dead letter of {topic.name}",
        "summary": "A message of the topic no consumer could process, with why and where from.",
        "headers": headers,
        "payload": {
            "description": (
                f"The original message value, byte for byte: usually one of the events of "
                f"`{topic.name}` ({', '.join(e.__name__ for e in topic.events)}), but it may be "
                "the malformed message that could not be read."
            )
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original message's key."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _cloudevents_headers(ce_type: str | None) -> dict[str, Any]:
    """The CloudEvents Kafka headers of contracts/envelope.py; `ce_type` fixed when given."""
    string: dict[str, Any] = {"type": "string"}
    properties: dict[str, Any] = {
        envelope.H_SPECVERSION: {**string, "const": envelope.SPECVERSION},
        envelope.H_ID: {**string, "minLength": 1, "description": "Unique id of the event."},
        envelope.H_TYPE: (
            {**string, "const": ce_type} if ce_type else {**string, "description": "Event type."}
        ),
        envelope.H_SOURCE: {
            **string,
            "minLength": 1,
            "description": "Producing service, as /services/<name>.",
        },
        envelope.H_TIME: {
            **string,
            "format": "date-time",
            "description": "When the fact happened: ISO 8601 with a time zone.",
        },
        envelope.H_SUBJECT: {**string, "description": "The aggregate id, as the Kafka key."},
        envelope.H_TENANT: {**string, "description": "Slug of the site the event belongs to."},
        envelope.H_TRACEPARENT: {**string, "description": "W3C Trace Context traceparent."},
        envelope.H_TRACESTATE: {**string, "description": "W3C Trace Context tracestate."},
        envelope.H_CONTENT_TYPE: {**string, "const": envelope.CONTENT_TYPE},
    }
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes as Kafka headers (binary content mode).",
        "properties": properties,
        "required": list(envelope.REQUIRED_HEADERS),
    }


def _identifier(topic_name: str) -> str:
    return topic_name.replace(".", "-")


def _title(class_name: str) -> str:
    words = "".join(f" {c}" if c.isupper() else c for c in class_name).split()
    return " ".join([words[0], *(w.lower() for w in words[1:])])


# --- checks ------------------------------------------------------------------


def drift(root: Path = ROOT) -> list[str]:
    """Artefacts that differ from what the models generate, and schemas of removed events."""
    expected = render()
    problems = [
        f"{path} is {'out of date' if (root / path).exists() else 'missing'}: {FIX_DRIFT}"
        for path, text in expected.items()
        if _read(root / path) != text
    ]
    problems += [
        f"{path} describes an event no longer registered: removing an event is a breaking "
        "change (publish a new model on a new `.v2` topic instead)"
        for path in _stale_schemas(root, expected)
    ]
    return problems


def breaking(root: Path = ROOT) -> list[str]:
    """Breaking changes of the current models against the schemas on disk and in git history."""
    problems: list[str] = []
    for path, new in schemas():
        for where, old_text in _earlier_versions(root, path):
            try:
                old = json.loads(old_text)
            except json.JSONDecodeError as error:
                problems.append(f"{path} ({where}) is not valid JSON: {error}")
                continue
            problems += [f"{path} ({where}): {p}" for p in breaking_changes(old, new)]
    return problems


def _earlier_versions(root: Path, path: Path) -> list[tuple[str, str]]:
    """(where, text) of each distinct version of `path`: on disk, then in each commit."""
    versions: dict[str, str] = {}
    on_disk = _read(root / path)
    if on_disk is not None:
        versions[on_disk] = "on disk"
    for sha in _git(root, "log", "--format=%H", "--", path.as_posix()).split():
        text = _git(root, "show", f"{sha}:./{path.as_posix()}")
        if text:
            versions.setdefault(text, f"commit {sha[:12]}")
    return [(where, text) for text, where in versions.items()]


def _git(root: Path, *args: str) -> str:
    """Output of a git command, or "" when git, the repository or the revision is missing."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return result.stdout if result.returncode == 0 else ""


def _stale_schemas(root: Path, expected: Artefacts) -> list[Path]:
    found = (p.relative_to(root) for p in (root / SCHEMAS_DIR).glob("*/*.json"))
    return sorted(p for p in found if p not in expected)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


# --- commands ----------------------------------------------------------------


def generate(root: Path = ROOT, *, allow_breaking: bool = False) -> int:
    artefacts = render()
    stale = _stale_schemas(root, artefacts)
    problems = breaking(root) + [f"{path}: event removed" for path in stale]
    if problems and not allow_breaking:
        _report("refusing to overwrite contracts with breaking changes:", problems)
        print(
            "Add a new event on a new `.v2` topic instead, or pass --allow-breaking if "
            "the change has never been released.",
            file=sys.stderr,
        )
        return 1
    written = 0
    for path, text in artefacts.items():
        if _read(root / path) != text:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
            written += 1
    for path in stale:
        (root / path).unlink()
        if not any((root / path).parent.iterdir()):
            (root / path).parent.rmdir()
    print(f"contracts: {written} file(s) written, {len(stale)} removed, {len(artefacts)} total")
    return 0


def check(root: Path = ROOT) -> int:
    incompatible = breaking(root)
    drifted = drift(root)
    if incompatible:
        _report("breaking changes to published event schemas:", incompatible)
    if drifted:
        _report("generated contract artefacts are not up to date:", drifted)
    if incompatible or drifted:
        return 1
    events = sum(len(topic.events) for topic in TOPICS)
    print(f"contracts OK: {events} events on {len(TOPICS)} topics, up to date and compatible")
    return 0


def _report(title: str, problems: list[str]) -> None:
    print(title, file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write the JSON Schemas and asyncapi.yaml")
    gen.add_argument(
        "--allow-breaking",
        action="store_true",
        help="overwrite schemas even when the change breaks them (unreleased changes only)",
    )
    commands.add_parser("check", help="fail on drift or on breaking changes")
    args = parser.parse_args(argv)
    if args.command == "generate":
        return generate(allow_breaking=args.allow_breaking)
    return check()


if __name__ == "__main__":
    sys.exit(main())
