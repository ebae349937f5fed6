#!/usr/bin/python3
"""Make the fixtures of Ember's logistic_reg trainer (ml/logistic_test.go).

Run from the repository root with Debian's interpreter (the one with python3-sklearn and
python3-numpy):

    /usr/bin/python3 testdata/ml/training/make_logistic.py

Made with scikit-learn 1.2.1, numpy 1.24.2, scipy 1.10.1. Every random draw is seeded, so
a rerun with the same versions rewrites identical files.

Files written next to this script:
  logistic_binary.csv    1200 rows: split ('train' for 800, 'test' for 400), x0..x5
                         (features of different scales, x4 off-centre), u0..u5 (features of
                         unit scale, for the elastic-net case: scikit-learn's saga solver needs
                         well-scaled data), y (0 or 1)
  logistic_multi.csv     600 rows: x0..x3 (different scales), species (three string classes)
  logistic_expected.json the cases: training options in CREATE MODEL's names, and
                         scikit-learn's coefficients (rows per class: 1 for binary, 3 for
                         multinomial), intercepts (multinomial ones centred to sum 0, as
                         Spark does), training accuracy, and for binary cases the test-set
                         accuracy and ROC AUC

The objective (Spark ML's, and Ember's): mean log loss + l2_reg/2·||w||² + l1_reg·||w||₁,
intercepts unpenalized. scikit-learn minimizes C·Σ loss + penalty, so C = 1/(n·(l1+l2)):
  pure L2: LogisticRegression(C, solver='newton-cg') (multi_class='multinomial' for 3
    classes); no penalty: penalty=None;
  elastic net or L1: solver='saga', penalty='elasticnet', l1_ratio = l1/(l1+l2) (saga
    needs well-scaled data: those cases use unit-scale or standardized features).
Why newton-cg and not lbfgs: on features of different scales scipy's L-BFGS stops on its
relative function tolerance (64·eps) with the gradient still at 4e-5 .. 5e-4, far from the
optimum at the 1e-4 agreement the tests ask; newton-cg (tol 1e-8 on scikit-learn's scale)
reaches 1e-11. The script asserts a violation below 1e-9 for every case.
standardize_features=true: the penalty applies to the coefficients of x/σ (σ: the sample
standard deviation, ddof=1): scikit-learn fits x/σ and the coefficients are divided by σ.
Values in the CSVs are written with 7 significant digits and the models are fitted on the
values read back from that text, so Ember trains on exactly the same numbers.

The script checks every scikit-learn solution against the objective's optimality
conditions (gradient, or subgradient for L1) and stops if one is not converged.
"""

import csv
import json
import os

import numpy as np
import scipy
import sklearn
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))


def text(v):
    return "%.7g" % v


def rounded(a):
    """The values as the CSV holds them: 7 significant digits, read back."""
    return np.vectorize(lambda v: float(text(v)))(a)


def softmax(m):
    m = m - m.max(axis=1, keepdims=True)
    e = np.exp(m)
    return e / e.sum(axis=1, keepdims=True)


def optimality(X, y, coef, intercept, l1, l2, fit_intercept, sigma):
    """Largest violation of the optimality conditions of the objective in the space the
    penalty applies to (coefficients of X/sigma), relative to the objective's scale."""
    n = X.shape[0]
    Z = X / sigma
    beta = coef * sigma  # coefficients of Z
    if coef.shape[0] == 1:
        p = 1 / (1 + np.exp(-(Z @ beta[0] + intercept[0])))
        R = (p - y)[:, None]
    else:
        P = softmax(Z @ beta.T + intercept)
        Y = np.eye(coef.shape[0])[y]
        R = P - Y
    g = (Z.T @ R).T / n + l2 * beta
    viol = 0.0
    for gv, b in zip(g.ravel(), beta.ravel()):
        if b != 0 or l1 == 0:
            viol = max(viol, abs(gv + l1 * np.sign(b)))
        else:
            viol = max(viol, max(0.0, abs(gv) - l1))
    if fit_intercept:
        viol = max(viol, np.abs(R.sum(axis=0) / n).max())
    return viol


def fit(X, y, l1, l2, standardize, multinomial):
    n = X.shape[0]
    sigma = X.std(axis=0, ddof=1) if standardize else np.ones(X.shape[1])
    Z = X / sigma
    multi_class = "multinomial" if multinomial else "auto"
    if l1 > 0:
        m = LogisticRegression(penalty="elasticnet", solver="saga", C=1 / (n * (l1 + l2)),
                               l1_ratio=l1 / (l1 + l2), multi_class=multi_class, tol=1e-12,
                               max_iter=1000000, random_state=0)
    elif l2 > 0:
        m = LogisticRegression(penalty="l2", solver="newton-cg", C=1 / (n * l2),
                               multi_class=multi_class, tol=1e-8, max_iter=10000)
    else:
        m = LogisticRegression(penalty=None, solver="newton-cg", multi_class=multi_class,
                               tol=1e-8, max_iter=10000)
    m.fit(Z, y)
    coef = m.coef_ / sigma
    intercept = m.intercept_.copy()
    if multinomial:
        intercept -= intercept.mean()
    viol = optimality(X, y, coef, intercept, l1, l2, True, sigma)
    assert viol < 1e-9, ("not converged", viol)
    return m, sigma, coef, intercept, viol


