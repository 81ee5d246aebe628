package ml

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// ErrParam is wrapped by errors about a parameter value: unknown, of the wrong type, or refused by its
// validator. Setters panic with such an error when the value is set, as Flink ML's set throws.
var ErrParam = errors.New("ml: invalid parameter")

// ParamKind is the type of a parameter's values.
type ParamKind uint8

const (
	// IntKind values are int (Flink ML's IntParam).
	IntKind ParamKind = iota
	// LongKind values are int64 (LongParam).
	LongKind
	// DoubleKind values are float64 (DoubleParam).
	DoubleKind
	// StringKind values are string (StringParam).
	StringKind
	// BoolKind values are bool (BooleanParam).
	BoolKind
	// StringArrayKind values are []string (StringArrayParam).
	StringArrayKind
	// DoubleArrayKind values are []float64 (DoubleArrayParam).
	DoubleArrayKind
	// IntArrayKind values are []int (IntArrayParam).
	IntArrayKind
)

func (k ParamKind) String() string {
	return [...]string{"int", "int64", "float64", "string", "bool", "[]string", "[]float64", "[]int"}[k]
}

// ParamValidator checks a parameter's value, Flink ML's ParamValidator; Describe says what it accepts.
type ParamValidator struct {
	Describe string
	Check    func(v any) bool
}

// Param is a parameter definition, Flink ML's Param: a name, a description, a kind, a default (nil means none,
// as Flink ML's null) and a validator.
type Param struct {
	Name        string
	Description string
	Kind        ParamKind
	Default     any
	Validator   ParamValidator
}

// NewParam defines a parameter. It panics if the default does not have the kind's type or is refused by the
// validator (a nil default is always allowed).
func NewParam(name, description string, kind ParamKind, def any, v ParamValidator) *Param {
	p := &Param{Name: name, Description: description, Kind: kind, Validator: v}
	if def != nil {
		d, err := p.convert(def)
		if err != nil {
			panic(fmt.Sprintf("ml: NewParam %q: default: %v", name, err))
		}
		p.Default = d
	}
	return p
}

// convert checks and converts a value to the parameter's kind (an untyped int constant is accepted where
// int64 or float64 is wanted, as in Go source), then validates it.
func (p *Param) convert(v any) (any, error) {
	var out any
	switch p.Kind {
	case IntKind:
		switch x := v.(type) {
		case int:
			out = x
		case int64:
			out = int(x)
		case float64:
			if x == math.Trunc(x) {
				out = int(x)
			}
		}
	case LongKind:
		switch x := v.(type) {
		case int64:
			out = x
		case int:
			out = int64(x)
		case float64:
			if x == math.Trunc(x) {
				out = int64(x)
			}
		}
	case DoubleKind:
		switch x := v.(type) {
		case float64:
			out = x
		case int:
			out = float64(x)
		case int64:
			out = float64(x)
		}
	case StringKind:
		if x, ok := v.(string); ok {
			out = x
		}
	case BoolKind:
		if x, ok := v.(bool); ok {
			out = x
		}
	case StringArrayKind:
		switch x := v.(type) {
		case []string:
			out = append([]string(nil), x...)
		case []any:
			ss := make([]string, len(x))
			for i, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("%w: %s wants %s, got %T in the list", ErrParam, p.Name, p.Kind, e)
				}
				ss[i] = s
			}
			out = ss
		}
	case DoubleArrayKind:
		switch x := v.(type) {
		case []float64:
			out = append([]float64(nil), x...)
		case []any:
			fs := make([]float64, len(x))
			for i, e := range x {
				f, ok := e.(float64)
				if !ok {
					return nil, fmt.Errorf("%w: %s wants %s, got %T in the list", ErrParam, p.Name, p.Kind, e)
				}
				fs[i] = f
			}
			out = fs
		}
	case IntArrayKind:
		switch x := v.(type) {
		case []int:
			out = append([]int(nil), x...)
		case []any:
			is := make([]int, len(x))
			for i, e := range x {
				f, ok := e.(float64)
				if !ok || f != math.Trunc(f) {
					return nil, fmt.Errorf("%w: %s wants %s, got %v in the list", ErrParam, p.Name, p.Kind, e)
				}
				is[i] = int(f)
			}
			out = is
		}
	}
	if v == nil {
		out = nil
	} else if out == nil {
		return nil, fmt.Errorf("%w: %s wants %s, got %T %v", ErrParam, p.Name, p.Kind, v, v)
	}
	if p.Validator.Check != nil && !p.Validator.Check(out) {
		return nil, fmt.Errorf("%w: %s must be %s, got %v", ErrParam, p.Name, p.Validator.Describe, formatParam(out))
	}
	return out, nil
}

