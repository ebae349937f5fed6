#!/usr/bin/python3
"""Train the sample model iris_species: a small neural network that tells the iris species.

A scikit-learn MLPClassifier (one hidden layer of 8 tanh units, softmax output) trained on
iris.csv next to this script, exported in Ember's ember-mlp format (documented in
ml/doc.go) as iris_species.json. The shell registers it in a new warehouse, so that

    SELECT species, ml_predict('iris_species', sepal_length, sepal_width, petal_length, petal_width)
    FROM iris;

works at once. Run it with Debian's Python, which has scikit-learn (apt-get install
python3-sklearn):

    /usr/bin/python3 testdata/sample/make_iris_model.py

It prints the training accuracy; sample_test.go checks Ember's predictions against the
network's own (iris_species_pred.csv, written here too).
"""

import csv
import json
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

HERE = pathlib.Path(__file__).parent
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def main() -> None:
    with (HERE / "iris.csv").open() as f:
        rows = list(csv.DictReader(f))
    # float32 first: Ember hands models float32 features
    X = np.array([[float(r[c]) for c in FEATURES] for r in rows], dtype=np.float32).astype(np.float64)
    y = np.array([r["species"] for r in rows])
    warnings.simplefilter("ignore", ConvergenceWarning)
    m = MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", max_iter=3000, random_state=0)
    m.fit(X, y)
    n = len(m.coefs_)
    layers = [{"weights": [[float(v) for v in row] for row in W],
               "bias": [float(v) for v in b],
               "activation": m.out_activation_ if i == n - 1 else m.activation}
              for i, (W, b) in enumerate(zip(m.coefs_, m.intercepts_))]
    doc = {"format": "ember-mlp", "version": 1, "task": "classification",
           "classes": [str(c) for c in m.classes_], "feature_names": FEATURES, "layers": layers}
    with (HERE / "iris_species.json").open("w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    proba = m.predict_proba(X)
    with (HERE / "iris_species_pred.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["pred"] + ["p_" + str(c) for c in m.classes_])
        for label, p in zip(m.predict(X), proba):
            w.writerow([label] + [repr(float(v)) for v in p])
    print("scikit-learn %s: training accuracy %.4f" % (sklearn.__version__, m.score(X, y)))


if __name__ == "__main__":
    main()
