package ml

import (
	"fmt"
	"math"
	"sort"
)

// The metric names of BinaryClassificationEvaluator, Flink ML's BinaryClassificationEvaluatorParams.
const (
	AreaUnderROC    = "areaUnderROC"
	AreaUnderPR     = "areaUnderPR"
	KS              = "ks"
	AreaUnderLorenz = "areaUnderLorenz"
)

// MetricsNames is BinaryClassificationEvaluator's "metricsNames", default [areaUnderROC, areaUnderPR].
var MetricsNames = NewParam("metricsNames", "Names of output metrics.", StringArrayKind,
	[]string{AreaUnderROC, AreaUnderPR}, ParamValidator{Describe: "a non-empty list of areaUnderROC, areaUnderPR, ks, areaUnderLorenz",
		Check: func(v any) bool {
			names, _ := v.([]string)
			for _, n := range names {
				if n != AreaUnderROC && n != AreaUnderPR && n != KS && n != AreaUnderLorenz {
					return false
				}
			}
			return len(names) > 0
		}})

// BinaryClassificationEvaluator is Flink ML's BinaryClassificationEvaluator AlgoOperator
// (org.apache.flink.ml.evaluation.binaryclassification): Transform computes, from labelCol (1 is positive,
// anything else negative), rawPredictionCol (a number, or a vector whose element 1 is the score) and the
// optional weightCol, the metrics named by metricsNames, as one table of one row with a float64 column per
// metric in that order. As Flink ML's, the curves are walked one record at a time in descending score order
// (tied records in input order, which Flink ML's per-range sort keeps too), accumulating the trapezoids of
// ROC (true against false positive rate), PR (precision against recall) and Lorenz (true positive rate
// against positive rate), and KS is the largest |FPR - TPR|. It runs as one bounded job: each subtask
// parses its block of rows, one subtask sorts and walks them (Flink ML range-partitions and walks the ranges
// in parallel).
type BinaryClassificationEvaluator struct{ params *Params }

const binaryEvaluatorClass = "org.apache.flink.ml.evaluation.binaryclassification.BinaryClassificationEvaluator"

// NewBinaryClassificationEvaluator returns an evaluator with Flink ML's defaults.
func NewBinaryClassificationEvaluator() *BinaryClassificationEvaluator {
	return &BinaryClassificationEvaluator{params: newParams(LabelCol, RawPredictionCol, WeightCol, MetricsNames)}
}

func init() {
	RegisterStage(binaryEvaluatorClass, func() Stage { return NewBinaryClassificationEvaluator() })
}

// GetParams returns the parameters.
func (e *BinaryClassificationEvaluator) GetParams() *Params { return e.params }

// ClassName is Flink ML's class name.
func (e *BinaryClassificationEvaluator) ClassName() string { return binaryEvaluatorClass }

// Save writes the parameters to path.
func (e *BinaryClassificationEvaluator) Save(path string) error { return saveStage(e, path, 0) }

// SetLabelCol sets the label column.
func (e *BinaryClassificationEvaluator) SetLabelCol(v string) *BinaryClassificationEvaluator {
	e.params.Set(LabelCol, v)
	return e
}

// GetLabelCol returns the label column.
func (e *BinaryClassificationEvaluator) GetLabelCol() string { return e.params.getString(LabelCol) }

// SetRawPredictionCol sets the raw prediction column.
func (e *BinaryClassificationEvaluator) SetRawPredictionCol(v string) *BinaryClassificationEvaluator {
	e.params.Set(RawPredictionCol, v)
	return e
}

// GetRawPredictionCol returns the raw prediction column.
func (e *BinaryClassificationEvaluator) GetRawPredictionCol() string {
	return e.params.getString(RawPredictionCol)
}

// SetWeightCol sets the weight column.
func (e *BinaryClassificationEvaluator) SetWeightCol(v string) *BinaryClassificationEvaluator {
	e.params.Set(WeightCol, v)
	return e
}

// GetWeightCol returns the weight column ("" when unset).
func (e *BinaryClassificationEvaluator) GetWeightCol() string { return e.params.getString(WeightCol) }

// SetMetricsNames sets the metrics to compute, in output order.
func (e *BinaryClassificationEvaluator) SetMetricsNames(names ...string) *BinaryClassificationEvaluator {
	e.params.Set(MetricsNames, names)
	return e
}

// GetMetricsNames returns the metrics to compute.
func (e *BinaryClassificationEvaluator) GetMetricsNames() []string {
	return append([]string(nil), e.params.Get(MetricsNames).([]string)...)
}

// scoredSample is one parsed row: its position, score, class and weight.
type scoredSample struct {
	I      int
	Score  float64
	Pos    bool
	Weight float64
}

// Transform evaluates one table.
func (e *BinaryClassificationEvaluator) Transform(inputs ...*Table) ([]*Table, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("%w: BinaryClassificationEvaluator.Transform takes one table, got %d", ErrParam, len(inputs))
	}
	lc, rc, wc := e.GetLabelCol(), e.GetRawPredictionCol(), e.GetWeightCol()
	names := e.GetMetricsNames()
	// aggregateRows splits row i into block i mod p; the samples carry i so the merge restores input order.
	v, err := aggregateRows(inputs[0], "BinaryClassificationEvaluator", func(rows []Row) (any, error) {
		return parseSamples(rows, lc, rc, wc)
	}, func(parts []any) any {
		return mergeSamples(parts)
	})
	if err != nil {
		return nil, err
	}
	m := binaryMetrics(v.([]scoredSample))
	row := Row{}
	for _, n := range names {
		row = row.With(n, m[n])
	}
	return []*Table{FromRows(inputs[0].Environment(), []Row{row})}, nil
}

