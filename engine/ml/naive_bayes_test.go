package ml_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// Flink ML: NaiveBayesTest#before: the training and prediction tables and the expected predictions.
func nbTrain(fc, lc string) []ml.Row {
	return []ml.Row{
		ml.NewRow(fc, ml.Dense(0, 0), lc, 11),
		ml.NewRow(fc, ml.Dense(1, 0), lc, 10),
		ml.NewRow(fc, ml.Dense(1, 1), lc, 10),
	}
}

func nbPredict(fc string) []ml.Row {
	return []ml.Row{ml.NewRow(fc, ml.Dense(0, 1)), ml.NewRow(fc, ml.Dense(0, 0)), ml.NewRow(fc, ml.Dense(1, 0)), ml.NewRow(fc, ml.Dense(1, 1))}
}

var nbExpected = map[string]float64{"[0.0, 1.0]": 11, "[0.0, 0.0]": 11, "[1.0, 0.0]": 10, "[1.0, 1.0]": 10}

func checkNBPredictions(t *testing.T, rows []ml.Row, fc, pc string) {
	t.Helper()
	if len(rows) != len(nbExpected) {
		t.Fatalf("%d rows, want %d", len(rows), len(nbExpected))
	}
	for _, r := range rows {
		v, _ := r.Vector(fc)
		if got := r.Get(pc); got != nbExpected[v.ToDense().String()] {
			t.Errorf("prediction of %v = %v, want %v", v, got, nbExpected[v.ToDense().String()])
		}
	}
}

// Flink ML: NaiveBayesTest#testParam.
func TestNaiveBayesParam(t *testing.T) {
	nb := ml.NewNaiveBayes()
	if nb.GetFeaturesCol() != "features" || nb.GetLabelCol() != "label" || nb.GetModelType() != "multinomial" ||
		nb.GetPredictionCol() != "prediction" || nb.GetSmoothing() != 1.0 {
		t.Fatalf("defaults: %v", nb.GetParams())
	}
	nb.SetFeaturesCol("test_feature").SetLabelCol("test_label").SetPredictionCol("test_prediction").SetSmoothing(2.0)
	if nb.GetFeaturesCol() != "test_feature" || nb.GetLabelCol() != "test_label" ||
		nb.GetPredictionCol() != "test_prediction" || nb.GetSmoothing() != 2.0 {
		t.Fatalf("set: %v", nb.GetParams())
	}
	m := ml.NewNaiveBayesModel()
	if m.GetFeaturesCol() != "features" || m.GetModelType() != "multinomial" || m.GetPredictionCol() != "prediction" {
		t.Fatalf("model defaults: %v", m.GetParams())
	}
	m.SetFeaturesCol("test_feature").SetPredictionCol("test_prediction")
	if m.GetFeaturesCol() != "test_feature" || m.GetPredictionCol() != "test_prediction" {
		t.Fatalf("model set: %v", m.GetParams())
	}
	for _, bad := range []func(){func() { nb.SetSmoothing(-1) }, func() { nb.SetModelType("bernoulli") }} {
		func() {
			defer func() {
				if e, ok := recover().(error); !ok || !errors.Is(e, ml.ErrParam) {
					t.Errorf("recovered %v, want an ErrParam", e)
				}
			}()
			bad()
		}()
	}
}

// Flink ML: NaiveBayesTest#testFitAndPredict and #testOutputSchema, at parallelism 1 and 4 (Flink's test
// runs at 4).
func TestNaiveBayesFitAndPredict(t *testing.T) {
	for _, p := range []int{1, 4} {
		for _, cols := range [][3]string{{"features", "label", "prediction"}, {"test_features", "test_label", "test_prediction"}} {
			env := batchEnv(p)
			nb := ml.NewNaiveBayes().SetSmoothing(1.0).SetFeaturesCol(cols[0]).SetLabelCol(cols[1]).
				SetPredictionCol(cols[2]).SetModelType("multinomial")
			m, err := nb.Fit(ml.FromRows(env, nbTrain(cols[0], cols[1])))
			if err != nil {
				t.Fatal(err)
			}
			checkNBPredictions(t, transformRows(t, m, ml.FromRows(env, nbPredict(cols[0]))), cols[0], cols[2])
		}
	}
}

