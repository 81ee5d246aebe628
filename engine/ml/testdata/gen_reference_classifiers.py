#!/usr/bin/python3
# Reference figures for engine/ml's NaiveBayes, Knn and decision tree tests, made once with Debian's
# scikit-learn and kept as test data; the Go tests read the JSON and never run Python.
#
# Command (from the repository root, with `apt-get install -y python3-sklearn`; Debian 12's scikit-learn
# 1.2.1 and numpy 1.24.2 made the committed file):
#
#     /usr/bin/python3 engine/ml/testdata/gen_reference_classifiers.py
#
# It writes reference_classifiers.json next to itself. Iris is read from iris.csv (gen_reference.py wrote it
# from scikit-learn's load_iris).
import csv
import json
import os

import numpy as np
import sklearn
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import CategoricalNB
from sklearn.neighbors import KNeighborsClassifier

here = os.path.dirname(os.path.abspath(__file__))
ref = {"sklearn": sklearn.__version__, "numpy": np.__version__}

with open(os.path.join(here, "iris.csv")) as f:
    rows = list(csv.reader(f))[1:]
y = np.array([int(r[0]) for r in rows])
X = np.array([[float(v) for v in r[1:]] for r in rows])
train_idx, test_idx = train_test_split(np.arange(len(y)), test_size=0.3, random_state=0, stratify=y)
train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)

# 1. NaiveBayes on iris with each feature cut into 4 equal-width bins (values 0..3) over the whole set.
# Flink ML's theta is scikit-learn's CategoricalNB feature_log_prob_ with alpha = smoothing where every
# feature's values 0..n-1 all occur in the training rows (asserted). Flink ML's prior is not the class
# frequency: pi[c] = log(n_c * d + s) - log(n * d + L * s) (d features, L labels, s smoothing), which sums
# to one, so CategoricalNB gets it as class_prior.
bins = 4
lo, hi = X.min(axis=0), X.max(axis=0)
Xb = np.minimum(np.floor((X - lo) / (hi - lo) * bins), bins - 1).astype(int)
for j in range(Xb.shape[1]):
    assert set(Xb[train_idx, j]) == set(range(bins)), "feature %d lacks a bin in training" % j
s, d, L, n = 1.0, Xb.shape[1], 3, len(train_idx)
nc = np.array([np.sum(y[train_idx] == c) for c in range(L)])
pi = np.log(nc * d + s) - np.log(n * d + L * s)
assert abs(np.exp(pi).sum() - 1) < 1e-12
nb = CategoricalNB(alpha=s, class_prior=np.exp(pi)).fit(Xb[train_idx], y[train_idx])
ref["naive_bayes_iris"] = {
    "binned": Xb.tolist(),
    "train": train_idx.tolist(),
    "test": test_idx.tolist(),
    "pi": pi.tolist(),
    "theta": [[lp.tolist() for lp in nb.feature_log_prob_[j]] for j in range(d)],  # [feature][label][value]
    "predictions": nb.predict(Xb[test_idx]).tolist(),
    "test_accuracy": float(np.mean(nb.predict(Xb[test_idx]) == y[test_idx])),
}

# 2. Knn on iris (k=5, brute force, Euclidean, uniform votes), trained on the same split.
for k in (1, 5, 15):
    kn = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X[train_idx], y[train_idx])
    ref["knn_iris_k%d" % k] = {
        "predictions": kn.predict(X[test_idx]).tolist(),
        "test_accuracy": float(kn.score(X[test_idx], y[test_idx])),
    }
ref["knn_iris_split"] = {"train": train_idx.tolist(), "test": test_idx.tolist()}

with open(os.path.join(here, "reference_classifiers.json"), "w") as f:
    json.dump(ref, f)
    f.write("\n")
