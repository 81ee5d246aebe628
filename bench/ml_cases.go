package bench

import (
	"fmt"
	"math"
	"sort"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
)

// Machine learning (package engine/ml) against hand-written loops doing the same arithmetic in the same run;
// a case whose model differs from its loop's fails.
//
// KMeans: 1,000,000 points of 10 dimensions around 10 centres, k=10, 10 iterations. An event is one point
// assigned in one iteration (10 per point), so the default 2,000,000 events scaled by 5 are the 1M points.
// Both draw the initial centroids with ml.Sample (one bounded job), then the engine runs 10 supersteps of
// ml.KMeans at parallelism 2, the loop 10 rounds of Lloyd's algorithm on one goroutine; their centroids must
// agree within 1e-9.
//
// Logistic regression: 1,000,000 rows of 10 features, full-batch (globalBatchSize = rows) SGD for 10
// epochs, tol 0. An event is one row in one epoch. The loop computes the same gradient steps (and, as Flink
// ML's SGD does for its tol, each epoch's loss) on one goroutine; the coefficients must agree within 1e-9.
// Both figures include reading the rows' columns; the engine's include a job start per superstep.

const (
	mlDims     = 10
	mlK        = 10
	mlIters    = 10
	mlEpochs   = 10
	mlSeed     = 2026
	mlScale    = 5.0 // 2,000,000 events x 5 / 10 iterations = 1,000,000 points or rows
	mlParallel = 2
)

// mlPoint returns point i: centre i mod 10 (coordinates 10*c and c) plus noise in [-1, 1) from a hash.
func mlPoint(i int64) []float64 {
	c := float64(i % mlK)
	p := make([]float64, mlDims)
	for d := range p {
		h := splitmix(uint64(i)*mlDims + uint64(d))
		noise := float64(h>>11)/(1<<53)*2 - 1
		if d%2 == 0 {
			p[d] = 10*c + noise
		} else {
			p[d] = c + noise
		}
	}
	return p
}

type mlInput struct {
	n     int64
	rows  []ml.Row
	feats [][]float64
	label []float64
}

var mlData mlInput

// mlSetup makes n/10 rows (features, and a label from the sign of a fixed linear function plus noise).
func mlSetup(n int64) error {
	m := n / mlIters
	if mlData.n == m {
		return nil
	}
	mlData = mlInput{n: m, rows: make([]ml.Row, m), feats: make([][]float64, m), label: make([]float64, m)}
	names := []string{"features", "label"}
	for i := range m {
		p := mlPoint(i)
		s := 0.0
		for d, x := range p {
			s += x * float64(d%3-1)
		}
		l := 0.0
		if s+float64(splitmix(uint64(i)^0xabc)%7)-3 > 0 {
			l = 1
		}
		mlData.feats[i], mlData.label[i] = p, l
		mlData.rows[i] = ml.Row{Names: names, Values: []any{&ml.DenseVector{Values: p}, l}}
	}
	return nil
}

func mlEnv() *engine.Environment {
	return engine.NewEnvironment(engine.Config{Parallelism: mlParallel, RuntimeMode: engine.Batch})
}

var kmeansLoopResult [][]float64

// kmeansLoop is Lloyd's algorithm from ml.Sample's initial centroids, squared Euclidean distances, first
// centroid on ties, an empty cluster keeping its centroid.
func kmeansLoop() ([][]float64, error) {
	init, err := ml.Sample(ml.FromRows(mlEnv(), mlData.rows), mlK, mlSeed)
	if err != nil {
		return nil, err
	}
	cents := make([][]float64, len(init))
	for i, r := range init {
		cents[i] = append([]float64(nil), r.Get("features").(*ml.DenseVector).Values...)
	}
	sums := make([][]float64, len(cents))
	counts := make([]int, len(cents))
	for range mlIters {
		for c := range sums {
			sums[c] = make([]float64, mlDims)
			counts[c] = 0
		}
		for _, p := range mlData.feats {
			best, bi := math.Inf(1), 0
			for c, ct := range cents {
				d := 0.0
				for j, x := range p {
					d += (x - ct[j]) * (x - ct[j])
				}
				if d < best {
					best, bi = d, c
				}
			}
			counts[bi]++
			for j, x := range p {
				sums[bi][j] += x
			}
		}
		for c := range cents {
			if counts[c] > 0 {
				for j := range sums[c] {
					cents[c][j] = sums[c][j] / float64(counts[c])
				}
			}
		}
	}
	return cents, nil
}

