"""`portal dlt`: the operators' side of the dead-letter topics (runtime/deadletter.py).

    portal dlt list [--topic TOPIC] [--all] [--json]
    portal dlt replay --topic TOPIC [--reason-contains TEXT] [--consumer NAME] [--dry-run]

`list` shows what is still parked on each dead-letter topic (or, with --all, all it
holds): when, by which consumer, why, and where the message came from. `replay`
sends the chosen messages back to the topic they came from, with their own key and
headers and a `dlt_replayed_from` header; the others stay parked. TOPIC is a
dead-letter topic or the topic it belongs to (portal.content.article.v1 or
portal.content.article.v1.dlt). Reads KAFKA_BOOTSTRAP_SERVERS and the KAFKA_SASL_* /
KAFKA_TLS settings of the services.

Exit status: 0 done, 2 could not run (Kafka unreachable, no such topic).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from runtime.deadletter import DeadLetters, Decision, Parked, ReplayError, dead_letter_topics
from runtime.kafka import client_security
from runtime.settings import Settings


def add_parsers(commands: Any) -> None:
    dlt = commands.add_parser(
        "dlt",
        help="xem và gửi lại các tin bị gác lại (dead-letter)",
        description="Các tin mà dịch vụ không xử lý được được gác lại trên <topic>.dlt. "
        "Xem chúng, và gửi lại sau khi đã sửa nguyên nhân (ví dụ sau khi nâng cấp).",
    )
    sub = dlt.add_subparsers(dest="dlt_command", required=True)
    listing = sub.add_parser("list", help="liệt kê các tin đang bị gác lại")
    listing.add_argument("--topic", help="một topic (hoặc <topic>.dlt); mặc định: mọi topic")
    listing.add_argument(
        "--all", action="store_true", help="cả những tin đã gửi lại hoặc đã xử lý xong"
    )
    listing.add_argument("--json", action="store_true", help="mỗi tin một dòng JSON")
    replay = sub.add_parser("replay", help="gửi lại các tin bị gác lại về topic gốc")
    replay.add_argument("--topic", required=True, help="topic gốc hoặc <topic>.dlt")
    replay.add_argument(
        "--reason-contains", help="chỉ gửi lại tin có lý do chứa đoạn này (không phân biệt hoa)"
    )
    replay.add_argument("--consumer", help="chỉ gửi lại tin do dịch vụ này gác lại")
    replay.add_argument("--dry-run", action="store_true", help="chỉ cho biết sẽ làm gì")
    replay.add_argument("--json", action="store_true", help="mỗi tin một dòng JSON")


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    if not settings.kafka_bootstrap_servers:
        print("Lỗi: chưa đặt KAFKA_BOOTSTRAP_SERVERS (địa chỉ Kafka).", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(settings, args))
    except ReplayError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    bootstrap = settings.kafka_bootstrap_servers or ""
    async with DeadLetters(bootstrap, client_security(settings)) as letters:
        if args.dlt_command == "list":
            for topic in dead_letter_topics(args.topic):
                parked = await letters.parked(topic, everything=args.all)
                _print_list(topic, parked, args.all, args.json)
            return 0
        (topic,) = dead_letter_topics(args.topic)
        result = await letters.replay(
            topic,
            reason_contains=args.reason_contains,
            consumer=args.consumer,
            dry_run=args.dry_run,
        )
    _print_replay(topic, result.plan.steps, args.dry_run, args.json)
    return 0


def _print_list(topic: str, parked: list[Parked], everything: bool, as_json: bool) -> None:
    if as_json:
        for one in parked:
            print(json.dumps(one.summary(), ensure_ascii=False))
        return
    what = "tin (kể cả đã gửi lại)" if everything else "tin đang bị gác lại"
    print(f"{topic}: {len(parked)} {what}")
    for one in parked:
        s = one.summary()
        print(
            f"  {s['dlt']}  {s['parked_at']}  {s['consumer']}  [{s['kind']}]  "
            f"từ {s['original']}  {s['ce_type'] or '-'}  ce_id={s['ce_id'] or '-'}"
        )
        print(f"      lý do: {s['reason']}")


_VERBS = {
    (Decision.SEND, False): "đã gửi lại",
    (Decision.SEND, True): "sẽ gửi lại",
    (Decision.REQUEUE, False): "vẫn gác lại",
    (Decision.REQUEUE, True): "sẽ vẫn gác lại",
    (Decision.SETTLE, False): "đã bỏ qua",
    (Decision.SETTLE, True): "sẽ bỏ qua",
}


def _print_replay(topic: str, steps: list[Any], dry_run: bool, as_json: bool) -> None:
    for step in steps:
        if as_json:
            entry = {**step.parked.summary(), "decision": str(step.decision), "note": step.note}
            print(json.dumps(entry, ensure_ascii=False))
            continue
        s = step.parked.summary()
        note = f" ({step.note})" if step.note else ""
        print(
            f"  {_VERBS[step.decision, dry_run]}: {s['dlt']} {s['ce_type'] or '-'} "
            f"ce_id={s['ce_id'] or '-'} [{s['kind']}]{note}"
        )
    counts = {d: sum(1 for s in steps if s.decision is d) for d in Decision}
    prefix = "Chạy thử, không gửi gì. " if dry_run else ""
    print(
        f"{prefix}{topic}: {_VERBS[Decision.SEND, dry_run]} {counts[Decision.SEND]}, "
        f"{_VERBS[Decision.REQUEUE, dry_run]} {counts[Decision.REQUEUE]}, "
        f"{_VERBS[Decision.SETTLE, dry_run]} {counts[Decision.SETTLE]}.",
        file=sys.stderr if as_json else sys.stdout,
    )
