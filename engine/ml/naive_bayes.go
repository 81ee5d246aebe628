package ml

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/de4e/weir/engine"
)

// ErrUnseenFeature is wrapped by NaiveBayesModel's errors about a feature value that no training row had
// (Flink ML's NaiveBayesModel fails with a NullPointerException there); the message names the feature.
var ErrUnseenFeature = errors.New("ml: feature value not seen in training")

// NaiveBayes is Flink ML's multinomial NaiveBayes estimator (org.apache.flink.ml.classification.naivebayes):
// every element of featuresCol is a categorical value, and the model keeps, for each label c and feature j,
// the smoothed log-probability of each value v that feature j takes anywhere in the training table,
//
//	theta[c][j][v] = log(n(c, j, v) + smoothing) - log(n(c) + smoothing * values(j)),
//
// and each label's log prior pi[c] = log(n(c)*d + smoothing) - log(n*d + labels*smoothing), where n(c) counts
// the rows of label c, d is the vector size and values(j) the number of distinct values of feature j (Flink
// ML's GenerateModelFunction). featuresCol defaults to "features", labelCol to "label", predictionCol to
// "prediction", smoothing to 1.0 and modelType to "multinomial" (the only type). Fit is one bounded job:
// each subtask counts its block's rows, one subtask merges the counts; rows whose vectors differ in size
// fail with "Feature vectors should be of equal length.".
type NaiveBayes struct{ params *Params }

// NaiveBayesModel is Flink ML's NaiveBayesModel: predictionCol gets the label (a float64) maximizing
// pi[c] + sum over j of theta[c][j][x_j]; the smaller label wins a tie. A value of a feature that no training
// row had fails with an error wrapping ErrUnseenFeature.
type NaiveBayesModel struct {
	params *Params
	data   *naiveBayesData
	env    *engine.Environment
}

// naiveBayesData is Flink ML's NaiveBayesModelData: labels ascending, their log priors, and theta.
type naiveBayesData struct {
	Labels []float64
	Pi     []float64
	Theta  [][]map[float64]float64
}

var (
	// ModelType is NaiveBayes's "modelType", default "multinomial" (the only one Flink ML supports).
	ModelType = NewParam("modelType", "The model type.", StringKind, "multinomial", InArray("multinomial"))
	// Smoothing is NaiveBayes's "smoothing", default 1.0, >= 0.
	Smoothing = NewParam("smoothing", "The smoothing parameter.", DoubleKind, 1.0, GtEq(0))
)

const (
	naiveBayesClass      = "org.apache.flink.ml.classification.naivebayes.NaiveBayes"
	naiveBayesModelClass = "org.apache.flink.ml.classification.naivebayes.NaiveBayesModel"
)

// NewNaiveBayes returns a NaiveBayes with Flink ML's defaults.
func NewNaiveBayes() *NaiveBayes {
	return &NaiveBayes{params: newParams(FeaturesCol, LabelCol, PredictionCol, ModelType, Smoothing)}
}

// NewNaiveBayesModel returns a model without data.
func NewNaiveBayesModel() *NaiveBayesModel {
	return &NaiveBayesModel{params: newParams(FeaturesCol, PredictionCol, ModelType)}
}

func init() {
	RegisterStage(naiveBayesClass, func() Stage { return NewNaiveBayes() })
	RegisterStage(naiveBayesModelClass, func() Stage { return NewNaiveBayesModel() })
	engine.RegisterType(nbCounts{})
}

// nbCounts are one block's counts: per label, its rows and, per feature, each value's rows.
type nbCounts struct {
	Size   int // vector size, -1 before the first row
	Docs   map[float64]float64
	Values map[float64][]map[float64]float64
}

