package ml

import (
	"errors"
	"fmt"
)

// Reading the training rows of the estimators that take a features column (and a label column).

//lint:ignore ST1005 Flink ML's message, word for word
var errUnequalLength = errors.New("Feature vectors should be of equal length.")

// featureRows reads the features column of rows as dense arrays of one dimension; a dense vector's values
// are shared, not copied, and must not be written. A row without a vector there, or whose vector's size is
// not row 0's (an error wrapping ErrColumnType and Flink ML's errUnequalLength), is an error naming stage and
// the row.
func featureRows(rows []Row, col, stage string) ([][]float64, error) {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		v, err := r.Vector(col)
		if err != nil {
			return nil, fmt.Errorf("ml: %s: row %d: %w", stage, i, err)
		}
		if d, ok := v.(*DenseVector); ok {
			out[i] = d.Values // read only: training never writes a point
		} else {
			out[i] = v.ToArray()
		}
		if len(out[i]) != len(out[0]) {
			return nil, fmt.Errorf("ml: %s: row %d: %w: %w (%d elements, row 0 has %d)", stage, i, ErrColumnType, errUnequalLength,
				len(out[i]), len(out[0]))
		}
	}
	return out, nil
}

// labeledPoints reads features (as featureRows does), label and weight (1 without a weight column) of rows:
// what the SGD's regressions, NaiveBayes and Knn train on.
func labeledPoints(rows []Row, featuresCol, labelCol, weightCol, stage string) (x [][]float64, y, w []float64, err error) {
	x, err = featureRows(rows, featuresCol, stage)
	if err != nil {
		return nil, nil, nil, err
	}
	y, w = make([]float64, len(rows)), make([]float64, len(rows))
	for i, r := range rows {
		if y[i], err = r.Float(labelCol); err != nil {
			return nil, nil, nil, fmt.Errorf("ml: %s: row %d: %w", stage, i, err)
		}
		w[i] = 1
		if weightCol != "" {
			if w[i], err = r.Float(weightCol); err != nil {
				return nil, nil, nil, fmt.Errorf("ml: %s: row %d: %w", stage, i, err)
			}
		}
	}
	return x, y, w, nil
}
