package ml

import (
	"fmt"
	"math"
	"sync"

	"github.com/de4e/weir/engine"
)

var (
	// Alpha is OnlineLogisticRegression's "alpha", default 0.1, > 0: FTRL's learning rate parameter.
	Alpha = NewParam("alpha", "The alpha parameter of ftrl.", DoubleKind, 0.1, Gt(0))
	// Beta is OnlineLogisticRegression's "beta", default 0.1, > 0: FTRL's learning rate smoothing parameter.
	Beta = NewParam("beta", "The beta parameter of ftrl.", DoubleKind, 0.1, Gt(0))
)

const (
	onlineLogisticRegressionClass      = "org.apache.flink.ml.classification.logisticregression.OnlineLogisticRegression"
	onlineLogisticRegressionModelClass = "org.apache.flink.ml.classification.logisticregression.OnlineLogisticRegressionModel"
)

// OnlineLogisticRegression is Flink ML's OnlineLogisticRegression
// (org.apache.flink.ml.classification.logisticregression.OnlineLogisticRegression): binary logistic regression
// trained on an unbounded stream with FTRL-Proximal (McMahan et al., "Ad Click Prediction: a View from the
// Trenches"), from an initial coefficient (SetInitialModelData, for example a LogisticRegressionModel's
// GetModelData()[0]).
//
// Parameters (Flink ML's names and defaults): featuresCol "features", labelCol "label", weightCol (none),
// batchStrategy "count", globalBatchSize 32, reg 0, elasticNet 0, alpha 0.1, beta 0.1.
//
// Every globalBatchSize rows make a mini-batch. Its gradient g is the sum over its rows of (p - label)·x with
// p = sigmoid(coefficient·x), divided per dimension by the number of rows (dense features) or the sum of
// the weights of the rows that have that dimension (sparse features), exactly as Flink ML's
// CalculateLocalGradient (whose weightCol so only affects sparse features). Then, per dimension,
// with l1 = elasticNet·reg and l2 = (1-elasticNet)·reg: σ = (√(n+g²) - √n)/alpha, z += g - σ·w, n += g², and
// w = 0 if |z| <= l1, else (sign(z)·l1 - z) / ((beta + √n)/alpha + l2) (Flink ML's UpdateModel). Each
// update is a new model version (1, 2, ...), the model data stream of the fitted model; the initial
// coefficient is not in it, as in Flink ML. The update runs in one subtask.
type OnlineLogisticRegression struct {
	params *Params
	init   []float64
}

// OnlineLogisticRegressionModel is Flink ML's OnlineLogisticRegressionModel: LogisticRegressionModel's
// prediction (predictionCol 0 or 1, rawPredictionCol [1-p, p]) and the version of the model used
// (modelVersionCol), with model data that is a stream of versions; each row is predicted with the latest
// version its subtask has received. Its parameters are featuresCol, predictionCol, rawPredictionCol and
// modelVersionCol.
type OnlineLogisticRegressionModel struct {
	params    *Params
	modelData *Table
	stats     *onlineLRStats
}

// OnlineLogisticRegressionVersion is one model version's figures: its number, coefficient, and the mean log
// loss of the mini-batch that made it, computed with the coefficient before the update.
type OnlineLogisticRegressionVersion struct {
	Version     int64
	Coefficient *DenseVector
	Loss        float64
}

type onlineLRStats struct {
	mu     sync.Mutex
	latest OnlineLogisticRegressionVersion
	has    bool
}

// NewOnlineLogisticRegression returns an OnlineLogisticRegression with Flink ML's defaults and no initial
// model data.
func NewOnlineLogisticRegression() *OnlineLogisticRegression {
	return &OnlineLogisticRegression{params: newParams(FeaturesCol, LabelCol, WeightCol, BatchStrategy, GlobalBatchSize,
		Reg, ElasticNet, Alpha, Beta)}
}