func nbCount(featuresCol, labelCol string) func([]Row) (any, error) {
	return func(rows []Row) (any, error) {
		c := nbCounts{Size: -1, Docs: map[float64]float64{}, Values: map[float64][]map[float64]float64{}}
		x, y, _, err := labeledPoints(rows, featuresCol, labelCol, "", "NaiveBayes")
		if err != nil {
			return nil, err
		}
		for i, label := range y {
			c.Size = len(x[i])
			vals := c.Values[label]
			if vals == nil {
				vals = make([]map[float64]float64, c.Size)
				for j := range vals {
					vals[j] = map[float64]float64{}
				}
				c.Values[label] = vals
			}
			c.Docs[label]++
			for j, v := range x[i] {
				vals[j][v]++
			}
		}
		return c, nil
	}
}

func mergeNBCounts(parts []any) any {
	t := nbCounts{Size: -1, Docs: map[float64]float64{}, Values: map[float64][]map[float64]float64{}}
	for _, p := range parts {
		c := p.(nbCounts)
		if c.Size < 0 {
			continue
		}
		if t.Size < 0 {
			t.Size = c.Size
		} else if c.Size != t.Size {
			t.Size = -2 // unequal lengths across blocks
			return t
		}
		for label, n := range c.Docs {
			t.Docs[label] += n
			vals := t.Values[label]
			if vals == nil {
				vals = make([]map[float64]float64, t.Size)
				for j := range vals {
					vals[j] = map[float64]float64{}
				}
				t.Values[label] = vals
			}
			for j, m := range c.Values[label] {
				for x, k := range m {
					vals[j][x] += k
				}
			}
		}
	}
	return t
}

// GetParams returns the parameters.
func (nb *NaiveBayes) GetParams() *Params { return nb.params }

// ClassName is Flink ML's class name.
func (nb *NaiveBayes) ClassName() string { return naiveBayesClass }

// Save writes the parameters to path.
func (nb *NaiveBayes) Save(path string) error { return saveStage(nb, path, 0) }

// Fit counts one table's labels and feature values and returns a NaiveBayesModel.
func (nb *NaiveBayes) Fit(inputs ...*Table) (Model, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: NaiveBayes.Fit takes one table, got %d", ErrParam, len(inputs))
	}
	v, err := aggregateRows(inputs[0], "NaiveBayes", nbCount(nb.GetFeaturesCol(), nb.GetLabelCol()), mergeNBCounts)
	if err != nil {
		return nil, err
	}
	c := v.(nbCounts)
	switch {
	case c.Size == -2:
		return nil, fmt.Errorf("ml: NaiveBayes: %w: %w", ErrColumnType, errUnequalLength)
	case c.Size < 0:
		return nil, fmt.Errorf("%w: NaiveBayes.Fit: the input table is empty", ErrParam)
	}
	m := NewNaiveBayesModel()
	m.params.UpdateExisting(nb.params)
	m.data, m.env = naiveBayesModelData(c, nb.GetSmoothing()), inputs[0].Environment()
	return m, nil
}

// naiveBayesModelData is Flink ML's GenerateModelFunction on merged counts.
func naiveBayesModelData(c nbCounts, smoothing float64) *naiveBayesData {
	d := &naiveBayesData{}
	for label := range c.Docs {
		d.Labels = append(d.Labels, label)
	}
	sort.Float64s(d.Labels)
	categories := make([]map[float64]bool, c.Size)
	var n float64
	for j := range categories {
		categories[j] = map[float64]bool{}
	}
	for _, label := range d.Labels {
		n += c.Docs[label]
		for j, m := range c.Values[label] {
			for x := range m {
				categories[j][x] = true
			}
		}
	}
	size := float64(c.Size)
	piLog := math.Log(n*size + float64(len(d.Labels))*smoothing)
	for _, label := range d.Labels {
		docs := c.Docs[label]
		theta := make([]map[float64]float64, c.Size)
		for j := range theta {
			theta[j] = map[float64]float64{}
			thetaLog := math.Log(docs + smoothing*float64(len(categories[j])))
			for x := range categories[j] {
				theta[j][x] = math.Log(c.Values[label][j][x]+smoothing) - thetaLog
			}
		}
		d.Theta = append(d.Theta, theta)
		d.Pi = append(d.Pi, math.Log(docs*size+smoothing)-piLog)
	}
	return d
}