def write_csv(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    cases = []

    # (a) binary: 800 training rows, 400 test rows, 6 features.
    U, y = make_classification(n_samples=1200, n_features=6, n_informative=4, n_redundant=0,
                               flip_y=0.05, class_sep=0.8, random_state=7)
    scales = np.array([1.0, 10.0, 0.01, 100.0, 1.0, 0.1])
    offsets = np.array([0.0, 0.0, 0.0, 0.0, 2.0, 0.0])
    U = rounded(U)
    X = rounded(U * scales + offsets)
    split = np.array(["train"] * 800 + ["test"] * 400)
    write_csv("logistic_binary.csv",
              ["split"] + ["x%d" % j for j in range(6)] + ["u%d" % j for j in range(6)] + ["y"],
              [[split[i]] + [text(v) for v in X[i]] + [text(v) for v in U[i]] + [int(y[i])]
               for i in range(len(y))])
    tr, te = split == "train", split == "test"
    for name, feats, l1, l2, std in [
        ("binary_l2", "x", 0.0, 0.01, False),
        ("binary_l2_standardized", "x", 0.0, 0.01, True),
        ("binary_unregularized", "x", 0.0, 0.0, False),
        ("binary_elastic_net", "u", 0.01, 0.01, False),
        ("binary_l1", "u", 0.04, 0.0, True),
    ]:
        D = X if feats == "x" else U
        m, sigma, coef, intercept, viol = fit(D[tr], y[tr], l1, l2, std, False)
        score = lambda A: A @ coef[0] + intercept[0]
        pred = lambda A: (score(A) > 0).astype(int)
        cases.append({
            "name": name,
            "data": "logistic_binary.csv",
            "where": "split = 'train'",
            "test_where": "split = 'test'",
            "features": ["%s%d" % (feats, j) for j in range(6)],
            "label": "y",
            "options": {"l1_reg": l1, "l2_reg": l2, "standardize_features": std},
            "classes": ["0", "1"],
            "coefficients": coef.tolist(),
            "intercepts": intercept.tolist(),
            "zeros": int((coef == 0).sum()),
            "sklearn_iterations": int(m.n_iter_.max()),
            "optimality_violation": viol,
            "train_accuracy": float((pred(D[tr]) == y[tr]).mean()),
            "test_accuracy": float((pred(D[te]) == y[te]).mean()),
            "test_auc": float(roc_auc_score(y[te], score(D[te]))),
        })

    # (b) multinomial: 600 rows, 4 features, three string classes (named so that the
    # sorted order differs from the generator's class numbers).
    M, k = make_classification(n_samples=600, n_features=4, n_informative=3, n_redundant=0,
                               n_classes=3, n_clusters_per_class=1, flip_y=0.05,
                               class_sep=1.0, random_state=11)
    M = rounded(M * np.array([1.0, 100.0, 0.1, 10.0]))
    names = np.array(["virginica", "setosa", "versicolor"])[k]
    write_csv("logistic_multi.csv", ["x%d" % j for j in range(4)] + ["species"],
              [[text(v) for v in M[i]] + [names[i]] for i in range(len(k))])
    classes = sorted(set(names))
    yi = np.array([classes.index(s) for s in names])
    for name, l1, l2, std in [("multi_l2", 0.0, 0.05, False), ("multi_l2_standardized", 0.0, 0.05, True),
                              ("multi_elastic_net_standardized", 0.02, 0.01, True)]:
        m, sigma, coef, intercept, viol = fit(M, yi, l1, l2, std, True)
        assert list(m.classes_) == [0, 1, 2]
        pred = (M @ coef.T + intercept).argmax(axis=1)
        cases.append({
            "name": name,
            "data": "logistic_multi.csv",
            "features": ["x%d" % j for j in range(4)],
            "label": "species",
            "options": {"l1_reg": l1, "l2_reg": l2, "standardize_features": std},
            "classes": classes,
            "coefficients": coef.tolist(),
            "intercepts": intercept.tolist(),
            "zeros": int((coef == 0).sum()),
            "sklearn_iterations": int(m.n_iter_.max()),
            "optimality_violation": viol,
            "train_accuracy": float((pred == yi).mean()),
        })

    doc = {
        "made_by": "testdata/ml/training/make_logistic.py",
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__},
        "cases": cases,
    }
    with open(os.path.join(HERE, "logistic_expected.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    for c in cases:
        print(c["name"], "iterations", c["sklearn_iterations"], "violation %.2g" % c["optimality_violation"],
              "zeros", c["zeros"], "train acc", c["train_accuracy"], "test auc", c.get("test_auc"))


if __name__ == "__main__":
    main()
