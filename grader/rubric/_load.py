"""Read a rubric file once, at the boundary, into a frozen :class:`~._rubric.Rubric`.

Every problem raises :class:`~grader.errors.RubricError` naming the file, the key path, the allowed
values and the bad value; a rubric for another schema raises :class:`~grader.errors.RubricVersionError`
saying what to do. YAML's silent "last duplicate key wins" is an error here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from grader.errors import RubricError, RubricVersionError
from grader.rubric._messages import format_validation_error
from grader.rubric._rubric import SCHEMA_VERSION, Rubric, RubricOrigin

if TYPE_CHECKING:
    import yaml

__all__ = ["load_rubric", "parse_rubric"]

_UPGRADE = "pip install -U nbgrade-ml"


def load_rubric(path: str | Path) -> Rubric:
    """Parse the rubric file at ``path``; relative data paths resolve against its folder.

    Raises:
        RubricError: the file cannot be read or is invalid (the message names file, key path and value).
        RubricVersionError: the file was written for another schema version.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricError(f"{path}: cannot read the rubric file: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RubricError(
            f"{path}: the rubric file is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    return parse_rubric(text, source=str(path), base_dir=path.parent)


def parse_rubric(text: str, *, source: str = "<string>", base_dir: Path | None = None) -> Rubric:
    """Parse rubric YAML ``text``; ``source`` names it in messages, ``base_dir`` anchors relative paths."""
    data = _read_yaml(text, source)
    _check_version(data, source)
    try:
        rubric = Rubric.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise RubricError(format_validation_error(exc, source, data)) from None
    origin = RubricOrigin(path=source, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return rubric.model_copy(update={"origin": origin})


def _loader(source: str) -> type[yaml.SafeLoader]:
    import yaml

    class StrictLoader(yaml.SafeLoader):
        """SafeLoader that rejects a key given twice in one mapping."""

    def construct_mapping(
        loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False
    ) -> dict[Hashable, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, Hashable):
                raise RubricError(f"{source}: line {line}: a key must be a plain value, got {key!r}")
            if key in seen:
                raise RubricError(
                    f"{source}: line {line}: duplicate key {key!r} (first given at line {seen[key]}); "
                    "YAML would silently keep only the last one"
                )
            seen[key] = line
        return loader.construct_mapping(node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


def _read_yaml(text: str, source: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.load(text, Loader=_loader(source))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise RubricError(f"{source}: {where}invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise RubricError(f"{source}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else type(data).__name__
        raise RubricError(
            f"{source}: expected a mapping of keys at the top level (schema_version, id, ...), got {got}"
        )
    return data


def _check_version(data: dict[str, Any], source: str) -> None:
    version = data.get("schema_version")
    if version is None:
        raise RubricVersionError(
            f"{source}: schema_version: required key is missing; this grader reads schema {SCHEMA_VERSION}: "
            f"add `schema_version: {SCHEMA_VERSION}` as the first line (see docs/rubric-format.md)"
        )
    if isinstance(version, bool) or not isinstance(version, int):
        raise RubricVersionError(
            f"{source}: schema_version: expected a whole number, got {version!r}; "
            f"this grader reads schema {SCHEMA_VERSION}: write `schema_version: {SCHEMA_VERSION}`"
        )
    if version > SCHEMA_VERSION:
        raise RubricVersionError(
            f"{source}: schema_version: this rubric was written for schema {version}; this grader reads "
            f"schema {SCHEMA_VERSION}. Upgrade the grader with: {_UPGRADE}"
        )
    if version < SCHEMA_VERSION:
        raise RubricVersionError(
            f"{source}: schema_version: {version} is older than any schema this grader reads "
            f"({SCHEMA_VERSION}); rewrite the rubric for schema {SCHEMA_VERSION} as described in "
            "docs/rubric-format.md and set `schema_version: 1`"
        )
