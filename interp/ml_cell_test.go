package interp

import (
	"testing"

	"github.com/de4e/weir/interp/exports"
)

// The book's KMeans example (engine/ml's ExampleKMeans) runs as a notebook cell, and a pipeline with the
// evaluator after it: the interpreter reaches package ml's stages, its variadic Fit and Transform through the
// Model interface, and its tables. It needs interp/exports regenerated with engine/ml (go generate
// ./interp/exports, after adding github.com/de4e/weir/engine/ml to the go:generate line) and is skipped until
// then.
func TestMLFromACell(t *testing.T) {
	if _, ok := exports.Symbols["github.com/de4e/weir/engine/ml/ml"]["NewKMeans"]; !ok {
		t.Skip("interp/exports predates engine/ml: add it to the go:generate line and run go generate ./interp/exports")
	}
	k := New(Options{})
	book := `import "github.com/de4e/weir/engine/ml"
env := engine.NewEnvironment(engine.Config{Parallelism: 1, RuntimeMode: engine.Batch})
inputData := ml.FromRows(env, []ml.Row{
	ml.NewRow("features", ml.Dense(0.0, 0.0)),
	ml.NewRow("features", ml.Dense(0.0, 0.3)),
	ml.NewRow("features", ml.Dense(0.3, 3.0)),
	ml.NewRow("features", ml.Dense(9.0, 0.0)),
	ml.NewRow("features", ml.Dense(9.0, 0.6)),
	ml.NewRow("features", ml.Dense(9.6, 0.0)),
})
kmeans := ml.NewKMeans().SetK(2).SetSeed(1)
model, err := kmeans.Fit(inputData)
if err != nil {
	panic(err)
}
outputs, err := model.Transform(inputData)
if err != nil {
	panic(err)
}
rows, err := ml.Collect(outputs[0])
if err != nil {
	panic(err)
}
for _, r := range rows {
	fmt.Printf("features: %v \tcluster id: %v\n", r.Get(kmeans.GetFeaturesCol()), r.Get(kmeans.GetPredictionCol()))
}`
	ex := mustRun(t, k, "book", book)
	want := "features: [0.0, 0.0] \tcluster id: 1\nfeatures: [0.0, 0.3] \tcluster id: 1\nfeatures: [0.3, 3.0] \tcluster id: 1\n" +
		"features: [9.0, 0.0] \tcluster id: 0\nfeatures: [9.0, 0.6] \tcluster id: 0\nfeatures: [9.6, 0.0] \tcluster id: 0\n"
	if got := ex.Output(); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	pipeline := `var data []ml.Row
for i := 0; i < 10; i++ {
	data = append(data, ml.NewRow("x", float64(i), "label", float64(i/5)))
}
train := ml.FromRows(env, data)
p := ml.NewPipeline(
	ml.NewVectorAssembler().SetInputCols("x").SetInputSizes(1).SetOutputCol("raw"),
	ml.NewStandardScaler().SetInputCol("raw").SetOutputCol("features").SetWithMean(true),
	ml.NewLogisticRegression(),
)
pm, err := p.Fit(train)
if err != nil {
	panic(err)
}
scored, err := pm.Transform(train)
if err != nil {
	panic(err)
}
acc, err := ml.Accuracy(scored[0], "label", "prediction")
if err != nil {
	panic(err)
}
metrics, err := ml.NewBinaryClassificationEvaluator().Transform(scored[0])
if err != nil {
	panic(err)
}
m, err := ml.Collect(metrics[0])
if err != nil {
	panic(err)
}
fmt.Println(acc, m[0].Get("areaUnderROC"))`
	ex = mustRun(t, k, "pipeline", pipeline)
	if got := ex.Output(); got != "1 1\n" {
		t.Errorf("pipeline output %q", got)
	}
}