// GetParams returns the parameters.
func (m *NaiveBayesModel) GetParams() *Params { return m.params }

// ClassName is Flink ML's class name.
func (m *NaiveBayesModel) ClassName() string { return naiveBayesModelClass }

// Save writes the parameters and model data to path.
func (m *NaiveBayesModel) Save(path string) error { return saveStage(m, path, 0) }

// GetModelData returns one table of one row with Flink ML's NaiveBayesModelData columns: "theta"
// ([][]map[float64]float64, by label then feature, value to log-probability), "piArray" and "labels"
// (*DenseVector).
func (m *NaiveBayesModel) GetModelData() []*Table {
	if m.data == nil {
		return nil
	}
	return []*Table{FromRows(m.env, []Row{NewRow("theta", m.data.Theta, "piArray", Dense(m.data.Pi...),
		"labels", Dense(m.data.Labels...))})}
}

// SetModelData takes "theta", "piArray" and "labels" from the first row of one table.
func (m *NaiveBayesModel) SetModelData(inputs ...*Table) error {
	vs, env, err := vectorsFromModelData(inputs, "piArray", "labels")
	if err != nil {
		return err
	}
	rows, err := inputs[0].Rows()
	if err != nil {
		return err
	}
	theta, ok := rows[0].Get("theta").([][]map[float64]float64)
	if !ok {
		return fmt.Errorf("%w: NaiveBayesModel.SetModelData: column \"theta\" is %T, want [][]map[float64]float64", ErrColumnType, rows[0].Get("theta"))
	}
	d := &naiveBayesData{Labels: vs[1], Pi: vs[0], Theta: theta}
	if err := d.check(); err != nil {
		return err
	}
	m.data, m.env = d, env
	return nil
}

func (d *naiveBayesData) check() error {
	if len(d.Pi) != len(d.Labels) || len(d.Theta) != len(d.Labels) || len(d.Labels) == 0 {
		return fmt.Errorf("%w: NaiveBayes model data has %d labels, %d priors and %d theta rows", ErrParam,
			len(d.Labels), len(d.Pi), len(d.Theta))
	}
	for _, th := range d.Theta {
		if len(th) != len(d.Theta[0]) {
			return fmt.Errorf("%w: NaiveBayes model data: theta rows of %d and %d features", ErrParam, len(th), len(d.Theta[0]))
		}
	}
	return nil
}

// Transform adds predictionCol, the most probable label, to every row of one table.
func (m *NaiveBayesModel) Transform(inputs ...*Table) ([]*Table, error) {
	if err := checkTransform(inputs, m.data != nil, "NaiveBayesModel"); err != nil {
		return nil, err
	}
	fc, pc, d := m.GetFeaturesCol(), m.GetPredictionCol(), m.data
	t, err := mapRows(inputs[0], "NaiveBayesModel", func(r Row) (Row, error) {
		v, err := r.Vector(fc)
		if err != nil {
			return Row{}, err
		}
		if v.Size() != len(d.Theta[0]) {
			return Row{}, fmt.Errorf("%w: %w (%d elements, the model has %d)", ErrColumnType, errUnequalLength, v.Size(), len(d.Theta[0]))
		}
		x := v.ToArray()
		best, bestP := 0, math.Inf(-1)
		for c := range d.Labels {
			p := d.Pi[c]
			for j, xj := range x {
				lp, ok := d.Theta[c][j][xj]
				if !ok {
					return Row{}, fmt.Errorf("%w: feature %d has value %v", ErrUnseenFeature, j, xj)
				}
				p += lp
			}
			if p > bestP {
				best, bestP = c, p
			}
		}
		return r.With(pc, d.Labels[best]), nil
	})
	if err != nil {
		return nil, err
	}
	return []*Table{t}, nil
}

// nbJSON is the saved model data: theta as [value, log-probability] pairs sorted by value, because JSON
// object keys cannot be numbers.
type nbJSON struct {
	Labels  []float64        `json:"labels"`
	PiArray []float64        `json:"piArray"`
	Theta   [][][][2]float64 `json:"theta"`
}

