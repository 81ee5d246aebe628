package ml_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// Flink ML: PipelineTest#testPipelineModel and #testPipeline: a Pipeline of an AlgoOperator and two
// Estimators fits a PipelineModel of the transformer and the two fitted models; the PipelineModel saved and
// loaded predicts the same rows; and the metadata names Flink ML's classes.
func TestPipelineFitSaveLoad(t *testing.T) {
	env := batchEnv(2)
	var rows []ml.Row
	for _, r := range binomialTrainData(binomialLabels) {
		rows = append(rows, ml.NewRow("x", r.Get("features").(*ml.DenseVector).Get(0), "rest", ml.Dense(2, 3, 4),
			"label", r.Get("label"), "weight", r.Get("weight")))
	}
	in := ml.FromRows(env, rows)
	p := ml.NewPipeline(
		ml.NewVectorAssembler().SetInputCols("x", "rest").SetInputSizes(1, 3).SetOutputCol("raw"),
		ml.NewStandardScaler().SetInputCol("raw").SetOutputCol("features").SetWithMean(true),
		ml.NewLogisticRegression().SetWeightCol("weight"),
	)
	m, err := p.Fit(in)
	if err != nil {
		t.Fatal(err)
	}
	stages := m.(*ml.PipelineModel).Stages()
	if len(stages) != 3 {
		t.Fatalf("%d stages", len(stages))
	}
	for i, want := range []string{"VectorAssembler", "StandardScalerModel", "LogisticRegressionModel"} {
		if !strings.HasSuffix(stages[i].ClassName(), "."+want) {
			t.Errorf("stage %d is %s, want %s", i, stages[i].ClassName(), want)
		}
	}
	want := transformRows(t, m, in)
	checkLogisticPredictions(t, want, "raw", "prediction", "rawPrediction")
	dir := saveTo(t, m)
	md, err := os.ReadFile(filepath.Join(dir, "stages", "2", "metadata"))
	if err != nil || !strings.Contains(string(md), `"className": "org.apache.flink.ml.classification.logisticregression.LogisticRegressionModel"`) ||
		!strings.Contains(string(md), `"featuresCol": "features"`) {
		t.Errorf("stage 2 metadata: %s %v", md, err)
	}
	loaded, err := ml.Load(env, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := transformRows(t, loaded.(ml.Model), in)
	for i := range got {
		if got[i].String() != want[i].String() {
			t.Errorf("row %d: %v, want %v", i, got[i], want[i])
		}
	}
	// The saved Pipeline, loaded and fitted again, fits the same model.
	lp, err := ml.Load(env, saveTo(t, p))
	if err != nil {
		t.Fatal(err)
	}
	m2, err := lp.(ml.Estimator).Fit(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range transformRows(t, m2, in) {
		if r.String() != want[i].String() {
			t.Errorf("refitted row %d: %v, want %v", i, r, want[i])
		}
	}
}

func TestLoadErrors(t *testing.T) {
	env := batchEnv(1)
	if _, err := ml.Load(env, t.TempDir()); !errors.Is(err, ml.ErrLoad) {
		t.Errorf("empty folder: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "metadata"), []byte(`{"className":"org.example.Nope","paramMap":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ml.Load(env, dir); !errors.Is(err, ml.ErrLoad) || !strings.Contains(err.Error(), "org.example.Nope") {
		t.Errorf("unknown class: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "metadata"), []byte(`{"className":"org.apache.flink.ml.clustering.kmeans.KMeans","paramMap":{"k":1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ml.Load(env, dir); !errors.Is(err, ml.ErrParam) {
		t.Errorf("k = 1: %v", err)
	}
}

// Accuracy and RMSE, on rows whose figures are known by hand.
func TestAccuracyAndRMSE(t *testing.T) {
	env := batchEnv(3)
	rows := []ml.Row{ml.NewRow("label", 1.0, "prediction", 1.0), ml.NewRow("label", 0.0, "prediction", 1.0),
		ml.NewRow("label", 0.0, "prediction", 0.0), ml.NewRow("label", 1, "prediction", 1.0)}
	acc, err := ml.Accuracy(ml.FromRows(env, rows), "label", "prediction")
	if err != nil || acc != 0.75 {
		t.Errorf("accuracy %v %v", acc, err)
	}
	rmse, err := ml.RMSE(ml.FromRows(env, []ml.Row{ml.NewRow("y", 1.0, "p", 4.0), ml.NewRow("y", 2.0, "p", -2.0)}), "y", "p")
	if err != nil || rmse != 3.5355339059327378 { // sqrt((9 + 16) / 2)
		t.Errorf("rmse %v %v", rmse, err)
	}
	if _, err := ml.RMSE(ml.FromRows(env, nil), "y", "p"); !errors.Is(err, ml.ErrParam) {
		t.Errorf("empty: %v", err)
	}
}
