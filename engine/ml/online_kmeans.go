package ml

import (
	"fmt"
	"math"
	"sync"

	"github.com/de4e/weir/engine"
)

var (
	// DecayFactor is OnlineKMeans's "decayFactor", default 0, in [0, 1]: how much of the previous centroids'
	// weight is kept at each mini-batch (0 forgets them, 1 keeps all of it).
	DecayFactor = NewParam("decayFactor", "The forgetfulness of the previous centroids.", DoubleKind, 0.0, InRange(0, 1))
	// BatchStrategy is "batchStrategy", default "count" (the only strategy, as in Flink ML): a mini-batch is
	// globalBatchSize rows.
	BatchStrategy = NewParam("batchStrategy", "Strategy to create mini batch from online train data.", StringKind,
		"count", InArray("count"))
)

const (
	onlineKMeansClass      = "org.apache.flink.ml.clustering.kmeans.OnlineKMeans"
	onlineKMeansModelClass = "org.apache.flink.ml.clustering.kmeans.OnlineKMeansModel"
)

// OnlineKMeans is Flink ML's OnlineKMeans (org.apache.flink.ml.clustering.kmeans.OnlineKMeans): k-means
// trained on an unbounded stream in mini-batches, starting from initial model data (SetInitialModelData, for
// example a fitted KMeansModel's GetModelData()[0] or RandomKMeansModelData).
//
// Parameters (Flink ML's names and defaults): featuresCol "features", predictionCol "prediction",
// distanceMeasure "euclidean", k 2, batchStrategy "count", globalBatchSize 32, decayFactor 0, seed (default the
// hash code of the class name).
//
// Fit returns an OnlineKMeansModel whose model data is a stream of versions: the initial model data (version 0)
// and, after every globalBatchSize training rows, a new version. For each mini-batch, each point is assigned to
// its closest centroid; a centroid with n points whose sum is s and whose weight was w becomes, with
// w' = w*decayFactor + n, centroid*(1-n/w') + s/w', and its weight w' (Flink ML's ModelDataLocalUpdater and
// ModelDataGlobalReducer, whose per-subtask updates merge to the same figures). A centroid no point of the
// batch is closest to keeps its place and its decayed weight. The update runs in one subtask. Nothing runs
// until the Environment executes; the training stream should run in Streaming mode.
type OnlineKMeans struct {
	params *Params
	init   *KMeansModelData
}

// OnlineKMeansModel is Flink ML's OnlineKMeansModel: KMeansModel's prediction (the closest centroid's index in
// predictionCol) with model data that is a stream of versions; each row is predicted with the latest version
// its subtask has received (see SetModelData). Its parameters are featuresCol, predictionCol,
// distanceMeasure and k.
type OnlineKMeansModel struct {
	params    *Params
	modelData *Table
	stats     *onlineKMeansStats
}

// OnlineKMeansVersion is one model version's figures: its number, centroids and weights, and how far the
// centroids moved from the previous version (the sum of the Euclidean distances each centroid moved).
type OnlineKMeansVersion struct {
	Version   int64
	Centroids []*DenseVector
	Weights   *DenseVector
	Movement  float64
}

// onlineKMeansStats is the latest version's figures, written by the training operator and read by
// LatestVersion.
type onlineKMeansStats struct {
	mu     sync.Mutex
	latest OnlineKMeansVersion
	has    bool
}

// NewOnlineKMeans returns an OnlineKMeans with Flink ML's defaults and no initial model data.
func NewOnlineKMeans() *OnlineKMeans {
	return &OnlineKMeans{params: newParams(FeaturesCol, PredictionCol, DistanceMeasure, K, BatchStrategy,
		GlobalBatchSize, DecayFactor, Seed)}
}

// NewOnlineKMeansModel returns an OnlineKMeansModel without model data (set it with SetModelData).
func NewOnlineKMeansModel() *OnlineKMeansModel {
	return &OnlineKMeansModel{params: newParams(FeaturesCol, PredictionCol, DistanceMeasure, K)}
}

