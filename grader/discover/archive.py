"""Extract LMS download archives (zip) safely: no path traversal, no links, capped sizes.

Only notebooks and nested zip files are written to disk; every other member is listed (so a report can
name it) but never extracted. An archive is extracted once into ``staging/<sha256 prefix>/`` under a
manifest, atomically (a temporary folder renamed into place), so re-running discovery, even after the
grader was killed mid-extraction, reuses the same files.

What all archives of one discovery write together is capped by one ``Budget`` (``ArchiveLimits.
total_bytes``, default 2 GiB, for the whole class): a reused extraction counts against it as if it were
written again, and one that was cut short by the budget is redone when it is reused.

Rejected members (absolute paths, ``..``, symbolic links, encrypted, duplicate names, over a size cap,
corrupt data) are listed with a reason instead of being extracted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.records.contract import MAX_NOTEBOOK_BYTES

__all__ = ["DEFAULT_LIMITS", "ArchiveLimits", "Budget", "Member", "extract_archive", "file_sha256"]

_MANIFEST = ".manifest.json"
_MANIFEST_VERSION = 2
_CHUNK = 1 << 20
_EXTRACTED_SUFFIXES = (".ipynb", ".zip")


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps applied while extracting; sizes in bytes.

    ``notebook_bytes`` (default 50 MiB, the pipeline's notebook cap): one notebook member.
    ``archive_bytes`` (default 512 MiB): one nested archive. ``total_bytes`` (default 2 GiB): all that
    the archives of one discovery (the whole class, nested archives included) write together.
    ``members`` (default 20,000): entries in one archive. ``depth`` (default 2): archives inside
    archives followed.
    """

    notebook_bytes: int = MAX_NOTEBOOK_BYTES
    archive_bytes: int = 512 * 2**20
    total_bytes: int = 2 * 2**30
    members: int = 20_000
    depth: int = 2


@dataclass(frozen=True)
class Member:
    """One archive entry: its path inside the archive, where it was extracted (if it was), and why not.

    ``parts``: the cleaned relative path, empty for an unsafe name (absolute, ``..``). ``file``: the
    extracted copy, relative to the extraction folder, or ``None`` (a non-notebook, or rejected: see
    ``problem``).
    """

    name: str
    parts: tuple[str, ...]
    size: int
    file: str | None = None
    problem: str | None = None


DEFAULT_LIMITS = ArchiveLimits()


@dataclass
class Budget:
    """Bytes that extraction may still write, shared by every archive of one discovery.

    ``total``: the budget it started with (for messages); ``left``: what remains; ``counted``: staging
    folders already charged (an archive handed in twice is charged once).
    """

    total: int
    left: int = field(init=False)
    counted: set[str] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.left = self.total

    @property
    def exhausted_reason(self) -> str:
        """Why a member was not extracted once the budget ran out."""
        return (
            f"extraction stopped: the archives of this class reached the {self.total / 2**20:.0f} MiB "
            "limit on extracted files; not extracted"
        )


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _clean_parts(name: str) -> tuple[tuple[str, ...], str | None]:
    """The path components of a member name, or the reason it is unsafe."""
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return (), "absolute path in archive; not extracted"
    parts = tuple(p for p in text.split("/") if p not in ("", "."))
    if ".." in parts:
        return (), "path leaves the archive ('..'); not extracted"
    if any("\x00" in p or len(p.encode("utf-8", "surrogateescape")) > 255 for p in parts):
        return (), "unusable file name in archive; not extracted"
    return parts, None


