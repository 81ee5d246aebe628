package ml_test

import (
	"fmt"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// Topics of six short documents: a Pipeline of Tokenizer, HashingTF (term counts) and LDA with two topics,
// fitted and applied to the same table; each document's most probable topic separates the football
// documents from the cooking ones. The hashed vocabulary is kept small (32 terms for 14 words): unused terms
// still get topic weight from the initial draws and the prior, and with 1024 of them both LDA here and
// scikit-learn's often put all six documents in one topic.
func ExampleLDA() {
	env := engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})
	docs := ml.FromRows(env, []ml.Row{
		ml.NewRow("text", "goal match team score goal striker"),
		ml.NewRow("text", "team coach match league goal"),
		ml.NewRow("text", "striker score league team match"),
		ml.NewRow("text", "oven flour bake bread sugar"),
		ml.NewRow("text", "bread butter flour oven recipe"),
		ml.NewRow("text", "sugar recipe bake butter oven"),
	})
	pipeline := ml.NewPipeline(
		ml.NewTokenizer().SetInputCol("text").SetOutputCol("words"),
		ml.NewHashingTF().SetInputCol("words").SetOutputCol("features").SetNumFeatures(32),
		ml.NewLDA().SetK(2).SetMaxIter(50).SetSeed(1).SetDocConcentration(0.1).SetTopicConcentration(0.01),
	)
	model, err := pipeline.Fit(docs)
	if err != nil {
		fmt.Println(err)
		return
	}
	outputs, err := model.Transform(docs)
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, err := ml.Collect(outputs[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	first := -1
	for _, r := range rows {
		mix := r.Get("topicDistribution").(*ml.DenseVector).Values
		topic := 0
		if mix[1] > mix[0] {
			topic = 1
		}
		if first < 0 {
			first = topic
		}
		fmt.Printf("%-40s same topic as the first: %v\n", r.Get("text"), topic == first)
	}
	// Output:
	// goal match team score goal striker       same topic as the first: true
	// team coach match league goal             same topic as the first: true
	// striker score league team match          same topic as the first: true
	// oven flour bake bread sugar              same topic as the first: false
	// bread butter flour oven recipe           same topic as the first: false
	// sugar recipe bake butter oven            same topic as the first: false
}
