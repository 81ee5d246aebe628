package ml

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/de4e/weir/engine"
)

// KMeans is Flink ML's KMeans estimator (org.apache.flink.ml.clustering.kmeans.KMeans): Lloyd's algorithm
// from k initial centroids drawn at random from the points (or chosen by k-means||), for maxIter rounds,
// with a distance measure.
//
// Parameters (Flink ML's names and defaults): featuresCol "features", predictionCol "prediction",
// distanceMeasure "euclidean" (or "manhattan", "cosine"), initMode "random" (InitRandom, or
// InitKMeansParallel "k-means||", Spark ML's, which Flink ML lacks), initSteps 2 (> 0, Spark ML's, used by
// k-means|| only), k 2 (> 1), maxIter 20 (> 0), seed (default the hash code of
// "org.apache.flink.ml.clustering.kmeans.KMeans", as Flink ML's).
//
// With initMode "k-means||" the initial centroids are chosen as kmeansParallelInit describes: Spark ML's
// KMeans.initKMeansParallel, reproducible for a seed at a given parallelism (the candidates each block draws
// depend on the blocks), and fewer than k when the points have fewer than k distinct values.
//
// Fit runs as bounded jobs on the input table's Environment's Config. With initMode "random" the initial
// centroids are Sample(input, k, seed), Flink ML's DataStreamUtils.sample with java.util.Random: at parallelism 1 exactly Flink ML's
// choice, so the cluster ids are Flink ML's; at higher parallelism Flink's choice depends on where its
// rebalance starts, which is random, while Weir's is reproducible. The points are split into one block per
// subtask (point i in block i mod parallelism). Then a bulk iteration of maxIter supersteps: in each, every
// subtask assigns its block's points to the closest centroid and emits per-centroid counts and sums (Flink
// ML's CentroidsUpdateAccumulator), and one reduce sums them into the new centroids (CentroidsUpdateReducer
// and ModelDataGenerator, which publishes the fit's ModelProgress: each round's largest centroid shift and
// the centroids, see ProgressGauge). Unlike Flink ML, whose empty cluster's centroid becomes NaN (0/0), a centroid no
// point is closest to stays where it was.
type KMeans struct{ params *Params }

// KMeansModel assigns each row the id (0 to k-1, the index of its centroid) of its closest centroid, Flink
// ML's KMeansModel. Its parameters are featuresCol, predictionCol, distanceMeasure and k.
type KMeansModel struct {
	params    *Params
	data      *KMeansModelData
	env       *engine.Environment
	movements []float64
}

// KMeansModelData is a KMeansModel's data, Flink ML's KMeansModelData: the centroids and how many training
// points each got in the last round (its weight).
type KMeansModelData struct {
	Centroids []*DenseVector
	Weights   *DenseVector
}

const kmeansClass = "org.apache.flink.ml.clustering.kmeans.KMeans"

// NewKMeans returns a KMeans with Flink ML's defaults.
func NewKMeans() *KMeans {
	return &KMeans{params: newParams(FeaturesCol, PredictionCol, DistanceMeasure, K, InitMode, InitSteps, MaxIter, Seed)}
}

// NewKMeansModel returns a KMeansModel without model data (set it with SetModelData).
func NewKMeansModel() *KMeansModel {
	return &KMeansModel{params: newParams(FeaturesCol, PredictionCol, DistanceMeasure, K)}
}

// GetParams returns the parameters.
func (k *KMeans) GetParams() *Params { return k.params }

// ClassName is Flink ML's class name.
func (k *KMeans) ClassName() string { return kmeansClass }

// Save writes the estimator's parameters to path.
func (k *KMeans) Save(path string) error { return saveStage(k, path, 0) }

// SetK sets k, the number of clusters (> 1). It panics on an invalid value, as every setter does.
func (k *KMeans) SetK(v int) *KMeans { k.params.Set(K, v); return k }

// GetK returns k.
func (k *KMeans) GetK() int { return k.params.getInt(K) }

