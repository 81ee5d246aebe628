package ml

import (
	"strconv"
	"sync"
)

// The live view of online training. The training operator of OnlineKMeans, OnlineLogisticRegression and
// OnlineStandardScaler publishes the model's ModelProgress through the engine's gauge hook
// (engine.DataStream.Gauge) as the gauge ProgressGauge; Job.Snapshot copies it into that operator's
// OperatorSnapshot.Gauges, where the workbench (tui/live) reads it while the unbounded job runs.

// ProgressGauge is the name of the gauge through which an online estimator's training operator publishes its
// ModelProgress.
const ProgressGauge = "ml"

// ProgressVersions is how many of the newest versions a ModelProgress's History keeps.
const ProgressVersions = 64

// ModelProgress is an online model's training at one moment: its latest version, how many rows it has learnt
// from, a figure per version (the centroids' movement, the mini-batch's loss), and the latest version's
// vectors.
type ModelProgress struct {
	// Estimator names the estimator: "OnlineKMeans", "OnlineLogisticRegression" or "OnlineStandardScaler".
	Estimator string
	// Version is the latest model version (0: the initial model data).
	Version int64
	// Rows is how many training rows the latest version learnt from (a restarted job's training starts again
	// from the initial model, and so does this count).
	Rows int64
	// Metric names the figure History holds: "movement" (OnlineKMeans: the summed distance the centroids
	// moved in a version), "loss" (OnlineLogisticRegression: the mini-batch's mean log loss before its
	// update), or "" (OnlineStandardScaler: none).
	Metric string
	// History holds the Metric of the newest ProgressVersions versions, oldest first.
	History []VersionMetric
	// Vectors are the latest version's vectors: OnlineKMeans's centroids ("c0", "c1", ...) with their
	// weights, OnlineLogisticRegression's "coefficient", OnlineStandardScaler's "mean" and "std".
	Vectors []ModelVector
}

// VersionMetric is one model version's figure.
type VersionMetric struct {
	Version int64
	Value   float64
}

// ModelVector is one named vector of a model version, with its weight where it has one (a k-means
// centroid's; 0 otherwise).
type ModelVector struct {
	Name   string
	Values []float64
	Weight float64
}

// progressRecorder keeps a model's ModelProgress for its gauge; it is safe for concurrent use by the training
// operator and the polling goroutine.
type progressRecorder struct {
	mu sync.Mutex
	p  ModelProgress
}

func newProgressRecorder(estimator, metric string) *progressRecorder {
	return &progressRecorder{p: ModelProgress{Estimator: estimator, Metric: metric}}
}

// record sets the latest version, trained on rows rows in all, with its metric (ignored when the recorder has
// no Metric) and vectors, which the recorder keeps (the caller must not change them afterwards).
func (r *progressRecorder) record(version, rows int64, metric float64, vectors []ModelVector) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Version = version
	r.p.Rows = rows
	r.p.Vectors = vectors
	if r.p.Metric != "" && version > 0 {
		r.p.History = append(r.p.History, VersionMetric{Version: version, Value: metric})
		if n := len(r.p.History); n > ProgressVersions {
			r.p.History = append([]VersionMetric(nil), r.p.History[n-ProgressVersions:]...)
		}
	}
}

// progress returns a copy of the ModelProgress now.
func (r *progressRecorder) progress() any {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.p
	p.History = append([]VersionMetric(nil), r.p.History...)
	p.Vectors = append([]ModelVector(nil), r.p.Vectors...)
	return p
}

// centroidVectors names k-means centroids c0, c1, ... with their weights, copying them.
func centroidVectors(d *KMeansModelData) []ModelVector {
	out := make([]ModelVector, len(d.Centroids))
	for i, c := range d.Centroids {
		out[i] = ModelVector{Name: "c" + strconv.Itoa(i), Values: append([]float64(nil), c.Values...), Weight: d.Weights.Values[i]}
	}
	return out
}
