"""A kernel manager that starts ipykernel behind a command prefix (the sandbox) over ipc sockets.

jupyter_client 8.10 ignores ``kernel_cmd``, so the prefix goes in through ``format_kernel_cmd``; the
kernel spec is built here (no installed kernelspec is read) with ``interrupt_mode="message"``, because a
SIGINT sent to bwrap would kill the sandbox rather than interrupt the cell. The connection file lives in
the run's private connection directory and is handed to the sandbox uid.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

__all__ = ["KERNEL_ARGUMENTS", "SandboxKernelManager", "exit_code"]

KERNEL_ARGUMENTS = (
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.exec_lines=__import__('sys').path.insert(0, '')",
)


class SandboxKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` whose kernel command is ``prefix + [python, -P, -m, ipykernel_launcher, …]``.

    ``owner`` (uid, gid) receives the connection file; ``-P`` keeps the work dir off ``sys.path`` while
    ipykernel starts (a submitted ``ipykernel_launcher.py`` cannot stop the kernel from starting), and
    ``KERNEL_ARGUMENTS`` puts it back first, as in Jupyter, before any cell runs.
    """

    def __init__(
        self, *, prefix: list[str], python: Path, conn_dir: Path, owner: tuple[int, int] | None, **kwargs: Any
    ) -> None:
        super().__init__(transport="ipc", connection_file=str(conn_dir / "kernel.json"), **kwargs)
        self._prefix = list(prefix)
        self._owner = owner
        argv = [str(python), "-P", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        self._kernel_spec = KernelSpec(
            argv=argv, display_name="Python 3 (grader)", language="python", interrupt_mode="message"
        )

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The sandbox prefix followed by the kernel's own command line."""
        return self._prefix + super().format_kernel_cmd(extra_arguments)

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
