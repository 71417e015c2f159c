"""The epilogue cell's source: ``kernel_epilogue.py`` read as text, plus a call and a clean-up."""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["epilogue_source"]

_DEFINED = ("_grader_collect", "_read_fasta", "_one_hot", "_predict", "_first_conv_weights", "_models_section")


@cache
def epilogue_source() -> str:
    """Python source of the ``grader-epilogue`` cell (runs in the student's kernel, writes JSON only)."""
    text = resources.files("grader.collect").joinpath("kernel_epilogue.py").read_text(encoding="utf-8")
    body = text.split('"""', 2)[2]  # drop the module docstring; keep the code
    cleanup = "\n".join(f"del {name}" for name in _DEFINED)
    return f"# Grader epilogue: collects the contract's variables.{body}\n_grader_collect(globals())\n{cleanup}\n"
