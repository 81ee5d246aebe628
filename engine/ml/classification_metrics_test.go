package ml_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// PrecisionRecall of each iris class as the positive label, on NaiveBayes's test predictions (which equal
// scikit-learn's, TestNaiveBayesAgainstScikitLearn), against scikit-learn's precision_score and recall_score
// (testdata/gen_reference_classifiers.py); and the zero-division rule.
func TestPrecisionRecallAgainstScikitLearn(t *testing.T) {
	ref := loadClassifierReference(t)
	var nb struct {
		Precision []float64 `json:"precision"`
		Recall    []float64 `json:"recall"`
	}
	if err := json.Unmarshal(ref.raw["naive_bayes_iris"], &nb); err != nil {
		t.Fatal(err)
	}
	iris := readCSV(t, "iris.csv")
	env := batchEnv(3)
	rows := make([]ml.Row, len(ref.NaiveBayes.Test))
	for i, r := range ref.NaiveBayes.Test {
		rows[i] = ml.NewRow("label", iris[r][0], "prediction", float64(ref.NaiveBayes.Predictions[i]))
	}
	for c := range 3 {
		p, r, err := ml.PrecisionRecall(ml.FromRows(env, rows), "label", "prediction", float64(c))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p-nb.Precision[c]) > 1e-12 || math.Abs(r-nb.Recall[c]) > 1e-12 {
			t.Errorf("class %d: precision %v recall %v, scikit-learn %v %v", c, p, r, nb.Precision[c], nb.Recall[c])
		}
	}
	p, r, err := ml.PrecisionRecall(ml.FromRows(env, rows), "label", "prediction", 7)
	if err != nil || p != 0 || r != 0 {
		t.Errorf("absent label: %v %v %v, want 0 0", p, r, err)
	}
}

// Silhouette against scikit-learn's silhouette_score (Euclidean): iris by species, and a subset with a row
// alone in its cluster (scored 0); at parallelism 1 and 3.
func TestSilhouetteAgainstScikitLearn(t *testing.T) {
	ref := loadClassifierReference(t)
	var s struct {
		Iris         float64 `json:"iris_species"`
		SubsetLabels []int   `json:"subset_labels"`
		Subset       float64 `json:"subset"`
	}
	if err := json.Unmarshal(ref.raw["silhouette"], &s); err != nil {
		t.Fatal(err)
	}
	iris := readCSV(t, "iris.csv")
	all := make([]ml.Row, len(iris))
	for i, r := range iris {
		all[i] = ml.NewRow("features", ml.Dense(r[1:]...), "prediction", int(r[0]))
	}
	sub := make([]ml.Row, len(s.SubsetLabels))
	for i, l := range s.SubsetLabels {
		sub[i] = ml.NewRow("features", ml.Dense(iris[40+i][1:]...), "prediction", l)
	}
	for _, p := range []int{1, 3} {
		env := batchEnv(p)
		for _, c := range []struct {
			rows []ml.Row
			want float64
		}{{all, s.Iris}, {sub, s.Subset}} {
			got, err := ml.Silhouette(ml.FromRows(env, c.rows), "features", "prediction")
			if err != nil || math.Abs(got-c.want) > 1e-12 {
				t.Errorf("p=%d: silhouette %v (%v), scikit-learn %v", p, got, err, c.want)
			}
		}
	}
	if _, err := ml.Silhouette(ml.FromRows(batchEnv(1), all[:3]), "features", "prediction"); !errors.Is(err, ml.ErrParam) {
		t.Errorf("one cluster: %v, want ErrParam", err)
	}
}
