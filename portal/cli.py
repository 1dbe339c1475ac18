"""`portal`: the operators' command line.

    portal import articles FILE.jsonl --tenant SLUG [--url http://localhost:8000]
        [--user NAME [--password …] [--totp CODE]] [--batch 100] [--report FILE]
        [--wait]

Imports the old portal's articles through the public API, as the migration asks:
each line of FILE.jsonl is one article {legacy_id?, title, summary?, body_html?,
category, published_at, author?, attachments?: [{url | file, title?}]}. Lines are
checked here first (`services.content.imports.parse_line`, the same checks the
server runs again), attachments are uploaded through `POST /api/v1/media` (files
relative to FILE.jsonl, URLs downloaded here: the server never fetches a URL), and
the lines go in batches to `POST /api/v1/imports/articles`, which publishes each as
"migrated" through the ordinary publish path. Re-running the same file skips what is
already there.

Credentials: PORTAL_TOKEN, or --user with --password (or PORTAL_PASSWORD, or a
prompt) and, for accounts with two-factor login, --totp CODE or PORTAL_TOTP_SECRET.

Exit status: 0 all lines imported or already there, 1 some lines rejected (see the
report), 2 could not go on (login, unknown site, server down).

`portal backup …` and `portal restore …`: portal/backup_cli.py. `portal dlt list` and
`portal dlt replay …` (the dead-letter topics): portal/dlt_cli.py.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from tqdm import tqdm

from portal import backup_cli, dlt_cli

# The CLI is a client of content's API; it shares the line checks, nothing with I/O.
from services.content.imports import ImportItem, LineRejected, parse_line

DEFAULT_URL = "http://localhost:8000"
BATCH_MAX = 200
#: JSON per request, well under the API's 20 MB: twenty 1 MB bodies at most.
BATCH_MAX_BYTES = 8 * 1024 * 1024
#: A line longer than this cannot hold a body under 1 MB, however it is escaped.
LINE_MAX_BYTES = 8 * 1024 * 1024
#: The largest file the portal keeps (PDF, DOCX, XLSX: 20 MB).
DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024
DOWNLOAD_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
API_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
RETRIES = 4
#: Seconds before the first retry; doubled each time.
RETRY_DELAY = 1.0
LIVE_STATES = ("published", "updated")
TOTP_INTERVAL = 30
#: --wait fetches this many pages at a time.
WAIT_THREADS = 8


class Fatal(Exception):
    """The import cannot go on; the message (Vietnamese) says why and what to do."""

    #: What was done before it stopped, when it stopped during the import.
    summary: Summary | None = None


# --- options -------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    file: Path
    tenant: str
    url: str = DEFAULT_URL
    admin_url: str | None = None
    content_url: str | None = None
    site_url: str | None = None
    site_host: str | None = None
    user: str | None = None
    password: str | None = None
    totp: str | None = None
    totp_secret: str | None = None
    token: str | None = None
    batch: int = 100
    #: Publish each article with its date on the old portal (recorded in the audit log);
    #: off: it is published with today's date.
    keep_dates: bool = False
    report: Path | None = None
    wait: bool = False
    wait_timeout: float = 1800.0
    #: None: a progress bar when stderr is a terminal.
    progress: bool | None = None

    @property
    def admin(self) -> str:
        return (self.admin_url or self.url).rstrip("/")

    @property
    def content(self) -> str:
        return (self.content_url or self.url).rstrip("/")

    @property
    def site(self) -> str:
        return (self.site_url or self.url).rstrip("/")

    @property
    def host_of_site(self) -> str:
        return self.site_host or f"{self.tenant}.localhost"

    @property
    def report_path(self) -> Path:
        return self.report or self.file.with_name(self.file.name + ".rejected.jsonl")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portal", description="Công cụ dòng lệnh của Cổng Thông tin điện tử Hà Nội."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    imports = commands.add_parser("import", help="nhập dữ liệu từ cổng cũ")
    what = imports.add_subparsers(dest="what", required=True)
    articles = what.add_parser(
        "articles",
        help="nhập bài viết từ tệp JSONL",
        description="Nhập bài viết từ tệp JSONL (mỗi dòng một bài) và đăng lên trang.",
    )
    articles.add_argument("file", type=Path, help="tệp JSONL, mỗi dòng một bài")
    articles.add_argument("--tenant", required=True, help="mã trang, ví dụ hoankiem")
    articles.add_argument(
        "--url", default=DEFAULT_URL, help=f"địa chỉ cổng (mặc định {DEFAULT_URL})"
    )
    articles.add_argument("--admin-url", help="địa chỉ riêng của dịch vụ admin (đăng nhập)")
    articles.add_argument("--content-url", help="địa chỉ riêng của dịch vụ content")
    articles.add_argument("--site-url", help="địa chỉ để xem trang khi --wait")
    articles.add_argument("--site-host", help="Host của trang khi --wait (mặc định <mã>.localhost)")
    articles.add_argument("--user", help="tên đăng nhập (không cần nếu có PORTAL_TOKEN)")
    articles.add_argument("--password", help="mật khẩu (hoặc PORTAL_PASSWORD, hoặc nhập khi hỏi)")
    articles.add_argument("--totp", help="mã xác thực 6 số (hoặc PORTAL_TOTP_SECRET)")
    articles.add_argument("--batch", type=int, default=100, help="số bài mỗi lần gửi (1-200)")
    articles.add_argument(
        "--keep-dates",
        action="store_true",
        help="giữ ngày đăng gốc (published_at) của cổng cũ; được ghi vào nhật ký",
    )
    articles.add_argument("--report", type=Path, help="tệp ghi các dòng bị từ chối")
    articles.add_argument("--wait", action="store_true", help="chờ đến khi mọi bài đã lên trang")
    articles.add_argument("--wait-timeout", type=float, default=1800.0, help="giây chờ tối đa")
    articles.add_argument("--no-progress", action="store_true", help="không hiện thanh tiến độ")
    backup_cli.add_parsers(commands)
    dlt_cli.add_parsers(commands)
    return parser


def options_from(args: argparse.Namespace, env: dict[str, str] | None = None) -> Options:
    env = dict(os.environ if env is None else env)
    if not 1 <= args.batch <= BATCH_MAX:
        raise Fatal(f"--batch phải từ 1 đến {BATCH_MAX}.")
    return Options(
        file=args.file,
        tenant=args.tenant.strip().lower(),
        url=args.url,
        admin_url=args.admin_url,
        content_url=args.content_url,
        site_url=args.site_url,
        site_host=args.site_host,
        user=args.user,
        password=args.password or env.get("PORTAL_PASSWORD"),
        totp=args.totp,
        totp_secret=env.get("PORTAL_TOTP_SECRET"),
        token=env.get("PORTAL_TOKEN"),
        batch=args.batch,
        keep_dates=args.keep_dates,
        report=args.report,
        wait=args.wait,
        wait_timeout=args.wait_timeout,
        progress=False if args.no_progress else None,
    )


# --- the portal's API ------------------------------------------------------------------


def _next_step(response: httpx.Response) -> str | None:
    """What admin's login asks for next ("totp", "enrol_totp"), if it says."""
    if response.status_code != 401:
        return None
    try:
        extra = response.json().get("extra") or {}
    except (ValueError, AttributeError):
        return None
    return extra.get("next") if isinstance(extra, dict) else None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return body["detail"]
    return f"HTTP {response.status_code}"