// SetMaxIter sets the number of rounds (> 0).
func (k *KMeans) SetMaxIter(v int) *KMeans { k.params.Set(MaxIter, v); return k }

// GetMaxIter returns maxIter.
func (k *KMeans) GetMaxIter() int { return k.params.getInt(MaxIter) }

// SetSeed sets the random seed.
func (k *KMeans) SetSeed(v int64) *KMeans { k.params.Set(Seed, v); return k }

// GetSeed returns the seed, or the hash code of Flink ML's class name when none was set (Flink ML's HasSeed).
func (k *KMeans) GetSeed() int64 { return seedOf(k.params, kmeansClass) }

func seedOf(p *Params, class string) int64 {
	if v := p.Get(Seed); v != nil {
		return v.(int64)
	}
	return javaStringHash(class)
}

// SetFeaturesCol sets the features column.
func (k *KMeans) SetFeaturesCol(v string) *KMeans { k.params.Set(FeaturesCol, v); return k }

// GetFeaturesCol returns the features column.
func (k *KMeans) GetFeaturesCol() string { return k.params.getString(FeaturesCol) }

// SetPredictionCol sets the prediction column.
func (k *KMeans) SetPredictionCol(v string) *KMeans { k.params.Set(PredictionCol, v); return k }

// GetPredictionCol returns the prediction column.
func (k *KMeans) GetPredictionCol() string { return k.params.getString(PredictionCol) }

// SetDistanceMeasure sets the distance measure: Euclidean, Manhattan or Cosine.
func (k *KMeans) SetDistanceMeasure(v string) *KMeans { k.params.Set(DistanceMeasure, v); return k }

// GetDistanceMeasure returns the distance measure.
func (k *KMeans) GetDistanceMeasure() string { return k.params.getString(DistanceMeasure) }

// SetInitMode sets the initialization: InitRandom ("random", the default and Flink ML's only mode) or
// InitKMeansParallel ("k-means||", Spark ML's). It panics on another value.
func (k *KMeans) SetInitMode(v string) *KMeans { k.params.Set(InitMode, v); return k }

// SetInitSteps sets the number of k-means|| rounds (> 0, default 2, Spark ML's initSteps). It panics on an
// invalid value.
func (k *KMeans) SetInitSteps(v int) *KMeans { k.params.Set(InitSteps, v); return k }

// GetInitSteps returns initSteps.
func (k *KMeans) GetInitSteps() int { return k.params.getInt(InitSteps) }

// GetInitMode returns the initialization mode.
func (k *KMeans) GetInitMode() string { return k.params.getString(InitMode) }

// pointBlock is one subtask's share of the training points, with their L2 norms.
type pointBlock struct {
	Index  int
	Points [][]float64
	Norms  []float64
}

// kmeansAcc is one block's per-centroid counts and sums in a round.
type kmeansAcc struct {
	Block  int
	Counts []int
	Sums   [][]float64
}

// kmeansState is the bulk iteration's partial solution: the centroids and their last counts.
type kmeansState struct {
	Centroids [][]float64
	Weights   []float64
	Round     int
	// Movements is each round's largest centroid shift (Euclidean).
	Movements []float64
}

func init() {
	engine.RegisterType(pointBlock{})
	engine.RegisterType(kmeansAcc{})
	engine.RegisterType(kmeansState{})
	engine.RegisterType(Row{})
	engine.RegisterType(&DenseVector{})
	engine.RegisterType(&SparseVector{})
	RegisterStage(kmeansClass, func() Stage { return NewKMeans() })
	RegisterStage(kmeansModelClass, func() Stage { return NewKMeansModel() })
}

func parallelismOf(env *engine.Environment) int { return max(env.Config().Parallelism, 1) }

// splitBlocks puts point i in block i mod p.
func splitBlocks(points [][]float64, p int) []any {
	blocks := make([]pointBlock, p)
	for b := range blocks {
		size := len(points)/p + 1
		blocks[b] = pointBlock{Index: b, Points: make([][]float64, 0, size), Norms: make([]float64, 0, size)}
	}
	for i, pt := range points {
		b := &blocks[i%p]
		b.Points = append(b.Points, pt)
		b.Norms = append(b.Norms, norm2(pt))
	}
	out := make([]any, p)
	for b := range blocks {
		out[b] = blocks[b]
	}
	return out
}

