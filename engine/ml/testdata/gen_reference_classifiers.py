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
from sklearn.metrics import precision_score, recall_score, silhouette_score
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import CategoricalNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

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

# Precision and recall of each class (as the positive label) of the NaiveBayes test predictions.
nb_pred = nb.predict(Xb[test_idx])
ref["naive_bayes_iris"]["precision"] = [float(precision_score(y[test_idx] == c, nb_pred == c)) for c in range(3)]
ref["naive_bayes_iris"]["recall"] = [float(recall_score(y[test_idx] == c, nb_pred == c)) for c in range(3)]

# Silhouette (Euclidean) of iris clustered by its species, and of rows 40..69 with row 45 alone in cluster 9.
sub = y[40:70].copy()
sub[5] = 9
ref["silhouette"] = {
    "iris_species": float(silhouette_score(X, y, metric="euclidean")),
    "subset_labels": sub.tolist(),
    "subset": float(silhouette_score(X[40:70], sub, metric="euclidean")),
}

# 2. Knn on iris (k=5, brute force, Euclidean, uniform votes), trained on the same split.
for k in (1, 5, 15):
    kn = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X[train_idx], y[train_idx])
    ref["knn_iris_k%d" % k] = {
        "predictions": kn.predict(X[test_idx]).tolist(),
        "test_accuracy": float(kn.score(X[test_idx], y[test_idx])),
    }
ref["knn_iris_split"] = {"train": train_idx.tolist(), "test": test_idx.tolist()}

# scikit-learn breaks ties between equally good splits by a random feature order; a setting is
# "deterministic" when 30 random_states give the same test predictions (to 9 decimals) (only then may a tree with another
# tie rule be expected to predict the same).
def unique_fit(make, Xt, yt, Xs):
    preds = {tuple(np.round(make(rs).fit(Xt, yt).predict(Xs), 9).tolist()) for rs in range(30)}
    return len(preds) == 1


# 3. Decision trees on the same iris split: every setting's test predictions, accuracy, node count and depth.
# Every iris feature has at most 43 distinct values, so a maxBins of 64 gives scikit-learn's candidate splits.
trees = []
for criterion in ("gini", "entropy"):
    for depth in (1, 2, 3, 5):
        for leaf in (1, 5):
            dt = DecisionTreeClassifier(criterion=criterion, max_depth=depth, min_samples_leaf=leaf, random_state=0)
            dt.fit(X[train_idx], y[train_idx])
            trees.append({
                "deterministic": unique_fit(lambda rs: DecisionTreeClassifier(
                    criterion=criterion, max_depth=depth, min_samples_leaf=leaf, random_state=rs), X[train_idx],
                    y[train_idx], X[test_idx]),
                "impurity": criterion, "max_depth": depth, "min_instances": leaf,
                "predictions": dt.predict(X[test_idx]).tolist(),
                "test_accuracy": float(dt.score(X[test_idx], y[test_idx])),
                "nodes": int(dt.tree_.node_count), "depth": int(dt.get_depth()),
            })
ref["decision_tree_iris"] = trees

# 4. A regression tree on a generated set: x uniform in [0, 1]^3 rounded to 2 decimals (at most 101 distinct
# values a feature, so a maxBins of 128 gives scikit-learn's candidate splits), y = sin(6 x0) + 2 x1^2 - x2
# + 0.1 noise; the first 300 rows train, the last 100 test.
rng = np.random.RandomState(1)
Xr = np.round(rng.uniform(0, 1, size=(400, 3)), 2)
yr = np.sin(6 * Xr[:, 0]) + 2 * Xr[:, 1] ** 2 - Xr[:, 2] + 0.1 * rng.standard_normal(400)
regs = []
for depth in (2, 4, 6):
    for leaf in (1, 10):
        dt = DecisionTreeRegressor(max_depth=depth, min_samples_leaf=leaf, random_state=0).fit(Xr[:300], yr[:300])
        regs.append({
            "deterministic": unique_fit(lambda rs: DecisionTreeRegressor(
                max_depth=depth, min_samples_leaf=leaf, random_state=rs), Xr[:300], yr[:300], Xr[300:]),
            "max_depth": depth, "min_instances": leaf,
            "predictions": dt.predict(Xr[300:]).tolist(),
            "test_r2": float(dt.score(Xr[300:], yr[300:])),
            "nodes": int(dt.tree_.node_count), "depth": int(dt.get_depth()),
        })
ref["decision_tree_regression"] = {"features": Xr.tolist(), "labels": yr.tolist(), "trees": regs}

with open(os.path.join(here, "reference_classifiers.json"), "w") as f:
    json.dump(ref, f)
    f.write("\n")
