"""The engine's conversation with OpenSearch, through the real opensearch-py client and a
fake cluster behind its connection: paths, parameters and the order of steps (alias swap
in one request, visible writes). Relevance itself needs a real server: the shared engine
contract suite runs this engine when OPENSEARCH_URL is set.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pytest
from opensearchpy import AsyncConnection, AsyncOpenSearch, NotFoundError

from services.search.documents import Query, SearchDoc
from services.search.opensearch_bodies import index_template_body
from services.search.opensearch_engine import OpenSearchEngine

ALIAS = "portal-search"


class FakeCluster:
    """Just enough of OpenSearch for the engine's calls; every request is recorded."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, Any], Any]] = []
        self.templates: dict[str, Any] = {}
        self.indices: dict[str, dict[str, Any]] = {}  # name -> {"docs", "settings", "aliases"}
        self.gone_once: set[str] = set()  # paths answering 404 once (an index just dropped)

    def resolve(self, name: str) -> str:
        owners = [i for i, state in self.indices.items() if name in state["aliases"]]
        return owners[0] if owners else name

    def handle(self, method: str, path: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        self.requests.append((method, path, params, body))
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if path in self.gone_once:
            self.gone_once.discard(path)
            return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
        if (
            method != "PUT"
            and not parts[0].startswith("_")
            and self.resolve(parts[0]) not in self.indices
        ):
            return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
        match method, parts:
            case "PUT", ["_index_template", name]:
                self.templates[name] = body
                return 200, {"acknowledged": True}
            case "HEAD" | "GET", ["_alias", name]:
                found = {
                    i: {"aliases": {name: {}}}
                    for i, s in self.indices.items()
                    if name in s["aliases"]
                }
                return (200, found) if found else (404, {"error": "alias missing", "status": 404})
            case "POST", ["_aliases"]:
                for action in body["actions"]:
                    ((kind, spec),) = action.items()
                    aliases = self.indices[spec["index"]]["aliases"]
                    aliases.add(spec["alias"]) if kind == "add" else aliases.remove(spec["alias"])
                return 200, {"acknowledged": True}
            case "POST", ["_bulk"]:
                return 200, self.bulk(body)
            case "PUT", [index]:
                if index in self.indices:
                    return 400, {
                        "error": {"type": "resource_already_exists_exception"},
                        "status": 400,
                    }
                self.indices[index] = {
                    "docs": {}, "aliases": set((body or {}).get("aliases", {})),
                    "settings": dict((body or {}).get("settings", {}).get("index", {})),
                }  # fmt: skip
                return 200, {"acknowledged": True, "index": index}
            case "DELETE", [index]:
                self.indices.pop(index, None)
                return 200, {"acknowledged": True}
            case "PUT", [index, "_settings"]:
                self.indices[index]["settings"].update(body["index"])
                return 200, {"acknowledged": True}
            case "POST", [index, "_refresh"]:
                return 200, {"_shards": {"failed": 0}}
            case "POST" | "GET", [name, "_count"]:
                return 200, {"count": len(self.indices[self.resolve(name)]["docs"])}
            case "POST" | "GET", [name, "_search"]:
                return 200, self.search(self.resolve(name), body)
        raise AssertionError(f"unexpected {method} {path}")

    def bulk(self, body: str) -> dict[str, Any]:
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        items = []
        while lines:
            ((op, meta),) = lines.pop(0).items()
            docs = self.indices[self.resolve(meta["_index"])]["docs"]
            if op == "index":
                docs[meta["_id"]] = lines.pop(0)
                status = 201
            else:
                status = 200 if docs.pop(meta["_id"], None) else 404
            items.append({op: {"_id": meta["_id"], "status": status}})
        return {
            "took": 1,
            "errors": any(next(iter(i.values()))["status"] >= 300 for i in items),
            "items": items,
        }

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        docs = list(self.indices[index]["docs"].values())
        if "titles" in body.get("suggest", {}):
            options = [{"text": d["title"], "_source": {"title": d["title"]}} for d in docs]
            return {
                "hits": {"total": {"value": 0}, "hits": []},
                "suggest": {"titles": [{"options": options}]},
            }
        hits = [{"_id": d["id"], "_score": 1.0, "_source": d} for d in docs]
        return {"hits": {"total": {"value": len(hits)}, "hits": hits}}


class FakeConnection(AsyncConnection):
    def __init__(self, *, cluster: FakeCluster, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cluster = cluster

    async def perform_request(  # type: ignore[override]
        self, method: str, url: str, params: Any = None, body: Any = None, **_: Any
    ) -> tuple[int, dict[str, str], str]:
        text = body.decode() if isinstance(body, bytes) else body
        parsed = text if url.endswith("/_bulk") or not text else json.loads(text)  # NDJSON
        params = {k: v.decode() if isinstance(v, bytes) else v for k, v in (params or {}).items()}
        status, answer = self.cluster.handle(method, url, params, parsed)
        raw = json.dumps(answer)
        if not 200 <= status < 300 and status not in _.get("ignore", ()):
            self._raise_error(status, raw, "application/json")
        return status, {"content-type": "application/json"}, raw

    async def close(self) -> None:
        pass


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster()


@pytest.fixture
async def engine(cluster: FakeCluster) -> AsyncIterator[OpenSearchEngine]:
    client = AsyncOpenSearch(
        hosts=["http://fake:9200"], connection_class=FakeConnection, cluster=cluster
    )
    engine = OpenSearchEngine("http://fake:9200", alias=ALIAS, client=client)
    await engine.start()
    yield engine
    await engine.close()


def _doc(n: int, title: str = "Thủ tục hành chính") -> SearchDoc:
    return SearchDoc(
        id=f"article:{n}", site="hoankiem", type="news", title=f"{title} {n}", summary="",
        body="Nội dung", path=f"/tin/{n}", published_at=datetime(2026, 5, n, tzinfo=UTC),
    )  # fmt: skip


def _calls(cluster: FakeCluster) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _, _ in cluster.requests]


async def test_start_installs_the_template_and_a_first_index_once(
    engine: OpenSearchEngine, cluster: FakeCluster
) -> None:
    assert cluster.templates[ALIAS] == json.loads(json.dumps(index_template_body(ALIAS)))
    assert _calls(cluster) == [
        ("PUT", f"/_index_template/{ALIAS}"),
        ("HEAD", f"/_alias/{ALIAS}"),
        ("PUT", f"/{ALIAS}-initial"),
    ]
    await OpenSearchEngine("x", alias=ALIAS, client=engine.client).start()  # a second process
    assert list(cluster.indices) == [f"{ALIAS}-initial"]


async def test_writes_wait_for_refresh_and_deleting_unknown_ids_is_fine(
    engine: OpenSearchEngine, cluster: FakeCluster
) -> None:
    await engine.upsert([_doc(1), _doc(2)])
    method, path, params, _ = cluster.requests[-1]
    assert (method, path, params.get("refresh")) == ("POST", "/_bulk", "wait_for")
    assert await engine.count() == 2
    await engine.delete(["article:1", "article:404"])
    assert cluster.requests[-1][2].get("refresh") == "wait_for"
    assert await engine.count() == 1
    await engine.upsert([])
    await engine.delete([])
    assert cluster.requests[-1][1].endswith("_count")  # nothing sent for nothing


async def test_rebuild_loads_beside_and_swaps_the_alias_in_one_request(
    engine: OpenSearchEngine, cluster: FakeCluster
) -> None:
    await engine.upsert([_doc(1)])
    cluster.requests.clear()

    async def batches() -> AsyncIterator[Sequence[SearchDoc]]:
        yield [_doc(n) for n in (1, 2, 3)]
        assert await engine.count() == 1  # search answers from the old index meanwhile
        yield []
        yield [_doc(4)]

    assert await engine.rebuild(batches()) == 4
    [new] = [i for i in cluster.indices]
    assert new.startswith(f"{ALIAS}-2") and cluster.indices[new]["aliases"] == {ALIAS}
    create = next(r for r in cluster.requests if r[:2] == ("PUT", f"/{new}"))
    assert create[3]["settings"]["index"]["refresh_interval"] == "-1"
    assert create[3]["settings"]["index"]["number_of_replicas"] == 0
    assert cluster.indices[new]["settings"]["refresh_interval"] == "1s"
    [swap] = [r for r in cluster.requests if r[1] == "/_aliases"]
    assert swap[3]["actions"] == [
        {"remove": {"index": f"{ALIAS}-initial", "alias": ALIAS}},
        {"add": {"index": new, "alias": ALIAS}},
    ]
    steps = _calls(cluster)
    assert steps.index(("POST", f"/{new}/_refresh")) < steps.index(("POST", "/_aliases"))
    assert steps.index(("POST", "/_aliases")) < steps.index(("DELETE", f"/{ALIAS}-initial"))
    assert await engine.count() == 4


async def test_a_failed_rebuild_leaves_the_live_index_alone(
    engine: OpenSearchEngine, cluster: FakeCluster
) -> None:
    await engine.upsert([_doc(1)])

    async def broken() -> AsyncIterator[Sequence[SearchDoc]]:
        yield [_doc(2)]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        await engine.rebuild(broken())
    assert list(cluster.indices) == [f"{ALIAS}-initial"]
    assert await engine.count() == 1


async def test_search_and_suggest_read_the_answers(
    engine: OpenSearchEngine, cluster: FakeCluster
) -> None:
    await engine.upsert([_doc(1), _doc(2)])
    results = await engine.search(Query(q="thu tuc"))
    assert results.total == 2 and {h.id for h in results.hits} == {"article:1", "article:2"}
    assert cluster.requests[-1][1] == f"/{ALIAS}/_search"
    assert await engine.suggest("thu tuc", size=1) == ["Thủ tục hành chính 1"]
    assert await engine.suggest("   ") == []


async def test_a_search_racing_the_swap_asks_again(
    engine: OpenSearchEngine, cluster: FakeCluster
) -> None:
    await engine.upsert([_doc(1)])
    cluster.gone_once.add(f"/{ALIAS}/_search")
    assert (await engine.search(Query())).total == 1
    cluster.gone_once.update({f"/{ALIAS}/_search"})
    cluster.indices.clear()
    with pytest.raises(NotFoundError):  # no index at all: the API answers 503
        await engine.search(Query())
