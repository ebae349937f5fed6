#!/usr/bin/python3
"""Make the fixtures that package ml's tests compare against, and the models of the
model-inference benchmark (bench/cmd/predictbench; the "benchmark models" section).

Run from the repository root with Debian's interpreter (the one that has
python3-xgboost, python3-sklearn and python3-numpy):

    /usr/bin/python3 testdata/ml/make_fixtures.py

Every random draw is seeded and XGBoost runs on one thread, so a rerun with the same
library versions (see README.md) rewrites identical files.

Files written next to this script:
  <name>.json         the model: XGBoost's own save_model JSON, or Ember's ember-mlp format
  <name>_data.csv     the input rows, header f0..fN; values are float32 (written as the
                      shortest text that round-trips a float32), empty cell = missing (NaN)
  <name>_pred.csv     the library's own outputs on those rows, full float64 precision
                      (repr); columns listed per model below
"""

import csv
import json
import os
import sys

import numpy as np
import sklearn
import xgboost as xgb
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def f32(x):
    """Round to float32 and back: models in Ember receive float32 features."""
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def write_data(name, X):
    with open(path(name + "_data.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["f%d" % j for j in range(X.shape[1])])
        for row in X:
            w.writerow(["" if np.isnan(v) else str(np.float32(v)) for v in row])


def write_pred(name, header, cols):
    with open(path(name + "_pred.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for i in range(len(cols[0])):
            w.writerow([repr(float(c[i])) for c in cols])


def on_thresholds(model_path, X, rng, n):
    """Return n more rows, copies of rows of X whose features mostly sit exactly on split
    thresholds of the saved model: they check that value == threshold goes right."""
    with open(model_path) as f:
        trees = json.load(f)["learner"]["gradient_booster"]["model"]["trees"]
    thr = {}
    for t in trees:
        for left, j, c in zip(t["left_children"], t["split_indices"], t["split_conditions"]):
            if left != -1:
                thr.setdefault(j, set()).add(c)
    extra = X[:n].copy()
    for row in extra:
        for j in sorted(thr):
            if rng.random() < 0.7:
                row[j] = rng.choice(sorted(thr[j]))
    return np.vstack([X, f32(extra)])


def with_missing(rng, X, frac):
    X = X.copy()
    X[rng.random(X.shape) < frac] = np.nan
    return X


# ---------------------------------------------------------------- XGBoost

def xgb_binary():
    rng = np.random.default_rng(11)
    X = f32(rng.normal(size=(300, 6)))
    logit = 1.5 * X[:, 0] - X[:, 1] + 0.8 * X[:, 2] * X[:, 3] + rng.normal(0, 0.5, 300)
    y = (logit > 0).astype(int)
    X = with_missing(rng, X, 0.06)
    # base_score 0.3 (not the default 0.5) exercises the probability -> logit transform.
    m = xgb.XGBClassifier(n_estimators=30, max_depth=3, learning_rate=0.3, base_score=0.3,
                          n_jobs=1, random_state=1)
    m.fit(X, y)
    b = m.get_booster()
    b.feature_names = ["age", "income", "score", "tenure", "visits", "ratio"]
    b.save_model(path("xgb_binary.json"))
    b.feature_names = None
    X = on_thresholds(path("xgb_binary.json"), X, rng, 40)
    write_data("xgb_binary", X)
    proba = m.predict_proba(X)
    margin = m.predict(X, output_margin=True)
    pred = m.predict(X)
    write_pred("xgb_binary", ["margin", "p0", "p1", "pred"],
               [margin, proba[:, 0], proba[:, 1], pred])


def xgb_regression():
    rng = np.random.default_rng(12)
    X = f32(rng.normal(size=(300, 5)))
    y = 100 + 30 * X[:, 0] + 20 * np.sin(2 * X[:, 1]) + 10 * X[:, 2] ** 2 \
        - 5 * X[:, 3] * X[:, 4] + rng.normal(0, 2, 300)
    X = with_missing(rng, X, 0.05)
    m = xgb.XGBRegressor(n_estimators=50, max_depth=4, learning_rate=0.2,
                         objective="reg:squarederror", n_jobs=1, random_state=2)
    m.fit(X, y)
    m.get_booster().save_model(path("xgb_regression.json"))
    X = on_thresholds(path("xgb_regression.json"), X, rng, 40)
    write_data("xgb_regression", X)
    pred = m.predict(X)
    margin = m.predict(X, output_margin=True)
    write_pred("xgb_regression", ["margin", "pred"], [margin, pred])


def multi_data(seed, n, d):
    rng = np.random.default_rng(seed)
    X = f32(rng.normal(size=(n, d)))
    W = rng.normal(size=(d, 3))
    y = np.argmax(X @ W + rng.normal(0, 0.7, (n, 3)), axis=1)
    return rng, X, y


def xgb_multi():
    rng, X, y = multi_data(13, 300, 6)
    X = with_missing(rng, X, 0.05)
    m = xgb.XGBClassifier(n_estimators=15, max_depth=3, learning_rate=0.3,
                          objective="multi:softprob", n_jobs=1, random_state=3)
    m.fit(X, y)
    m.get_booster().save_model(path("xgb_multi.json"))
    write_data("xgb_multi", X)
    proba = m.predict_proba(X)
    margin = m.predict(X, output_margin=True)
    pred = m.predict(X)
    write_pred("xgb_multi", ["m0", "m1", "m2", "p0", "p1", "p2", "pred"],
               [margin[:, 0], margin[:, 1], margin[:, 2],
                proba[:, 0], proba[:, 1], proba[:, 2], pred])


def xgb_softmax():
    # The native API: multi:softmax predicts the class index itself.
    rng, X, y = multi_data(14, 200, 4)
    X = with_missing(rng, X, 0.05)
    d = xgb.DMatrix(X, label=y)
    b = xgb.train({"objective": "multi:softmax", "num_class": 3, "max_depth": 2, "eta": 0.5,
                   "nthread": 1, "seed": 4}, d, num_boost_round=6)
    b.save_model(path("xgb_softmax.json"))
    write_data("xgb_softmax", X)
    pred = b.predict(d)
    margin = b.predict(d, output_margin=True)
    write_pred("xgb_softmax", ["m0", "m1", "m2", "pred"],
               [margin[:, 0], margin[:, 1], margin[:, 2], pred])


def xgb_unsupported():
    # Boosters Ember refuses: a linear booster and DART. Only the model files are kept.
    rng = np.random.default_rng(15)
    X = f32(rng.normal(size=(100, 3)))
    y = X[:, 0] + rng.normal(0, 0.1, 100)
    d = xgb.DMatrix(X, label=y)
    b = xgb.train({"booster": "gblinear", "nthread": 1, "seed": 5}, d, num_boost_round=3)
    b.save_model(path("xgb_gblinear.json"))
    b = xgb.train({"booster": "dart", "max_depth": 2, "nthread": 1, "seed": 5}, d,
                  num_boost_round=3)
    b.save_model(path("xgb_dart.json"))


# ---------------------------------------------------------------- MLP (ember-mlp)

def mlp_layer(W, b, activation):
    """One ember-mlp layer: W is in × out (scikit-learn's coefs_[i]), b has out values."""
    return {"weights": [[float(v) for v in row] for row in W],
            "bias": [float(v) for v in b],
            "activation": activation}


def export_mlp(m, name, task, classes, feature_names=None):
    n = len(m.coefs_)
    layers = [mlp_layer(W, b, m.out_activation_ if i == n - 1 else m.activation)
              for i, (W, b) in enumerate(zip(m.coefs_, m.intercepts_))]
    write_ember_mlp(name, task, classes, layers, feature_names)


def write_ember_mlp(name, task, classes, layers, feature_names=None):
    doc = {"format": "ember-mlp", "version": 1, "task": task}
    if classes is not None:
        doc["classes"] = classes
    if feature_names is not None:
        doc["feature_names"] = feature_names
    doc["layers"] = layers
    with open(path(name + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))  # floats as repr: exact float64
        f.write("\n")


def mlp_binary():
    rng = np.random.default_rng(21)
    X = f32(rng.normal(size=(300, 6)))
    y = np.where(X[:, 0] * X[:, 1] + np.sin(X[:, 2]) - 0.5 * X[:, 3] > 0, "pos", "neg")
    m = MLPClassifier(hidden_layer_sizes=(16, 8), activation="relu", max_iter=800,
                      random_state=1)
    m.fit(X, y)
    classes = [str(c) for c in m.classes_]
    export_mlp(m, "mlp_binary", "classification", classes,
               ["a", "b", "c", "d", "e", "f"])
    write_data("mlp_binary", X)
    proba = m.predict_proba(X)
    pred = np.searchsorted(m.classes_, m.predict(X))
    write_pred("mlp_binary", ["p0", "p1", "pred"], [proba[:, 0], proba[:, 1], pred])


def mlp_multi():
    rng, X, y = multi_data(22, 300, 5)
    y = np.array([3, 5, 7])[y]  # labels that are not their own indexes
    m = MLPClassifier(hidden_layer_sizes=(16, 8), activation="tanh", max_iter=800,
                      random_state=2)
    m.fit(X, y)
    classes = [str(c) for c in m.classes_]
    export_mlp(m, "mlp_multi", "classification", classes)
    write_data("mlp_multi", X)
    proba = m.predict_proba(X)
    pred = np.searchsorted(m.classes_, m.predict(X))
    write_pred("mlp_multi", ["p0", "p1", "p2", "pred"],
               [proba[:, 0], proba[:, 1], proba[:, 2], pred])


def mlp_regression():
    rng = np.random.default_rng(23)
    X = f32(rng.normal(size=(300, 4)))
    y = 3 * X[:, 0] - 2 * np.tanh(X[:, 1]) + X[:, 2] * X[:, 3] + rng.normal(0, 0.1, 300)
    m = MLPRegressor(hidden_layer_sizes=(16, 8), activation="logistic", max_iter=1500,
                     random_state=3)
    m.fit(X, y)
    export_mlp(m, "mlp_regression", "regression", None)
    write_data("mlp_regression", X)
    write_pred("mlp_regression", ["pred"], [m.predict(X)])


# ---------------------------------------------------------------- benchmark models
#
# The models of bench/cmd/predictbench (the model-inference benchmark), not of package ml's
# tests: an XGBoost classifier of 100 trees and a logistic regression, both trained on one
# synthetic 10-feature dataset. Their check rows (bench_data.csv, 1000 rows drawn after
# the training rows, no missing values) and each library's outputs on them
# (bench_<model>_pred.csv) are compared with Ember's by bench/predict's tests.

BENCH_FEATURES = 10


def bench_dataset(rng, n):
    """n rows of BENCH_FEATURES standard-normal float32 features and 0/1 labels from a
    nonlinear rule (interactions, sin, a square) with noise, so that deep trees help."""
    X = f32(rng.normal(size=(n, BENCH_FEATURES)))
    logit = (1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.6 * X[:, 2] * X[:, 3] + np.sin(2 * X[:, 4])
             - 0.5 * X[:, 5] ** 2 + 0.4 * X[:, 6] - 0.3 * X[:, 7] * X[:, 8]
             + 0.2 * X[:, 9] + 0.4 + rng.normal(0, 0.5, n))
    return X, (logit > 0).astype(int)


def bench_models():
    rng = np.random.default_rng(41)
    X, y = bench_dataset(rng, 20000)
    Xc, _ = bench_dataset(rng, 1000)  # check rows, not seen in training
    write_data("bench", Xc)

    xm = xgb.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1,
                           tree_method="hist", n_jobs=1, random_state=7)
    xm.fit(X, y)
    xm.get_booster().save_model(path("bench_xgb100.json"))
    proba = xm.predict_proba(Xc)
    margin = xm.predict(Xc, output_margin=True)
    write_pred("bench_xgb100", ["margin", "p0", "p1", "pred"],
               [margin, proba[:, 0], proba[:, 1], xm.predict(Xc)])

    # A logistic regression is an ember-mlp network without a hidden layer: one layer of
    # weights coef_.T (10 × 1) and bias intercept_, with a logistic output, P(class 1).
    lm = LogisticRegression(max_iter=1000)
    lm.fit(X, y)
    write_ember_mlp("bench_logistic", "classification", [str(c) for c in lm.classes_],
                    [mlp_layer(lm.coef_.T, lm.intercept_, "logistic")])
    proba = lm.predict_proba(Xc)
    pred = np.searchsorted(lm.classes_, lm.predict(Xc))
    write_pred("bench_logistic", ["p0", "p1", "pred"], [proba[:, 0], proba[:, 1], pred])


def main():
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    warnings.simplefilter("ignore", ConvergenceWarning)
    xgb_binary()
    xgb_regression()
    xgb_multi()
    xgb_softmax()
    xgb_unsupported()
    mlp_binary()
    mlp_multi()
    mlp_regression()
    bench_models()
    print("python %s, numpy %s, xgboost %s, scikit-learn %s" % (
        sys.version.split()[0], np.__version__, xgb.__version__, sklearn.__version__))


if __name__ == "__main__":
    main()
