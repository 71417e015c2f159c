"""The class secret: random bytes only the grader holds, from which everything hidden is derived.

A notebook can read the installed grader and the rubric's public parts, so nothing that decides a hidden
label may follow from them. The synthetic hidden data's content (its generator seed), and the order of the
hidden sequences written into each sandbox, derive from this secret with HMAC-SHA256:

- ``secret.seed("synthetic-hidden", rubric_seed)`` seeds the hidden data generator;
- ``secret.seed("hidden-order", submission_sha256)`` shuffles one submission's hidden sequences, so a rerun
  of the same bytes sees the same order (resume keys stay valid) and two submissions see different ones.

The secret is made once per class (``OUT/class.secret``, mode 0600) or given by the instructor (a file of
64 hex digits); it is never written into the rubric, the repository, a report or a sandbox.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import AssignmentError

__all__ = ["SECRET_BYTES", "SECRET_FILE", "ClassSecret", "class_secret"]

SECRET_FILE = "class.secret"
SECRET_BYTES = 32


@dataclass(frozen=True)
class ClassSecret:
    """``SECRET_BYTES`` random bytes; ``repr`` never shows them."""

    key: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> ClassSecret:
        """A fresh secret from the operating system's random source."""
        return cls(secrets.token_bytes(SECRET_BYTES))

    @classmethod
    def read(cls, path: Path) -> ClassSecret:
        """The secret in ``path`` (hex text). Raises ``AssignmentError`` naming the file and the problem."""
        try:
            mode = path.stat().st_mode
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise AssignmentError(f"{path}: cannot read the class secret: {exc}") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AssignmentError(
                f"{path}: the class secret is readable by others (mode {stat.filemode(mode)}); run: chmod 600 {path}"
            )
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < SECRET_BYTES:
            raise AssignmentError(
                f"{path}: a class secret is at least {SECRET_BYTES * 2} hex digits "
                f"(make one with: python -c 'import secrets; print(secrets.token_hex())'); got {len(text)} characters"
            )
        return cls(key)

    def write(self, path: Path) -> None:
        """Write the secret to a new file ``path`` with mode 0600 (never over an existing one)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with open(fd, "w", encoding="ascii") as handle:
            handle.write(self.key.hex() + "\n")

    def digest(self, purpose: str, *parts: str) -> bytes:
        """HMAC-SHA256 of ``purpose`` and ``parts`` under the secret."""
        message = "\0".join((purpose, *parts)).encode("utf-8")
        return hmac.new(self.key, message, hashlib.sha256).digest()

    def seed(self, purpose: str, *parts: str) -> int:
        """A 256-bit integer seed for ``purpose``; unpredictable without the secret."""
        return int.from_bytes(self.digest(purpose, *parts), "big")

    def fingerprint(self) -> str:
        """A public name for this secret (resume keys, run records); reveals nothing of the key."""
        return self.digest("fingerprint").hex()[:16]


def class_secret(folder: Path, given: Path | None = None) -> ClassSecret:
    """The secret ``given`` by the instructor, else ``folder/class.secret``, made on first use."""
    if given is not None:
        return ClassSecret.read(given)
    path = folder / SECRET_FILE
    if path.exists():
        return ClassSecret.read(path)
    made = ClassSecret.generate()
    try:
        made.write(path)
    except FileExistsError:  # another process made it first: use theirs
        return ClassSecret.read(path)
    except OSError as exc:
        raise AssignmentError(f"{path}: cannot write the class secret: {exc}") from exc
    return made