func init() {
	RegisterStage(onlineKMeansClass, func() Stage { return NewOnlineKMeans() })
	RegisterStage(onlineKMeansModelClass, func() Stage { return NewOnlineKMeansModel() })
}

// RandomKMeansModelData returns a one-row model data table on env with k centroids of dim values each drawn
// by java.util.Random(seed).nextDouble(), and every weight equal to weight: Flink ML's
// KMeansModelData.generateRandomModelData. It panics if env is nil, k < 1 or dim < 1.
func RandomKMeansModelData(env *engine.Environment, k, dim int, weight float64, seed int64) *Table {
	if k < 1 || dim < 1 {
		panic(fmt.Sprintf("ml: RandomKMeansModelData: k (%d) and dim (%d) must be positive", k, dim))
	}
	rnd := newJavaRandom(seed)
	cs := make([]*DenseVector, k)
	for i := range cs {
		cs[i] = Zeros(dim)
		for j := range cs[i].Values {
			cs[i].Values[j] = rnd.nextDouble()
		}
	}
	w := Zeros(k)
	for i := range w.Values {
		w.Values[i] = weight
	}
	return FromRows(env, []Row{NewRow("centroids", cs, "weights", w)})
}

// GetParams returns the parameters.
func (k *OnlineKMeans) GetParams() *Params { return k.params }

// ClassName returns Flink ML's class name.
func (k *OnlineKMeans) ClassName() string { return onlineKMeansClass }

// Save writes the parameters and the initial model data to the folder path, as Flink ML's OnlineKMeans.save.
func (k *OnlineKMeans) Save(path string) error { return saveStage(k, path, 0) }

// SetFeaturesCol sets the features column.
func (k *OnlineKMeans) SetFeaturesCol(v string) *OnlineKMeans { k.params.Set(FeaturesCol, v); return k }

// GetFeaturesCol returns the features column.
func (k *OnlineKMeans) GetFeaturesCol() string { return k.params.getString(FeaturesCol) }

// SetPredictionCol sets the prediction column.
func (k *OnlineKMeans) SetPredictionCol(v string) *OnlineKMeans {
	k.params.Set(PredictionCol, v)
	return k
}

// GetPredictionCol returns the prediction column.
func (k *OnlineKMeans) GetPredictionCol() string { return k.params.getString(PredictionCol) }

// SetDistanceMeasure sets the distance measure ("euclidean", "manhattan" or "cosine").
func (k *OnlineKMeans) SetDistanceMeasure(v string) *OnlineKMeans {
	k.params.Set(DistanceMeasure, v)
	return k
}

// GetDistanceMeasure returns the distance measure.
func (k *OnlineKMeans) GetDistanceMeasure() string { return k.params.getString(DistanceMeasure) }

// SetK sets the number of clusters (> 1); the initial model data must have k centroids.
func (k *OnlineKMeans) SetK(v int) *OnlineKMeans { k.params.Set(K, v); return k }

// GetK returns the number of clusters.
func (k *OnlineKMeans) GetK() int { return k.params.getInt(K) }

// GetBatchStrategy returns the batch strategy ("count").
func (k *OnlineKMeans) GetBatchStrategy() string { return k.params.getString(BatchStrategy) }

// SetGlobalBatchSize sets the number of rows of a mini-batch (> 0).
func (k *OnlineKMeans) SetGlobalBatchSize(v int) *OnlineKMeans {
	k.params.Set(GlobalBatchSize, v)
	return k
}

// GetGlobalBatchSize returns the number of rows of a mini-batch.
func (k *OnlineKMeans) GetGlobalBatchSize() int { return k.params.getInt(GlobalBatchSize) }

// SetDecayFactor sets the decay factor (in [0, 1]).
func (k *OnlineKMeans) SetDecayFactor(v float64) *OnlineKMeans {
	k.params.Set(DecayFactor, v)
	return k
}

// GetDecayFactor returns the decay factor.
func (k *OnlineKMeans) GetDecayFactor() float64 { return k.params.getFloat(DecayFactor) }

