package ml

import (
	"fmt"
	"math"
)

// multinomialLogisticLoss is the softmax (multinomial logistic) loss of numClasses classes, Spark ML's
// MultinomialLogisticLoss without intercepts: the coefficient is a numClasses x numFeatures matrix laid out
// row by row (class c's row at c*numFeatures), and a point's loss is weight * (log(sum_c exp(x.coef_c)) -
// x.coef_label).
func multinomialLogisticLoss(numClasses int) lossFunc {
	return lossFunc{
		name: "MultinomialLogisticLoss",
		loss: func(x []float64, label, w float64, coef []float64) float64 {
			z := classMargins(x, coef, numClasses)
			return w * (logSumExp(z) - z[int(label)])
		},
		gradient: func(x []float64, label, w float64, coef, grad []float64) {
			p := softmax(classMargins(x, coef, numClasses))
			d := len(x)
			for c, pc := range p {
				m := pc
				if c == int(label) {
					m--
				}
				m *= w
				row := grad[c*d : (c+1)*d]
				for j, v := range x {
					row[j] += m * v
				}
			}
		},
	}
}

// classMargins is x . coef_c for every class c of a row-major coefficient matrix.
func classMargins(x, coef []float64, numClasses int) []float64 {
	d := len(x)
	z := make([]float64, numClasses)
	for c := range z {
		z[c] = dotDense(x, coef[c*d:(c+1)*d])
	}
	return z
}

func logSumExp(z []float64) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range z {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// softmax turns margins into probabilities (in place) and returns them.
func softmax(z []float64) []float64 {
	lse := logSumExp(z)
	for i, v := range z {
		z[i] = math.Exp(v - lse)
	}
	return z
}

// argmax is the index of the largest value, the first one on ties.
func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// numClassesOf is Spark ML's rule for the number of classes: the largest label + 1; every label must be a
// non-negative integer.
func numClassesOf(y []float64, stage string) (int, error) {
	n := 0
	for i, l := range y {
		if l < 0 || l != math.Trunc(l) || l > 1<<20 {
			return 0, fmt.Errorf("%w: %s: row %d: label %v is not a class index (a non-negative integer)", ErrParam, stage, i, l)
		}
		n = max(n, int(l)+1)
	}
	return n, nil
}

// NumClasses returns the number of classes of a multinomial model (its coefficient is a NumClasses x
// numFeatures matrix, row by row), or 0 for a binomial one (a single coefficient vector).
func (m *LogisticRegressionModel) NumClasses() int { return m.numClasses }
