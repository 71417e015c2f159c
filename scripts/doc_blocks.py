"""What the scripts that write generated blocks into the docs share: the command line and the replacement."""

from __future__ import annotations

import argparse

__all__ = ["mode", "replace_block"]


def mode(doc: str, argv: list[str] | None) -> argparse.Namespace:
    """``--write`` / ``--check`` (neither: print), parsed from ``argv`` with ``doc`` as the help."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    return parser.parse_args(argv)


def replace_block(doc: str, begin: str, end: str, block: str) -> str:
    """``doc`` with the text from marker ``begin`` to marker ``end`` (both included) replaced by ``block``."""
    start, stop = doc.index(begin), doc.index(end) + len(end)
    return doc[:start] + block + doc[stop:]
