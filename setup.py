"""Which packages a build holds (everything else is in pyproject.toml).

    python -m build                       # the TA's: grader, the assignment packs and reference (the solution)
    NBGRADE_STUDENT=1 python -m build     # the student's: grader and the packs' code, no reference/ (docs/students.md)

The editable install (`make setup`) is the TA's. The student distribution must never carry
``reference/``, the instructor's solution, nor an assignment's notebooks or rubric (``assignments/*/``
keeps them next to the pack's code; MANIFEST.in and the package data keep them out, and
tests/selfcheck/test_package.py inspects the wheel and the sdist). Its metadata is written to a fresh
folder: an egg-info left by the editable install lists ``reference/`` files, and setuptools would put
them in the sdist.
"""

import atexit
import os
import shutil
import tempfile

from setuptools import find_namespace_packages, setup

STUDENT = os.environ.get("NBGRADE_STUDENT", "") == "1"
PACKAGES = ["grader", "grader.*", "assignments.*"]
if not STUDENT:
    PACKAGES += ["reference", "reference.*"]
EGG_BASE = tempfile.mkdtemp(prefix="nbgrade-student-") if STUDENT else ""
if EGG_BASE:
    atexit.register(shutil.rmtree, EGG_BASE, True)
OPTIONS = {"egg_info": {"egg_base": EGG_BASE}} if STUDENT else {}

# A pack's sample submissions and their generator (`assignments/<name>/samples/`) are test data, in no build.
EXCLUDE = ["*.__pycache__", "assignments.*.samples", "assignments.*.samples.*"]
setup(packages=find_namespace_packages(include=PACKAGES, exclude=EXCLUDE), options=OPTIONS)
