"""A kernel manager that starts ipykernel behind a command prefix (the sandbox) over ipc sockets.

jupyter_client 8.10 ignores ``kernel_cmd``, so the prefix goes in through ``format_kernel_cmd``; the
kernel spec is built here (no installed kernelspec is read) with ``interrupt_mode="message"``, because a
SIGINT sent to bwrap would kill the sandbox rather than interrupt the cell. The connection file lives in
the run's private connection directory and is handed to the sandbox uid.

The kernel can write to that directory, so the grader never connects by path: once the kernel has bound
its five sockets (before any student code runs), each is opened with ``O_PATH | O_NOFOLLOW``, checked to
be a socket owned by the kernel's uid, and every later connect (the manager's control socket, the
client's channels, ZeroMQ's reconnects) goes through ``/proc/self/fd/N``. A socket the notebook later
replaces with a symlink to a host socket is never followed.

Every socket refuses a message over ``max_message_bytes`` (ZeroMQ's ``MAXMSGSIZE``): the message is
dropped with the connection before the grader reads any of it, so one 900 MiB display message cannot
swell the grader's memory. ZeroMQ does not reconnect after such a refusal; ``DisconnectWatch`` notices
it (socket monitor events) so that the runner can end the run with the reason.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.client import KernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

from grader._json import loads_capped

__all__ = [
    "CHANNELS",
    "KERNEL_ARGUMENTS",
    "DisconnectWatch",
    "PinnedKernelClient",
    "SandboxKernelManager",
    "exit_code",
]

CHANNELS = ("shell", "iopub", "stdin", "hb", "control")
_POLL_S = 0.02


def capped_unpack(data: str | bytes) -> Any:
    """The session's JSON unpacker with the nesting depth capped before parsing (``grader._json``)."""
    text = data.decode("utf8", "replace") if isinstance(data, bytes) else data
    return loads_capped(text)


class DisconnectWatch:
    """Socket-monitor events of a client's shell, iopub and stdin channels: did one lose its connection?"""

    CHANNELS = ("shell", "iopub", "stdin")

    def __init__(self, kc: KernelClient) -> None:
        self._pairs: dict[str, zmq.Socket[bytes]] = {}
        for name in self.CHANNELS:
            channel = getattr(kc, f"{name}_channel")
            address = f"inproc://grader-monitor-{id(self)}-{name}"
            channel.socket.monitor(address, zmq.EVENT_DISCONNECTED)
            pair: zmq.Socket[bytes] = zmq.Socket(kc.context, zmq.PAIR)
            pair.connect(address)
            self._pairs[name] = pair

    def disconnected(self) -> str | None:
        """The first channel with a disconnect event since the last call, without blocking."""
        for name, pair in self._pairs.items():
            if pair.poll(0):
                pair.recv_multipart()
                return name
        return None

    def close(self) -> None:
        for pair in self._pairs.values():
            pair.close(linger=0)
        self._pairs.clear()


def _pinned_url(pinned: Mapping[str, int], channel: str) -> str | None:
    fd = pinned.get(channel)
    return None if fd is None else f"ipc:///proc/self/fd/{fd}"


class PinnedKernelClient(AsyncKernelClient):
    """``AsyncKernelClient`` that connects through the manager's pinned socket descriptors."""

    pinned: Mapping[str, int] = {}

    def _make_url(self, channel: str) -> str:
        return _pinned_url(self.pinned, channel) or str(super()._make_url(channel))

KERNEL_ARGUMENTS = (
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.exec_lines=__import__('sys').path.insert(0, '')",
)


class SandboxKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` whose kernel command is ``prefix + [python, -P, -m, ipykernel_launcher, …]``.

    ``owner`` (uid, gid) receives the connection file; ``-P`` keeps the work dir off ``sys.path`` while
    ipykernel starts (a submitted ``ipykernel_launcher.py`` cannot stop the kernel from starting), and
    ``KERNEL_ARGUMENTS`` puts it back first, as in Jupyter, before any cell runs. The kernel's sockets
    must belong to ``owner``'s uid (the grader's own without an owner); they are pinned after start.
    """

    def __init__(
        self,
        *,
        prefix: list[str],
        python: Path,
        conn_dir: Path,
        owner: tuple[int, int] | None,
        max_message_bytes: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(transport="ipc", connection_file=str(conn_dir / "kernel.json"), **kwargs)
        self._prefix = list(prefix)
        self._owner = owner
        self._socket_uid = owner[0] if owner is not None else os.getuid()
        self._pinned: dict[str, int] = {}
        self.client_factory = PinnedKernelClient
        self.session.unpack = capped_unpack  # the client shares this session (get_connection_info)
        self._max_message_bytes = max_message_bytes
        self.context.setsockopt(zmq.MAXMSGSIZE, max_message_bytes)  # default for the control socket
        argv = [str(python), "-P", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        self._kernel_spec = KernelSpec(
            argv=argv, display_name="Python 3 (grader)", language="python", interrupt_mode="message"
        )

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The sandbox prefix followed by the kernel's own command line."""
        return self._prefix + super().format_kernel_cmd(extra_arguments)

    async def _async_post_start_kernel(self, **kw: Any) -> None:
        """Wait until the kernel has bound its sockets and pin them, then connect as jupyter_client does.

        (``start_kernel`` calls this private step directly, not the public ``post_start_kernel``.)
        """
        await self._wait_for_sockets()
        self._pin_sockets()
        await super()._async_post_start_kernel(**kw)

    def client(self, **kwargs: Any) -> PinnedKernelClient:  # type: ignore[override]
        """A client whose channels connect through the pinned descriptors."""
        kc = super().client(**kwargs)
        assert isinstance(kc, PinnedKernelClient)
        kc.pinned = dict(self._pinned)
        kc.context.setsockopt(zmq.MAXMSGSIZE, self._max_message_bytes)  # before its channels exist
        return kc

    def _make_url(self, channel: str) -> str:
        return _pinned_url(self._pinned, channel) or str(super()._make_url(channel))

    def _socket_path(self, channel: str) -> Path:
        return Path(f"{self.ip}-{getattr(self, f'{channel}_port')}")

    async def _wait_for_sockets(self) -> None:
        """Poll until every channel's socket file exists; RuntimeError if the kernel ends first."""
        while not all(os.path.lexists(self._socket_path(c)) for c in CHANNELS):
            if self.provisioner is not None and await self.provisioner.poll() is not None:
                raise RuntimeError("the kernel exited before it opened its sockets")
            await asyncio.sleep(_POLL_S)

    def _pin_sockets(self) -> None:
        """Hold each socket by an ``O_PATH`` descriptor, refusing anything but the kernel's own socket."""
        folder = os.open(Path(self.ip).parent, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            for channel in CHANNELS:
                self._pinned[channel] = self._pin_one(self._socket_path(channel).name, folder)
        finally:
            os.close(folder)

    def _pin_one(self, name: str, folder: int) -> int:
        fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
        info = os.fstat(fd)
        if not stat.S_ISSOCK(info.st_mode) or info.st_uid != self._socket_uid:
            os.close(fd)
            raise RuntimeError(
                f"{name} is not a socket of uid {self._socket_uid} "
                f"({stat.filemode(info.st_mode)}, uid {info.st_uid}); refusing to connect"
            )
        return fd

    def unpin_sockets(self) -> None:
        """Close the pinned descriptors; call only after every channel and the control socket are closed."""
        for fd in self._pinned.values():
            os.close(fd)
        self._pinned.clear()

    def write_connection_file(self, **kwargs: Any) -> None:
        """Write the connection file, then give it to the sandbox uid (it is mode 0600)."""
        super().write_connection_file(**kwargs)
        if self._owner is not None:
            os.chown(self.connection_file, *self._owner)


def exit_code(km: AsyncKernelManager) -> int | None:
    """The kernel process's exit status once it has ended (bwrap passes on 128 + signal), else None."""
    process = getattr(km.provisioner, "process", None)
    if process is None:
        return None
    code = process.poll()
    return code if isinstance(code, int) else None