def _rejection(info: zipfile.ZipInfo, parts: tuple[str, ...], limits: ArchiveLimits) -> str | None:
    """Why ``info`` must not be extracted, or ``None``."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link in archive; not extracted"
    if info.flag_bits & 0x1:
        return "encrypted archive member; cannot be read"
    cap = limits.notebook_bytes if parts[-1].lower().endswith(".ipynb") else limits.archive_bytes
    if info.file_size > cap:
        return f"{info.file_size / 2**20:.1f} MiB uncompressed; the limit is {cap / 2**20:.0f} MiB"
    return None


def _copy_capped(source: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, cap: int) -> int:
    """Stream ``info`` to ``dest``, stopping past ``cap`` bytes or the declared size; bytes written."""
    written = 0
    limit = min(cap, info.file_size)
    with source.open(info) as src, dest.open("wb") as out:
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            written += len(chunk)
            if written > limit:
                raise ValueError(f"member is larger than declared or allowed ({limit} bytes)")
            out.write(chunk)
    dest.chmod(0o644)
    return written


def _extract_member(
    source: zipfile.ZipFile, info: zipfile.ZipInfo, parts: tuple[str, ...], folder: Path, budget: Budget
) -> tuple[str | None, str | None, int]:
    """Write one wanted member under ``folder``: ``(relative file, problem, bytes written)``."""
    if info.file_size > budget.left:
        return None, budget.exhausted_reason, 0
    target = folder.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    try:
        written = _copy_capped(source, info, target, budget.left)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        target.unlink(missing_ok=True)
        return None, f"corrupt archive member ({exc}); not extracted", 0
    return "/".join(parts), None, written


def _members(source: zipfile.ZipFile, folder: Path, limits: ArchiveLimits, budget: Budget) -> list[Member]:
    """Extract the wanted members of ``source`` into ``folder`` (charging ``budget``) and list every member."""
    members: list[Member] = []
    seen: set[tuple[str, ...]] = set()
    for info in source.infolist():
        if info.is_dir():
            continue
        parts, problem = _clean_parts(info.filename)
        if problem is None and parts in seen:
            problem = "a second archive member with this name; not extracted"
        if problem is None:
            problem = _rejection(info, parts, limits)
        file = None
        if problem is None and parts[-1].lower().endswith(_EXTRACTED_SUFFIXES):
            file, problem, written = _extract_member(source, info, parts, folder, budget)
            budget.left -= written
        seen.add(parts)
        members.append(Member(info.filename, parts, info.file_size, file, problem))
    return members


@dataclass(frozen=True)
class _Manifest:
    """What an extraction folder holds: every member, the bytes written, whether the budget cut it short."""

    members: list[Member]
    staged_bytes: int
    cut_short: bool


def _read_manifest(folder: Path) -> _Manifest | None:
    try:
        data = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        if data.get("version") != _MANIFEST_VERSION:
            return None
        members = [Member(m["name"], tuple(m["parts"]), m["size"], m["file"], m["problem"]) for m in data["members"]]
        return _Manifest(members, int(data["staged_bytes"]), bool(data["cut_short"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_manifest(folder: Path, manifest: _Manifest) -> None:
    payload = {
        "version": _MANIFEST_VERSION, "staged_bytes": manifest.staged_bytes, "cut_short": manifest.cut_short,
        "members": [asdict(m) for m in manifest.members],
    }
    (folder / _MANIFEST).write_text(json.dumps(payload), encoding="utf-8")


def _extract_fresh(archive: Path, final: Path, limits: ArchiveLimits, budget: Budget) -> list[Member]:
    """Extract into a temporary folder next to ``final``, then rename it into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=final.parent))
    try:
        tmp.chmod(0o755)
        with zipfile.ZipFile(archive) as source:
            if len(source.infolist()) > limits.members:
                raise zipfile.BadZipFile(f"more than {limits.members} members")
            before = budget.left
            members = _members(source, tmp, limits, budget)
        cut_short = any(m.problem == budget.exhausted_reason for m in members)
        _write_manifest(tmp, _Manifest(members, before - budget.left, cut_short))
        try:
            os.rename(tmp, final)
        except OSError:  # extracted meanwhile by another grader: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return members


def _reusable(final: Path, budget: Budget) -> list[Member] | None:
    """The members of an earlier extraction into ``final`` if it may stand, charging ``budget`` for it.

    It may not when it is unreadable, was cut short by the budget (the budget may differ now) or no
    longer fits what is left of the budget.
    """
    manifest = _read_manifest(final)
    if manifest is None or manifest.cut_short or manifest.staged_bytes > budget.left:
        return None
    budget.left -= manifest.staged_bytes
    return manifest.members


def extract_archive(
    archive: Path, staging: Path, *, limits: ArchiveLimits = DEFAULT_LIMITS, budget: Budget | None = None
) -> tuple[Path, list[Member]]:
    """Extract ``archive`` (once) under ``staging``; return the folder and every member.

    ``budget``: what the extracted files may take, shared with every other archive of the same
    discovery (default: ``limits.total_bytes`` for this archive alone). Members past it are listed with
    the reason, not extracted. Raises ``zipfile.BadZipFile`` (or ``OSError``) when the archive itself
    cannot be read; callers report that as a skipped file.
    """
    budget = budget if budget is not None else Budget(limits.total_bytes)
    final = staging / file_sha256(archive)[:24]
    if final.name in budget.counted:  # the same archive again: already on disk and charged
        manifest = _read_manifest(final)
        if manifest is not None:
            return final, manifest.members
    members = _reusable(final, budget)
    if members is None:
        if final.exists():
            shutil.rmtree(final, ignore_errors=True)
        members = _extract_fresh(archive, final, limits, budget)
    budget.counted.add(final.name)
    return final, members
