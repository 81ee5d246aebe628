package ml_test

import (
	"fmt"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// The PyFlink KMeans program of "Data Engineering for Everyone" 6.5, line for line in Go: a table of six
// points, KMeans().SetK(2).SetSeed(1), fit, transform, and each point's features and cluster id. The body
// from env to the loop is also a notebook cell as it stands (interp/ml_cell_test.go runs it). At
// parallelism 1 Weir draws the initial centroids exactly as Flink ML does from seed 1 (java.util.Random), so
// the cluster ids are Flink ML's too.
func ExampleKMeans() {
	env := engine.NewEnvironment(engine.Config{Parallelism: 1, RuntimeMode: engine.Batch})

	// Generates input data.
	points := []ml.Row{
		ml.NewRow("features", ml.Dense(0.0, 0.0)),
		ml.NewRow("features", ml.Dense(0.0, 0.3)),
		ml.NewRow("features", ml.Dense(0.3, 3.0)),
		ml.NewRow("features", ml.Dense(9.0, 0.0)),
		ml.NewRow("features", ml.Dense(9.0, 0.6)),
		ml.NewRow("features", ml.Dense(9.6, 0.0)),
	}
	inputData := ml.FromRows(env, points)

	// Creates a K-means object and initializes its parameters.
	kmeans := ml.NewKMeans().SetK(2).SetSeed(1)

	// Trains the K-means Model.
	model, err := kmeans.Fit(inputData)
	if err != nil {
		panic(err)
	}

	// Uses the K-means Model for predictions.
	outputs, err := model.Transform(inputData)
	if err != nil {
		panic(err)
	}
	rows, err := ml.Collect(outputs[0])
	if err != nil {
		panic(err)
	}

	// Extracts and displays the results.
	for _, r := range rows {
		fmt.Printf("features: %v \tcluster id: %v\n", r.Get(kmeans.GetFeaturesCol()), r.Get(kmeans.GetPredictionCol()))
	}
	for id, c := range model.(*ml.KMeansModel).ModelData().Centroids {
		fmt.Printf("centroid %d: (%.1f, %.1f)\n", id, c.Get(0), c.Get(1))
	}
	// Output:
	// features: [0.0, 0.0] 	cluster id: 1
	// features: [0.0, 0.3] 	cluster id: 1
	// features: [0.3, 3.0] 	cluster id: 1
	// features: [9.0, 0.0] 	cluster id: 0
	// features: [9.0, 0.6] 	cluster id: 0
	// features: [9.6, 0.0] 	cluster id: 0
	// centroid 0: (9.2, 0.2)
	// centroid 1: (0.1, 1.1)
}
