package ml

import (
	"fmt"
	"math"

	"github.com/de4e/weir/engine"
)

func init() { engine.RegisterType([3]float64{}) }

// PrecisionRecall returns, over the rows of t, the precision (the share of rows predicted positiveLabel whose
// labelCol is positiveLabel) and recall (the share of rows labelled positiveLabel that are predicted so) of
// predictionCol, scikit-learn's precision_score and recall_score with pos_label, computed as one bounded job.
// A precision or recall with no rows to share is 0 (scikit-learn's zero_division default, with its warning
// left out).
func PrecisionRecall(t *Table, labelCol, predictionCol string, positiveLabel float64) (precision, recall float64, err error) {
	v, err := aggregateRows(t, "PrecisionRecall", func(rows []Row) (any, error) {
		var c [3]float64 // true positives, predicted positives, actual positives
		for _, r := range rows {
			l, err := r.Float(labelCol)
			if err != nil {
				return nil, err
			}
			p, err := r.Float(predictionCol)
			if err != nil {
				return nil, err
			}
			if p == positiveLabel {
				c[1]++
				if l == positiveLabel {
					c[0]++
				}
			}
			if l == positiveLabel {
				c[2]++
			}
		}
		return c, nil
	}, func(parts []any) any {
		var s [3]float64
		for _, p := range parts {
			for k, x := range p.([3]float64) {
				s[k] += x
			}
		}
		return s
	})
	if err != nil {
		return 0, 0, err
	}
	c := v.([3]float64)
	if c[1] > 0 {
		precision = c[0] / c[1]
	}
	if c[2] > 0 {
		recall = c[0] / c[2]
	}
	return precision, recall, nil
}

// Silhouette returns the mean silhouette coefficient of the rows of t clustered by predictionCol, with
// Euclidean distances between featuresCol vectors: for each row, (b - a) / max(a, b), a being its mean
// distance to the other rows of its cluster and b the smallest mean distance to the rows of another cluster,
// and 0 for a row alone in its cluster (scikit-learn's silhouette_score with metric "euclidean"; Spark's
// ClusteringEvaluator uses squared distances by default). It is one bounded job in which each subtask scores
// its block of rows against all rows (quadratic in the row count). It fails on an empty table or fewer than 2
// clusters.
func Silhouette(t *Table, featuresCol, predictionCol string) (float64, error) {
	rows, err := collectRows(t, "Silhouette")
	if err != nil {
		return 0, err
	}
	points := make([][]float64, len(rows))
	clusters := make([]float64, len(rows))
	sizes := map[float64]int{}
	for i, r := range rows {
		v, err := r.Vector(featuresCol)
		if err != nil {
			return 0, fmt.Errorf("ml: Silhouette: row %d: %w", i, err)
		}
		if points[i] = v.ToArray(); len(points[i]) != len(points[0]) {
			return 0, fmt.Errorf("%w: Silhouette: row %d has %d features, row 0 %d", ErrColumnType, i, len(points[i]), len(points[0]))
		}
		if clusters[i], err = r.Float(predictionCol); err != nil {
			return 0, fmt.Errorf("ml: Silhouette: row %d: %w", i, err)
		}
		sizes[clusters[i]]++
	}
	if len(rows) == 0 || len(sizes) < 2 || len(sizes) == len(rows) {
		return 0, fmt.Errorf("%w: Silhouette needs 2 to %d clusters, got %d", ErrParam, len(rows)-1, len(sizes))
	}
	indexed := make([]Row, len(rows))
	for i := range indexed {
		indexed[i] = NewRow("i", i)
	}
	v, err := aggregateRows(materialized(t.Environment(), indexed), "Silhouette", func(block []Row) (any, error) {
		var sum float64
		for _, r := range block {
			i := r.Get("i").(int)
			own := clusters[i]
			if sizes[own] == 1 {
				continue
			}
			dist := map[float64]float64{}
			for j, q := range points {
				if j != i {
					dist[clusters[j]] += math.Sqrt(squaredDistance(points[i], q))
				}
			}
			a := dist[own] / float64(sizes[own]-1)
			b := math.Inf(1)
			for c, d := range dist {
				if c != own {
					b = math.Min(b, d/float64(sizes[c]))
				}
			}
			sum += (b - a) / math.Max(a, b)
		}
		return [2]float64{sum, float64(len(block))}, nil
	}, sumPairs)
	if err != nil {
		return 0, err
	}
	s := v.([2]float64)
	return s[0] / s[1], nil
}

func squaredDistance(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}
