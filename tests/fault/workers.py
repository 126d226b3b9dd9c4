"""Which uvicorn worker answered a request, read from the kernel (Linux /proc), not guessed.

The workers of one server share a listening socket and the kernel hands each new connection to
one of them; after the answer the connection stays open (keep-alive), so the accepted socket can
be found among the workers' open files: /proc/net/tcp gives the socket (inode) whose peer is the
client's port, /proc/<pid>/fd says which worker holds it. Tests that must hold "on every worker"
use this to show that each worker really answered, instead of hoping the kernel spread the load.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.server import Server

ESTABLISHED = "01"


def _port(address: str) -> int:
    """The port of a /proc/net/tcp address ("0100007F:1F90")."""
    return int(address.rsplit(":", 1)[1], 16)


def _server_socket_inode(server_port: int, client_port: int) -> str | None:
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
        if state == ESTABLISHED and _port(local) == server_port and _port(remote) == client_port:
            return inode
    return None


def _holder(inode: str, pids: list[int]) -> int | None:
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


def answered_by(server: Server, response: httpx.Response) -> int | None:
    """The pid of the worker holding the (still open) connection this response came on."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    client_port = int(stream.get_extra_info("client_addr")[1])
    inode = _server_socket_inode(server.port, client_port)
    return _holder(inode, server.serving_pids()) if inode else None


Probe = Callable[[httpx.Client], httpx.Response]


def _probe_once(server: Server, probe: Probe, timeout: float) -> tuple[int | None, httpx.Response]:
    # a client of its own: a new connection, which the kernel may give to any worker
    with httpx.Client(base_url=server.url, timeout=timeout) as client:
        response = probe(client)
        return answered_by(server, response), response


def on_every_worker(
    server: Server, probe: Probe, *, burst: int = 6, rounds: int = 20, timeout: float = 30
) -> dict[int, httpx.Response]:
    """Send `probe` on new connections, a burst at a time (so requests meet), until every worker
    has answered it; the last answer of each worker. Fails if some worker never answers (it is
    not serving) or a request takes longer than `timeout` seconds."""
    expected = set(server.serving_pids())
    seen: dict[int, httpx.Response] = {}
    with ThreadPoolExecutor(burst) as pool:
        for _ in range(rounds):
            for pid, response in pool.map(
                lambda _: _probe_once(server, probe, timeout), range(burst)
            ):
                if pid is not None:
                    seen[pid] = response
            if set(seen) >= expected:
                return seen
    raise AssertionError(f"workers {sorted(expected - set(seen))} never answered: {server.tail()}")
