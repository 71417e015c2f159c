"""Write the class's training table for the students: the bytes every sandbox of the class is given.

    python -m assignments.expression assignments/expression/rubric.yaml OUT/class.secret train.csv
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from assignments.expression.data import prepare_data
from grader.prepare.secret import ClassSecret
from grader.rubric import load_rubric

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("rubric", type=Path, help="the rubric (assignments/expression/rubric.yaml)")
    parser.add_argument("secret", type=Path, help="the class secret (OUT/class.secret)")
    parser.add_argument("out", type=Path, help="the CSV file to write")
    args = parser.parse_args(argv)
    data = prepare_data(load_rubric(args.rubric), cache_dir=args.out.parent, secret=ClassSecret.read(args.secret))
    args.out.write_text(data.train_csv, encoding="ascii")


if __name__ == "__main__":
    main()
