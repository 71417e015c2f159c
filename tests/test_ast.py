"""grader._ast: one lock around ``ast.parse`` for threads (Dask workers grade several notebooks at once)."""

from __future__ import annotations

import ast
import re
import sys
import threading
from pathlib import Path

import pytest

from grader._ast import parse_python

ROOT = Path(__file__).resolve().parents[1]
# Many nested comprehensions: a long AST build, during which the collector below runs Python finalizers.
_SOURCE = "\n".join(
    f"def f{i}(x):\n    return [(a, b) for a in range({i}) for b in {{'k': x}}.items()]" for i in range(300)
)


class _Finalized:
    def __del__(self) -> None:
        pass


def _parse_in_threads(parse: object, threads: int = 4, rounds: int = 40) -> list[str]:
    errors: list[str] = []

    def work() -> None:
        for _ in range(rounds):
            try:
                parse(_SOURCE)  # type: ignore[operator]
            except SystemError as error:
                errors.append(str(error))
            cycle = [_Finalized() for _ in range(50)]
            for item in cycle:
                item.self = item  # type: ignore[attr-defined]

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def test_parsing_in_several_threads_at_once_raises_no_system_error() -> None:
    assert _parse_in_threads(parse_python) == []


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the race is CPython 3.11's (the grader's Python)")
def test_the_race_is_real_here_with_a_bare_ast_parse() -> None:
    """The control: the same threads with ``ast.parse`` itself do hit the error (21 of 160 parses here), so
    the test above would fail without the lock."""
    assert any(_parse_in_threads(ast.parse) for _ in range(5))


def test_parse_python_returns_the_module_and_raises_syntax_errors_like_ast_parse() -> None:
    tree = parse_python("x = 1\n")
    assert isinstance(tree, ast.Module) and isinstance(tree.body[0], ast.Assign)
    try:
        parse_python("def (")
    except SyntaxError as error:
        assert error.lineno == 1
    else:
        raise AssertionError("a syntax error was not raised")


def test_no_other_module_of_the_grader_or_a_pack_calls_ast_parse() -> None:
    callers = [
        str(path.relative_to(ROOT))
        for folder in ("grader", "assignments")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "_ast.py"
        and re.search(r"\bast\.parse\(|from ast import [^\n]*\bparse\b", path.read_text(encoding="utf-8"))
    ]
    assert callers == []
