#!/usr/bin/python3
"""Make the fixtures of package ml's evaluation metrics (ml/metrics_test.go,
ml/evaluate_test.go): inputs and scikit-learn's own results.

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 testdata/ml/training/make_metrics.py

Made with Python 3.11.2, NumPy 1.24.2, scikit-learn 1.2.1 (Debian 12's python3-sklearn).
Every random draw is seeded, so a rerun with the same versions rewrites identical files.

Writes metrics_fixtures.json next to this script (floats as repr, i.e. exact):

  "classification": [{name, k, y_true, proba (rows × k, row-major), y_pred (argmax,
      lowest index on ties), accuracy, precision, recall, f1 (binary: pos_label=1; else
      average='macro'; zero_division default), log_loss (labels=range(k), eps='auto'),
      roc_auc (binary: of proba[:,1]; else multi_class='ovr', average='macro'; null when
      scikit-learn raises, with auc_error its message), confusion [true][pred]}]
  "regression": [{name, y_true, y_pred, mae, mse, rmse, r2, explained_variance}]
  "clustering": [{name, points (rows), labels, silhouette, davies_bouldin, and for
      k-means: centers, inertia (KMeans.inertia_)}]
"""
import json
import os
import warnings

import numpy as np
from sklearn import metrics
from sklearn.cluster import KMeans

warnings.filterwarnings("ignore")  # zero_division and one-class warnings are expected
HERE = os.path.dirname(os.path.abspath(__file__))


