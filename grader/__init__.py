"""A sandboxed, measuring grader for machine-learning notebooks.

The public API is small and pinned (see ``__all__``); everything else is an implementation detail.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
