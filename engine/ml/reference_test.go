package ml_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// reference is testdata/reference.json, made once by testdata/gen_reference.py with Debian's scikit-learn
// (the command is in the script's header).
type reference struct {
	KMeansBook struct {
		Points    [][]float64 `json:"points"`
		Centroids [][]float64 `json:"centroids"`
		Labels    []int       `json:"labels"`
		Inertia   float64     `json:"inertia"`
	} `json:"kmeans_book"`
	BreastCancer struct {
		TrainRows    int     `json:"train_rows"`
		TestRows     int     `json:"test_rows"`
		TestAccuracy float64 `json:"test_accuracy"`
		TestAUC      float64 `json:"test_auc"`
	} `json:"breast_cancer_logistic"`
	AUCOfScores struct {
		Labels []int     `json:"labels"`
		Scores []float64 `json:"scores"`
		ROCAUC float64   `json:"roc_auc"`
	} `json:"auc_of_scores"`
	Linear struct {
		Features    [][]float64 `json:"features"`
		Labels      []float64   `json:"labels"`
		Coefficient []float64   `json:"coefficient"`
		RMSE        float64     `json:"rmse"`
	} `json:"linear_generated"`
	Iris struct {
		Mean           []float64 `json:"mean"`
		StdDdof1       []float64 `json:"std_ddof1"`
		Min            []float64 `json:"min"`
		Max            []float64 `json:"max"`
		MinMaxFirstRow []float64 `json:"minmax_first_row"`
	} `json:"iris_scalers"`
}

func loadReference(t *testing.T) reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// readCSV returns the rows of a testdata CSV as float64s, without the header.
func readCSV(t *testing.T, name string) [][]float64 {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(recs)-1)
	for i, rec := range recs[1:] {
		for _, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = append(out[i], v)
		}
	}
	return out
}

// KMeans on the book's points against scikit-learn's KMeans (k-means++, 10 restarts): the same partition,
// centroids within 1e-9 and the same inertia (sum of squared distances) within 1e-9.
func TestKMeansAgainstScikitLearn(t *testing.T) {
	ref := loadReference(t).KMeansBook
	for _, p := range []int{1, 2} {
		env := batchEnv(p)
		var rows []ml.Row
		for _, pt := range ref.Points {
			rows = append(rows, ml.NewRow("features", ml.Dense(pt...)))
		}
		in := ml.FromRows(env, rows)
		m, err := ml.NewKMeans().SetK(2).SetSeed(1).Fit(in)
		if err != nil {
			t.Fatal(err)
		}
		cs := m.(*ml.KMeansModel).ModelData().Centroids
		order := []int{0, 1}
		sort.Slice(order, func(i, j int) bool { return cs[order[i]].Get(0) < cs[order[j]].Get(0) })
		for i, o := range order {
			if !near(cs[o].Values, ref.Centroids[i], 1e-9) {
				t.Errorf("p=%d: centroid %v, scikit-learn %v", p, cs[o], ref.Centroids[i])
			}
		}
		out := transformRows(t, m, in)
		inertia := 0.0
		for i, r := range out {
			id := r.Get("prediction").(int)
			if id != order[ref.Labels[i]] {
				t.Errorf("p=%d: point %d in cluster %d, scikit-learn's %d", p, i, id, ref.Labels[i])
			}
			d := ml.Distance(ml.Euclidean, ml.Dense(ref.Points[i]...), cs[id])
			inertia += d * d
		}
		if math.Abs(inertia-ref.Inertia) > 1e-9 {
			t.Errorf("p=%d: inertia %v, scikit-learn %v", p, inertia, ref.Inertia)
		}
	}
}

// Logistic regression on scikit-learn's breast cancer set, split as the script split it: StandardScaler
// (with mean) and a constant feature for the intercept, then LogisticRegression (full-batch SGD, learning
// rate 0.5, 300 epochs, no regularization). scikit-learn's unregularized LogisticRegression (lbfgs, to
// convergence) gets test accuracy 0.944 and AUC 0.991; SGD stopped after 300 epochs is a different (less
// overfitted) model, so the tolerances are 0.03 for accuracy and 0.01 for AUC.
func TestLogisticRegressionBreastCancerAgainstScikitLearn(t *testing.T) {
	ref := loadReference(t).BreastCancer
	data := readCSV(t, "breast_cancer.csv")
	env := batchEnv(2)
	var train, test []ml.Row
	for _, rec := range data {
		r := ml.NewRow("label", rec[0], "x", ml.Dense(rec[2:]...), "one", 1.0)
		if rec[1] == 1 {
			test = append(test, r)
		} else {
			train = append(train, r)
		}
	}
	if len(train) != ref.TrainRows || len(test) != ref.TestRows {
		t.Fatalf("split %d/%d, want %d/%d", len(train), len(test), ref.TrainRows, ref.TestRows)
	}
	p := ml.NewPipeline(
		ml.NewStandardScaler().SetInputCol("x").SetOutputCol("scaled").SetWithMean(true),
		ml.NewVectorAssembler().SetInputCols("scaled", "one").SetInputSizes(30, 1).SetOutputCol("features"),
		ml.NewLogisticRegression().SetLearningRate(0.5).SetMaxIter(300).SetGlobalBatchSize(len(train)).SetTol(0),
	)
	m, err := p.Fit(ml.FromRows(env, train))
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Transform(ml.FromRows(env, test))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := ml.Accuracy(out[0], "label", "prediction")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := ml.NewBinaryClassificationEvaluator().Transform(out[0])
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := ev[0].Rows()
	auc := rows[0].Get(ml.AreaUnderROC).(float64)
	t.Logf("test accuracy %.4f (scikit-learn %.4f), AUC %.4f (scikit-learn %.4f)", acc, ref.TestAccuracy, auc, ref.TestAUC)
	if math.Abs(acc-ref.TestAccuracy) > 0.03 || math.Abs(auc-ref.TestAUC) > 0.01 {
		t.Errorf("accuracy %v AUC %v, scikit-learn %v %v", acc, auc, ref.TestAccuracy, ref.TestAUC)
	}
}

