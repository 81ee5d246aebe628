package ml

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/de4e/weir/engine"
)

// LinearRegression is Flink ML's LinearRegression estimator
// (org.apache.flink.ml.regression.linearregression.LinearRegression): least squares (LeastSquareLoss) fitted
// by mini-batch SGD, with L2, L1 or elastic-net regularization; there is no intercept, as in Flink ML (add a
// constant feature for one). Parameters (Flink ML's names and defaults): featuresCol "features", labelCol
// "label", weightCol unset, maxIter 20, reg 0, elasticNet 0, learningRate 0.1, globalBatchSize 32, tol 1e-6,
// predictionCol "prediction". See the package documentation for how the SGD runs on the engine.
type LinearRegression struct{ params *Params }

// LinearRegressionModel predicts features . coefficient (a float64) into predictionCol, Flink ML's
// LinearRegressionModel.
type LinearRegressionModel struct{ coefModel }

// LogisticRegression is Flink ML's LogisticRegression estimator
// (org.apache.flink.ml.classification.logisticregression.LogisticRegression): BinaryLogisticLoss fitted by
// mini-batch SGD, labels 0 and 1, no intercept. Parameters are LinearRegression's plus rawPredictionCol
// "rawPrediction" and multiClass "auto".
//
// Unlike Flink ML, which refuses multinomial classification, multiClass follows Spark ML's rule: "binomial"
// requires labels 0 and 1; "multinomial" fits the softmax loss (Spark ML's MultinomialLogisticLoss, without
// intercepts) over classes 0 to the largest label, with the same SGD; "auto" (the default) is binomial when
// every label is 0 or 1 and multinomial otherwise. Labels must be non-negative integers.
type LogisticRegression struct{ params *Params }

// LogisticRegressionModel is Flink ML's LogisticRegressionModel. A binomial model predicts 1.0 where
// features . coefficient >= 0 and 0.0 otherwise into predictionCol, and the probabilities of 0 and 1 as a
// dense vector into rawPredictionCol. A multinomial model (NumClasses > 0) predicts the class with the
// largest margin (the first on ties) and puts the softmax probabilities of every class into rawPredictionCol.
type LogisticRegressionModel struct{ coefModel }

const (
	linearRegressionClass        = "org.apache.flink.ml.regression.linearregression.LinearRegression"
	linearRegressionModelClass   = "org.apache.flink.ml.regression.linearregression.LinearRegressionModel"
	logisticRegressionClass      = "org.apache.flink.ml.classification.logisticregression.LogisticRegression"
	logisticRegressionModelClass = "org.apache.flink.ml.classification.logisticregression.LogisticRegressionModel"
)

func sgdParams() []*Param {
	return []*Param{FeaturesCol, LabelCol, WeightCol, MaxIter, Reg, ElasticNet, LearningRate, GlobalBatchSize, Tol, PredictionCol}
}

// NewLinearRegression returns a LinearRegression with Flink ML's defaults.
func NewLinearRegression() *LinearRegression {
	return &LinearRegression{params: newParams(sgdParams()...)}
}

// NewLinearRegressionModel returns a model without data (set it with SetModelData).
func NewLinearRegressionModel() *LinearRegressionModel {
	return &LinearRegressionModel{coefModel{params: newParams(FeaturesCol, PredictionCol), class: linearRegressionModelClass}}
}

// NewLogisticRegression returns a LogisticRegression with Flink ML's defaults.
func NewLogisticRegression() *LogisticRegression {
	return &LogisticRegression{params: newParams(append(sgdParams(), RawPredictionCol, MultiClass)...)}
}

// NewLogisticRegressionModel returns a model without data (set it with SetModelData).
func NewLogisticRegressionModel() *LogisticRegressionModel {
	return &LogisticRegressionModel{coefModel{params: newParams(FeaturesCol, PredictionCol, RawPredictionCol),
		class: logisticRegressionModelClass, logistic: true}}
}

func init() {
	RegisterStage(linearRegressionClass, func() Stage { return NewLinearRegression() })
	RegisterStage(linearRegressionModelClass, func() Stage { return NewLinearRegressionModel() })
	RegisterStage(logisticRegressionClass, func() Stage { return NewLogisticRegression() })
	RegisterStage(logisticRegressionModelClass, func() Stage { return NewLogisticRegressionModel() })
}

// GetParams returns the parameters.
func (r *LinearRegression) GetParams() *Params { return r.params }

// ClassName is Flink ML's class name.
func (r *LinearRegression) ClassName() string { return linearRegressionClass }

// Save writes the parameters to path.
func (r *LinearRegression) Save(path string) error { return saveStage(r, path, 0) }

// GetParams returns the parameters.
func (r *LogisticRegression) GetParams() *Params { return r.params }

