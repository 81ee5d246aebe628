package ml_test

import (
	"math"
	"testing"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// The merges of this package's statistics go through keyed state, which Pebble serializes: NaiveBayes, Knn,
// a decision tree, IDF, LDA, PrecisionRecall and Silhouette fit and score on a Pebble-backed Environment as
// on the heap.
func TestStatisticsOnPebbleState(t *testing.T) {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: engine.Batch,
		StateBackend: engine.PebbleState})
	var rows []ml.Row
	for i := range 12 {
		rows = append(rows, ml.NewRow("features", ml.Dense(float64(i%3), float64(i/6)), "label", float64(i/6),
			"input", ml.Dense(float64(i%2), 1, 0)))
	}
	in := ml.FromRows(env, rows)
	for _, e := range []ml.Estimator{ml.NewNaiveBayes(), ml.NewKnn().SetK(1), ml.NewDecisionTreeClassifier(), ml.NewIDF(),
		ml.NewLDA().SetK(2).SetMaxIter(1)} {
		if _, err := e.Fit(in); err != nil {
			t.Fatalf("%s: %v", e.ClassName(), err)
		}
	}
	if p, r, err := ml.PrecisionRecall(in, "label", "label", 1); err != nil || p != 1 || r != 1 {
		t.Errorf("PrecisionRecall %v %v %v", p, r, err)
	}
	if s, err := ml.Silhouette(in, "features", "label"); err != nil || math.IsNaN(s) {
		t.Errorf("Silhouette %v %v", s, err)
	}
}
