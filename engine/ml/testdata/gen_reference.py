#!/usr/bin/python3
# Reference figures for engine/ml's tests, made once with Debian's scikit-learn and kept as test data; the
# Go tests read the JSON and CSV files and never run Python.
#
# Command (from the repository root, with `apt-get install -y python3-sklearn`; Debian 12's scikit-learn
# 1.2.1 and numpy 1.24.2 made the committed files):
#
#     /usr/bin/python3 engine/ml/testdata/gen_reference.py
#
# It writes, next to itself:
#   reference.json     the figures below
#   breast_cancer.csv  scikit-learn's breast cancer set (569 rows: label, test flag, 30 features)
#   iris.csv           scikit-learn's iris set (150 rows: label, 4 features)
import csv
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
ref = {"sklearn": sklearn.__version__, "numpy": np.__version__}

# 1. The book's KMeans points (DE4E 6.5), k=2: scikit-learn's k-means++ with 10 restarts.
book = np.array([[0, 0], [0, 0.3], [0.3, 3], [9, 0], [9, 0.6], [9.6, 0]])
km = KMeans(n_clusters=2, n_init=10, random_state=0).fit(book)
order = np.argsort(km.cluster_centers_[:, 0])
relabel = {int(old): new for new, old in enumerate(order)}
ref["kmeans_book"] = {
    "points": book.tolist(),
    "centroids": km.cluster_centers_[order].tolist(),
    "labels": [relabel[int(l)] for l in km.labels_],
    "inertia": float(km.inertia_),
}

# 2. Breast cancer: a stratified 75/25 split, standardized on the training rows, logistic regression without
# regularization (with an intercept), accuracy and ROC AUC on the test rows; and roc_auc_score of its
# decision scores, to check the evaluator on the same scores.
bc = load_breast_cancer()
X, y = bc.data, bc.target
idx = np.arange(len(y))
train_idx, test_idx = train_test_split(idx, test_size=0.25, random_state=0, stratify=y)
is_test = np.zeros(len(y), dtype=int)
is_test[test_idx] = 1
with open(os.path.join(here, "breast_cancer.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["label", "test"] + ["f%d" % i for i in range(X.shape[1])])
    for i in range(len(y)):
        w.writerow([int(y[i]), int(is_test[i])] + [repr(float(v)) for v in X[i]])
sc = StandardScaler().fit(X[train_idx])
lr = LogisticRegression(penalty=None, max_iter=10000).fit(sc.transform(X[train_idx]), y[train_idx])
scores = lr.decision_function(sc.transform(X[test_idx]))
ref["breast_cancer_logistic"] = {
    "train_rows": int(len(train_idx)),
    "test_rows": int(len(test_idx)),
    "test_accuracy": float(accuracy_score(y[test_idx], lr.predict(sc.transform(X[test_idx])))),
    "test_auc": float(roc_auc_score(y[test_idx], scores)),
}
ref["auc_of_scores"] = {
    "labels": [int(v) for v in y[test_idx]],
    "scores": [float(v) for v in scores],
    "roc_auc": float(roc_auc_score(y[test_idx], scores)),
}

# 3. Linear regression without intercept on a generated set: y = X . [2, -3, 0.5] + 0.1 * noise.
rng = np.random.RandomState(0)
Xl = rng.uniform(-1, 1, size=(200, 3))
yl = Xl @ np.array([2.0, -3.0, 0.5]) + 0.1 * rng.standard_normal(200)
ols = LinearRegression(fit_intercept=False).fit(Xl, yl)
ref["linear_generated"] = {
    "features": Xl.tolist(),
    "labels": yl.tolist(),
    "coefficient": ols.coef_.tolist(),
    "rmse": float(np.sqrt(np.mean((ols.predict(Xl) - yl) ** 2))),
}

# 4. Iris: StandardScaler's mean, population scale (ddof=0) and numpy's sample std (ddof=1, Flink ML's
# definition), and MinMaxScaler's minimum, maximum and the first row scaled to [0, 1].
iris = load_iris()
with open(os.path.join(here, "iris.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["label", "f0", "f1", "f2", "f3"])
    for i in range(len(iris.target)):
        w.writerow([int(iris.target[i])] + [repr(float(v)) for v in iris.data[i]])
ss = StandardScaler().fit(iris.data)
mm = MinMaxScaler().fit(iris.data)
ref["iris_scalers"] = {
    "mean": ss.mean_.tolist(),
    "scale_ddof0": ss.scale_.tolist(),
    "std_ddof1": np.std(iris.data, axis=0, ddof=1).tolist(),
    "min": mm.data_min_.tolist(),
    "max": mm.data_max_.tolist(),
    "minmax_first_row": mm.transform(iris.data[:1])[0].tolist(),
}

with open(os.path.join(here, "reference.json"), "w") as f:
    json.dump(ref, f, indent=1)
    f.write("\n")
