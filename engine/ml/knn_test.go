package ml_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// classifierReference is testdata/reference_classifiers.json, made once by
// testdata/gen_reference_classifiers.py with Debian's scikit-learn (the command is in the script's header).
type classifierReference struct {
	NaiveBayes struct {
		Binned       [][]int       `json:"binned"`
		Train        []int         `json:"train"`
		Test         []int         `json:"test"`
		Pi           []float64     `json:"pi"`
		Theta        [][][]float64 `json:"theta"`
		Predictions  []int         `json:"predictions"`
		TestAccuracy float64       `json:"test_accuracy"`
	} `json:"naive_bayes_iris"`
	KnnSplit struct {
		Train []int `json:"train"`
		Test  []int `json:"test"`
	} `json:"knn_iris_split"`
	raw map[string]json.RawMessage
}

type knnReference struct {
	Predictions  []int   `json:"predictions"`
	TestAccuracy float64 `json:"test_accuracy"`
}

func loadClassifierReference(t *testing.T) classifierReference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference_classifiers.json")
	if err != nil {
		t.Fatal(err)
	}
	var r classifierReference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r.raw); err != nil {
		t.Fatal(err)
	}
	return r
}

// Flink ML: KnnTest's training and prediction rows.
func knnTrain(fc, lc string) []ml.Row {
	pts := [][3]float64{{2.0, 3.0, 1}, {2.1, 3.1, 1}, {200.1, 300.1, 2}, {200.2, 300.2, 2}, {200.3, 300.3, 2},
		{200.4, 300.4, 2}, {200.4, 300.4, 2}, {200.6, 300.6, 2}, {2.1, 3.1, 1}, {2.1, 3.1, 1}, {2.1, 3.1, 1},
		{2.1, 3.1, 1}, {2.3, 3.2, 1}, {2.3, 3.2, 1}, {2.8, 3.2, 3}, {300., 3.2, 4}, {2.2, 3.2, 1}, {2.4, 3.2, 5},
		{2.5, 3.2, 5}, {2.5, 3.2, 5}, {2.1, 3.1, 1}}
	rows := make([]ml.Row, len(pts))
	for i, p := range pts {
		rows[i] = ml.NewRow(fc, ml.Dense(p[0], p[1]), lc, p[2])
	}
	return rows
}

func knnPredict(fc, lc string) []ml.Row {
	return []ml.Row{ml.NewRow(fc, ml.Dense(4.0, 4.1), lc, 5.0), ml.NewRow(fc, ml.Dense(300, 42), lc, 2.0)}
}

// verifyKnn is Flink ML's KnnTest.verifyPredictionResult: every row's prediction equals its label.
func verifyKnn(t *testing.T, rows []ml.Row, lc, pc string) {
	t.Helper()
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	for _, r := range rows {
		label, err := r.Float(lc)
		if err != nil {
			t.Fatal(err)
		}
		if r.Get(pc) != label {
			t.Errorf("%v: prediction %v, want %v", r, r.Get(pc), label)
		}
	}
}

// Flink ML: KnnTest#testParam.
func TestKnnParam(t *testing.T) {
	knn := ml.NewKnn()
	if knn.GetFeaturesCol() != "features" || knn.GetLabelCol() != "label" || knn.GetK() != 5 || knn.GetPredictionCol() != "prediction" {
		t.Fatalf("defaults: %v", knn.GetParams())
	}
	knn.SetLabelCol("test_label").SetFeaturesCol("test_features").SetK(4).SetPredictionCol("test_prediction")
	if knn.GetFeaturesCol() != "test_features" || knn.GetLabelCol() != "test_label" || knn.GetK() != 4 || knn.GetPredictionCol() != "test_prediction" {
		t.Fatalf("set: %v", knn.GetParams())
	}
	defer func() {
		if e, ok := recover().(error); !ok || !errors.Is(e, ml.ErrParam) {
			t.Errorf("SetK(0) recovered %v, want an ErrParam", e)
		}
	}()
	knn.SetK(0)
}