// Fit trains a KMeansModel on one table.
func (k *KMeans) Fit(inputs ...*Table) (Model, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: KMeans.Fit takes one table, got %d", ErrParam, len(inputs))
	}
	rows, err := collectRows(inputs[0], "KMeans")
	if err != nil {
		return nil, err
	}
	env := inputs[0].Environment()
	table := materialized(env, rows)
	points, err := featureRows(rows, k.GetFeaturesCol(), "KMeans")
	if err != nil {
		return nil, err
	}
	if len(points) == 0 {
		return nil, fmt.Errorf("%w: KMeans.Fit: the input table is empty", ErrParam)
	}
	p := parallelismOf(env)
	blocks := splitBlocks(points, p)
	dm := newDistance(k.GetDistanceMeasure())
	var init [][]float64
	if k.GetInitMode() == InitKMeansParallel {
		init = kmeansParallelInit(dm, blocks, len(points), k.GetK(), k.GetInitSteps(), k.GetSeed())
	} else {
		sample, err := Sample(table, k.GetK(), k.GetSeed())
		if err != nil {
			return nil, fmt.Errorf("ml: KMeans.Fit: sampling initial centroids: %w", err)
		}
		if init, err = featureRows(sample, k.GetFeaturesCol(), "KMeans"); err != nil {
			return nil, err
		}
	}
	live := newFitRecorder("KMeans", "shift", k.GetMaxIter(), len(points))
	live.record(0, int64(len(points)), 0, centroidArrays(init, make([]float64, len(init))))
	res, err := env.IterateBulk([]any{kmeansState{Centroids: init, Weights: make([]float64, len(init))}}, engine.BulkIteration{
		Name:          "KMeans",
		MaxIterations: k.GetMaxIter(),
		Step: func(env *engine.Environment, partial *engine.DataStream) *engine.DataStream {
			return env.FromSlice(blocks).Name("points").Rebalance().
				FlatMapWithBroadcastSet(partial, func(v any, bc []any, out engine.Collector) {
					out.Collect(accumulate(dm, v.(pointBlock), bc[0].(kmeansState)))
				}).Name("CentroidsUpdateAccumulator").
				KeyBy(func(any) any { return 0 }).
				ReduceGroup(func(_ any, accs []any, out engine.Collector) {
					out.Collect(reduceCentroids(accs))
				}).Name("CentroidsUpdateReducer").
				FlatMapWithBroadcastSet(partial, func(v any, bc []any, out engine.Collector) {
					next := keepEmpty(v.(kmeansState), bc[0].(kmeansState))
					live.recordIteration(next.Round, next.Movements[len(next.Movements)-1], centroidArrays(next.Centroids, next.Weights))
					out.Collect(next)
				}).Name("ModelDataGenerator").SetParallelism(1).Gauge(ProgressGauge, live.progress)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("ml: KMeans.Fit: %w", err)
	}
	st := res.Result[0].(kmeansState)
	m := NewKMeansModel()
	m.params.UpdateExisting(k.params)
	m.env = env
	m.data = &KMeansModelData{Weights: &DenseVector{Values: st.Weights}}
	m.movements = st.Movements
	for _, c := range st.Centroids {
		m.data.Centroids = append(m.data.Centroids, &DenseVector{Values: c})
	}
	return m, nil
}

func accumulate(dm distanceMeasure, b pointBlock, st kmeansState) kmeansAcc {
	k := len(st.Centroids)
	acc := kmeansAcc{Block: b.Index, Counts: make([]int, k), Sums: make([][]float64, k)}
	norms := make([]float64, k)
	for i, c := range st.Centroids {
		norms[i] = norm2(c)
		acc.Sums[i] = make([]float64, len(c))
	}
	for i, pt := range b.Points {
		ix := dm.findClosest(st.Centroids, norms, pt, b.Norms[i])
		acc.Counts[ix]++
		s := acc.Sums[ix]
		for d, x := range pt {
			s[d] += x
		}
	}
	return acc
}

// reduceCentroids sums the blocks' accumulators (in block order, so the float sums are the same at every
// parallelism) and divides by the counts.
func reduceCentroids(accs []any) kmeansState {
	sort.Slice(accs, func(i, j int) bool { return accs[i].(kmeansAcc).Block < accs[j].(kmeansAcc).Block })
	total := accs[0].(kmeansAcc)
	counts := append([]int(nil), total.Counts...)
	sums := make([][]float64, len(total.Sums))
	for i := range sums {
		sums[i] = append([]float64(nil), total.Sums[i]...)
	}
	for _, a := range accs[1:] {
		acc := a.(kmeansAcc)
		for i := range counts {
			counts[i] += acc.Counts[i]
			for d, x := range acc.Sums[i] {
				sums[i][d] += x
			}
		}
	}
	st := kmeansState{Centroids: sums, Weights: make([]float64, len(counts))}
	for i, n := range counts {
		st.Weights[i] = float64(n)
		if n > 0 {
			for d := range sums[i] {
				sums[i][d] /= float64(n)
			}
		} else {
			sums[i] = nil
		}
	}
	return st
}

// keepEmpty gives a centroid that got no point its previous position, and records the round's largest
// centroid shift.
func keepEmpty(next, prev kmeansState) kmeansState {
	shift := 0.0
	for i, c := range next.Centroids {
		if c == nil {
			next.Centroids[i] = prev.Centroids[i]
			continue
		}
		d := 0.0
		for j, x := range c {
			d += (x - prev.Centroids[i][j]) * (x - prev.Centroids[i][j])
		}
		shift = math.Max(shift, math.Sqrt(d))
	}
	next.Round = prev.Round + 1
	next.Movements = append(append([]float64(nil), prev.Movements...), shift)
	return next
}

const kmeansModelClass = "org.apache.flink.ml.clustering.kmeans.KMeansModel"

// GetParams returns the parameters.
func (m *KMeansModel) GetParams() *Params { return m.params }

// ClassName is Flink ML's class name.
func (m *KMeansModel) ClassName() string { return kmeansModelClass }

// Save writes the parameters and the model data to path.
func (m *KMeansModel) Save(path string) error { return saveStage(m, path, 0) }

// SetFeaturesCol sets the features column.
func (m *KMeansModel) SetFeaturesCol(v string) *KMeansModel { m.params.Set(FeaturesCol, v); return m }

// GetFeaturesCol returns the features column.
func (m *KMeansModel) GetFeaturesCol() string { return m.params.getString(FeaturesCol) }

// SetPredictionCol sets the prediction column.
func (m *KMeansModel) SetPredictionCol(v string) *KMeansModel {
	m.params.Set(PredictionCol, v)
	return m
}

// GetPredictionCol returns the prediction column.
func (m *KMeansModel) GetPredictionCol() string { return m.params.getString(PredictionCol) }

// SetDistanceMeasure sets the distance measure.
func (m *KMeansModel) SetDistanceMeasure(v string) *KMeansModel {
	m.params.Set(DistanceMeasure, v)
	return m
}

// GetDistanceMeasure returns the distance measure.
func (m *KMeansModel) GetDistanceMeasure() string { return m.params.getString(DistanceMeasure) }

// SetK sets k.
func (m *KMeansModel) SetK(v int) *KMeansModel { m.params.Set(K, v); return m }

// GetK returns k.
func (m *KMeansModel) GetK() int { return m.params.getInt(K) }

// CentroidMovements returns, for a model that Fit made, the largest distance a centroid moved in each
// round (superstep), in order: how the training converged. It is nil for a model given its data by
// SetModelData or Load.
func (m *KMeansModel) CentroidMovements() []float64 { return append([]float64(nil), m.movements...) }

// ModelData returns the model data, or nil before it is fitted or set.
func (m *KMeansModel) ModelData() *KMeansModelData { return m.data }

// GetModelData returns one table of one row with columns "centroids" ([]*DenseVector) and "weights"
// (*DenseVector), as Flink ML's.
func (m *KMeansModel) GetModelData() []*Table {
	if m.data == nil || m.env == nil {
		return nil
	}
	return []*Table{FromRows(m.env, []Row{NewRow("centroids", m.data.Centroids, "weights", m.data.Weights)})}
}

// SetModelData takes the model data from a table of the form GetModelData returns (its first row).
func (m *KMeansModel) SetModelData(inputs ...*Table) error {
	if len(inputs) != 1 {
		return fmt.Errorf("%w: KMeansModel.SetModelData takes one table, got %d", ErrParam, len(inputs))
	}
	rows, err := inputs[0].Rows()
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("%w: KMeansModel.SetModelData: the table is empty", ErrParam)
	}
	cs, err := rows[0].Field("centroids")
	if err != nil {
		return err
	}
	d := &KMeansModelData{}
	switch c := cs.(type) {
	case []*DenseVector:
		d.Centroids = c
	case []Vector:
		for _, v := range c {
			d.Centroids = append(d.Centroids, v.ToDense())
		}
	default:
		return fmt.Errorf("column \"centroids\": %w: got %T, want []*DenseVector", ErrColumnType, cs)
	}
	if d.Centroids == nil {
		return fmt.Errorf("%w: KMeansModel.SetModelData: no centroids", ErrParam)
	}
	w, err := rows[0].Vector("weights")
	if err != nil {
		return err
	}
	d.Weights = w.ToDense()
	m.data, m.env = d, inputs[0].Environment()
	return nil
}