// ClassName is Flink ML's class name.
func (r *LogisticRegression) ClassName() string { return logisticRegressionClass }

// Save writes the parameters to path.
func (r *LogisticRegression) Save(path string) error { return saveStage(r, path, 0) }

func sgdOf(p *Params, loss lossFunc) sgd {
	return sgd{maxIter: p.getInt(MaxIter), globalBatchSize: p.getInt(GlobalBatchSize), learningRate: p.getFloat(LearningRate),
		tol: p.getFloat(Tol), reg: p.getFloat(Reg), elasticNet: p.getFloat(ElasticNet), loss: loss}
}

// fitCoefficient fits a coefficient by SGD. multi, when not nil, sees the labels and returns a number of
// classes > 0 and its loss for a multinomial fit, or 0 to keep loss.
func fitCoefficient(p *Params, inputs []*Table, stage string, loss lossFunc, checkLabel func(float64) error,
	multi func(y []float64) (int, lossFunc, error)) (*coefModel, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: %s.Fit takes one table, got %d", ErrParam, stage, len(inputs))
	}
	rows, err := collectRows(inputs[0], stage)
	if err != nil {
		return nil, err
	}
	x, y, w, err := labeledPoints(rows, p.getString(FeaturesCol), p.getString(LabelCol), p.getString(WeightCol), stage)
	if err != nil {
		return nil, err
	}
	if checkLabel != nil {
		for i, l := range y {
			if err := checkLabel(l); err != nil {
				return nil, fmt.Errorf("ml: %s: row %d: %w", stage, i, err)
			}
		}
	}
	env := inputs[0].Environment()
	o := sgdOf(p, loss)
	numClasses := 0
	if multi != nil {
		if numClasses, loss, err = multi(y); err != nil {
			return nil, err
		}
		if numClasses > 0 && len(x) > 0 {
			o.loss, o.coefSize, o.numClasses = loss, numClasses*len(x[0]), numClasses
		}
	}
	coef, losses, err := o.optimize(env, stage, x, y, w)
	if err != nil {
		return nil, err
	}
	return &coefModel{coef: coef, losses: losses, env: env, numClasses: numClasses}, nil
}

// Fit trains a LinearRegressionModel on one table.
func (r *LinearRegression) Fit(inputs ...*Table) (Model, error) {
	fit, err := fitCoefficient(r.params, inputs, "LinearRegression", leastSquareLoss, nil, nil)
	if err != nil {
		return nil, err
	}
	m := NewLinearRegressionModel()
	m.params.UpdateExisting(r.params)
	m.coef, m.losses, m.env = fit.coef, fit.losses, fit.env
	return m, nil
}

// Fit trains a LogisticRegressionModel on one table: binomial or multinomial as multiClass says.
func (r *LogisticRegression) Fit(inputs ...*Table) (Model, error) {
	mc := r.GetMultiClass()
	var check func(float64) error
	if mc == "binomial" {
		check = func(l float64) error {
			if l != 0 && l != 1 {
				return fmt.Errorf("%w: label %v: multiClass \"binomial\" takes labels 0 and 1", ErrParam, l)
			}
			return nil
		}
	}
	multi := func(y []float64) (int, lossFunc, error) {
		if mc == "binomial" {
			return 0, lossFunc{}, nil
		}
		n, err := numClassesOf(y, "LogisticRegression")
		if err != nil || (mc == "auto" && n <= 2) {
			return 0, lossFunc{}, err
		}
		return n, multinomialLogisticLoss(n), nil
	}
	fit, err := fitCoefficient(r.params, inputs, "LogisticRegression", binaryLogisticLoss, check, multi)
	if err != nil {
		return nil, err
	}
	m := NewLogisticRegressionModel()
	m.params.UpdateExisting(r.params)
	m.coef, m.losses, m.env, m.numClasses = fit.coef, fit.losses, fit.env, fit.numClasses
	return m, nil
}

// coefModel is the model of both regressions: one coefficient vector.
type coefModel struct {
	params   *Params
	class    string
	coef     []float64
	losses   []float64
	env      *engine.Environment
	logistic bool
	// numClasses > 0 makes a multinomial logistic model: coef is numClasses rows of the features' size.
	numClasses int
}

// Losses returns, for a model that Fit made, every epoch's mean training loss (at the coefficient before
// that epoch's step, the figure Flink ML's SGD compares with tol), in order. It is nil for a model given its
// data by SetModelData or Load.
func (m *coefModel) Losses() []float64 { return append([]float64(nil), m.losses...) }

// GetParams returns the parameters.
func (m *coefModel) GetParams() *Params { return m.params }

// ClassName is Flink ML's class name.
func (m *coefModel) ClassName() string { return m.class }

