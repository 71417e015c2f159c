"""The epilogue cell's source: the generic collector, the assignment pack's kernel code, a call, a clean-up.

``kernel_epilogue.py`` (generic: ``ANSWERS``, plain JSON, the record file) is read as text; the pack's
``epilogue`` (``AssignmentPack.epilogue``) defines ``_pack_collect``, which the generic collector calls.
Every function the two define is deleted again, so the student's namespace keeps no grader code.
"""

from __future__ import annotations

import ast
from functools import cache
from importlib import resources

from grader._ast import parse_python
from grader.packs import AssignmentPack

__all__ = ["epilogue_source"]

_FUTURE = "from __future__ import annotations\n"


def _code(text: str) -> str:
    """``text`` without its module docstring."""
    return text.split('"""', 2)[2] if text.lstrip().startswith('"""') else text


def _functions(source: str) -> list[str]:
    return [node.name for node in parse_python(source).body if isinstance(node, ast.FunctionDef)]


@cache
def epilogue_source(pack: AssignmentPack) -> str:
    """Python source of the ``grader-epilogue`` cell (runs in the student's kernel, writes JSON only)."""
    generic = _code(resources.files("grader.collect").joinpath("kernel_epilogue.py").read_text(encoding="utf-8"))
    own = _code(pack.epilogue).replace(_FUTURE, "")  # a __future__ import is legal only at the top
    call = "_grader_collect(globals(), _pack_collect)" if "_pack_collect" in _functions(own) else (
        "_grader_collect(globals())"
    )
    body = f"{generic}\n{own}"
    cleanup = "\n".join(f"del {name}" for name in _functions(body))
    return f"# Grader epilogue: collects the contract's variables.{body}\n{call}\n{cleanup}\n"
