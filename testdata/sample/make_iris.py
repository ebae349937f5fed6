#!/usr/bin/python3
"""Write the iris data set as CSV for Ember's sample data.

The data is scikit-learn's copy of Fisher's iris (sklearn.datasets.load_iris: 150 rows,
50 of each species). Run it with Debian's Python, which has scikit-learn
(apt-get install python3-sklearn):

    /usr/bin/python3 testdata/sample/make_iris.py [OUT.csv]

OUT defaults to iris.csv next to this script. Columns: sepal_length, sepal_width,
petal_length, petal_width (centimetres, written with repr so they read back exactly)
and species (setosa, versicolor, virginica). bench/cmd/makesample turns the CSV into
iris.parquet through DuckDB.
"""

import csv
import pathlib
import sys

from sklearn.datasets import load_iris

COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]


def main() -> None:
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("iris.csv")
    iris = load_iris()
    with out.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for features, target in zip(iris.data, iris.target):
            w.writerow([repr(float(v)) for v in features] + [str(iris.target_names[target])])
    print(f"wrote {out} ({len(iris.data)} rows)", file=sys.stderr)


if __name__ == "__main__":
    main()