// SetSeed sets the random seed.
func (k *OnlineKMeans) SetSeed(v int64) *OnlineKMeans { k.params.Set(Seed, v); return k }

// GetSeed returns the random seed.
func (k *OnlineKMeans) GetSeed() int64 { return seedOf(k.params, onlineKMeansClass) }

// SetInitialModelData sets the initial model data from the first row of a table of the form
// KMeansModel.GetModelData returns (columns "centroids" and "weights"); a lazy table's job runs now.
func (k *OnlineKMeans) SetInitialModelData(t *Table) error {
	m := NewKMeansModel()
	if err := m.SetModelData(t); err != nil {
		return fmt.Errorf("OnlineKMeans.SetInitialModelData: %w", err)
	}
	k.init = m.data
	return nil
}

// Fit returns an OnlineKMeansModel whose model data stream trains on one table (usually a lazy table over an
// unbounded stream of rows with the features column).
func (k *OnlineKMeans) Fit(inputs ...*Table) (Model, error) {
	if len(inputs) != 1 || inputs[0] == nil {
		return nil, fmt.Errorf("%w: OnlineKMeans.Fit takes one table", ErrParam)
	}
	if k.init == nil {
		return nil, fmt.Errorf("%w: OnlineKMeans has no initial model data (SetInitialModelData)", ErrParam)
	}
	if len(k.init.Centroids) != k.GetK() {
		return nil, fmt.Errorf("%w: OnlineKMeans: the initial model data has %d centroids, k is %d", ErrParam,
			len(k.init.Centroids), k.GetK())
	}
	if k.init.Weights == nil || len(k.init.Weights.Values) != len(k.init.Centroids) {
		return nil, fmt.Errorf("%w: OnlineKMeans: the initial model data needs one weight per centroid", ErrParam)
	}
	in := inputs[0]
	env := in.Environment()
	dm := newDistance(k.GetDistanceMeasure())
	decay, fc := k.GetDecayFactor(), k.GetFeaturesCol()
	stats := &onlineKMeansStats{}
	initial := cloneKMeansData(k.init)
	s0 := cloneKMeansData(initial)
	stats.set(OnlineKMeansVersion{Centroids: s0.Centroids, Weights: s0.Weights})
	live := newProgressRecorder("OnlineKMeans", "movement")
	live.record(0, 0, 0, centroidVectors(initial))

	var cur *KMeansModelData
	var version int64
	updates := miniBatches(in.DataStream(), "OnlineKMeans", k.GetGlobalBatchSize(), func() {
		cur, version = cloneKMeansData(initial), 0
	}, func(batch []Row) ([]Row, error) {
		next, moved, err := onlineKMeansStep(cur, batch, fc, dm, decay)
		if err != nil {
			return nil, err
		}
		cur = next
		version++
		out := cloneKMeansData(cur)
		stats.set(OnlineKMeansVersion{Version: version, Centroids: out.Centroids, Weights: out.Weights, Movement: moved})
		live.record(version, version*int64(len(batch)), moved, centroidVectors(out))
		return []Row{NewRow("centroids", out.Centroids, "weights", out.Weights, "modelVersion", version)}, nil
	}).Gauge(ProgressGauge, live.progress)
	first0 := cloneKMeansData(initial)
	first := env.FromSlice([]any{NewRow("centroids", first0.Centroids, "weights", first0.Weights,
		"modelVersion", int64(0))}).Name("OnlineKMeans initial model")
	m := NewOnlineKMeansModel()
	m.params.UpdateExisting(k.params)
	m.modelData = FromDataStream(env, first.Union(updates))
	m.stats = stats
	return m, nil
}

