"""The source of the grader's seed cell (tag ``grader-seed``), injected first by the prepare stage."""

from __future__ import annotations

__all__ = ["seed_cell_source"]

_TEMPLATE = """\
# Seeds set by the grader (cell tagged grader-seed): the same seed for every submission.
import os as _grader_os
import random as _grader_random

_grader_os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
_grader_random.seed({seed})
try:
    import numpy as _grader_np
except ImportError:
    pass
else:
    _grader_np.random.seed({seed})
    del _grader_np
try:
    import torch as _grader_torch
except ImportError:
    pass
else:
    _grader_torch.manual_seed({seed})
    if _grader_torch.cuda.is_available():
        _grader_torch.cuda.manual_seed_all({seed})
{deterministic}    del _grader_torch
del _grader_os, _grader_random
"""

_DETERMINISTIC = """\
    _grader_torch.use_deterministic_algorithms(True, warn_only=True)
    _grader_torch.backends.cudnn.deterministic = True
    _grader_torch.backends.cudnn.benchmark = False
"""


def seed_cell_source(seed: int, deterministic: bool = True) -> str:
    """Python source that seeds ``random``, numpy and torch (CPU and CUDA) with ``seed``.

    With ``deterministic`` it also asks torch for deterministic algorithms (``warn_only=True``, so an
    operation without a deterministic version warns instead of failing), turns cuDNN benchmarking off and
    sets ``CUBLAS_WORKSPACE_CONFIG`` (read when cuBLAS starts). numpy and torch are optional; the cell
    leaves no names behind. ``PYTHONHASHSEED`` cannot be set from a cell: the sandbox sets it in the
    kernel's environment (``ExecutionConfig.hash_seed``).

    >>> src = seed_cell_source(7)
    >>> "manual_seed(7)" in src and "use_deterministic_algorithms" in src
    True
    >>> compile(seed_cell_source(7, deterministic=False), "<seed>", "exec") is not None
    True
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValueError(f"seed_cell_source: seed must be an int in [0, 2**32) (numpy's range), got {seed!r}")
    return _TEMPLATE.format(seed=seed, deterministic=_DETERMINISTIC if deterministic else "")