// Save writes the parameters and the coefficient to path.
func (m *coefModel) Save(path string) error { return saveStage(m, path, 0) }

// Coefficient returns the model's coefficient, or nil before it is fitted or set.
func (m *coefModel) Coefficient() *DenseVector {
	if m.coef == nil {
		return nil
	}
	return Dense(m.coef...)
}

// GetModelData returns one table of one row with column "coefficient" (*DenseVector) and, for logistic
// regression, "modelVersion" (int64 0), as Flink ML's; a multinomial model adds "numClasses" (int).
func (m *coefModel) GetModelData() []*Table {
	if m.coef == nil || m.env == nil {
		return nil
	}
	r := NewRow("coefficient", Dense(m.coef...))
	if m.logistic {
		r = r.With("modelVersion", int64(0))
	}
	if m.numClasses > 0 {
		r = r.With("numClasses", m.numClasses)
	}
	return []*Table{FromRows(m.env, []Row{r})}
}

// SetModelData takes the coefficient from a table of the form GetModelData returns (its first row).
func (m *coefModel) SetModelData(inputs ...*Table) error {
	if len(inputs) != 1 {
		return fmt.Errorf("%w: SetModelData takes one table, got %d", ErrParam, len(inputs))
	}
	rows, err := inputs[0].Rows()
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("%w: SetModelData: the table is empty", ErrParam)
	}
	v, err := rows[0].Vector("coefficient")
	if err != nil {
		return err
	}
	m.numClasses = 0
	if n := rows[0].Get("numClasses"); m.logistic && n != nil {
		k, ok := n.(int)
		if !ok || k <= 0 || v.Size()%k != 0 {
			return fmt.Errorf("%w: SetModelData: numClasses %v does not divide the coefficient's size %d", ErrParam, n, v.Size())
		}
		m.numClasses = k
	}
	m.coef, m.env = v.ToArray(), inputs[0].Environment()
	return nil
}

// Transform appends the prediction column (and, for logistic regression, the raw prediction column) to
// every row of one table.
func (m *coefModel) Transform(inputs ...*Table) ([]*Table, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: Transform takes one table, got %d", ErrParam, len(inputs))
	}
	if m.coef == nil {
		return nil, fmt.Errorf("%w: the model has no data (Fit or SetModelData)", ErrParam)
	}
	coef := &DenseVector{Values: m.coef}
	fc, pc := m.params.getString(FeaturesCol), m.params.getString(PredictionCol)
	var rc string
	if m.logistic {
		rc = m.params.getString(RawPredictionCol)
	}
	out, err := mapRows(inputs[0], m.class[len("org.apache.flink.ml."):], func(r Row) (Row, error) {
		v, err := r.Vector(fc)
		if err != nil {
			return Row{}, err
		}
		if m.numClasses > 0 {
			if v.Size()*m.numClasses != len(m.coef) {
				return Row{}, fmt.Errorf("%w: %d features, the coefficient has %d per class", ErrColumnType, v.Size(),
					len(m.coef)/m.numClasses)
			}
			p := softmax(classMargins(v.ToArray(), m.coef, m.numClasses))
			return r.With(pc, float64(argmax(p))).With(rc, Dense(p...)), nil
		}
		if v.Size() != len(m.coef) {
			return Row{}, fmt.Errorf("%w: %d features, the coefficient has %d", ErrColumnType, v.Size(), len(m.coef))
		}
		dot := Dot(v, coef)
		if !m.logistic {
			return r.With(pc, dot), nil
		}
		prob := 1 - 1/(1+math.Exp(dot))
		pred := 0.0
		if dot >= 0 {
			pred = 1
		}
		return r.With(pc, pred).With(rc, Dense(1-prob, prob)), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{out}, nil
}

func (m *coefModel) dataJSON() ([]byte, error) {
	if m.coef == nil {
		return nil, fmt.Errorf("%w: the model has no data", ErrParam)
	}
	if m.numClasses > 0 {
		return json.Marshal(map[string]any{"coefficient": m.coef, "numClasses": m.numClasses})
	}
	return json.Marshal(map[string][]float64{"coefficient": m.coef})
}

func (m *coefModel) setDataJSON(env *engine.Environment, b []byte) error {
	var j struct {
		Coefficient []float64 `json:"coefficient"`
		NumClasses  int       `json:"numClasses"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Coefficient == nil {
		return fmt.Errorf("%w: no coefficient", ErrParam)
	}
	if j.NumClasses < 0 || (j.NumClasses > 0 && len(j.Coefficient)%j.NumClasses != 0) {
		return fmt.Errorf("%w: numClasses %d does not divide the coefficient's size %d", ErrParam, j.NumClasses, len(j.Coefficient))
	}
	m.coef, m.numClasses, m.env = j.Coefficient, j.NumClasses, env
	return nil
}
