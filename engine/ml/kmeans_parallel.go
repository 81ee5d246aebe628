package ml

import (
	"math"
)

// The initialization modes of KMeans's initMode parameter.
const (
	// InitRandom draws the k initial centroids at random from the points (Flink ML's only mode).
	InitRandom = "random"
	// InitKMeansParallel is k-means|| (Bahmani et al., "Scalable K-Means++", VLDB 2012), as Spark ML's
	// KMeans.initKMeansParallel: a first centre at random, then initSteps rounds that each keep every point
	// with probability 2k·cost/totalCost as a candidate, then a weighted k-means++ on the candidates.
	InitKMeansParallel = "k-means||"
)

// kmeansParallelLocalIter is how many weighted Lloyd rounds run on the candidates, Spark's 30.
const kmeansParallelLocalIter = 30

// kmeansCost is a point's cost to a centre in k-means||: the squared distance for Euclidean (as k-means++'s
// D²), the distance itself for Manhattan and cosine (as Spark's cosine measure).
func kmeansCost(dm distanceMeasure, a []float64, na float64, b []float64, nb float64) float64 {
	d := dm.distance(a, na, b, nb)
	if dm.name == Euclidean {
		return d * d
	}
	return d
}

// kmeansParallelInit chooses the initial centroids by k-means|| over the blocks (pointBlock values, point i
// of the input in block i mod p). The first centre is point nextInt(n) of java.util.Random(seed) in input
// order; in step s, block b draws with java.util.Random(seed ^ s<<16 ^ b), as Spark's per-partition random
// generator, so the choice is reproducible at a given parallelism. Candidates are kept in block order,
// duplicates dropped; when there are at most k, they are the centroids (fewer than k if the points have
// fewer than k distinct values). Otherwise each candidate is weighted by how many points are closest to it
// and Spark's LocalKMeans.kMeansPlusPlus (seeded with seed) picks k of them and refines them for 30 rounds.
func kmeansParallelInit(dm distanceMeasure, blocks []any, n, k, steps int, seed int64) [][]float64 {
	bs := make([]pointBlock, len(blocks))
	for i, b := range blocks {
		bs[i] = b.(pointBlock)
	}
	p := len(bs)
	first := int(newJavaRandom(seed).nextInt(int32(n)))
	c0 := bs[first%p].Points[first/p]
	centres := [][]float64{c0}
	n0 := norm2(c0)
	costs := make([][]float64, p)
	for b, blk := range bs {
		costs[b] = make([]float64, len(blk.Points))
		for i, pt := range blk.Points {
			costs[b][i] = kmeansCost(dm, pt, blk.Norms[i], c0, n0)
		}
	}
	for step := 0; step < steps; step++ {
		total := 0.0
		for _, cs := range costs {
			for _, c := range cs {
				total += c
			}
		}
		if total == 0 {
			break
		}
		var chosen [][]float64
		for b, blk := range bs {
			rnd := newJavaRandom(seed ^ int64(step)<<16 ^ int64(b))
			for i, pt := range blk.Points {
				if rnd.nextDouble() < 2*float64(k)*costs[b][i]/total {
					chosen = append(chosen, pt)
				}
			}
		}
		for _, c := range chosen {
			nc := norm2(c)
			for b, blk := range bs {
				for i, pt := range blk.Points {
					costs[b][i] = math.Min(costs[b][i], kmeansCost(dm, pt, blk.Norms[i], c, nc))
				}
			}
		}
		centres = append(centres, chosen...)
	}
	cands := distinctPoints(centres)
	if len(cands) <= k {
		return cands
	}
	norms := make([]float64, len(cands))
	for i, c := range cands {
		norms[i] = norm2(c)
	}
	weights := make([]float64, len(cands))
	for _, blk := range bs {
		for i, pt := range blk.Points {
			weights[dm.findClosest(cands, norms, pt, blk.Norms[i])]++
		}
	}
	return localKMeansPlusPlus(dm, cands, norms, weights, k, kmeansParallelLocalIter, seed)
}

// distinctPoints drops repeated points, keeping the first of each in order.
func distinctPoints(pts [][]float64) [][]float64 {
	var out [][]float64
next:
	for _, p := range pts {
		for _, q := range out {
			if equalFloats(p, q) {
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// localKMeansPlusPlus is Spark's LocalKMeans.kMeansPlusPlus: k-means++ on weighted points (the first centre
// drawn by weight, each next one by weight·cost), then weighted Lloyd rounds until no point changes centre
// or maxIter rounds; an empty centre jumps to a random point.
func localKMeansPlusPlus(dm distanceMeasure, pts [][]float64, norms, weights []float64, k, maxIter int, seed int64) [][]float64 {
	rnd := newJavaRandom(seed)
	centres := make([][]float64, k)
	cnorms := make([]float64, k)
	centres[0] = pickWeighted(rnd, pts, weights)
	cnorms[0] = norm2(centres[0])
	costs := make([]float64, len(pts))
	for j, p := range pts {
		costs[j] = kmeansCost(dm, p, norms[j], centres[0], cnorms[0])
	}
	for i := 1; i < k; i++ {
		sum := 0.0
		for j := range pts {
			sum += weights[j] * costs[j]
		}
		r := rnd.nextDouble() * sum
		cum, j := 0.0, 0
		for j < len(pts) && cum < r {
			cum += weights[j] * costs[j]
			j++
		}
		centres[i] = pts[max(j-1, 0)]
		cnorms[i] = norm2(centres[i])
		for j, p := range pts {
			costs[j] = math.Min(costs[j], kmeansCost(dm, p, norms[j], centres[i], cnorms[i]))
		}
	}
	assign := make([]int, len(pts))
	for j := range assign {
		assign[j] = -1
	}
	for iter, moved := 0, true; moved && iter < maxIter; iter++ {
		moved = false
		dim := len(pts[0])
		sums := make([][]float64, k)
		counts := make([]float64, k)
		for i := range sums {
			sums[i] = make([]float64, dim)
		}
		for j, p := range pts {
			ix := dm.findClosest(centres, cnorms, p, norms[j])
			for d, x := range p {
				sums[ix][d] += weights[j] * x
			}
			counts[ix] += weights[j]
			if ix != assign[j] {
				moved = true
				assign[j] = ix
			}
		}
		for i := range centres {
			if counts[i] == 0 {
				centres[i] = pts[rnd.nextInt(int32(len(pts)))]
			} else {
				for d := range sums[i] {
					sums[i][d] /= counts[i]
				}
				centres[i] = sums[i]
			}
			cnorms[i] = norm2(centres[i])
		}
	}
	return centres
}

// pickWeighted is Spark's LocalKMeans.pickWeighted: a point drawn with probability proportional to its weight.
func pickWeighted(rnd *javaRandom, pts [][]float64, weights []float64) []float64 {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	r := rnd.nextDouble() * sum
	cum, i := 0.0, 0
	for i < len(pts) && cum < r {
		cum += weights[i]
		i++
	}
	return pts[max(i-1, 0)]
}
