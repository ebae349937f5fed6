#!/usr/bin/python3
"""Fixtures for Ember's KMeans trainer (ml/kmeans_test.go).

Rerun from the repository root with
    /usr/bin/python3 testdata/ml/training/make_kmeans.py
(made with scikit-learn 1.2.1 and numpy 1.x; the seeds are fixed, so a rerun with the same
versions writes the same files).

Two data sets, each written as kmeans_<name>.csv (header x0..x{d-1}, values rounded to 3
decimals; scikit-learn is fitted on the rounded values, exactly what the test reads):
  - blobs6: make_blobs, 3000 points, 5 features, 6 centers, cluster_std 3.5 (clusters
    overlap: 5.5% of the points lie nearer another blob's center than their own);
  - uneven8: make_blobs, 8 clusters of uneven sizes (60 .. 400 points, 1610 in all),
    10 features, cluster_std from 1.5 to 3.0 per cluster: separated clusters, but a
    single k-means run often ends in a local optimum (one big cluster split, two small
    ones merged): see single_run_inertias.
kmeans_expected.json holds, per data set, scikit-learn's KMeans(n_clusters,
n_init=10, random_state=0, tol=1e-6, max_iter=1000): inertia_ (the best of the ten
runs), cluster_centers_, n_iter_, and the inertia of each of the ten runs alone
(KMeans(n_init=1, random_state=r) for r in 0..9), to show how far one run can be from the
best.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def blobs6():
    x, _ = make_blobs(n_samples=3000, n_features=5, centers=6, cluster_std=3.5,
                      random_state=7)
    return x, 6


def uneven8():
    sizes = [400, 320, 260, 200, 160, 120, 90, 60]
    stds = [3.0, 2.0, 1.5, 2.5, 2.0, 1.5, 2.0, 1.5]
    x, _ = make_blobs(n_samples=sizes, n_features=10, cluster_std=stds,
                      center_box=(-10.0, 10.0), random_state=11)
    return x, 8


def main():
    expected = {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__}
    for name, make in [("blobs6", blobs6), ("uneven8", uneven8)]:
        x, k = make()
        x = np.round(x, 3)
        d = x.shape[1]
        path = os.path.join(HERE, "kmeans_%s.csv" % name)
        with open(path, "w") as f:
            f.write(",".join("x%d" % j for j in range(d)) + "\n")
            for row in x:
                f.write(",".join("%.3f" % v for v in row) + "\n")
        km = KMeans(n_clusters=k, n_init=10, random_state=0, tol=1e-6, max_iter=1000).fit(x)
        singles = [float(KMeans(n_clusters=k, n_init=1, random_state=r, tol=1e-6,
                                max_iter=1000).fit(x).inertia_) for r in range(10)]
        expected[name] = {
            "k": k,
            "rows": int(x.shape[0]),
            "features": d,
            "inertia": float(km.inertia_),
            "n_iter": int(km.n_iter_),
            "centers": km.cluster_centers_.tolist(),
            "single_run_inertias": singles,
        }
        if name == "blobs6":
            # standardize_features: k-means on the standardized data (StandardScaler divides
            # by the population standard deviation; Ember by the sample one, which scales
            # every feature by the same factor, so the clustering is the same and the
            # inertia differs by the factor n/(n-1)); the centers in the original units.
            scaler = StandardScaler().fit(x)
            kms = KMeans(n_clusters=k, n_init=10, random_state=0, tol=1e-6,
                         max_iter=1000).fit(scaler.transform(x))
            expected[name]["standardized_inertia"] = float(kms.inertia_)
            expected[name]["standardized_centers"] = scaler.inverse_transform(
                kms.cluster_centers_).tolist()
    with open(os.path.join(HERE, "kmeans_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