// onlineKMeansStep is one mini-batch's update of Flink ML's OnlineKMeans; it returns the new model data and the
// summed distance the centroids moved.
func onlineKMeansStep(cur *KMeansModelData, batch []Row, fc string, dm distanceMeasure, decay float64) (*KMeansModelData, float64, error) {
	k, dim := len(cur.Centroids), len(cur.Centroids[0].Values)
	cents := make([][]float64, k)
	norms := make([]float64, k)
	for i, c := range cur.Centroids {
		cents[i] = c.Values
		norms[i] = norm2(c.Values)
	}
	sums := make([][]float64, k)
	for i := range sums {
		sums[i] = make([]float64, dim)
	}
	counts := make([]int, k)
	for _, r := range batch {
		v, err := r.Vector(fc)
		if err != nil {
			return nil, 0, err
		}
		a := v.ToArray()
		if len(a) != dim {
			return nil, 0, fmt.Errorf("%w: a point has %d features, the centroids have %d", ErrColumnType, len(a), dim)
		}
		c := dm.findClosest(cents, norms, a, norm2(a))
		counts[c]++
		for j, x := range a {
			sums[c][j] += x
		}
	}
	next := cloneKMeansData(cur)
	moved := 0.0
	for i := range next.Centroids {
		w := next.Weights.Values[i] * decay
		if counts[i] > 0 {
			w += float64(counts[i])
			lambda := float64(counts[i]) / w
			c := next.Centroids[i].Values
			d := 0.0
			for j := range c {
				old := c[j]
				c[j] = c[j]*(1-lambda) + lambda/float64(counts[i])*sums[i][j]
				d += (c[j] - old) * (c[j] - old)
			}
			moved += math.Sqrt(d)
		}
		next.Weights.Values[i] = w
	}
	return next, moved, nil
}

func cloneKMeansData(d *KMeansModelData) *KMeansModelData {
	out := &KMeansModelData{Weights: &DenseVector{Values: append([]float64(nil), d.Weights.Values...)}}
	for _, c := range d.Centroids {
		out.Centroids = append(out.Centroids, &DenseVector{Values: append([]float64(nil), c.Values...)})
	}
	return out
}

func (s *onlineKMeansStats) set(v OnlineKMeansVersion) {
	s.mu.Lock()
	s.latest, s.has = v, true
	s.mu.Unlock()
}

func (k *OnlineKMeans) dataJSON() ([]byte, error) {
	if k.init == nil {
		return nil, fmt.Errorf("%w: OnlineKMeans has no initial model data", ErrParam)
	}
	return (&KMeansModel{data: k.init}).dataJSON()
}

func (k *OnlineKMeans) setDataJSON(env *engine.Environment, b []byte) error {
	m := &KMeansModel{}
	if err := m.setDataJSON(env, b); err != nil {
		return err
	}
	k.init = m.data
	return nil
}

// GetParams returns the parameters.
func (m *OnlineKMeansModel) GetParams() *Params { return m.params }

// ClassName returns Flink ML's class name.
func (m *OnlineKMeansModel) ClassName() string { return onlineKMeansModelClass }

// Save writes the parameters to the folder path (the model data is a stream, which is not saved).
func (m *OnlineKMeansModel) Save(path string) error { return saveStage(m, path, 0) }

// SetFeaturesCol sets the features column.
func (m *OnlineKMeansModel) SetFeaturesCol(v string) *OnlineKMeansModel {
	m.params.Set(FeaturesCol, v)
	return m
}

// GetFeaturesCol returns the features column.
func (m *OnlineKMeansModel) GetFeaturesCol() string { return m.params.getString(FeaturesCol) }

// SetPredictionCol sets the prediction column.
func (m *OnlineKMeansModel) SetPredictionCol(v string) *OnlineKMeansModel {
	m.params.Set(PredictionCol, v)
	return m
}

// GetPredictionCol returns the prediction column.
func (m *OnlineKMeansModel) GetPredictionCol() string { return m.params.getString(PredictionCol) }

// SetDistanceMeasure sets the distance measure.
func (m *OnlineKMeansModel) SetDistanceMeasure(v string) *OnlineKMeansModel {
	m.params.Set(DistanceMeasure, v)
	return m
}