// Flink ML: NaiveBayesTest#testPredictUnseenFeature (Flink ML fails with a NullPointerException in
// calculateProb; Weir with ErrUnseenFeature) and #testVectorWithDiffLen, #testVectorWithDiffLen2 (Flink ML's
// message; Weir's Fit is eager, so Fit fails where Flink ML's lazy fit fails on collect).
func TestNaiveBayesInvalidInputs(t *testing.T) {
	env := batchEnv(2)
	m, err := ml.NewNaiveBayes().Fit(ml.FromRows(env, nbTrain("features", "label")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Transform(ml.FromRows(env, []ml.Row{ml.NewRow("features", ml.Dense(2, 1))})); !errors.Is(err, ml.ErrUnseenFeature) {
		t.Errorf("unseen feature: %v, want ErrUnseenFeature", err)
	}
	for _, train := range [][]ml.Row{
		{ml.NewRow("features", ml.Dense(0, 0), "label", 11.0), ml.NewRow("features", ml.Dense(1, 0), "label", 10.0), ml.NewRow("features", ml.Dense(1), "label", 10.0)},
		{ml.NewRow("features", ml.Dense(0, 0), "label", 11.0), ml.NewRow("features", ml.Dense(1), "label", 10.0)},
	} {
		for _, p := range []int{1, 2} {
			_, err := ml.NewNaiveBayes().Fit(ml.FromRows(batchEnv(p), train))
			if err == nil || !strings.Contains(err.Error(), "Feature vectors should be of equal length.") {
				t.Errorf("p=%d: %v, want Flink ML's equal length error", p, err)
			}
		}
	}
}

// Flink ML: NaiveBayesTest#testSaveLoad, #testGetModelData and #testSetModelData.
func TestNaiveBayesModelData(t *testing.T) {
	env := batchEnv(2)
	dir := saveTo(t, ml.NewNaiveBayes().SetSmoothing(1.0))
	s, err := ml.Load(env, dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.(*ml.NaiveBayes).Fit(ml.FromRows(env, nbTrain("features", "label")))
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := ml.Load(env, saveTo(t, m))
	if err != nil {
		t.Fatal(err)
	}
	checkNBPredictions(t, transformRows(t, loaded.(ml.Model), ml.FromRows(env, nbPredict("features"))), "features", "prediction")

	b := ml.NewNaiveBayesModel()
	if err := b.SetModelData(m.GetModelData()...); err != nil {
		t.Fatal(err)
	}
	b.GetParams().UpdateExisting(m.GetParams())
	checkNBPredictions(t, transformRows(t, b, ml.FromRows(env, nbPredict("features"))), "features", "prediction")

	one, err := ml.NewNaiveBayes().Fit(ml.FromRows(env, []ml.Row{
		ml.NewRow("features", ml.Dense(1, 1), "label", 11.0), ml.NewRow("features", ml.Dense(2, 1), "label", 11.0)}))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := one.GetModelData()[0].Rows()
	if err != nil {
		t.Fatal(err)
	}
	labels, _ := rows[0].Vector("labels")
	pi, _ := rows[0].Vector("piArray")
	theta := rows[0].Get("theta").([][]map[float64]float64)
	if !near(labels.ToArray(), []float64{11}, 1e-5) || !near(pi.ToArray(), []float64{0}, 1e-5) ||
		math.Abs(theta[0][0][1]+0.6931471805599453) > 1e-5 || math.Abs(theta[0][0][2]+0.6931471805599453) > 1e-5 ||
		math.Abs(theta[0][1][1]) > 1e-5 {
		t.Errorf("model data: labels %v pi %v theta %v", labels, pi, theta)
	}
}

// NaiveBayes on iris cut into 4 equal-width bins a feature against scikit-learn's CategoricalNB with the
// same smoothing and Flink ML's prior (testdata/gen_reference_classifiers.py): theta equal within 1e-12,
// and the same prediction for every test row, at parallelism 1 and 3.
func TestNaiveBayesAgainstScikitLearn(t *testing.T) {
	ref := loadClassifierReference(t).NaiveBayes
	iris := readCSV(t, "iris.csv")
	rowsOf := func(idx []int) []ml.Row {
		out := make([]ml.Row, len(idx))
		for i, r := range idx {
			f := make([]float64, len(ref.Binned[r]))
			for j, b := range ref.Binned[r] {
				f[j] = float64(b)
			}
			out[i] = ml.NewRow("features", ml.Dense(f...), "label", iris[r][0])
		}
		return out
	}
	for _, p := range []int{1, 3} {
		env := batchEnv(p)
		m, err := ml.NewNaiveBayes().Fit(ml.FromRows(env, rowsOf(ref.Train)))
		if err != nil {
			t.Fatal(err)
		}
		md, err := m.GetModelData()[0].Rows()
		if err != nil {
			t.Fatal(err)
		}
		pi, _ := md[0].Vector("piArray")
		if !near(pi.ToArray(), ref.Pi, 1e-12) {
			t.Errorf("p=%d: pi %v, want %v", p, pi, ref.Pi)
		}
		theta := md[0].Get("theta").([][]map[float64]float64)
		for j, byLabel := range ref.Theta {
			for c, lps := range byLabel {
				for v, lp := range lps {
					if got, ok := theta[c][j][float64(v)]; !ok || math.Abs(got-lp) > 1e-12 {
						t.Errorf("p=%d: theta[label %d][feature %d][%d] = %v, want %v", p, c, j, v, got, lp)
					}
				}
			}
		}
		out := transformRows(t, m, ml.FromRows(env, rowsOf(ref.Test)))
		for i, r := range out {
			if r.Get("prediction") != float64(ref.Predictions[i]) {
				t.Errorf("p=%d: test row %d predicted %v, scikit-learn %d", p, ref.Test[i], r.Get("prediction"), ref.Predictions[i])
			}
		}
		acc, err := ml.Accuracy(ml.FromRows(env, out), "label", "prediction")
		if err != nil || math.Abs(acc-ref.TestAccuracy) > 1e-12 {
			t.Errorf("p=%d: accuracy %v (%v), scikit-learn %v", p, acc, err, ref.TestAccuracy)
		}
	}
}