// Flink ML: KnnTest#testOutputSchema, #testFitAndPredict, #testFewerDistinctPointsThanCluster and
// #testInputTypeConversion (sparse vectors and integer labels), at parallelism 1 and 3.
func TestKnnFitAndPredict(t *testing.T) {
	for _, p := range []int{1, 3} {
		env := batchEnv(p)
		knn := ml.NewKnn().SetLabelCol("test_label").SetFeaturesCol("test_features").SetK(4).SetPredictionCol("test_prediction")
		m, err := knn.Fit(ml.FromRows(env, knnTrain("test_features", "test_label")))
		if err != nil {
			t.Fatal(err)
		}
		out := transformRows(t, m, ml.FromRows(env, knnPredict("test_features", "test_label")))
		if fmt.Sprint(out[0].Names) != "[test_features test_label test_prediction]" {
			t.Errorf("output columns %v", out[0].Names)
		}
		verifyKnn(t, out, "test_label", "test_prediction")

		m, err = ml.NewKnn().Fit(ml.FromRows(env, knnTrain("features", "label")))
		if err != nil {
			t.Fatal(err)
		}
		verifyKnn(t, transformRows(t, m, ml.FromRows(env, knnPredict("features", "label"))), "label", "prediction")

		m, err = ml.NewKnn().Fit(ml.FromRows(env, knnPredict("features", "label")))
		if err != nil {
			t.Fatal(err)
		}
		verifyKnn(t, transformRows(t, m, ml.FromRows(env, knnPredict("features", "label"))), "label", "prediction")

		sparse := func(rows []ml.Row) []ml.Row {
			out := make([]ml.Row, len(rows))
			for i, r := range rows {
				v, _ := r.Vector("features")
				l, _ := r.Float("label")
				out[i] = ml.NewRow("features", v.ToDense().ToSparse(), "label", int(l))
			}
			return out
		}
		m, err = ml.NewKnn().Fit(ml.FromRows(env, sparse(knnTrain("features", "label"))))
		if err != nil {
			t.Fatal(err)
		}
		verifyKnn(t, transformRows(t, m, ml.FromRows(env, sparse(knnPredict("features", "label")))), "label", "prediction")
	}
}

// Flink ML: KnnTest#testSaveLoadAndPredict, #testModelSaveLoadAndPredict, #testGetModelData and
// #testSetModelData.
func TestKnnModelData(t *testing.T) {
	env := batchEnv(2)
	s, err := ml.Load(env, saveTo(t, ml.NewKnn()))
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.(*ml.Knn).Fit(ml.FromRows(env, knnTrain("features", "label")))
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := ml.Load(env, saveTo(t, m))
	if err != nil {
		t.Fatal(err)
	}
	md := loaded.(ml.Model).GetModelData()[0]
	rows, err := md.Rows()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows[0].Names) != "[packedFeatures featureNormSquares labels]" {
		t.Errorf("model data columns %v", rows[0].Names)
	}
	packed := rows[0].Get("packedFeatures").([][]float64)
	norms, _ := rows[0].Vector("featureNormSquares")
	labels, _ := rows[0].Vector("labels")
	if len(packed) != labels.Size() || len(packed[0]) != 2 || norms.Size() != labels.Size() || labels.Size() != 21 {
		t.Errorf("model data: %d packed rows of %d, %d norms, %d labels", len(packed), len(packed[0]), norms.Size(), labels.Size())
	}
	verifyKnn(t, transformRows(t, loaded.(ml.Model), ml.FromRows(env, knnPredict("features", "label"))), "label", "prediction")

	b := ml.NewKnnModel()
	if err := b.SetModelData(m.GetModelData()...); err != nil {
		t.Fatal(err)
	}
	b.GetParams().UpdateExisting(m.GetParams())
	verifyKnn(t, transformRows(t, b, ml.FromRows(env, knnPredict("features", "label"))), "label", "prediction")
}

// Knn on iris against scikit-learn's KNeighborsClassifier (brute force, uniform votes) for k = 1, 5, 15
// (testdata/gen_reference_classifiers.py): the same prediction for every test row, at parallelism 1 and 3.
func TestKnnAgainstScikitLearn(t *testing.T) {
	ref := loadClassifierReference(t)
	iris := readCSV(t, "iris.csv")
	rowsOf := func(idx []int) []ml.Row {
		out := make([]ml.Row, len(idx))
		for i, r := range idx {
			out[i] = ml.NewRow("features", ml.Dense(iris[r][1:]...), "label", iris[r][0])
		}
		return out
	}
	for _, k := range []int{1, 5, 15} {
		var want knnReference
		if err := json.Unmarshal(ref.raw[fmt.Sprintf("knn_iris_k%d", k)], &want); err != nil {
			t.Fatal(err)
		}
		for _, p := range []int{1, 3} {
			env := batchEnv(p)
			m, err := ml.NewKnn().SetK(k).Fit(ml.FromRows(env, rowsOf(ref.KnnSplit.Train)))
			if err != nil {
				t.Fatal(err)
			}
			out := transformRows(t, m, ml.FromRows(env, rowsOf(ref.KnnSplit.Test)))
			for i, r := range out {
				if r.Get("prediction") != float64(want.Predictions[i]) {
					t.Errorf("k=%d p=%d: test row %d predicted %v, scikit-learn %d", k, p, ref.KnnSplit.Test[i], r.Get("prediction"), want.Predictions[i])
				}
			}
			acc, err := ml.Accuracy(ml.FromRows(env, out), "label", "prediction")
			if err != nil || math.Abs(acc-want.TestAccuracy) > 1e-12 {
				t.Errorf("k=%d p=%d: accuracy %v (%v), scikit-learn %v", k, p, acc, err, want.TestAccuracy)
			}
		}
	}
}