func (m *NaiveBayesModel) dataJSON() ([]byte, error) {
	j := nbJSON{Labels: m.data.Labels, PiArray: m.data.Pi}
	for _, th := range m.data.Theta {
		var feats [][][2]float64
		for _, mp := range th {
			pairs := make([][2]float64, 0, len(mp))
			for x, lp := range mp {
				pairs = append(pairs, [2]float64{x, lp})
			}
			sort.Slice(pairs, func(a, b int) bool { return pairs[a][0] < pairs[b][0] })
			feats = append(feats, pairs)
		}
		j.Theta = append(j.Theta, feats)
	}
	return json.Marshal(j)
}

func (m *NaiveBayesModel) setDataJSON(env *engine.Environment, b []byte) error {
	var j nbJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	d := &naiveBayesData{Labels: j.Labels, Pi: j.PiArray}
	for _, feats := range j.Theta {
		th := make([]map[float64]float64, len(feats))
		for f, pairs := range feats {
			th[f] = make(map[float64]float64, len(pairs))
			for _, p := range pairs {
				th[f][p[0]] = p[1]
			}
		}
		d.Theta = append(d.Theta, th)
	}
	if err := d.check(); err != nil {
		return err
	}
	m.data, m.env = d, env
	return nil
}

// SetFeaturesCol sets the features column.
func (nb *NaiveBayes) SetFeaturesCol(v string) *NaiveBayes { nb.params.Set(FeaturesCol, v); return nb }

// GetFeaturesCol returns the features column.
func (nb *NaiveBayes) GetFeaturesCol() string { return nb.params.getString(FeaturesCol) }

// SetLabelCol sets the label column.
func (nb *NaiveBayes) SetLabelCol(v string) *NaiveBayes { nb.params.Set(LabelCol, v); return nb }

// GetLabelCol returns the label column.
func (nb *NaiveBayes) GetLabelCol() string { return nb.params.getString(LabelCol) }

// SetPredictionCol sets the prediction column.
func (nb *NaiveBayes) SetPredictionCol(v string) *NaiveBayes {
	nb.params.Set(PredictionCol, v)
	return nb
}

// GetPredictionCol returns the prediction column.
func (nb *NaiveBayes) GetPredictionCol() string { return nb.params.getString(PredictionCol) }

// SetSmoothing sets the smoothing.
func (nb *NaiveBayes) SetSmoothing(v float64) *NaiveBayes { nb.params.Set(Smoothing, v); return nb }

// GetSmoothing returns the smoothing.
func (nb *NaiveBayes) GetSmoothing() float64 { return nb.params.getFloat(Smoothing) }

// SetModelType sets the model type.
func (nb *NaiveBayes) SetModelType(v string) *NaiveBayes { nb.params.Set(ModelType, v); return nb }

// GetModelType returns the model type.
func (nb *NaiveBayes) GetModelType() string { return nb.params.getString(ModelType) }

// SetFeaturesCol sets the features column.
func (m *NaiveBayesModel) SetFeaturesCol(v string) *NaiveBayesModel {
	m.params.Set(FeaturesCol, v)
	return m
}

// GetFeaturesCol returns the features column.
func (m *NaiveBayesModel) GetFeaturesCol() string { return m.params.getString(FeaturesCol) }

// SetPredictionCol sets the prediction column.
func (m *NaiveBayesModel) SetPredictionCol(v string) *NaiveBayesModel {
	m.params.Set(PredictionCol, v)
	return m
}

// GetPredictionCol returns the prediction column.
func (m *NaiveBayesModel) GetPredictionCol() string { return m.params.getString(PredictionCol) }

// SetModelType sets the model type.
func (m *NaiveBayesModel) SetModelType(v string) *NaiveBayesModel {
	m.params.Set(ModelType, v)
	return m
}

// GetModelType returns the model type.
func (m *NaiveBayesModel) GetModelType() string { return m.params.getString(ModelType) }
