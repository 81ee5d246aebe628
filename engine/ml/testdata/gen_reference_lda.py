#!/usr/bin/python3
# Reference figures for engine/ml's LDA and IDF tests, made once with Debian's scikit-learn and kept as test
# data; the Go tests read the JSON and never run Python.
#
# Command (from the repository root, with `apt-get install -y python3-sklearn`; Debian 12's scikit-learn
# 1.2.1 and numpy 1.24.2 made the committed file):
#
#     /usr/bin/python3 engine/ml/testdata/gen_reference_lda.py
#
# It writes reference_lda.json next to itself: a corpus of 60 documents of 40 words over a vocabulary of 30
# words drawn from 3 topics (topic t puts 90% of its mass on words 10t..10t+9), each document's mixture drawn
# from Dirichlet(0.3, 0.3, 0.3), with numpy's RandomState(0); scikit-learn's LatentDirichletAllocation
# (learning_method="online") fitted on it, and TfidfTransformer's idf of it.
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import TfidfTransformer

here = os.path.dirname(os.path.abspath(__file__))
ref = {"sklearn": sklearn.__version__, "numpy": np.__version__}

rng = np.random.RandomState(0)
k, vocab, ndocs, length = 3, 30, 60, 40
topics = np.full((k, vocab), 0.1 / (vocab - 10))
for t in range(k):
    topics[t, 10 * t:10 * t + 10] = 0.09
mixtures = rng.dirichlet([0.3] * k, size=ndocs)
counts = np.zeros((ndocs, vocab), dtype=int)
for d in range(ndocs):
    words = rng.choice(vocab, size=length, p=mixtures[d] @ topics)
    for w in words:
        counts[d, w] += 1
ref["counts"] = counts.tolist()
ref["true_topics"] = topics.tolist()

runs = []
for max_iter, batch in ((20, 16), (50, 60)):
    lda = LatentDirichletAllocation(n_components=k, learning_method="online", batch_size=batch, total_samples=ndocs,
                                    max_iter=max_iter, learning_offset=10.0, learning_decay=0.7, random_state=0)
    lda.fit(counts)
    dist = lda.components_ / lda.components_.sum(axis=1)[:, np.newaxis]
    runs.append({
        "max_iter": max_iter, "batch_size": batch,
        "topic_word": dist.tolist(),
        "top_words": [np.argsort(-row)[:10].tolist() for row in dist],
        "perplexity": float(lda.perplexity(counts)),
        "doc_topic": lda.transform(counts).tolist(),
    })
ref["lda"] = runs

# Flink ML's (and Spark's) idf is log((n + 1) / (df + 1)); scikit-learn's smooth idf adds 1.
tf = TfidfTransformer(smooth_idf=True).fit(counts)
ref["idf"] = (tf.idf_ - 1).tolist()

with open(os.path.join(here, "reference_lda.json"), "w") as f:
    json.dump(ref, f)
    f.write("\n")