// BinaryClassificationEvaluator's areaUnderROC on scikit-learn's decision scores equals roc_auc_score
// within 1e-12.
func TestAUCAgainstScikitLearn(t *testing.T) {
	ref := loadReference(t).AUCOfScores
	var rows []ml.Row
	for i, l := range ref.Labels {
		rows = append(rows, ml.NewRow("label", float64(l), "rawPrediction", ref.Scores[i]))
	}
	ev, err := ml.NewBinaryClassificationEvaluator().Transform(ml.FromRows(batchEnv(2), rows))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := ev[0].Rows()
	if got := out[0].Get(ml.AreaUnderROC).(float64); math.Abs(got-ref.ROCAUC) > 1e-12 {
		t.Errorf("AUC %v, scikit-learn %v", got, ref.ROCAUC)
	}
}

// LinearRegression on the generated set against scikit-learn's least squares: full-batch SGD (learning rate
// 0.5, 500 epochs) reaches the least-squares coefficient within 1e-3, and RMSE within 1e-4.
func TestLinearRegressionAgainstScikitLearn(t *testing.T) {
	ref := loadReference(t).Linear
	var rows []ml.Row
	for i, x := range ref.Features {
		rows = append(rows, ml.NewRow("features", ml.Dense(x...), "label", ref.Labels[i]))
	}
	env := batchEnv(2)
	in := ml.FromRows(env, rows)
	m, err := ml.NewLinearRegression().SetLearningRate(0.5).SetMaxIter(500).SetGlobalBatchSize(len(rows)).SetTol(0).Fit(in)
	if err != nil {
		t.Fatal(err)
	}
	if c := coefficientOf(t, m); !near(c, ref.Coefficient, 1e-3) {
		t.Errorf("coefficient %v, scikit-learn %v", c, ref.Coefficient)
	}
	out, err := m.Transform(in)
	if err != nil {
		t.Fatal(err)
	}
	rmse, err := ml.RMSE(out[0], "label", "prediction")
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(rmse-ref.RMSE) > 1e-4 {
		t.Errorf("RMSE %v, scikit-learn %v", rmse, ref.RMSE)
	}
}

// StandardScaler and MinMaxScaler on iris against scikit-learn and numpy: mean, sample std (ddof 1, Flink
// ML's definition), minimum, maximum and the first row scaled, within 1e-12.
func TestScalersAgainstScikitLearn(t *testing.T) {
	ref := loadReference(t).Iris
	var rows []ml.Row
	for _, rec := range readCSV(t, "iris.csv") {
		rows = append(rows, ml.NewRow("input", ml.Dense(rec[1:]...)))
	}
	env := batchEnv(3)
	in := ml.FromRows(env, rows)
	ss, err := ml.NewStandardScaler().Fit(in)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := ss.GetModelData()[0].Rows()
	mean, _ := md[0].Vector("mean")
	std, _ := md[0].Vector("std")
	if !near(mean.ToArray(), ref.Mean, 1e-12) || !near(std.ToArray(), ref.StdDdof1, 1e-12) {
		t.Errorf("mean %v std %v, reference %v %v", mean, std, ref.Mean, ref.StdDdof1)
	}
	mm, err := ml.NewMinMaxScaler().Fit(in)
	if err != nil {
		t.Fatal(err)
	}
	md, _ = mm.GetModelData()[0].Rows()
	lo, _ := md[0].Vector("minVector")
	hi, _ := md[0].Vector("maxVector")
	if !near(lo.ToArray(), ref.Min, 0) || !near(hi.ToArray(), ref.Max, 0) {
		t.Errorf("min %v max %v", lo, hi)
	}
	out := transformRows(t, mm, ml.FromRows(env, rows[:1]))
	first, _ := out[0].Vector("output")
	if !near(first.ToArray(), ref.MinMaxFirstRow, 1e-12) {
		t.Errorf("first row %v, scikit-learn %v", first, ref.MinMaxFirstRow)
	}
}
