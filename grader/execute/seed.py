"""The source of the grader's seed cell (tag ``grader-seed``), injected first by the prepare stage.

The cell seeds ``random`` at once and numpy and torch *when the notebook first imports them*: an import
hook (a ``sys.meta_path`` finder) wraps their loaders so that the seed is set right after the module has
loaded, before the notebook's next line runs. Nothing can draw from their generators in between, so the
numbers a notebook sees are the ones an eager ``np.random.seed(s)`` / ``torch.manual_seed(s)`` at the top
would give, and a notebook that never imports torch does not pay the ~4 s it takes to load
(benchmarks/batch.py ``overhead``). A module that is already loaded when the cell runs is seeded there
and then.
"""

from __future__ import annotations

__all__ = ["seed_cell_source"]

_TEMPLATE = """\
# Seeds set by the grader (cell tagged grader-seed): the same seed for every submission.
# random is seeded now; numpy and torch right after the notebook first imports them.
def _grader_install_seeds(seed, deterministic):
    import importlib.abc
    import importlib.util
    import os
    import random
    import sys

    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)

    def seed_module(name, module):
        if name == "numpy":
            module.random.seed(seed)
            return
        module.manual_seed(seed)
        if module.cuda.is_available():
            module.cuda.manual_seed_all(seed)
        if deterministic:
            module.use_deterministic_algorithms(True, warn_only=True)
            module.backends.cudnn.deterministic = True
            module.backends.cudnn.benchmark = False

    class GraderSeedOnImport(importlib.abc.MetaPathFinder):
        def __init__(self, names):
            self.pending = set(names)
            self.looking = set()

        def find_spec(self, name, path=None, target=None):
            if name not in self.pending or name in self.looking or name in sys.modules:
                return None
            # a name stays pending until a wrapped loader has run: importlib.util.find_spec("torch")
            # (an "is it installed?" check) must not use up the hook
            self.looking.add(name)
            try:
                spec = importlib.util.find_spec(name)
            finally:
                self.looking.discard(name)
            if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
                return spec
            load = spec.loader.exec_module
            finder = self

            def exec_module(module):
                load(module)
                if name in finder.pending:
                    finder.pending.discard(name)
                    seed_module(name, module)
                    if not finder.pending and finder in sys.meta_path:
                        sys.meta_path.remove(finder)

            spec.loader.exec_module = exec_module
            return spec

    pending = []
    for name in ("numpy", "torch"):
        if name in sys.modules:
            seed_module(name, sys.modules[name])
        else:
            pending.append(name)
    if pending:
        sys.meta_path.insert(0, GraderSeedOnImport(pending))


_grader_install_seeds({seed}, {deterministic})
del _grader_install_seeds
"""


def seed_cell_source(seed: int, deterministic: bool = True) -> str:
    """Python source that seeds ``random``, numpy and torch (CPU and CUDA) with ``seed``.

    numpy and torch are seeded when the notebook first imports them (or at once if they are already
    loaded), so the cell itself imports neither. With ``deterministic`` torch is also asked for
    deterministic algorithms (``warn_only=True``, so an operation without a deterministic version warns
    instead of failing) with cuDNN benchmarking off, and ``CUBLAS_WORKSPACE_CONFIG`` is set (read when
    cuBLAS starts). The cell leaves no names behind. ``PYTHONHASHSEED`` cannot be set from a cell: the
    sandbox sets it in the kernel's environment (``ExecutionConfig.hash_seed``).

    >>> src = seed_cell_source(7)
    >>> "_grader_install_seeds(7, True)" in src and "use_deterministic_algorithms" in src
    True
    >>> compile(seed_cell_source(7, deterministic=False), "<seed>", "exec") is not None
    True
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValueError(f"seed_cell_source: seed must be an int in [0, 2**32) (numpy's range), got {seed!r}")
    return _TEMPLATE.format(seed=seed, deterministic=bool(deterministic))
