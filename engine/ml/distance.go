package ml

import (
	"errors"
	"math"
)

// The distance measures of Flink ML's DistanceMeasure, by the names the distanceMeasure parameter takes.
const (
	// Euclidean is the L2 distance (Flink ML's EuclideanDistanceMeasure).
	Euclidean = "euclidean"
	// Manhattan is the L1 distance (ManhattanDistanceMeasure).
	Manhattan = "manhattan"
	// Cosine is 1 - cos(angle) (CosineDistanceMeasure).
	Cosine = "cosine"
)

// Distance returns the distance between x and y by measure (Euclidean, Manhattan or Cosine). It panics on
// another measure or if the sizes differ.
func Distance(measure string, x, y Vector) float64 {
	checkSize("Distance", x, y)
	a, b := x.ToArray(), y.ToArray()
	return newDistance(measure).distance(a, norm2(a), b, norm2(b))
}

func norm2(a []float64) float64 { return math.Sqrt(dotDense(a, a)) }

// distanceMeasure computes distances between points given with their L2 norms (Flink ML's VectorWithNorm).
type distanceMeasure struct {
	name string
}

func newDistance(name string) distanceMeasure {
	switch name {
	case Euclidean, Manhattan, Cosine:
		return distanceMeasure{name: name}
	}
	panic("ml: unknown distance measure " + name)
}

func (d distanceMeasure) distance(a []float64, na float64, b []float64, nb float64) float64 {
	switch d.name {
	case Euclidean:
		return math.Sqrt(math.Max(0, na*na+nb*nb-2*dotDense(a, b)))
	case Manhattan:
		s := 0.0
		for i, x := range a {
			s += math.Abs(x - b[i])
		}
		return s
	}
	if !(na > 0 && nb > 0) {
		panic(ErrZeroVector)
	}
	return 1 - dotDense(a, b)/na/nb
}

// ErrZeroVector is the failure of a cosine distance with a zero-length vector, which Flink ML refuses too
// ("Consine distance is not defined for zero-length vectors").
var ErrZeroVector = errors.New("ml: cosine distance is not defined for zero-length vectors")

// findClosest returns the index of the centroid closest to p, the first one on ties, as Flink ML's
// DistanceMeasure.findClosest (Euclidean skips centroids whose norm difference already rules them out).
func (d distanceMeasure) findClosest(centroids [][]float64, norms []float64, p []float64, np float64) int {
	best, bestIx := math.Inf(1), 0
	if d.name == Euclidean {
		for i, c := range centroids {
			lb := np - norms[i]
			if lb*lb >= best {
				continue
			}
			if sq := math.Max(0, np*np+norms[i]*norms[i]-2*dotDense(p, c)); sq < best {
				best, bestIx = sq, i
			}
		}
		return bestIx
	}
	for i, c := range centroids {
		if dist := d.distance(p, np, c, norms[i]); dist < best {
			best, bestIx = dist, i
		}
	}
	return bestIx
}
