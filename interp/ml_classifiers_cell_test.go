package interp

import (
	"testing"

	"github.com/de4e/weir/interp/exports"
)

// NaiveBayes, Knn, the decision trees, PrecisionRecall, Silhouette and a Tokenizer, HashingTF, IDF and LDA
// pipeline run from a notebook cell (package engine/ml's own tests check their figures). It needs
// interp/exports regenerated with them (go generate ./interp/exports) and is skipped until then.
func TestMLClassifiersAndTextFromACell(t *testing.T) {
	if _, ok := exports.Symbols["github.com/de4e/weir/engine/ml/ml"]["NewNaiveBayes"]; !ok {
		t.Skip("interp/exports predates engine/ml's NaiveBayes: run go generate ./interp/exports")
	}
	k := New(Options{})
	cell := `import "github.com/de4e/weir/engine/ml"
env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})
var data []ml.Row
for i := 0; i < 20; i++ {
	data = append(data, ml.NewRow("features", ml.Dense(float64(i%7), float64(i/10)), "label", float64(i/10), "text", "a b c"))
}
train := ml.FromRows(env, data)
nb, err := ml.NewNaiveBayes().SetSmoothing(1.0).Fit(train)
if err != nil { panic(err) }
knn, err := ml.NewKnn().SetK(3).Fit(train)
if err != nil { panic(err) }
dt, err := ml.NewDecisionTreeClassifier().SetMaxDepth(3).SetImpurity("entropy").Fit(train)
if err != nil { panic(err) }
dr, err := ml.NewDecisionTreeRegressor().SetMaxDepth(2).Fit(train)
if err != nil { panic(err) }
score := func(m ml.Model) {
	out, err := m.Transform(train)
	if err != nil { panic(err) }
	acc, err := ml.Accuracy(out[0], "label", "prediction")
	if err != nil { panic(err) }
	p, r, err := ml.PrecisionRecall(out[0], "label", "prediction", 1)
	if err != nil { panic(err) }
	fmt.Println(m.ClassName(), acc, p, r)
}
score(nb)
score(knn)
score(dt)
score(dr)
s, err := ml.Silhouette(train, "features", "label")
if err != nil { panic(err) }
fmt.Println(s > 0)
p := ml.NewPipeline(ml.NewTokenizer().SetInputCol("text").SetOutputCol("w"), ml.NewHashingTF().SetInputCol("w").SetOutputCol("tf").SetNumFeatures(8),
	ml.NewIDF().SetInputCol("tf").SetOutputCol("tfidf"), ml.NewLDA().SetK(2).SetFeaturesCol("tf").SetMaxIter(2))
pm, err := p.Fit(train)
if err != nil { panic(err) }
outs, err := pm.Transform(train)
if err != nil { panic(err) }
rows, err := ml.Collect(outs[0])
if err != nil { panic(err) }
fmt.Println(len(rows), rows[0].Get("topicDistribution") != nil)
lm := pm.(*ml.PipelineModel).Stages()[3].(*ml.LDAModel)
pp, err := lm.Perplexity(outs[0])
if err != nil { panic(err) }
fmt.Println(pp > 0, len(lm.DescribeTopics(2)), dt.(*ml.DecisionTreeClassificationModel).Depth())`
	ex := mustRun(t, k, "classifiers", cell)
	want := "org.apache.flink.ml.classification.naivebayes.NaiveBayesModel 1 1 1\n" +
		"org.apache.flink.ml.classification.knn.KnnModel 0.85 1 0.7\n" +
		"weir.ml.classification.DecisionTreeClassificationModel 1 1 1\n" +
		"weir.ml.regression.DecisionTreeRegressionModel 1 1 1\n" +
		"true\n20 true\ntrue 2 1\n"
	if got := ex.Output(); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