class Portal:
    """The calls the import makes, with retries where a retry is safe.

    Every call here is safe to repeat: an upload at worst leaves an unused file, and
    an import batch re-sent is skipped line by line (legacy ids).
    """

    def __init__(self, options: Options, http: httpx.Client) -> None:
        self.options = options
        self.http = http
        self.headers: dict[str, str] = {}

    def _send(
        self, method: str, url: str, extra_headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {**self.headers, **(extra_headers or {})}
        delay = RETRY_DELAY
        for attempt in range(1, RETRIES + 1):
            try:
                response = self.http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                if attempt == RETRIES:
                    raise Fatal(
                        f"Không kết nối được tới {url.split('/api/')[0]} ({type(exc).__name__}). "
                        "Hãy kiểm tra địa chỉ (--url) và chắc rằng nền tảng đang chạy."
                    ) from exc
            else:
                if response.status_code < 500:
                    return response
                if attempt == RETRIES:
                    raise Fatal(
                        f"Máy chủ báo lỗi {response.status_code} khi gọi {url}: "
                        f"{_detail(response)}. Có thể chạy lại lệnh: "
                        "các bài đã nhập sẽ được bỏ qua."
                    )
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _checked(self, response: httpx.Response, what: str) -> httpx.Response:
        if response.status_code == 401:
            raise Fatal(
                f"Chưa đăng nhập hoặc mã đăng nhập đã hết hạn ({what}): {_detail(response)}"
            )
        if response.status_code == 403:
            raise Fatal(f"Tài khoản không có quyền {what}: {_detail(response)}")
        if response.status_code == 404:
            raise Fatal(f"Không tìm thấy khi {what}: {_detail(response)}")
        if response.is_error:
            raise Fatal(f"Máy chủ từ chối khi {what} ({response.status_code}): {_detail(response)}")
        return response

    def sign_in(self) -> None:
        o = self.options
        if o.token:
            self.headers = {"Authorization": f"Bearer {o.token}"}
            return
        if not o.user:
            raise Fatal("Cần đăng nhập: dùng --user (và mật khẩu) hoặc đặt biến PORTAL_TOKEN.")
        password = o.password
        if password is None:
            if not sys.stdin.isatty():
                raise Fatal("Thiếu mật khẩu: dùng --password hoặc biến PORTAL_PASSWORD.")
            password = getpass.getpass(f"Mật khẩu của {o.user}: ")
        response = self._login(o.user, password, _totp_code(o))
        if o.totp_secret and not o.totp and _next_step(response) == "totp":
            # The code was refused though computed from the secret: a code logs in once, so
            # a run within 30 s of the last one must wait for the next code.
            time.sleep(TOTP_INTERVAL - time.time() % TOTP_INTERVAL + 1)
            response = self._login(o.user, password, _totp_code(o))
        if response.is_error:
            hint = ""
            if not (o.totp or o.totp_secret):
                hint = " Nếu tài khoản dùng xác thực hai lớp, thêm --totp hoặc PORTAL_TOTP_SECRET."
            detail = _detail(response).rstrip(".")
            raise Fatal(f"Đăng nhập không thành công: {detail}.{hint}")
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def _login(self, user: str, password: str, totp: str | None) -> httpx.Response:
        body = {"username": user, "password": password}
        if totp:
            body["totp"] = totp  # a login without two-factor ignores it
        return self._send("POST", f"{self.options.admin}/api/v1/auth/login", json=body)

    def known(self, legacy_ids: Sequence[str]) -> dict[str, str]:
        """Legacy ids already imported; with none, checks the right to import here."""
        response = self._send(
            "POST",
            f"{self.options.content}/api/v1/imports/articles/known",
            json={"tenant": self.options.tenant, "legacy_ids": list(legacy_ids)},
        )
        return self._checked(response, f"nhập bài cho trang {self.options.tenant}").json()["known"]

    def upload(self, filename: str, data: bytes, title: str) -> str:
        """The media id of the uploaded file; LineRejected-worthy text if it is refused."""
        response = self._send(
            "POST",
            f"{self.options.content}/api/v1/media",
            data={"tenant": self.options.tenant, "alt": title},
            files={"file": (filename, data)},
        )
        if response.status_code in (400, 413, 422):
            raise _Refused(_detail(response))
        return self._checked(response, "tải tệp lên").json()["id"]

    def import_batch(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = json.dumps(
            {"tenant": self.options.tenant, "items": items, "backdate": self.options.keep_dates},
            ensure_ascii=False,
        )
        response = self._send(
            "POST",
            f"{self.options.content}/api/v1/imports/articles",
            content=body.encode("utf-8"),
            extra_headers={"content-type": "application/json"},
        )
        return self._checked(response, f"nhập bài cho trang {self.options.tenant}").json()[
            "results"
        ]

    def awaiting_publication(self, ours: set[str]) -> list[str]:
        """Those of `ours` that content has not published yet (still submitted)."""
        url = f"{self.options.content}/api/v1/articles"
        query = {"tenant": self.options.tenant, "state": "submitted"}
        # The newest first: the last imported are the last published, so one small
        # page usually answers "not yet"; only then page through to be sure.
        first = self._list(url, {**query, "limit": 20, "offset": 0})
        mine = [a["id"] for a in first if a["id"] in ours]
        offset = 20
        while not mine and len(first) == 20:
            page = self._list(url, {**query, "limit": 200, "offset": offset})
            mine = [a["id"] for a in page if a["id"] in ours]
            if len(page) < 200:
                break
            offset += 200
        # Paging a list that changes meanwhile can miss one; wait_live checks every page.
        return mine

    def _list(self, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        response = self._send("GET", url, params=params)
        return self._checked(response, "xem danh sách bài").json()

    def state_of(self, article_id: str) -> dict[str, Any] | None:
        response = self._send("GET", f"{self.options.content}/api/v1/articles/{article_id}")
        return response.json() if response.status_code == 200 else None

    def page_is_live(self, path: str) -> bool:
        response = self.http.get(
            f"{self.options.site}{path}", headers={"Host": self.options.host_of_site}
        )
        return response.status_code == 200


class _Refused(Exception):
    """The portal refused an uploaded file; the message says why."""


def _totp_code(options: Options) -> str | None:
    if options.totp:
        return options.totp.strip()
    if options.totp_secret:
        import pyotp

        return pyotp.TOTP(options.totp_secret.strip()).now()
    return None


# --- attachments ---------------------------------------------------------------------


class Attachments:
    """Uploads a line's attachments once each (a file attached to many articles is one
    upload) and gives back the {media_id, title} the import API takes."""

    def __init__(self, portal: Portal, base_dir: Path, download: httpx.Client) -> None:
        self.portal = portal
        self.base_dir = base_dir.resolve()
        self.download = download
        self.uploaded: dict[tuple[str, str], str] = {}

    def resolve(self, item: ImportItem) -> list[dict[str, str]]:
        refs = []
        for n, ref in enumerate(item.attachments, 1):
            key = (ref.kind, ref.value)
            if key not in self.uploaded:
                name, data = self._read(ref.kind, ref.value, item.line, n)
                try:
                    self.uploaded[key] = self.portal.upload(name, data, ref.title or name)
                except _Refused as exc:
                    raise LineRejected(item.line, f"Tệp đính kèm thứ {n} ({name}): {exc}") from exc
            refs.append({"media_id": self.uploaded[key], "title": ref.title})
        return refs

    def _read(self, kind: str, value: str, line: int, n: int) -> tuple[str, bytes]:
        if kind == "file":
            return self._file(value, line, n)
        return self._fetch(value, line, n)

    def _file(self, value: str, line: int, n: int) -> tuple[str, bytes]:
        path = (self.base_dir / value).resolve()
        # The export names files beside it; a line cannot make us send /etc/passwd.
        if not path.is_relative_to(self.base_dir):
            raise LineRejected(
                line, f"Tệp đính kèm thứ {n} phải nằm trong thư mục của tệp JSONL: {value}"
            )
        try:
            size = path.stat().st_size
            if size > DOWNLOAD_MAX_BYTES:
                raise LineRejected(line, f"Tệp đính kèm thứ {n} ({value}) lớn hơn 20 MB.")
            return path.name, path.read_bytes()
        except OSError as exc:
            raise LineRejected(
                line, f"Không đọc được tệp đính kèm thứ {n} ({value}): {exc.strerror}."
            ) from exc

    def _fetch(self, url: str, line: int, n: int) -> tuple[str, bytes]:
        def refuse(why: str) -> LineRejected:
            return LineRejected(line, f"Không tải được tệp đính kèm thứ {n} ({url[:200]}): {why}")

        try:
            with self.download.stream("GET", url) as response:
                if response.status_code != 200:
                    raise refuse(f"máy chủ trả lời {response.status_code}.")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > DOWNLOAD_MAX_BYTES:
                    raise refuse("tệp lớn hơn 20 MB.")
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > DOWNLOAD_MAX_BYTES:
                        raise refuse("tệp lớn hơn 20 MB.")
                name = _filename(response, url)
        except httpx.HTTPError as exc:
            raise refuse(f"{type(exc).__name__}.") from exc
        return name, bytes(data)


def _filename(response: httpx.Response, url: str) -> str:
    disposition = response.headers.get("content-disposition", "")
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename" and value.strip('"'):
            return Path(value.strip('"')).name
    return Path(unquote(urlsplit(url).path)).name or "tep"


# --- the import --------------------------------------------------------------------------


@dataclass
class Summary:
    lines: int = 0
    imported: int = 0
    skipped: int = 0
    rejected: int = 0
    elapsed_s: float = 0.0
    #: Import start → every imported article live on the site (--wait).
    live_s: float | None = None
    live: int = 0
    article_ids: list[str] = field(default_factory=list)
    report: Path | None = None

    @property
    def per_second(self) -> float:
        return self.imported / self.elapsed_s if self.elapsed_s else 0.0


@dataclass
class _Pending:
    item: ImportItem
    #: The line as read, for the report if it is rejected.
    text: str


class Importer:
    def __init__(self, options: Options, portal: Portal, download: httpx.Client) -> None:
        self.options = options
        self.portal = portal
        self.attachments = Attachments(portal, options.file.parent, download)
        self.summary = Summary(report=options.report_path)
        self.rejections: list[dict[str, Any]] = []
        self.bar: tqdm[Any] | None = None

    def run(self) -> Summary:
        o = self.options
        if not o.file.is_file():
            raise Fatal(f"Không tìm thấy tệp {o.file}.")
        total = _count_lines(o.file)
        self.portal.sign_in()
        self.portal.known([])  # the right to import here, before reading a line
        started = time.perf_counter()
        with tqdm(
            total=total, unit=" dòng", desc="Nhập bài", disable=_no_bar(o.progress),
            file=sys.stderr, dynamic_ncols=True,
        ) as self.bar:  # fmt: skip
            try:
                self._read_all(o.file)
            except Fatal as exc:
                exc.summary = self.summary
                raise
            finally:
                self.summary.elapsed_s = time.perf_counter() - started
                self._write_report()
        if o.wait and self.summary.article_ids:
            live_at = wait_live(self.portal, self.summary.article_ids, o.wait_timeout, o.progress)
            self.summary.live_s = live_at - started
            self.summary.live = len(self.summary.article_ids)
        return self.summary

    def _read_all(self, path: Path) -> None:
        pending: list[_Pending] = []
        size = 0
        for number, raw in _lines(path):
            self.summary.lines += 1
            text = self._decode(number, raw)
            if text is None:
                continue
            try:
                item = parse_line(text, number)
            except LineRejected as exc:
                self._reject(number, exc.reason, text)
                continue
            pending.append(_Pending(item, text))
            size += len(raw)
            if len(pending) >= self.options.batch or size >= BATCH_MAX_BYTES:
                self._send(pending)
                pending, size = [], 0
        if pending:
            self._send(pending)

    def _decode(self, number: int, raw: bytes) -> str | None:
        if len(raw) > LINE_MAX_BYTES:
            self._reject(number, "Dòng quá dài (hơn 8 MB).", "")
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            # What can be read of it, to find it in the file.
            self._reject(
                number, "Dòng không phải văn bản UTF-8.", raw[:2000].decode("utf-8", "replace")
            )
            return None
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            self._advance(1)  # a blank line is nothing to import, and no mistake
            return None
        return text

    def _send(self, pending: list[_Pending]) -> None:
        with_files = [p.item.legacy_id for p in pending if p.item.attachments]
        # Lines imported by an earlier run need no upload: the server will skip them.
        known = self.portal.known(with_files) if with_files else {}
        items, sent = [], []
        for p in pending:
            try:
                refs = [] if p.item.legacy_id in known else self.attachments.resolve(p.item)
            except LineRejected as exc:
                self._reject(p.item.line, exc.reason, p.text)
                continue
            items.append(p.item.to_api(refs))
            sent.append(p)
        if items:
            results = self.portal.import_batch(items)
            by_line = {p.item.line: p for p in sent}
            for result in results:
                self._record(result, by_line)
        self._advance(len(sent))

    def _record(self, result: dict[str, Any], by_line: dict[int, _Pending]) -> None:
        status = result.get("status")
        if status == "imported":
            self.summary.imported += 1
            self.summary.article_ids.append(result["article_id"])
        elif status == "skipped":
            self.summary.skipped += 1
        else:
            source = by_line.get(result.get("line", 0))
            self.summary.rejected += 1
            self.rejections.append(
                _rejection(result.get("line", 0), str(result.get("reason", "")),
                           source.text if source else "", result.get("legacy_id"))
            )  # fmt: skip

    def _reject(self, number: int, reason: str, text: str) -> None:
        self.summary.rejected += 1
        self.rejections.append(_rejection(number, reason, text, None))
        self._advance(1)

    def _advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)
            self.bar.set_postfix(
                nhập=self.summary.imported, bỏ_qua=self.summary.skipped,
                từ_chối=self.summary.rejected, refresh=False,
            )  # fmt: skip

    def _write_report(self) -> None:
        path = self.options.report_path
        # Always written, so the report on disk is this run's, never an older one.
        with path.open("w", encoding="utf-8") as out:
            for entry in sorted(self.rejections, key=lambda r: r["line"]):
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _rejection(line: int, reason: str, text: str, legacy_id: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"line": line, "reason": reason}
    if legacy_id:
        entry["legacy_id"] = legacy_id
    # The line itself, to fix and import again; a huge one only starts here.
    entry["text"] = text if len(text) <= 1_000_000 else text[:2000] + "…"
    return entry


def _no_bar(progress: bool | None) -> bool | None:
    """tqdm's `disable`: None lets it decide (a bar only on a terminal)."""
    return None if progress is None else not progress


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as source:
        for number, raw in enumerate(source, 1):
            yield number, raw.rstrip(b"\r\n")


def _count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def wait_live(
    portal: Portal, article_ids: Sequence[str], timeout: float, progress: bool | None = None
) -> float:
    """Wait until every article is on the site; return when (time.perf_counter()) the
    last one went live, as near as polling can tell.

    Asking about each article in turn would load the platform that is busy publishing
    them, and would notice the last ones late (the events travel on several partitions,
    so articles do not go live in import order). So: first ask content, twice a second,
    whether any of them still awaits publication (one small list request); then fetch
    the pages of the last ones to be published until they answer; then every page,
    once, in parallel, waiting again for any that does not answer yet.
    """
    deadline = time.monotonic() + timeout

    def check_deadline(left: int, example: str) -> None:
        if time.monotonic() > deadline:
            raise Fatal(
                f"Sau {timeout:.0f} giây vẫn còn {left} bài chưa lên trang (ví dụ {example})."
            )

    ours = set(article_ids)
    last: list[str] = []
    while waiting := portal.awaiting_publication(ours):
        last = waiting
        check_deadline(len(waiting), waiting[0])
        time.sleep(0.5)
    paths: dict[str, str] = {}
    check = _safely(lambda article_id: _live(portal, article_id, paths))
    with ThreadPoolExecutor(WAIT_THREADS) as pool:
        while not_yet := [a for a, ok in zip(last, pool.map(check, last), strict=True) if not ok]:
            last = not_yet
            check_deadline(len(not_yet), not_yet[0])
            time.sleep(0.25)
        live_at = time.perf_counter()
        pending = list(article_ids)
        with tqdm(total=len(pending), unit=" trang", desc="Kiểm tra trang", file=sys.stderr,
                  disable=_no_bar(progress), dynamic_ncols=True) as bar:  # fmt: skip
            while pending:
                results = list(pool.map(check, pending))
                bar.update(sum(results))
                if not_live := [a for a, ok in zip(pending, results, strict=True) if not ok]:
                    # Not the last ones after all: it went live later than they did.
                    check_deadline(len(not_live), not_live[0])
                    time.sleep(0.25)
                    live_at = time.perf_counter()
                pending = not_live
    return live_at


def _live(portal: Portal, article_id: str, paths: dict[str, str]) -> bool:
    if article_id not in paths:
        article = portal.state_of(article_id)
        if not article or article.get("state") not in LIVE_STATES or not article.get("path"):
            return False
        paths[article_id] = article["path"]
    return portal.page_is_live(paths[article_id])


def _safely(check: Callable[[str], bool]) -> Callable[[str], bool]:
    def run(article_id: str) -> bool:
        try:
            return check(article_id)
        except (httpx.HTTPError, Fatal):
            return False  # asked again on the next round

    return run


# --- output --------------------------------------------------------------------------


def vn_number(value: float, decimals: int = 0) -> str:
    """10000 → "10.000", 12.5 → "12,5": how Vietnamese writes numbers."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def summary_text(summary: Summary) -> str:
    s = summary
    lines = [
        f"Đã nhập: {vn_number(s.imported)} bài · bỏ qua (đã có): {vn_number(s.skipped)} · "
        f"từ chối: {vn_number(s.rejected)} · tổng số dòng: {vn_number(s.lines)}",
        f"Thời gian: {vn_number(s.elapsed_s, 1)} giây · {vn_number(s.per_second, 1)} bài/giây",
    ]
    if s.live_s is not None:
        lines.append(
            f"Tất cả {vn_number(s.live)} bài đã lên trang sau {vn_number(s.live_s, 1)} giây "
            "kể từ lúc bắt đầu nhập."
        )
    if s.rejected and s.report:
        lines.append(f"Các dòng bị từ chối và lý do: {s.report}")
    return "\n".join(lines)


def import_articles(options: Options) -> Summary:
    with (
        httpx.Client(timeout=API_TIMEOUT) as api,
        # Its own client: the portal's token must never travel to the old portal.
        httpx.Client(timeout=DOWNLOAD_TIMEOUT, follow_redirects=True, max_redirects=5) as dl,
    ):
        return Importer(options, Portal(options, api), dl).run()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("backup", "restore"):
        return backup_cli.run(args)
    if args.command == "dlt":
        return dlt_cli.run(args)
    try:
        summary = import_articles(options_from(args))
    except Fatal as exc:
        if exc.summary is not None and exc.summary.lines:
            print(summary_text(exc.summary), file=sys.stderr)
            print("Chạy lại lệnh sẽ bỏ qua các bài đã nhập.", file=sys.stderr)
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu. Chạy lại lệnh sẽ bỏ qua các bài đã nhập.", file=sys.stderr)
        return 2
    print(summary_text(summary))
    return 1 if summary.rejected else 0


if __name__ == "__main__":
    sys.exit(main())
