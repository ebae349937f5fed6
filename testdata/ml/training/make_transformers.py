#!/usr/bin/python3
"""Make the fixtures of package ml's feature-transformer tests (ml/transformers_test.go).

Run from the repository root with Debian's interpreter (scikit-learn 1.2.1, numpy):

    /usr/bin/python3 testdata/ml/training/make_transformers.py

The draws are seeded, so a rerun with the same library versions rewrites identical files.

Files written next to this script:
  transformers_data.csv   60 rows: x1, x2 (floats), m1 (x1 with missing cells), m2
                          (small integers with missing cells), cat (a string label);
                          floats as repr (round-trips a float64), empty cell = missing
  transformers.json       scikit-learn's results on those rows:
    standard            StandardScaler on x1, x2: mean, std (sample, n-1: scale_ times
                        sqrt(n/(n-1)), Spark's definition) and the output of Spark's
                        StandardScaler (withMean, withStd), i.e. scikit-learn's output
                        times sqrt((n-1)/n)
    standard_nomean     the same without centering (StandardScaler(with_mean=False))
    minmax, minmax_m1_2 MinMaxScaler on x1, x2 with feature_range (0, 1) and (-1, 2):
                        data_min_, data_max_, output
    imputer_<strategy>  SimpleImputer(strategy) on m1, m2 (mean, median, most_frequent):
                        statistics_ and output
"""

import csv
import json
import os

import numpy as np
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240807)
n = 60

x1 = rng.normal(5.0, 2.0, n)
x2 = rng.uniform(-10.0, 10.0, n)
m1 = x1.copy()
m1[rng.random(n) < 0.2] = np.nan
m2 = rng.integers(0, 6, n).astype(float)
m2[rng.random(n) < 0.2] = np.nan
cat = rng.choice(["red", "green", "blue", "yellow"], n, p=[0.4, 0.3, 0.2, 0.1])


def cell(v):
    return "" if np.isnan(v) else repr(float(v))


with open(os.path.join(HERE, "transformers_data.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["x1", "x2", "m1", "m2", "cat"])
    for i in range(n):
        w.writerow([cell(x1[i]), cell(x2[i]), cell(m1[i]), cell(m2[i]), cat[i]])

X = np.column_stack([x1, x2])
adj = np.sqrt(n / (n - 1))
out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "rows": n}

s = StandardScaler().fit(X)
out["standard"] = {"mean": s.mean_.tolist(), "std": (s.scale_ * adj).tolist(),
                   "output": (s.transform(X) / adj).tolist()}
s = StandardScaler(with_mean=False).fit(X)
out["standard_nomean"] = {"std": (s.scale_ * adj).tolist(), "output": (s.transform(X) / adj).tolist()}

for name, rng_ in [("minmax", (0, 1)), ("minmax_m1_2", (-1, 2))]:
    s = MinMaxScaler(feature_range=rng_).fit(X)
    out[name] = {"min": s.data_min_.tolist(), "max": s.data_max_.tolist(), "output": s.transform(X).tolist()}

M = np.column_stack([m1, m2])
for strategy in ["mean", "median", "most_frequent"]:
    s = SimpleImputer(strategy=strategy).fit(M)
    out["imputer_" + strategy] = {"statistics": s.statistics_.tolist(), "output": s.transform(M).tolist()}

with open(os.path.join(HERE, "transformers.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