// NewOnlineLogisticRegressionModel returns an OnlineLogisticRegressionModel without model data.
func NewOnlineLogisticRegressionModel() *OnlineLogisticRegressionModel {
	return &OnlineLogisticRegressionModel{params: newParams(FeaturesCol, PredictionCol, RawPredictionCol, ModelVersionCol)}
}

func init() {
	RegisterStage(onlineLogisticRegressionClass, func() Stage { return NewOnlineLogisticRegression() })
	RegisterStage(onlineLogisticRegressionModelClass, func() Stage { return NewOnlineLogisticRegressionModel() })
}

// GetParams returns the parameters.
func (r *OnlineLogisticRegression) GetParams() *Params { return r.params }

// ClassName returns Flink ML's class name.
func (r *OnlineLogisticRegression) ClassName() string { return onlineLogisticRegressionClass }

// Save writes the parameters and the initial coefficient to the folder path.
func (r *OnlineLogisticRegression) Save(path string) error { return saveStage(r, path, 0) }

// SetFeaturesCol sets the features column.
func (r *OnlineLogisticRegression) SetFeaturesCol(v string) *OnlineLogisticRegression {
	r.params.Set(FeaturesCol, v)
	return r
}

// GetFeaturesCol returns the features column.
func (r *OnlineLogisticRegression) GetFeaturesCol() string { return r.params.getString(FeaturesCol) }

// SetLabelCol sets the label column.
func (r *OnlineLogisticRegression) SetLabelCol(v string) *OnlineLogisticRegression {
	r.params.Set(LabelCol, v)
	return r
}

// GetLabelCol returns the label column.
func (r *OnlineLogisticRegression) GetLabelCol() string { return r.params.getString(LabelCol) }

// SetWeightCol sets the weight column.
func (r *OnlineLogisticRegression) SetWeightCol(v string) *OnlineLogisticRegression {
	r.params.Set(WeightCol, v)
	return r
}

// GetWeightCol returns the weight column ("" when none).
func (r *OnlineLogisticRegression) GetWeightCol() string { return r.params.getString(WeightCol) }

// GetBatchStrategy returns the batch strategy ("count").
func (r *OnlineLogisticRegression) GetBatchStrategy() string {
	return r.params.getString(BatchStrategy)
}

// SetGlobalBatchSize sets the number of rows of a mini-batch (> 0).
func (r *OnlineLogisticRegression) SetGlobalBatchSize(v int) *OnlineLogisticRegression {
	r.params.Set(GlobalBatchSize, v)
	return r
}

// GetGlobalBatchSize returns the number of rows of a mini-batch.
func (r *OnlineLogisticRegression) GetGlobalBatchSize() int { return r.params.getInt(GlobalBatchSize) }

// SetReg sets the regularization parameter (>= 0).
func (r *OnlineLogisticRegression) SetReg(v float64) *OnlineLogisticRegression {
	r.params.Set(Reg, v)
	return r
}

// GetReg returns the regularization parameter.
func (r *OnlineLogisticRegression) GetReg() float64 { return r.params.getFloat(Reg) }

// SetElasticNet sets the elastic net mixing (in [0, 1]: 0 is L2, 1 is L1).
func (r *OnlineLogisticRegression) SetElasticNet(v float64) *OnlineLogisticRegression {
	r.params.Set(ElasticNet, v)
	return r
}

// GetElasticNet returns the elastic net mixing.
func (r *OnlineLogisticRegression) GetElasticNet() float64 { return r.params.getFloat(ElasticNet) }

// SetAlpha sets FTRL's alpha (> 0).
func (r *OnlineLogisticRegression) SetAlpha(v float64) *OnlineLogisticRegression {
	r.params.Set(Alpha, v)
	return r
}

// GetAlpha returns FTRL's alpha.
func (r *OnlineLogisticRegression) GetAlpha() float64 { return r.params.getFloat(Alpha) }

// SetBeta sets FTRL's beta (> 0).
func (r *OnlineLogisticRegression) SetBeta(v float64) *OnlineLogisticRegression {
	r.params.Set(Beta, v)
	return r
}

