"""A TCP hop in front of a real server (Redis, here) that a test can cut or stall, as
a failing network or an overloaded server would: `passing` forwards bytes both ways,
`stalled` keeps every connection open and answers nothing, `refusing` closes them."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

Mode = Literal["passing", "stalled", "refusing"]


class FaultyLink:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "passing"
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> FaultyLink:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def set(self, mode: Mode) -> None:
        self.mode = mode
        if mode != "passing":
            for writer in list(self._writers):  # connections made before the fault too
                if mode == "refusing":
                    writer.close()

    async def stop(self) -> None:
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "refusing":
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.update({writer, up_writer})
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                self._writers.discard(w)
                w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                while self.mode == "stalled":  # noqa: ASYNC110 - hold the bytes: the peer waits
                    await asyncio.sleep(0.05)
                if self.mode == "refusing":
                    return
                writer.write(data)
                await writer.drain()
