package ml_test

import (
	"fmt"
	"testing"

	"github.com/de4e/weir/engine/ml"
)

// The fitted feature models whose own tests do not save them: each saved to a folder and loaded back
// transforms the rows as the fitted one does (the Flink ML tests' testSaveLoadAndPredict), and so do the
// saved transformers and AlgoOperators: VectorAssembler, RandomSplitter (its seed and weights make the same
// splits) and BinaryClassificationEvaluator (its metrics).
func TestSaveLoadGivesTheSameOutputs(t *testing.T) {
	env := batchEnv(2)
	vectors := ml.FromRows(env, vectorRows("input", ml.Dense(-2.5, 9, 1), ml.Dense(1.4, -5, 1), ml.Dense(2, -1, -2), ml.Dense(7, 0.5, 3)))
	strs := ml.FromRows(env, stringIndexerTrain())
	var scoredRows []ml.Row
	for i, p := range []float64{0.9, 0.2, 0.7, 0.4, 0.6, 0.1} {
		scoredRows = append(scoredRows, ml.NewRow("label", float64(i%2), "rawPrediction", ml.Dense(1-p, p)))
	}
	scored := ml.FromRows(env, scoredRows)
	for _, c := range []struct {
		name string
		fit  func() (ml.Stage, error)
		in   *ml.Table
	}{
		{"StandardScaler", func() (ml.Stage, error) { return ml.NewStandardScaler().SetWithMean(true).Fit(vectors) }, vectors},
		{"MinMaxScaler", func() (ml.Stage, error) { return ml.NewMinMaxScaler().SetMin(-1).SetMax(3).Fit(vectors) }, vectors},
		{"StringIndexer", func() (ml.Stage, error) {
			return ml.NewStringIndexer().SetInputCols("inputCol1", "inputCol2").SetOutputCols("o1", "o2").
				SetHandleInvalid("keep").SetStringOrderType("frequencyDesc").Fit(strs)
		}, strs},
		{"VectorAssembler", func() (ml.Stage, error) {
			return ml.NewVectorAssembler().SetInputCols("input").SetInputSizes(3).SetOutputCol("out"), nil
		}, vectors},
		{"RandomSplitter", func() (ml.Stage, error) { return ml.NewRandomSplitter().SetWeights(1, 2).SetSeed(3), nil }, vectors},
		{"BinaryClassificationEvaluator", func() (ml.Stage, error) {
			return ml.NewBinaryClassificationEvaluator().SetMetricsNames(ml.AreaUnderROC, ml.AreaUnderPR, ml.KS), nil
		}, scored},
	} {
		t.Run(c.name, func(t *testing.T) {
			fitted, err := c.fit()
			if err != nil {
				t.Fatal(err)
			}
			loaded, err := ml.Load(env, saveTo(t, fitted))
			if err != nil {
				t.Fatal(err)
			}
			if loaded.ClassName() != fitted.ClassName() {
				t.Fatalf("loaded a %s, saved a %s", loaded.ClassName(), fitted.ClassName())
			}
			want, got := outputsOf(t, fitted, c.in), outputsOf(t, loaded, c.in)
			if want != got {
				t.Errorf("loaded:\n%s\nfitted:\n%s", got, want)
			}
			if want == outputsOf(t, fitted, ml.FromRows(env, nil)) {
				t.Fatal("no output to compare")
			}
		})
	}
}

// outputsOf formats every output table of s (an AlgoOperator) on in, row by row.
func outputsOf(t *testing.T, s ml.Stage, in *ml.Table) string {
	t.Helper()
	outs, err := s.(ml.AlgoOperator).Transform(in)
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for i, o := range outs {
		rows, err := ml.Collect(o)
		if err != nil {
			t.Fatal(err)
		}
		text += fmt.Sprintf("table %d: %v\n", i, rows)
	}
	return text
}