// GetDistanceMeasure returns the distance measure.
func (m *OnlineKMeansModel) GetDistanceMeasure() string { return m.params.getString(DistanceMeasure) }

// SetK sets the number of clusters.
func (m *OnlineKMeansModel) SetK(v int) *OnlineKMeansModel { m.params.Set(K, v); return m }

// GetK returns the number of clusters.
func (m *OnlineKMeansModel) GetK() int { return m.params.getInt(K) }

// GetModelData returns the model data: one table whose rows are the model versions, with columns "centroids",
// "weights" and "modelVersion" (0 for the initial model data, then 1, 2, ...). It is lazy: its rows exist
// once the Environment runs.
func (m *OnlineKMeansModel) GetModelData() []*Table {
	if m.modelData == nil {
		return nil
	}
	return []*Table{m.modelData}
}

// SetModelData sets the model data: a table (usually a stream) of model versions of the form GetModelData
// returns; a table without a "modelVersion" column is version 0.
func (m *OnlineKMeansModel) SetModelData(inputs ...*Table) error {
	if len(inputs) != 1 || inputs[0] == nil {
		return fmt.Errorf("%w: OnlineKMeansModel.SetModelData takes one table", ErrParam)
	}
	m.modelData, m.stats = inputs[0], nil
	return nil
}

// LatestVersion returns the figures of the latest model version the training has produced (for a live view
// to poll while the job runs), and false if the model's data was set with SetModelData rather than fitted.
func (m *OnlineKMeansModel) LatestVersion() (OnlineKMeansVersion, bool) {
	if m.stats == nil {
		return OnlineKMeansVersion{}, false
	}
	m.stats.mu.Lock()
	defer m.stats.mu.Unlock()
	v := m.stats.latest
	d := cloneKMeansData(&KMeansModelData{Centroids: v.Centroids, Weights: v.Weights})
	v.Centroids, v.Weights = d.Centroids, d.Weights
	return v, m.stats.has
}

// Transform appends the prediction column (an int, the index of the closest centroid of the latest model
// version) to every row of one table.
func (m *OnlineKMeansModel) Transform(inputs ...*Table) ([]*Table, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: OnlineKMeansModel.Transform takes one table, got %d", ErrParam, len(inputs))
	}
	if m.modelData == nil {
		return nil, fmt.Errorf("%w: OnlineKMeansModel has no model data (Fit or SetModelData)", ErrParam)
	}
	dm := newDistance(m.GetDistanceMeasure())
	fc, pc, k := m.GetFeaturesCol(), m.GetPredictionCol(), m.GetK()
	type centroids struct {
		c     [][]float64
		norms []float64
	}
	out, err := onlinePredict(inputs[0], m.modelData, "OnlineKMeansModel", 0, func(r Row) (onlineVersion, error) {
		ver, err := versionOf(r, "modelVersion")
		if err != nil {
			return onlineVersion{}, err
		}
		km := NewKMeansModel()
		if err := km.SetModelData(FromRows(inputs[0].Environment(), []Row{r})); err != nil {
			return onlineVersion{}, err
		}
		if len(km.data.Centroids) != k {
			return onlineVersion{}, fmt.Errorf("%w: %d centroids, k is %d", ErrParam, len(km.data.Centroids), k)
		}
		c := centroids{}
		for _, v := range km.data.Centroids {
			c.c = append(c.c, v.Values)
			c.norms = append(c.norms, norm2(v.Values))
		}
		return onlineVersion{model: c, version: ver, timestamp: math.MaxInt64}, nil
	}, func(r Row, ov onlineVersion) (Row, error) {
		c := ov.model.(centroids)
		v, err := r.Vector(fc)
		if err != nil {
			return Row{}, err
		}
		a := v.ToArray()
		if len(a) != len(c.c[0]) {
			return Row{}, fmt.Errorf("%w: %d features, the centroids have %d", ErrColumnType, len(a), len(c.c[0]))
		}
		return r.With(pc, dm.findClosest(c.c, c.norms, a, norm2(a))), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{out}, nil
}