// GetBeta returns FTRL's beta.
func (r *OnlineLogisticRegression) GetBeta() float64 { return r.params.getFloat(Beta) }

// SetInitialModelData sets the initial coefficient from the first row of a table with a "coefficient"
// column (the form LogisticRegressionModel.GetModelData returns); a lazy table's job runs now.
func (r *OnlineLogisticRegression) SetInitialModelData(t *Table) error {
	m := NewLogisticRegressionModel()
	if err := m.SetModelData(t); err != nil {
		return fmt.Errorf("OnlineLogisticRegression.SetInitialModelData: %w", err)
	}
	r.init = m.coef
	return nil
}

// Fit returns an OnlineLogisticRegressionModel whose model data stream trains on one table (usually a lazy
// table over an unbounded stream of rows with the features and label columns).
func (r *OnlineLogisticRegression) Fit(inputs ...*Table) (Model, error) {
	if len(inputs) != 1 || inputs[0] == nil {
		return nil, fmt.Errorf("%w: OnlineLogisticRegression.Fit takes one table", ErrParam)
	}
	if r.init == nil {
		return nil, fmt.Errorf("%w: OnlineLogisticRegression has no initial model data (SetInitialModelData)", ErrParam)
	}
	in := inputs[0]
	reg, en := r.GetReg(), r.GetElasticNet()
	f := ftrl{alpha: r.GetAlpha(), beta: r.GetBeta(), l1: en * reg, l2: (1 - en) * reg}
	fc, lc, wc := r.GetFeaturesCol(), r.GetLabelCol(), r.GetWeightCol()
	stats := &onlineLRStats{}
	init0 := append([]float64(nil), r.init...) // a later SetInitialModelData does not change this model
	live := newProgressRecorder("OnlineLogisticRegression", "loss")
	live.record(0, 0, 0, []ModelVector{{Name: "coefficient", Values: append([]float64(nil), init0...)}})
	var version int64
	updates := miniBatches(in.DataStream(), "OnlineLogisticRegression", r.GetGlobalBatchSize(), func() {
		f.coef = append([]float64(nil), init0...)
		f.z, f.n = make([]float64, len(f.coef)), make([]float64, len(f.coef))
		version = 0
	}, func(batch []Row) ([]Row, error) {
		g, loss, err := ftrlGradient(f.coef, batch, fc, lc, wc)
		if err != nil {
			return nil, err
		}
		f.update(g)
		version++
		c := Dense(append([]float64(nil), f.coef...)...)
		stats.mu.Lock()
		stats.latest, stats.has = OnlineLogisticRegressionVersion{Version: version, Coefficient: c, Loss: loss}, true
		stats.mu.Unlock()
		live.record(version, version*int64(len(batch)), loss, []ModelVector{{Name: "coefficient", Values: append([]float64(nil), c.Values...)}})
		return []Row{NewRow("coefficient", Dense(c.Values...), "modelVersion", version)}, nil
	}).Gauge(ProgressGauge, live.progress)
	m := NewOnlineLogisticRegressionModel()
	m.params.UpdateExisting(r.params)
	m.modelData = FromDataStream(in.Environment(), updates)
	m.stats = stats
	return m, nil
}

// ftrl is FTRL-Proximal's per-coordinate state and the coefficient.
type ftrl struct {
	alpha, beta, l1, l2 float64
	coef, z, n          []float64
}

// update applies one (averaged) gradient, Flink ML's UpdateModel.
func (f *ftrl) update(g []float64) {
	for i := range f.z {
		sigma := (math.Sqrt(f.n[i]+g[i]*g[i]) - math.Sqrt(f.n[i])) / f.alpha
		f.z[i] += g[i] - sigma*f.coef[i]
		f.n[i] += g[i] * g[i]
		if math.Abs(f.z[i]) <= f.l1 {
			f.coef[i] = 0
		} else {
			sign := 1.0
			if f.z[i] < 0 {
				sign = -1
			}
			f.coef[i] = (sign*f.l1 - f.z[i]) / ((f.beta+math.Sqrt(f.n[i]))/f.alpha + f.l2)
		}
	}
}

