#!/usr/bin/python3
# Reference figures for engine/ml's multinomial LogisticRegression test, made once with Debian's scikit-learn
# and kept as test data; the Go test reads the JSON and never runs Python.
#
# Command (from the repository root, with `apt-get install -y python3-sklearn`; Debian 12's scikit-learn
# 1.2.1 and numpy 1.24.2 made the committed file):
#
#     /usr/bin/python3 engine/ml/testdata/gen_reference_multinomial.py
#
# It writes reference_multinomial.json next to itself: iris (scikit-learn's, as iris.csv) standardized with
# StandardScaler (population standard deviation), and scikit-learn's multinomial LogisticRegression without
# intercept and with an L2 penalty, solved by newton-cg (lbfgs stops about 1e-5 short of the optimum here).
# scikit-learn minimizes C * sum(loss) + ||W||^2 / 2. Weir's SGD (Flink ML's)
# steps W <- (1 - lr * reg) * (W - lr * grad(mean loss)), whose fixed point solves
# grad(mean loss) + reg / (1 - lr * reg) * W = 0, so C = (1 - lr * reg) / (reg * n). Both give the
# minimum-norm coefficient matrix (its rows sum to zero), so the matrices compare directly.
#
# Under "elastic_net" it also writes scikit-learn's multinomial LogisticRegression with an elastic-net
# penalty (solver saga, l1_ratio = elasticNet) on the same data. Weir's SGD steps
# W' = W - lr * grad(mean loss), then W <- sign(W') * max((1 - a) * |W'| - b, 0) with a = lr * (1 - elasticNet) *
# reg and b = lr * elasticNet * reg; its fixed point minimizes mean loss + reg / (1 - a) * ((1 - elasticNet) / 2 *
# ||W||^2 + elasticNet * ||W||_1), scikit-learn's objective divided by C * n when C = (1 - a) / (reg * n). The
# penalty makes the minimizer unique (and sparse: some coefficients are exactly zero), so the matrices compare
# directly.
import json
import os

import numpy as np
import sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
iris = load_iris()
X = StandardScaler().fit_transform(iris.data)
y = iris.target
reg = 0.1
learning_rate = 1.0
C = (1 - learning_rate * reg) / (reg * len(y))
lr = LogisticRegression(multi_class="multinomial", solver="newton-cg", C=C, fit_intercept=False, tol=1e-12, max_iter=100000).fit(X, y)
ref = {
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
    "reg": reg,
    "learning_rate": learning_rate,
    "C": C,
    "features": X.tolist(),
    "labels": [int(v) for v in y],
    "coefficients": lr.coef_.tolist(),
    "probabilities": lr.predict_proba(X).tolist(),
    "predictions": [int(v) for v in lr.predict(X)],
}
en_reg, en_ratio, en_lr = 0.1, 0.3, 1.0
en_C = (1 - en_lr * (1 - en_ratio) * en_reg) / (en_reg * len(y))
en = LogisticRegression(penalty="elasticnet", l1_ratio=en_ratio, solver="saga", multi_class="multinomial", C=en_C,
                        fit_intercept=False, tol=1e-14, max_iter=1000000).fit(X, y)
ref["elastic_net"] = {
    "reg": en_reg,
    "elastic_net": en_ratio,
    "learning_rate": en_lr,
    "C": en_C,
    "n_iter": int(en.n_iter_[0]),
    "coefficients": en.coef_.tolist(),
    "probabilities": en.predict_proba(X).tolist(),
    "predictions": [int(v) for v in en.predict(X)],
}
with open(os.path.join(here, "reference_multinomial.json"), "w") as f:
    json.dump(ref, f, indent=1)
    f.write("\n")
