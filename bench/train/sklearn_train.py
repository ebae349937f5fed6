"""scikit-learn's side of the training benchmark (bench/cmd/trainbench).

Run by package train (RunSklearn), which feeds this file to python on stdin:

    python3 - --data data.f64 --rows N --features D --models logistic,linear,kmeans \
        --l2 1e-4 --max-iter 100 --tol 1e-6 --k 8 --kmeans-iter 20

It reads the raw file (N x (D + 2) little-endian float64, row-major: the features, then
y_lin, then y_bin), fits each model once with the objective Ember's trainer minimizes, and
prints one JSON object: library versions, the thread pools (threadpoolctl), the load time
and, per model, the fit time, the weights or the inertia and the iterations.

Objectives (l2 = Ember's l2_reg, n = rows):
  logistic: mean log loss + l2/2 |w|^2 = LogisticRegression(C = 1/(n l2), lbfgs)
  linear:   1/(2n) sum (y - Xw - b)^2 + l2/2 |w|^2 = Ridge(alpha = n l2)
  kmeans:   inertia; KMeans(n_clusters=k, n_init=1, max_iter, random_state=0, lloyd)
"""

import argparse
import json
import sys
import time

import numpy as np
import scipy
import sklearn
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression, Ridge
from threadpoolctl import threadpool_info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--features", type=int, required=True)
    ap.add_argument("--models", default="logistic,linear,kmeans")
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--max-iter", type=int, default=100)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--kmeans-iter", type=int, default=20)
    a = ap.parse_args()
    n, d = a.rows, a.features

    start = time.perf_counter()
    raw = np.fromfile(a.data, dtype="<f8")
    if raw.size != n * (d + 2):
        sys.exit(f"{a.data} holds {raw.size} values, want {n} x {d + 2}")
    raw = raw.reshape(n, d + 2)
    X = np.ascontiguousarray(raw[:, :d])
    y_lin = np.ascontiguousarray(raw[:, d])
    y_bin = raw[:, d + 1].astype(np.int64)
    del raw
    load_s = time.perf_counter() - start

    fits = []
    for model in a.models.split(","):
        if model == "logistic":
            est = LogisticRegression(C=1.0 / (n * a.l2), tol=a.tol, max_iter=a.max_iter, solver="lbfgs")
            start = time.perf_counter()
            est.fit(X, y_bin)
            fit_s = time.perf_counter() - start
            fits.append({"model": model, "fit_s": fit_s, "coef": est.coef_[0].tolist(),
                         "intercept": float(est.intercept_[0]), "n_iter": int(est.n_iter_[0])})
        elif model == "linear":
            est = Ridge(alpha=n * a.l2)
            start = time.perf_counter()
            est.fit(X, y_lin)
            fit_s = time.perf_counter() - start
            fits.append({"model": model, "fit_s": fit_s, "coef": est.coef_.tolist(),
                         "intercept": float(est.intercept_), "n_iter": 0})
        elif model == "kmeans":
            est = KMeans(n_clusters=a.k, n_init=1, max_iter=a.kmeans_iter, random_state=0, algorithm="lloyd")
            start = time.perf_counter()
            est.fit(X)
            fit_s = time.perf_counter() - start
            fits.append({"model": model, "fit_s": fit_s, "inertia": float(est.inertia_),
                         "n_iter": int(est.n_iter_)})
        else:
            sys.exit(f"unknown model {model!r}")

    pools = [{k: p.get(k) for k in ("user_api", "internal_api", "num_threads")} for p in threadpool_info()]
    json.dump({"versions": {"numpy": np.__version__, "sklearn": sklearn.__version__, "scipy": scipy.__version__},
               "threadpools": pools, "load_s": load_s, "fits": fits}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