func parseSamples(rows []Row, lc, rc, wc string) (any, error) {
	out := make([]scoredSample, len(rows))
	for i, r := range rows {
		label, err := r.Float(lc)
		if err != nil {
			return nil, err
		}
		raw, err := r.Field(rc)
		if err != nil {
			return nil, err
		}
		var score float64
		if vec, verr := AsVector(raw); verr == nil {
			score = vec.Get(1)
		} else if score, err = r.Float(rc); err != nil {
			return nil, err
		}
		w := 1.0
		if wc != "" {
			if w, err = r.Float(wc); err != nil {
				return nil, err
			}
		}
		out[i] = scoredSample{I: i, Score: score, Pos: label == 1, Weight: w}
	}
	return out, nil
}

// mergeSamples restores the input order (block b's j-th row was row j*p+b) and sorts by descending score,
// stably.
func mergeSamples(parts []any) any {
	p := len(parts)
	var all []scoredSample
	for b, part := range parts {
		for _, s := range part.([]scoredSample) {
			s.I = s.I*p + b
			all = append(all, s)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].I < all[j].I })
	sort.SliceStable(all, func(i, j int) bool { return all[i].Score > all[j].Score })
	return all
}

// binaryMetrics is Flink ML's updateBinaryMetrics over the sorted samples.
func binaryMetrics(samples []scoredSample) map[string]float64 {
	var totalPos, totalNeg float64
	for _, s := range samples {
		if s.Pos {
			totalPos += s.Weight
		} else {
			totalNeg += s.Weight
		}
	}
	rate := func(a, total float64) float64 {
		if total == 0 {
			return 1
		}
		return a / total
	}
	var tp, fp float64
	prevTPR, prevFPR, prevPrec, prevPosRate := rate(0, totalPos), rate(0, totalNeg), 1.0, 0.0
	m := map[string]float64{}
	for _, s := range samples {
		if s.Pos {
			tp += s.Weight
		} else {
			fp += s.Weight
		}
		tpr, fpr := rate(tp, totalPos), rate(fp, totalNeg)
		prec := 1.0
		if tp+fp != 0 {
			prec = tp / (tp + fp)
		}
		posRate := (tp + fp) / (totalPos + totalNeg)
		m[AreaUnderROC] += (fpr - prevFPR) * (tpr + prevTPR) / 2
		m[AreaUnderLorenz] += (posRate - prevPosRate) * (tpr + prevTPR) / 2
		m[AreaUnderPR] += (tpr - prevTPR) * (prec + prevPrec) / 2
		m[KS] = math.Max(m[KS], math.Abs(fpr-tpr))
		prevTPR, prevFPR, prevPrec, prevPosRate = tpr, fpr, prec, posRate
	}
	return m
}

// Accuracy returns the share of rows of t whose predictionCol equals their labelCol (both read as numbers),
// computed as one bounded job. An empty table is an error.
func Accuracy(t *Table, labelCol, predictionCol string) (float64, error) {
	v, err := aggregateRows(t, "Accuracy", func(rows []Row) (any, error) {
		hits := 0.0
		for _, r := range rows {
			l, err := r.Float(labelCol)
			if err != nil {
				return nil, err
			}
			p, err := r.Float(predictionCol)
			if err != nil {
				return nil, err
			}
			if l == p {
				hits++
			}
		}
		return [2]float64{hits, float64(len(rows))}, nil
	}, sumPairs)
	if err != nil {
		return 0, err
	}
	s := v.([2]float64)
	if s[1] == 0 {
		return 0, fmt.Errorf("%w: Accuracy: the table is empty", ErrParam)
	}
	return s[0] / s[1], nil
}

// RMSE returns the root mean squared difference between predictionCol and labelCol over the rows of t,
// computed as one bounded job. An empty table is an error.
func RMSE(t *Table, labelCol, predictionCol string) (float64, error) {
	v, err := aggregateRows(t, "RMSE", func(rows []Row) (any, error) {
		sq := 0.0
		for _, r := range rows {
			l, err := r.Float(labelCol)
			if err != nil {
				return nil, err
			}
			p, err := r.Float(predictionCol)
			if err != nil {
				return nil, err
			}
			sq += (p - l) * (p - l)
		}
		return [2]float64{sq, float64(len(rows))}, nil
	}, sumPairs)
	if err != nil {
		return 0, err
	}
	s := v.([2]float64)
	if s[1] == 0 {
		return 0, fmt.Errorf("%w: RMSE: the table is empty", ErrParam)
	}
	return math.Sqrt(s[0] / s[1]), nil
}

func sumPairs(parts []any) any {
	var s [2]float64
	for _, p := range parts {
		x := p.([2]float64)
		s[0] += x[0]
		s[1] += x[1]
	}
	return s
}
