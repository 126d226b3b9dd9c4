"""A tiny TCP proxy on loopback, run in its own thread, to take "the database" away and bring it
back without touching the machine's real PostgreSQL: `stop()` closes the listening socket and every
open connection (the server's pooled connections die, new ones are refused); `start()` listens
again on the same port."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from typing import Any


class TcpProxy:
    def __init__(self, *, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listen_port = 0  # chosen by the kernel at the first start, kept afterwards
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[Any]] = set()
        self._generation = 0

    def _run(self, coroutine: Coroutine[Any, Any, None], timeout: float = 10) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def start(self) -> TcpProxy:
        self._run(self._start())
        return self

    def stop(self) -> None:
        self._run(self._stop())

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.listen_port, reuse_address=True
        )
        sock: socket.socket = self._server.sockets[0]
        self.listen_port = int(sock.getsockname()[1])

    async def _stop(self) -> None:
        server, self._server = self._server, None
        self._generation += 1  # a connection still being set up will be cut as it completes
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        # cut, not cancelled: a cancelled handler makes asyncio's stream callback log an error
        await asyncio.wait_for(asyncio.gather(*self._handlers, return_exceptions=True), 10)
        if server is not None:
            await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        generation = self._generation
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            self._handlers.discard(task)
            return
        if generation != self._generation:
            writer.transport.abort()
            up_writer.transport.abort()
            self._handlers.discard(task)
            return
        self._writers.update({writer, up_writer})
        try:
            await asyncio.gather(
                self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
            )
        finally:
            self._writers.difference_update({writer, up_writer})
            self._handlers.discard(task)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()  # one side gone: so is the other, as with a real cut
