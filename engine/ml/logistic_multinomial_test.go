package ml_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

type multinomialReference struct {
	Reg           float64     `json:"reg"`
	LearningRate  float64     `json:"learning_rate"`
	Features      [][]float64 `json:"features"`
	Labels        []int       `json:"labels"`
	Coefficients  [][]float64 `json:"coefficients"`
	Probabilities [][]float64 `json:"probabilities"`
	Predictions   []int       `json:"predictions"`
	ElasticNet    struct {
		Reg           float64     `json:"reg"`
		ElasticNet    float64     `json:"elastic_net"`
		LearningRate  float64     `json:"learning_rate"`
		Coefficients  [][]float64 `json:"coefficients"`
		Probabilities [][]float64 `json:"probabilities"`
		Predictions   []int       `json:"predictions"`
	} `json:"elastic_net"`
}

func readMultinomialReference(t *testing.T) (multinomialReference, []ml.Row) {
	t.Helper()
	b, err := os.ReadFile("testdata/reference_multinomial.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref multinomialReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	rows := make([]ml.Row, len(ref.Labels))
	for i, f := range ref.Features {
		rows[i] = ml.NewRow("features", ml.Dense(f...), "label", float64(ref.Labels[i]), "weight", 1.0)
	}
	return ref, rows
}

// Multinomial logistic regression on standardized iris against scikit-learn's multinomial
// LogisticRegression (lbfgs, tol 1e-12, no intercept, C = (1-lr*reg)/(reg*n), the fixed point of Flink ML's
// regularized SGD step) from testdata/gen_reference_multinomial.py: full-batch SGD with learning rate 1 and
// reg 0.1 for 1000 epochs reaches the same minimum-norm coefficient matrix. The
// tolerance is 1e-8 on every coefficient and every probability; the predictions are equal row by row.
func TestLogisticRegressionMultinomialIrisAgainstScikitLearn(t *testing.T) {
	ref, rows := readMultinomialReference(t)
	for _, p := range []int{1, 2} {
		env := batchEnv(p)
		in := ml.FromRows(env, rows)
		lr := ml.NewLogisticRegression().SetWeightCol("weight").SetReg(ref.Reg).SetLearningRate(ref.LearningRate).SetMaxIter(1000).
			SetGlobalBatchSize(len(rows)).SetTol(0)
		fitted, err := lr.Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		m := fitted.(*ml.LogisticRegressionModel)
		if m.NumClasses() != 3 {
			t.Fatalf("p=%d: NumClasses %d, want 3 (auto with labels 0, 1, 2)", p, m.NumClasses())
		}
		out := checkMultinomial(t, p, m, in, ref.Coefficients, ref.Probabilities, ref.Predictions)
		// Save then Load gives the same predictions.
		dir := filepath.Join(t.TempDir(), "model")
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		loaded, err := ml.Load(env, dir)
		if err != nil {
			t.Fatal(err)
		}
		again := transformRows(t, loaded.(ml.Model), in)
		for i := range out {
			if again[i].Get("prediction") != out[i].Get("prediction") {
				t.Fatalf("p=%d row %d: loaded model predicts %v, fitted %v", p, i, again[i].Get("prediction"), out[i].Get("prediction"))
			}
		}
	}
}

// multiClass: "binomial" refuses a label 2, "multinomial" fits two classes with a softmax (a 2-row matrix),
// and a label that is not a class index is refused (Spark ML's LogisticRegression rules).
func TestLogisticRegressionMultiClass(t *testing.T) {
	env := batchEnv(2)
	_, err := ml.NewLogisticRegression().SetMultiClass("binomial").Fit(ml.FromRows(env, binomialTrainData(multinomialLabels)))
	if !errors.Is(err, ml.ErrParam) {
		t.Errorf("binomial with labels 0, 1, 2: %v", err)
	}
	m, err := ml.NewLogisticRegression().SetMultiClass("multinomial").Fit(ml.FromRows(env, binomialTrainData(binomialLabels)))
	if err != nil {
		t.Fatal(err)
	}
	if lm := m.(*ml.LogisticRegressionModel); lm.NumClasses() != 2 || lm.Coefficient().Size() != 2*4 {
		t.Errorf("multinomial on 0/1 labels: %d classes, coefficient %v", lm.NumClasses(), lm.Coefficient())
	}
	bad := binomialTrainData(binomialLabels)
	bad[0] = bad[0].With("label", 0.5)
	if _, err := ml.NewLogisticRegression().Fit(ml.FromRows(env, bad)); !errors.Is(err, ml.ErrParam) {
		t.Errorf("label 0.5: %v", err)
	}
}

// Multinomial logistic regression with an elastic-net penalty (reg 0.1, elasticNet 0.3) on standardized iris
// against scikit-learn's multinomial LogisticRegression(penalty="elasticnet", l1_ratio=0.5, solver="saga", no
// intercept, C = (1-a)/(reg*n) with a = lr*(1-elasticNet)*reg) from testdata/gen_reference_multinomial.py,
// whose solution has four coefficients exactly zero. Full-batch SGD with learning rate 1 for 400 epochs
// reaches the same matrix: every coefficient within 1e-8 (the zeros exactly zero), every probability within
// 1e-8, the predictions equal row by row, at parallelism 1 and 3.
func TestLogisticRegressionMultinomialElasticNetAgainstScikitLearn(t *testing.T) {
	ref, rows := readMultinomialReference(t)
	en := ref.ElasticNet
	zeros := 0
	for _, row := range en.Coefficients {
		for _, c := range row {
			if c == 0 {
				zeros++
			}
		}
	}
	if zeros == 0 {
		t.Fatal("the reference has no zero coefficient: it would not check the L1 part")
	}
	for _, p := range []int{1, 3} {
		env := batchEnv(p)
		in := ml.FromRows(env, rows)
		fitted, err := ml.NewLogisticRegression().SetReg(en.Reg).SetElasticNet(en.ElasticNet).SetLearningRate(en.LearningRate).
			SetMaxIter(400).SetGlobalBatchSize(len(rows)).SetTol(0).Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		m := fitted.(*ml.LogisticRegressionModel)
		checkMultinomial(t, p, m, in, en.Coefficients, en.Probabilities, en.Predictions)
	}
}

// checkMultinomial compares m, fitted at parallelism p, with scikit-learn's coefficient matrix (within 1e-8,
// and a zero exactly zero), and its transform of in with scikit-learn's probabilities (within 1e-8) and
// predictions (equal), and returns the transformed rows.
func checkMultinomial(t *testing.T, p int, m *ml.LogisticRegressionModel, in *ml.Table, coefficients, probabilities [][]float64,
	predictions []int) []ml.Row {
	t.Helper()
	coef := m.Coefficient().Values
	for c, row := range coefficients {
		for j, want := range row {
			got := coef[c*len(row)+j]
			if math.Abs(got-want) > 1e-8 || want == 0 && got != 0 {
				t.Errorf("p=%d: coefficient[%d][%d] = %v, scikit-learn %v", p, c, j, got, want)
			}
		}
	}
	out := transformRows(t, m, in)
	for i, r := range out {
		raw, err := r.Vector("rawPrediction")
		if err != nil {
			t.Fatal(err)
		}
		for c, want := range probabilities[i] {
			if math.Abs(raw.Get(c)-want) > 1e-8 {
				t.Errorf("p=%d row %d: probability of %d = %v, scikit-learn %v", p, i, c, raw.Get(c), want)
			}
		}
		if r.Get("prediction") != float64(predictions[i]) {
			t.Errorf("p=%d row %d: prediction %v, scikit-learn %d", p, i, r.Get("prediction"), predictions[i])
		}
	}
	return out
}