def fl(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def classification(name, y_true, proba):
    y_true = np.asarray(y_true, dtype=np.int64)
    proba = np.asarray(proba, dtype=np.float64)
    k = proba.shape[1]
    y_pred = np.argmax(proba, axis=1)  # first maximum on ties
    if k == 2:
        avg = dict(average="binary", pos_label=1)
    else:
        avg = dict(average="macro")
    case = {
        "name": name,
        "k": k,
        "y_true": [int(v) for v in y_true],
        "proba": fl(proba),
        "y_pred": [int(v) for v in y_pred],
        "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "precision": float(metrics.precision_score(y_true, y_pred, **avg)),
        "recall": float(metrics.recall_score(y_true, y_pred, **avg)),
        "f1": float(metrics.f1_score(y_true, y_pred, **avg)),
        "log_loss": float(metrics.log_loss(y_true, proba, labels=list(range(k)))),
        "confusion": metrics.confusion_matrix(y_true, y_pred, labels=list(range(k))).tolist(),
    }
    try:
        if k == 2:
            auc = metrics.roc_auc_score(y_true, proba[:, 1])
        else:
            auc = metrics.roc_auc_score(y_true, proba, multi_class="ovr", average="macro",
                                        labels=list(range(k)))
        case["roc_auc"] = float(auc)
    except ValueError as e:
        case["roc_auc"] = None
        case["auc_error"] = str(e)
    return case


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def classification_cases(rng):
    out = []
    # Binary, scores on a 0.05 grid: many ties, exact 0 and 1 (clipped by log_loss), and
    # p = 0.5 rows whose argmax is class 0.
    n = 240
    y = rng.integers(0, 2, n)
    p = np.clip(np.round((0.5 + 0.35 * (2 * y - 1) + rng.normal(0, 0.3, n)) * 20) / 20, 0, 1)
    out.append(classification("binary_ties", y, np.column_stack([1 - p, p])))
    # Binary with continuous scores.
    n = 200
    x = rng.normal(0, 1, n)
    y = (x + rng.normal(0, 1, n) > 0.3).astype(int)
    p = 1 / (1 + np.exp(-1.7 * x))
    out.append(classification("binary_smooth", y, np.column_stack([1 - p, p])))
    # Four classes, logits rounded to halves: tied probabilities within each column.
    n = 300
    y = rng.integers(0, 4, n)
    z = np.round(rng.normal(0, 1, (n, 4)) * 2) / 2
    z[np.arange(n), y] += 1.0
    out.append(classification("multi4_ties", y, softmax(z)))
    # Three classes, class 2 never predicted (its precision is 0 by zero_division).
    n = 150
    y = rng.integers(0, 3, n)
    z = rng.normal(0, 1, (n, 3))
    z[np.arange(n), y] += 1.5
    z[:, 2] -= 10
    out.append(classification("multi3_unpredicted", y, softmax(z)))
    # Degenerate: y_true has a single class (AUC undefined; recall of class 1 is 0/0).
    n = 40
    p = np.round(rng.uniform(0, 1, n), 2)
    out.append(classification("binary_one_class", np.zeros(n, dtype=int), np.column_stack([1 - p, p])))
    # Degenerate multi-class: class 1 absent from y_true (AUC undefined), and from the
    # predictions too (the macro averages skip it, as scikit-learn's labels do).
    n = 60
    y = rng.choice([0, 2], n)
    z = rng.normal(0, 1, (n, 3))
    z[np.arange(n), y] += 1.0
    z[:, 1] -= 20
    out.append(classification("multi3_absent", y, softmax(z)))
    # Perfect separation with probabilities 0 and 1.
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    out.append(classification("binary_perfect", y, np.column_stack([1 - y, y]).astype(float)))
    return out


def regression(name, y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return {
        "name": name,
        "y_true": fl(y_true),
        "y_pred": fl(y_pred),
        "mae": float(metrics.mean_absolute_error(y_true, y_pred)),
        "mse": float(metrics.mean_squared_error(y_true, y_pred)),
        "rmse": float(metrics.mean_squared_error(y_true, y_pred, squared=False)),
        "r2": float(metrics.r2_score(y_true, y_pred)),
        "explained_variance": float(metrics.explained_variance_score(y_true, y_pred)),
    }


def regression_cases(rng):
    out = []
    n = 250
    x = rng.normal(0, 1, n)
    y = 1000 + 3 * x + rng.normal(0, 0.5, n)  # a large offset: sums must not cancel
    out.append(regression("offset", y, 1000.2 + 2.9 * x))
    y = rng.normal(0, 2, 120)
    out.append(regression("poor", y, rng.normal(0, 2, 120)))  # negative R²
    # Degenerate: constant truth (R² and explained variance 0 when the prediction is off,
    # 1 when it is exact), and a constant residual (explained variance 1, R² below 1).
    c = np.full(10, 2.5)
    out.append(regression("constant_truth", c, c + np.arange(10) * 0.25))
    out.append(regression("constant_exact", c, c))
    y = np.arange(12, dtype=float) * 0.5
    out.append(regression("constant_residual", y, y + 1.0))
    return out


def clustering_case(name, points, labels, centers=None, inertia=None):
    points = np.asarray(points, dtype=np.float64)
    case = {
        "name": name,
        "points": points.tolist(),
        "labels": [int(v) for v in labels],
        "silhouette": float(metrics.silhouette_score(points, labels)),
        "davies_bouldin": float(metrics.davies_bouldin_score(points, labels)),
    }
    if centers is not None:
        case["centers"] = np.asarray(centers, dtype=np.float64).tolist()
        case["inertia"] = float(inertia)
    return case


def clustering_cases(rng):
    out = []
    blobs = np.array([[0, 0, 0], [4, 1, -1], [1, 5, 2]], dtype=float)
    pts = np.vstack([b + rng.normal(0, 1, (50, 3)) for b in blobs])
    km = KMeans(n_clusters=3, n_init=10, random_state=0).fit(pts)
    out.append(clustering_case("blobs3", pts, km.labels_, km.cluster_centers_, km.inertia_))
    pts = rng.normal(0, 1, (80, 2))
    km = KMeans(n_clusters=5, n_init=10, random_state=1).fit(pts)
    out.append(clustering_case("uniform5", pts, km.labels_, km.cluster_centers_, km.inertia_))
    # Labels that are not 0..k-1, a singleton cluster (silhouette 0 for it) and duplicate
    # points.
    pts = np.array([[0, 0], [0, 0], [1, 0], [0, 1], [5, 5], [5, 6], [6, 5], [6, 6], [20, 0]], dtype=float)
    labels = [7, 7, 7, 7, 3, 3, 3, 3, 11]
    out.append(clustering_case("odd_labels", pts, labels))
    return out


def main():
    rng = np.random.default_rng(20240508)
    fixtures = {
        "classification": classification_cases(rng),
        "regression": regression_cases(rng),
        "clustering": clustering_cases(rng),
    }
    with open(os.path.join(HERE, "metrics_fixtures.json"), "w") as f:
        json.dump(fixtures, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