// ftrlGradient is a mini-batch's averaged gradient (Flink ML's CalculateLocalGradient summed over subtasks and
// divided per dimension in UpdateModel) and the batch's mean log loss at coef.
func ftrlGradient(coef []float64, batch []Row, fc, lc, wc string) ([]float64, float64, error) {
	g := make([]float64, len(coef))
	wsum := make([]float64, len(coef))
	cv := &DenseVector{Values: coef}
	loss := 0.0
	for _, r := range batch {
		v, err := r.Vector(fc)
		if err != nil {
			return nil, 0, err
		}
		if v.Size() != len(coef) {
			return nil, 0, fmt.Errorf("%w: %d features, the coefficient has %d", ErrColumnType, v.Size(), len(coef))
		}
		label, err := r.Float(lc)
		if err != nil {
			return nil, 0, err
		}
		weight := 1.0
		if wc != "" {
			if weight, err = r.Float(wc); err != nil {
				return nil, 0, err
			}
		}
		dot := Dot(v, cv)
		p := 1 / (1 + math.Exp(-dot))
		loss += math.Log1p(math.Exp(-dot)) + (1-label)*dot // -label·log p - (1-label)·log(1-p)
		switch x := v.(type) {
		case *SparseVector:
			for k, i := range x.Indices {
				g[i] += (p - label) * x.Values[k]
				wsum[i] += weight
			}
		default:
			a := v.ToArray()
			for i := range g {
				g[i] += (p - label) * a[i]
				wsum[i]++
			}
		}
	}
	for i := range g {
		if wsum[i] != 0 {
			g[i] /= wsum[i]
		}
	}
	return g, loss / float64(len(batch)), nil
}

func (r *OnlineLogisticRegression) dataJSON() ([]byte, error) {
	if r.init == nil {
		return nil, fmt.Errorf("%w: OnlineLogisticRegression has no initial model data", ErrParam)
	}
	return (&coefModel{coef: r.init}).dataJSON()
}

func (r *OnlineLogisticRegression) setDataJSON(env *engine.Environment, b []byte) error {
	m := &coefModel{}
	if err := m.setDataJSON(env, b); err != nil {
		return err
	}
	r.init = m.coef
	return nil
}

// GetParams returns the parameters.
func (m *OnlineLogisticRegressionModel) GetParams() *Params { return m.params }

// ClassName returns Flink ML's class name.
func (m *OnlineLogisticRegressionModel) ClassName() string { return onlineLogisticRegressionModelClass }

// Save writes the parameters to the folder path (the model data is a stream, which is not saved; Flink ML's
// OnlineLogisticRegressionModel.save saves only the metadata too).
func (m *OnlineLogisticRegressionModel) Save(path string) error { return saveStage(m, path, 0) }

// SetFeaturesCol sets the features column.
func (m *OnlineLogisticRegressionModel) SetFeaturesCol(v string) *OnlineLogisticRegressionModel {
	m.params.Set(FeaturesCol, v)
	return m
}

// GetFeaturesCol returns the features column.
func (m *OnlineLogisticRegressionModel) GetFeaturesCol() string {
	return m.params.getString(FeaturesCol)
}

// SetPredictionCol sets the prediction column.
func (m *OnlineLogisticRegressionModel) SetPredictionCol(v string) *OnlineLogisticRegressionModel {
	m.params.Set(PredictionCol, v)
	return m
}

// GetPredictionCol returns the prediction column.
func (m *OnlineLogisticRegressionModel) GetPredictionCol() string {
	return m.params.getString(PredictionCol)
}

// SetRawPredictionCol sets the raw prediction column.
func (m *OnlineLogisticRegressionModel) SetRawPredictionCol(v string) *OnlineLogisticRegressionModel {
	m.params.Set(RawPredictionCol, v)
	return m
}

