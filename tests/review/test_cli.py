"""``grader review`` as a TA starts it: prints the URL with the token, binds 127.0.0.1 only."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import build_out

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(url: str, host: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _connects(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(5)
        return s.connect_ex((host, port)) == 0


def test_review_prints_its_url_and_listens_on_loopback_only(tmp_path: Path) -> None:
    out = build_out(tmp_path / "out")
    port = _free_port()
    argv = [sys.executable, "-m", "grader", "review", str(out), "--port", str(port)]
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(3)]
        found = re.search(rf"http://127\.0\.0\.1:{port}/t/([A-Za-z0-9_-]{{40,}})/", "".join(lines))
        assert found, "".join(lines)
        deadline = time.monotonic() + 30
        while not _connects("127.0.0.1", port):
            assert time.monotonic() < deadline and server.poll() is None, "grader review did not start"
            time.sleep(0.1)
        url = found.group(0)
        assert _status(url) == 200
        assert _status(url.replace(found.group(1), found.group(1)[:-1] + "x")) == 404
        assert _status(f"http://127.0.0.1:{port}/") == 404
        assert _status(url, host=f"evil.example:{port}") == 403
        assert not _connects("127.0.0.2", port)  # bound to 127.0.0.1, not to every address
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_two_runs_get_different_tokens(tmp_path: Path) -> None:
    from grader.review import Secrets

    first, second = Secrets(port=1), Secrets(port=1)
    assert first.token != second.token and first.csrf != second.csrf and first.token != first.csrf
    assert len(first.token) >= 40


@pytest.mark.parametrize("port", ["0", "70000"])
def test_bad_ports_are_refused(tmp_path: Path, port: str) -> None:
    out = build_out(tmp_path / "out")
    run = subprocess.run([sys.executable, "-m", "grader", "review", str(out), "--port", port],
                         capture_output=True, text=True, timeout=60, check=False, cwd=ROOT)
    assert run.returncode == 2 and "--port" in run.stderr
