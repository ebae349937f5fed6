#!/usr/bin/python3
"""Make the fixtures of the linear_reg trainer's tests (ml/linear_test.go): scikit-learn's
least squares, ridge, lasso and elastic net fits on one training set.

Run from the repository root with Debian's interpreter (python3-sklearn 1.2.1,
python3-numpy 1.24.2):

    /usr/bin/python3 testdata/ml/training/make_linear.py

Every random draw is seeded, so a rerun with the same library versions rewrites identical
files.

Files written next to this script:
  linear_train.csv     1000 training rows: x0..x7 (make_regression's features, scaled and
                       shifted differently), c7 (x0 plus 1e-3 of its spread in noise: a
                       nearly collinear column), dup (exactly 2*x1), const (3.5), y
  linear_test.csv      300 held-out rows, same columns
  linear_expected.json per case: the features and options, scikit-learn's coefficients
                       and intercept, and R² / RMSE on the training and the test rows

Every value is rounded to 9 significant digits before fitting, so the CSV text is exactly
the data scikit-learn saw.

Ember's objective is 1/(2n)·Σ(y − x·w − b)² + λ(1−α)/2·‖β‖² + λα·‖β‖₁ with λ = l1_reg +
l2_reg and α = l1_reg/λ, which is scikit-learn's ElasticNet(alpha=λ, l1_ratio=α), its
Ridge(alpha=n·l2_reg) when l1_reg = 0, and its LinearRegression when both are 0. With
standardize_features, β are the coefficients of x_j/σ_j (σ_j the sample standard deviation,
ddof=1; 1 for a constant column) and w_j = β_j/σ_j: the cases fit scikit-learn on X/σ and
divide its coefficients by σ. The label is not scaled.
"""

import json
import os

import numpy as np
import sklearn
from sklearn.datasets import make_regression
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from sklearn.metrics import mean_squared_error, r2_score

HERE = os.path.dirname(os.path.abspath(__file__))
N_TRAIN, N_TEST = 1000, 300


def round9(a):
    return np.array([float("%.9g" % v) for v in np.ravel(a)]).reshape(np.shape(a))


def data():
    X, y, _ = make_regression(n_samples=N_TRAIN + N_TEST, n_features=8, n_informative=6,
                              noise=0.3, bias=4.0, coef=True, random_state=20240601)
    rng = np.random.RandomState(7)
    scales = np.array([1.0, 10.0, 0.1, 100.0, 0.01, 3.0, 0.5, 20.0])
    shifts = np.array([0.0, 50.0, -3.0, 1000.0, 0.2, 0.0, 10.0, -100.0])
    X = X * scales + shifts
    y = y / 20.0  # a label of spread ~3, so that l1_reg = 0.05 zeroes the noise features
    c7 = X[:, 0] + 1e-3 * X[:, 0].std() * rng.standard_normal(len(y))
    dup = 2.0 * X[:, 1]
    const = np.full(len(y), 3.5)
    cols = {"x%d" % j: X[:, j] for j in range(8)}
    cols.update(c7=c7, dup=dup, const=const, y=y)
    cols = {k: round9(v) for k, v in cols.items()}
    cols["dup"] = 2.0 * cols["x1"]  # exact in binary after rounding x1
    return cols


def write_csv(name, cols, rows):
    names = list(cols)
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join(names) + "\n")
        for r in rows:
            f.write(",".join(repr(float(cols[k][r])) for k in names) + "\n")


X8 = ["x%d" % j for j in range(8)]
CASES = [
    # name, features, l1_reg, l2_reg, standardize, fit_intercept
    ("ols", X8, 0.0, 0.0, True, True),
    ("ols_raw", X8, 0.0, 0.0, False, True),
    ("ols_collinear", X8[:7] + ["c7"], 0.0, 0.0, True, True),
    ("ols_singular", X8 + ["dup", "const"], 0.0, 0.0, False, True),
    ("ridge_raw", X8, 0.0, 0.1, False, True),
    ("ridge_std", X8, 0.0, 0.1, True, True),
    ("ridge_nointercept", X8, 0.0, 0.1, True, False),
    ("lasso", X8, 0.05, 0.0, True, True),
    ("enet_raw", X8, 0.02, 0.05, False, True),
    ("enet_std", X8, 0.02, 0.05, True, True),
]


def fit(name, X, y, l1, l2, standardize, intercept):
    n = len(y)
    sigma = np.ones(X.shape[1])
    if standardize:
        sigma = X.std(axis=0, ddof=1)
        sigma[sigma == 0] = 1.0
    Xs = X / sigma
    lam = l1 + l2
    if lam == 0:
        m = LinearRegression(fit_intercept=intercept)  # lstsq: the minimum-norm solution
    elif l1 == 0:
        m = Ridge(alpha=n * l2, fit_intercept=intercept, solver="cholesky")
    elif l2 == 0:
        m = Lasso(alpha=l1, fit_intercept=intercept, tol=1e-12, max_iter=1000000)
    else:
        m = ElasticNet(alpha=lam, l1_ratio=l1 / lam, fit_intercept=intercept, tol=1e-12,
                       max_iter=1000000)
    m.fit(Xs, y)
    coef = m.coef_ / sigma
    icpt = float(m.intercept_) if intercept else 0.0
    return coef, icpt


def main():
    cols = data()
    write_csv("linear_train.csv", cols, range(N_TRAIN))
    write_csv("linear_test.csv", cols, range(N_TRAIN, N_TRAIN + N_TEST))
    y = cols["y"]
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "label": "y", "cases": []}
    for name, feats, l1, l2, std, icpt in CASES:
        X = np.column_stack([cols[f] for f in feats])
        coef, b = fit(name, X[:N_TRAIN], y[:N_TRAIN], l1, l2, std, icpt)
        case = {"name": name, "features": feats, "l1_reg": l1, "l2_reg": l2,
                "standardize": std, "fit_intercept": icpt,
                "coefficients": [float(c) for c in coef], "intercept": b}
        for part, rows in (("train", slice(0, N_TRAIN)), ("test", slice(N_TRAIN, None))):
            pred = X[rows] @ coef + b
            case[part + "_r2"] = float(r2_score(y[rows], pred))
            case[part + "_rmse"] = float(np.sqrt(mean_squared_error(y[rows], pred)))
        out["cases"].append(case)
        zeros = int(np.sum(coef == 0))
        print("%-18s r2=%.6f rmse=%.6f zeros=%d" % (name, case["train_r2"], case["train_rmse"], zeros))
    with open(os.path.join(HERE, "linear_expected.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