func formatParam(v any) string {
	if v == nil {
		return "null"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// Gt accepts numbers above x (Flink ML's ParamValidators.gt).
func Gt(x float64) ParamValidator {
	return ParamValidator{Describe: fmt.Sprintf("> %v", x), Check: func(v any) bool { f, ok := num(v); return ok && f > x }}
}

// GtEq accepts numbers at or above x (ParamValidators.gtEq).
func GtEq(x float64) ParamValidator {
	return ParamValidator{Describe: fmt.Sprintf(">= %v", x), Check: func(v any) bool { f, ok := num(v); return ok && f >= x }}
}

// Lt accepts numbers below x (ParamValidators.lt).
func Lt(x float64) ParamValidator {
	return ParamValidator{Describe: fmt.Sprintf("< %v", x), Check: func(v any) bool { f, ok := num(v); return ok && f < x }}
}

// InRange accepts numbers in [lo, hi] (ParamValidators.inRange with both ends inclusive).
func InRange(lo, hi float64) ParamValidator {
	return ParamValidator{Describe: fmt.Sprintf("in [%v, %v]", lo, hi),
		Check: func(v any) bool { f, ok := num(v); return ok && f >= lo && f <= hi }}
}

// InArray accepts the given strings (ParamValidators.inArray).
func InArray(values ...string) ParamValidator {
	return ParamValidator{Describe: "one of [" + strings.Join(values, ", ") + "]", Check: func(v any) bool {
		s, ok := v.(string)
		for _, x := range values {
			if ok && s == x {
				return true
			}
		}
		return false
	}}
}

// NotNull accepts any value but nil (ParamValidators.notNull).
func NotNull() ParamValidator {
	return ParamValidator{Describe: "not null", Check: func(v any) bool { return v != nil }}
}

// NonEmptyArray accepts non-empty lists (ParamValidators.nonEmptyArray).
func NonEmptyArray() ParamValidator {
	return ParamValidator{Describe: "a non-empty list", Check: func(v any) bool {
		switch x := v.(type) {
		case []string:
			return len(x) > 0
		case []float64:
			return len(x) > 0
		case []int:
			return len(x) > 0
		}
		return false
	}}
}

// Params holds a stage's parameter values, Flink ML's WithParams and its paramMap: every parameter the
// stage declares starts at its default.
type Params struct {
	defs   []*Param
	values map[string]any
}

func newParams(defs ...*Param) *Params {
	p := &Params{values: map[string]any{}}
	for _, d := range defs {
		p.defs = append(p.defs, d)
		p.values[d.Name] = d.Default
	}
	return p
}

// Declared returns the stage's parameters in declaration order.
func (p *Params) Declared() []*Param { return append([]*Param(nil), p.defs...) }

// Lookup returns the declared parameter called name, or nil.
func (p *Params) Lookup(name string) *Param {
	for _, d := range p.defs {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Set sets param to v, Flink ML's WithParams.set. It panics with an error wrapping ErrParam if the stage does
// not declare param or v is of the wrong type or refused by the validator.
func (p *Params) Set(param *Param, v any) {
	if err := p.TrySet(param.Name, v); err != nil {
		panic(err)
	}
}

// TrySet sets the parameter called name to v, returning an error wrapping ErrParam where Set panics.
func (p *Params) TrySet(name string, v any) error {
	d := p.Lookup(name)
	if d == nil {
		return fmt.Errorf("%w: the stage has no parameter %q", ErrParam, name)
	}
	c, err := d.convert(v)
	if err != nil {
		return err
	}
	p.values[name] = c
	return nil
}

// Get returns param's value (its default unless set), Flink ML's WithParams.get. It panics if the stage
// does not declare param.
func (p *Params) Get(param *Param) any {
	v, ok := p.values[param.Name]
	if !ok {
		panic(fmt.Errorf("%w: the stage has no parameter %q", ErrParam, param.Name))
	}
	return v
}

// Map returns a copy of every parameter's value by name, Flink ML's getParamMap.
func (p *Params) Map() map[string]any {
	out := make(map[string]any, len(p.values))
	for k, v := range p.values {
		out[k] = v
	}
	return out
}

// UpdateExisting sets every parameter of p that other also declares to other's value, Flink ML's
// ParamUtils.updateExistingParams (an Estimator hands its parameters to the Model it fits this way).
func (p *Params) UpdateExisting(other *Params) {
	for _, d := range p.defs {
		if v, ok := other.values[d.Name]; ok {
			p.values[d.Name] = v
		}
	}
}

// String lists the parameters as name=value, sorted by name.
func (p *Params) String() string {
	names := make([]string, 0, len(p.values))
	for k := range p.values {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + formatParam(p.values[n])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// MarshalJSON writes the values by name, as Flink ML's saved metadata "paramMap" does.
func (p *Params) MarshalJSON() ([]byte, error) { return json.Marshal(p.values) }

// load sets the values saved by MarshalJSON; parameters the saved map lacks keep their current values.
func (p *Params) load(raw map[string]any) error {
	for name, v := range raw {
		if p.Lookup(name) == nil {
			return fmt.Errorf("%w: saved parameter %q is not declared by the stage", ErrParam, name)
		}
		if err := p.TrySet(name, v); err != nil {
			return err
		}
	}
	return nil
}

func (p *Params) getInt(param *Param) int { return p.Get(param).(int) }
func (p *Params) getFloat(param *Param) float64 {
	return p.Get(param).(float64)
}
func (p *Params) getBool(param *Param) bool { return p.Get(param).(bool) }
func (p *Params) getString(param *Param) string {
	v, _ := p.Get(param).(string)
	return v
}

// The shared parameters of Flink ML's org.apache.flink.ml.common.param (HasFeaturesCol, HasK, ...), with
// their names, defaults and validators.
var (
	// FeaturesCol is "featuresCol", default "features".
	FeaturesCol = NewParam("featuresCol", "Features column name.", StringKind, "features", NotNull())
	// PredictionCol is "predictionCol", default "prediction".
	PredictionCol = NewParam("predictionCol", "Prediction column name.", StringKind, "prediction", NotNull())
	// LabelCol is "labelCol", default "label".
	LabelCol = NewParam("labelCol", "Label column name.", StringKind, "label", NotNull())
	// WeightCol is "weightCol", default null (every row weighs 1).
	WeightCol = NewParam("weightCol", "Weight column name.", StringKind, nil, ParamValidator{})
	// RawPredictionCol is "rawPredictionCol", default "rawPrediction".
	RawPredictionCol = NewParam("rawPredictionCol", "Raw prediction column name.", StringKind, "rawPrediction", ParamValidator{})
	// MaxIter is "maxIter", default 20, > 0.
	MaxIter = NewParam("maxIter", "Maximum number of iterations.", IntKind, 20, Gt(0))
	// Seed is "seed", default null: GetSeed then returns the hash code of Flink ML's class name of the stage.
	Seed = NewParam("seed", "The random seed.", LongKind, nil, ParamValidator{})
	// Tol is "tol", default 1e-6, >= 0.
	Tol = NewParam("tol", "Convergence tolerance for iterative algorithms.", DoubleKind, 1e-6, GtEq(0))
	// LearningRate is "learningRate", default 0.1, > 0.
	LearningRate = NewParam("learningRate", "Learning rate of optimization method.", DoubleKind, 0.1, Gt(0))
	// GlobalBatchSize is "globalBatchSize", default 32, > 0.
	GlobalBatchSize = NewParam("globalBatchSize", "Global batch size of training algorithms.", IntKind, 32, Gt(0))
	// Reg is "reg", default 0, >= 0.
	Reg = NewParam("reg", "Regularization parameter.", DoubleKind, 0.0, GtEq(0))
	// ElasticNet is "elasticNet", default 0, in [0, 1].
	ElasticNet = NewParam("elasticNet", "ElasticNet parameter.", DoubleKind, 0.0, InRange(0, 1))
	// K is "k", default 2, > 1.
	K = NewParam("k", "The max number of clusters to create.", IntKind, 2, Gt(1))
	// DistanceMeasure is "distanceMeasure", default "euclidean", one of euclidean, manhattan, cosine.
	DistanceMeasure = NewParam("distanceMeasure", "Distance measure.", StringKind, Euclidean,
		InArray(Euclidean, Manhattan, Cosine))
	// InitMode is "initMode", default "random" (Flink ML's only mode), or "k-means||" (Spark ML's).
	InitMode = NewParam("initMode", "The initialization algorithm. Supported options: 'random', 'k-means||'.", StringKind,
		InitRandom, InArray(InitRandom, InitKMeansParallel))
	// InitSteps is "initSteps", default 2 (> 0): the rounds of k-means|| initialization (Spark ML's param).
	InitSteps = NewParam("initSteps", "The number of steps for k-means|| initialization mode.", IntKind, 2, Gt(0))
	// InputCol is "inputCol", default "input".
	InputCol = NewParam("inputCol", "Input column name.", StringKind, "input", NotNull())
	// OutputCol is "outputCol", default "output".
	OutputCol = NewParam("outputCol", "Output column name.", StringKind, "output", NotNull())
	// InputCols is "inputCols", default null.
	InputCols = NewParam("inputCols", "Input column names.", StringArrayKind, nil, ParamValidator{})
	// HandleInvalid is "handleInvalid", default "error", one of error, skip, keep.
	HandleInvalid = NewParam("handleInvalid", "Strategy to handle invalid entries.", StringKind, "error",
		InArray("error", "skip", "keep"))
	// MultiClass is "multiClass", default "auto", one of auto, binomial, multinomial.
	MultiClass = NewParam("multiClass", "Classification type.", StringKind, "auto", InArray("auto", "binomial", "multinomial"))
)

// javaStringHash is Java's String.hashCode, which Flink ML's HasSeed uses for the default seed.
func javaStringHash(s string) int64 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return int64(h)
}