var logisticLoopResult []float64

// logisticLoop is full-batch gradient descent on the binary logistic loss, Flink ML's SGD update with
// learning rate 0.1 and no regularization; like Flink ML's SGD it computes each epoch's loss and stops when
// the mean loss is at most tol (0 here).
func logisticLoop() []float64 {
	coef := make([]float64, mlDims)
	grad := make([]float64, mlDims)
	for range mlEpochs {
		clear(grad)
		w, loss := 0.0, 0.0
		for i, x := range mlData.feats {
			dot := 0.0
			for j, v := range x {
				dot += v * coef[j]
			}
			y := 2*mlData.label[i] - 1
			loss += math.Log(1 + math.Exp(-dot*y))
			m := -y / (math.Exp(dot*y) + 1)
			for j, v := range x {
				grad[j] += m * v
			}
			w++
		}
		for j := range coef {
			coef[j] -= 0.1 / w * grad[j]
		}
		if loss/w <= 0 {
			break
		}
	}
	return coef
}

func sortCentroids(cs [][]float64) {
	sort.Slice(cs, func(i, j int) bool {
		for d := range cs[i] {
			if cs[i][d] != cs[j][d] {
				return cs[i][d] < cs[j][d]
			}
		}
		return false
	})
}

func closeTo(a, b []float64, tol float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*math.Max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}

func init() {
	Register(Case{Name: "ml-kmeans/loop", Scale: mlScale, Setup: mlSetup,
		About: "hand-written Lloyd's loop: KMeans, 10 dims, k=10, 10 iterations",
		Run: func(n int64) (int64, error) {
			cs, err := kmeansLoop()
			kmeansLoopResult = cs
			return n, err
		}})
	Register(Case{Name: "ml-kmeans/engine", Baseline: "ml-kmeans/loop", Scale: mlScale, Setup: mlSetup,
		About: "ml.KMeans (bulk iteration), parallelism 2: 10 dims, k=10, 10 iterations",
		Run: func(n int64) (int64, error) {
			m, err := ml.NewKMeans().SetK(mlK).SetMaxIter(mlIters).SetSeed(mlSeed).Fit(ml.FromRows(mlEnv(), mlData.rows))
			if err != nil {
				return 0, err
			}
			want := kmeansLoopResult
			if want == nil {
				if want, err = kmeansLoop(); err != nil {
					return 0, err
				}
			}
			var got [][]float64
			for _, c := range m.(*ml.KMeansModel).ModelData().Centroids {
				got = append(got, c.Values)
			}
			want = append([][]float64(nil), want...)
			sortCentroids(got)
			sortCentroids(want)
			for i := range got {
				if !closeTo(got[i], want[i], 1e-9) {
					return 0, fmt.Errorf("centroid %d: the engine's %v differs from the loop's %v", i, got[i], want[i])
				}
			}
			return n, nil
		}})
	Register(Case{Name: "ml-logistic/loop", Scale: mlScale, Setup: mlSetup,
		About: "hand-written full-batch gradient descent: logistic regression, 10 features, 10 epochs",
		Run: func(n int64) (int64, error) {
			logisticLoopResult = logisticLoop()
			return n, nil
		}})
	Register(Case{Name: "ml-logistic/engine", Baseline: "ml-logistic/loop", Scale: mlScale, Setup: mlSetup,
		About: "ml.LogisticRegression (SGD bulk iteration), parallelism 2: 10 features, 10 epochs, full batch",
		Run: func(n int64) (int64, error) {
			m, err := ml.NewLogisticRegression().SetMaxIter(mlEpochs).SetGlobalBatchSize(len(mlData.rows)).SetTol(0).
				Fit(ml.FromRows(mlEnv(), mlData.rows))
			if err != nil {
				return 0, err
			}
			want := logisticLoopResult
			if want == nil {
				want = logisticLoop()
			}
			got := m.(*ml.LogisticRegressionModel).Coefficient().Values
			if !closeTo(got, want, 1e-9) {
				return 0, fmt.Errorf("the engine's coefficient %v differs from the loop's %v", got, want)
			}
			return n, nil
		}})
}
