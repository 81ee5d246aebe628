package ml

import (
	"strconv"
	"sync"
)

// The live view of training. The training operator of OnlineKMeans, OnlineLogisticRegression and
// OnlineStandardScaler publishes the model's ModelProgress through the engine's gauge hook
// (engine.DataStream.Gauge) as the gauge ProgressGauge; Job.Snapshot copies it into that operator's
// OperatorSnapshot.Gauges, where the workbench (tui/live) reads it while the unbounded job runs. The batch
// estimators that iterate (KMeans, LinearRegression, LogisticRegression) do the same from every superstep's
// job of their bulk iteration, on the operator that makes the superstep's new model (KMeans's
// ModelDataGenerator, the SGD's updateModel): one ModelProgress follows the whole fit, a version per
// iteration, so the workbench shows each iteration's centroid shift or loss beside the iteration's progress.
// LDA's fit, one job per mini-batch, publishes it from each job's merging operator, a version per mini-batch.

// ProgressGauge is the name of the gauge through which an estimator's training operator publishes its
// ModelProgress.
const ProgressGauge = "ml"

// ProgressVersions is how many of the newest versions a ModelProgress's History keeps.
const ProgressVersions = 64

// ModelProgress is a model's training at one moment: its latest version (an online model's) or iteration
// (a batch fit's), how many rows it has learnt from, a figure per version (the centroids' movement, the
// loss), and the latest version's vectors.
type ModelProgress struct {
	// Estimator names the estimator: "OnlineKMeans", "OnlineLogisticRegression", "OnlineStandardScaler",
	// "KMeans", "LinearRegression", "LogisticRegression" or "LDA".
	Estimator string
	// MaxIterations is, for a batch fit, the most iterations it runs (maxIter; LDA's maxIter times its
	// mini-batches per pass); 0 for an online estimator.
	MaxIterations int
	// Version is the latest model version (0: the initial model data); for a batch fit, the last iteration
	// that ended (0 before the first).
	Version int64
	// Rows is how many training rows the latest version learnt from (a restarted job's training starts again
	// from the initial model, and so does this count); for a batch fit, how many rows it trains on.
	Rows int64
	// Metric names the figure History holds: "movement" (OnlineKMeans: the summed distance the centroids
	// moved in a version), "shift" (KMeans: the largest distance a centroid moved in an iteration, as
	// KMeansModel.CentroidMovements), "loss" (OnlineLogisticRegression: the mini-batch's mean log loss before
	// its update; LinearRegression and LogisticRegression: the epoch's mean loss before its step, as
	// Losses), "topics" (LDA: the mean over topics of the L1 distance between the topic's word distribution
	// before and after a mini-batch's update, as Topics gives them), or "" (OnlineStandardScaler: none).
	Metric string
	// History holds the Metric of the newest ProgressVersions versions, oldest first. A version recorded
	// again (a restarted job's, or a superstep's that was run again) replaces it and every later one.
	History []VersionMetric
	// Vectors are the latest version's vectors: (Online)KMeans's centroids ("c0", "c1", ...) with their
	// weights, the regressions' "coefficient" (a multinomial LogisticRegression's one row per class,
	// "class 0", "class 1", ...), OnlineStandardScaler's "mean" and "std"; none for LDA (a topic is as long as
	// the vocabulary).
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

// newFitRecorder is the recorder of a batch fit of estimator over rows rows, for at most maxIter iterations.
func newFitRecorder(estimator, metric string, maxIter, rows int) *progressRecorder {
	return &progressRecorder{p: ModelProgress{Estimator: estimator, Metric: metric, MaxIterations: maxIter, Rows: int64(rows)}}
}

// record sets the latest version, trained on rows rows in all, with its metric (ignored when the recorder has
// no Metric) and vectors, which the recorder keeps (the caller must not change them afterwards). A version
// at or below one in History replaces it and the versions after it.
func (r *progressRecorder) record(version, rows int64, metric float64, vectors []ModelVector) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Version = version
	r.p.Rows = rows
	r.p.Vectors = vectors
	if r.p.Metric != "" && version > 0 {
		for n := len(r.p.History); n > 0 && r.p.History[n-1].Version >= version; n-- {
			r.p.History = r.p.History[:n-1]
		}
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

// recordIteration records iteration it of a batch fit, keeping the rows count the fit started with.
func (r *progressRecorder) recordIteration(it int, metric float64, vectors []ModelVector) {
	r.mu.Lock()
	rows := r.p.Rows
	r.mu.Unlock()
	r.record(int64(it), rows, metric, vectors)
}

// centroidVectors names k-means centroids c0, c1, ... with their weights, copying them.
func centroidVectors(d *KMeansModelData) []ModelVector {
	cs := make([][]float64, len(d.Centroids))
	for i, c := range d.Centroids {
		cs[i] = c.Values
	}
	return centroidArrays(cs, d.Weights.Values)
}

// centroidArrays names the centroids cs c0, c1, ... with their weights ws, copying them.
func centroidArrays(cs [][]float64, ws []float64) []ModelVector {
	out := make([]ModelVector, len(cs))
	for i, c := range cs {
		out[i] = ModelVector{Name: "c" + strconv.Itoa(i), Values: append([]float64(nil), c...), Weight: ws[i]}
	}
	return out
}

// coefficientVectors names a regression's coefficient "coefficient", or, with numClasses > 0, the rows of a
// multinomial coefficient matrix "class 0", "class 1", ..., copying them.
func coefficientVectors(coef []float64, numClasses int) []ModelVector {
	if numClasses <= 0 {
		return []ModelVector{{Name: "coefficient", Values: append([]float64(nil), coef...)}}
	}
	d := len(coef) / numClasses
	out := make([]ModelVector, numClasses)
	for c := range out {
		out[c] = ModelVector{Name: "class " + strconv.Itoa(c), Values: append([]float64(nil), coef[c*d:(c+1)*d]...)}
	}
	return out
}
