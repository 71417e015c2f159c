"""Reasons and limits as the record states them."""

from __future__ import annotations

import pytest

from grader.execute import ExecStatus, ExecutionConfig
from grader.execute._reasons import applied_limits, exit_reason, limit_reason

CONFIG = ExecutionConfig(memory_mb=6144, cpu_time_s=900, max_file_size_mb=512, max_processes=128)


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        (152, ExecStatus.LIMIT, "kernel killed: CPU time limit 900 s (exit code 152)"),
        (153, ExecStatus.LIMIT, "kernel killed: file size limit 512 MiB (exit code 153)"),
        (137, ExecStatus.DEAD_KERNEL, "out-of-memory killer (memory limit 6144 MiB)"),
        (-9, ExecStatus.DEAD_KERNEL, "killed by SIGKILL"),
        (139, ExecStatus.DEAD_KERNEL, "segmentation fault"),
        (134, ExecStatus.DEAD_KERNEL, "aborted"),
        (3, ExecStatus.DEAD_KERNEL, "exited with code 3"),
        (0, ExecStatus.DEAD_KERNEL, "exit code 0"),
        (None, ExecStatus.DEAD_KERNEL, "vanished"),
        (129, ExecStatus.DEAD_KERNEL, "killed by SIGHUP (exit code 129)"),
    ],
)
def test_exit_codes_are_explained(code: int | None, status: ExecStatus, words: str) -> None:
    got_status, reason = exit_reason(code, CONFIG)
    assert got_status is status and words in reason


@pytest.mark.parametrize(
    ("ename", "evalue", "words"),
    [
        ("MemoryError", "", "memory limit 6144 MiB"),
        ("OSError", "[Errno 27] File too large", "file size limit 512 MiB"),
        ("OSError", "[Errno 28] No space left on device", "disk limit: work dir 2048 MiB"),
        ("BlockingIOError", "[Errno 11] Resource temporarily unavailable", "process limit 128"),
        ("RuntimeError", "can't start new thread", "process limit 128"),
        ("OSError", "[Errno 24] Too many open files: 'x'", "open files limit 1024"),
    ],
)
def test_limit_errors_name_the_limit(ename: str, evalue: str, words: str) -> None:
    reason = limit_reason(ename, evalue, CONFIG)
    assert reason is not None and words in reason


def test_ordinary_errors_are_not_limits() -> None:
    assert limit_reason("ValueError", "bad shape", CONFIG) is None
    assert limit_reason("OSError", "[Errno 2] No such file or directory", CONFIG) is None
    assert limit_reason("PermissionError", "[Errno 11] odd", CONFIG) is None


def test_applied_limits_say_what_bounded_the_run() -> None:
    sandboxed = applied_limits(CONFIG, sandboxed=True, gpu=True)
    assert sandboxed["memory"] == "6144 MiB (RLIMIT_DATA)" and sandboxed["network"] == "none"
    assert applied_limits(CONFIG, sandboxed=True, gpu=False)["memory"] == "6144 MiB (RLIMIT_AS)"
    plain = applied_limits(CONFIG, sandboxed=False, gpu=False)
    assert "memory" not in plain and plain["sandbox"].startswith("none")