// Transform appends the prediction column (an int, the closest centroid's index) to every row of one table.
func (m *KMeansModel) Transform(inputs ...*Table) ([]*Table, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: KMeansModel.Transform takes one table, got %d", ErrParam, len(inputs))
	}
	if m.data == nil {
		return nil, fmt.Errorf("%w: KMeansModel has no model data (Fit or SetModelData)", ErrParam)
	}
	dm := newDistance(m.GetDistanceMeasure())
	cents := make([][]float64, len(m.data.Centroids))
	norms := make([]float64, len(cents))
	for i, c := range m.data.Centroids {
		cents[i] = c.Values
		norms[i] = norm2(c.Values)
	}
	fc, pc := m.GetFeaturesCol(), m.GetPredictionCol()
	out, err := mapRows(inputs[0], "KMeansModel", func(r Row) (Row, error) {
		v, err := r.Vector(fc)
		if err != nil {
			return Row{}, err
		}
		a := v.ToArray()
		if len(a) != len(cents[0]) {
			return Row{}, fmt.Errorf("%w: %d features, the centroids have %d", ErrColumnType, len(a), len(cents[0]))
		}
		return r.With(pc, dm.findClosest(cents, norms, a, norm2(a))), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{out}, nil
}

// kmeansDataJSON is the saved form of KMeansModelData.
type kmeansDataJSON struct {
	Centroids [][]float64 `json:"centroids"`
	Weights   []float64   `json:"weights"`
}

func (m *KMeansModel) dataJSON() ([]byte, error) {
	if m.data == nil {
		return nil, fmt.Errorf("%w: the model has no data", ErrParam)
	}
	j := kmeansDataJSON{Weights: m.data.Weights.Values}
	for _, c := range m.data.Centroids {
		j.Centroids = append(j.Centroids, c.Values)
	}
	return json.Marshal(j)
}

func (m *KMeansModel) setDataJSON(env *engine.Environment, b []byte) error {
	var j kmeansDataJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	d := &KMeansModelData{Weights: &DenseVector{Values: j.Weights}}
	for _, c := range j.Centroids {
		d.Centroids = append(d.Centroids, &DenseVector{Values: c})
	}
	m.data, m.env = d, env
	return nil
}