// GetRawPredictionCol returns the raw prediction column.
func (m *OnlineLogisticRegressionModel) GetRawPredictionCol() string {
	return m.params.getString(RawPredictionCol)
}

// SetModelVersionCol sets the column of the model version used for a prediction.
func (m *OnlineLogisticRegressionModel) SetModelVersionCol(v string) *OnlineLogisticRegressionModel {
	m.params.Set(ModelVersionCol, v)
	return m
}

// GetModelVersionCol returns the model version column.
func (m *OnlineLogisticRegressionModel) GetModelVersionCol() string {
	return m.params.getString(ModelVersionCol)
}

// GetModelData returns the model data: one lazy table whose rows are the model versions, with columns
// "coefficient" (*DenseVector) and "modelVersion" (int64, from 1).
func (m *OnlineLogisticRegressionModel) GetModelData() []*Table {
	if m.modelData == nil {
		return nil
	}
	return []*Table{m.modelData}
}

// SetModelData sets the model data: a table (usually a stream) of rows with "coefficient" and "modelVersion"
// (a row without "modelVersion" is version 0).
func (m *OnlineLogisticRegressionModel) SetModelData(inputs ...*Table) error {
	if len(inputs) != 1 || inputs[0] == nil {
		return fmt.Errorf("%w: OnlineLogisticRegressionModel.SetModelData takes one table", ErrParam)
	}
	m.modelData, m.stats = inputs[0], nil
	return nil
}

// LatestVersion returns the figures of the latest model version the training has produced (for a live view
// to poll while the job runs), and false before the first one or if the model data was set with SetModelData.
func (m *OnlineLogisticRegressionModel) LatestVersion() (OnlineLogisticRegressionVersion, bool) {
	if m.stats == nil {
		return OnlineLogisticRegressionVersion{}, false
	}
	m.stats.mu.Lock()
	defer m.stats.mu.Unlock()
	v := m.stats.latest
	if v.Coefficient != nil {
		v.Coefficient = Dense(v.Coefficient.Values...)
	}
	return v, m.stats.has
}

// Transform appends the prediction (float64 0 or 1), the raw prediction ([1-p, p]) and the model version
// used to every row of one table.
func (m *OnlineLogisticRegressionModel) Transform(inputs ...*Table) ([]*Table, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: OnlineLogisticRegressionModel.Transform takes one table, got %d", ErrParam, len(inputs))
	}
	if m.modelData == nil {
		return nil, fmt.Errorf("%w: OnlineLogisticRegressionModel has no model data (Fit or SetModelData)", ErrParam)
	}
	fc, pc, rc, vc := m.GetFeaturesCol(), m.GetPredictionCol(), m.GetRawPredictionCol(), m.GetModelVersionCol()
	out, err := onlinePredict(inputs[0], m.modelData, "OnlineLogisticRegressionModel", 0,
		func(r Row) (onlineVersion, error) {
			ver, err := versionOf(r, "modelVersion")
			if err != nil {
				return onlineVersion{}, err
			}
			v, err := r.Vector("coefficient")
			if err != nil {
				return onlineVersion{}, err
			}
			return onlineVersion{model: v.ToDense(), version: ver, timestamp: math.MaxInt64}, nil
		}, func(r Row, ov onlineVersion) (Row, error) {
			coef, version := ov.model.(*DenseVector), ov.version
			v, err := r.Vector(fc)
			if err != nil {
				return Row{}, err
			}
			if v.Size() != len(coef.Values) {
				return Row{}, fmt.Errorf("%w: %d features, the coefficient has %d", ErrColumnType, v.Size(), len(coef.Values))
			}
			dot := Dot(v, coef)
			prob := 1 - 1/(1+math.Exp(dot))
			pred := 0.0
			if dot >= 0 {
				pred = 1
			}
			return r.With(pc, pred).With(rc, Dense(1-prob, prob)).With(vc, version), nil
		})
	if err != nil {
		return nil, err
	}
	return []*Table{out}, nil
}
