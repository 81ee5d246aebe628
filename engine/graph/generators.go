package graph

import (
	"fmt"
	"math/bits"
	"math/rand/v2"

	"github.com/de4e/weir/engine"
)

// Generators, Gelly's org.apache.flink.graph.generator: vertices have int64 ids 0..n-1 and nil values,
// edges nil values. The undirected generators (complete, cycle, path, star, grid) emit each connection in
// both directions, as Gelly's do.

func generated(env *engine.Environment, n int64, edges []Edge) *Graph {
	vs := make([]Vertex, n)
	for i := range vs {
		vs[i] = Vertex{ID: int64(i)}
	}
	return FromCollection(env, vs, edges)
}

func checkCount(what string, n int64, least int64) {
	if n < least {
		panic(fmt.Sprintf("graph: %s needs at least %d vertices, got %d", what, least, n))
	}
}

// CompleteGraph makes the complete graph on n vertices: an edge from every vertex to every other, Gelly's
// CompleteGraph. n must be at least 2.
func CompleteGraph(env *engine.Environment, n int64) *Graph {
	checkCount("CompleteGraph", n, 2)
	edges := make([]Edge, 0, n*(n-1))
	for i := int64(0); i < n; i++ {
		for j := int64(0); j < n; j++ {
			if i != j {
				edges = append(edges, Edge{Source: i, Target: j})
			}
		}
	}
	return generated(env, n, edges)
}

// CycleGraph makes the cycle 0-1-...-(n-1)-0, each connection in both directions, Gelly's CycleGraph. n
// must be at least 2.
func CycleGraph(env *engine.Environment, n int64) *Graph {
	checkCount("CycleGraph", n, 2)
	return GridGraph(env, []GridDimension{{Size: n, Wrap: true}})
}

// PathGraph makes the path 0-1-...-(n-1), each connection in both directions, Gelly's PathGraph. n must be
// at least 2.
func PathGraph(env *engine.Environment, n int64) *Graph {
	checkCount("PathGraph", n, 2)
	return GridGraph(env, []GridDimension{{Size: n}})
}

// StarGraph makes the star with centre 0 and leaves 1..n-1, each connection in both directions, Gelly's
// StarGraph. n must be at least 2.
func StarGraph(env *engine.Environment, n int64) *Graph {
	checkCount("StarGraph", n, 2)
	edges := make([]Edge, 0, 2*(n-1))
	for i := int64(1); i < n; i++ {
		edges = append(edges, Edge{Source: int64(0), Target: i}, Edge{Source: i, Target: int64(0)})
	}
	return generated(env, n, edges)
}

// GridDimension is one dimension of a GridGraph: its size and whether its endpoints are connected.
type GridDimension struct {
	// Size is the number of vertices along the dimension; at least 1.
	Size int64
	// Wrap connects the last vertex of the dimension to the first (a ring), as Gelly's wrapEndpoints.
	Wrap bool
}

// GridGraph makes the n-dimensional grid, Gelly's GridGraph (addDimension(size, wrapEndpoints) for each
// dimension): vertex ids number the cells in mixed radix, the first dimension varying fastest, and every
// vertex is connected in both directions to its neighbours one step along each dimension. A wrapped
// dimension of size 2 connects its two vertices once, as an unwrapped one does.
func GridGraph(env *engine.Environment, dims []GridDimension) *Graph {
	if len(dims) == 0 {
		panic("graph: GridGraph needs at least one dimension")
	}
	n := int64(1)
	for i, d := range dims {
		if d.Size < 1 {
			panic(fmt.Sprintf("graph: GridGraph dimension %d has size %d, want at least 1", i, d.Size))
		}
		n *= d.Size
	}
	var edges []Edge
	for v := int64(0); v < n; v++ {
		stride, rest := int64(1), v
		for _, d := range dims {
			c := rest % d.Size
			rest /= d.Size
			seen := map[int64]bool{}
			for _, step := range []int64{1, -1} {
				nc := c + step
				if nc < 0 || nc >= d.Size {
					if !d.Wrap {
						continue
					}
					nc = (nc + d.Size) % d.Size
				}
				if nc == c || seen[nc] {
					continue
				}
				seen[nc] = true
				edges = append(edges, Edge{Source: v, Target: v + (nc-c)*stride})
			}
			stride *= d.Size
		}
	}
	return generated(env, n, edges)
}

// RMat holds the parameters of an R-MAT graph (Chakrabarti, Zhan and Faloutsos), Gelly's RMatGraph: each
// edge picks its source and target bit by bit, choosing the quadrant A (0,0), B (0,1), C (1,0) or D (1,1)
// of the adjacency matrix with those probabilities.
type RMat struct {
	// VertexCount is the number of vertices, ids 0..VertexCount-1; at least 2.
	VertexCount int64
	// EdgeCount is the number of edges generated; at least 1.
	EdgeCount int64
	// A, B and C are the quadrant probabilities (D is 1-A-B-C). Defaults (all zero): Gelly's 0.57, 0.19,
	// 0.19.
	A, B, C float64
	// Noise, if above 0, perturbs the probabilities at each bit by up to ±Noise (Gelly's setNoise), then
	// renormalises them. Default 0: no noise, as Gelly's default.
	Noise float64
	// Seed seeds the generator: one seed gives one graph on every machine.
	Seed uint64
}

// Graph generates the R-MAT graph: a directed graph whose edges may include self-loops and repeated pairs,
// as Gelly's; Simplify and GetUndirected make a simple undirected graph of it. An edge whose endpoint falls
// at or beyond VertexCount (when it is not a power of two) is drawn again.
func (r RMat) Graph(env *engine.Environment) *Graph {
	checkCount("RMat", r.VertexCount, 2)
	if r.EdgeCount < 1 {
		panic(fmt.Sprintf("graph: RMat.EdgeCount must be at least 1, got %d", r.EdgeCount))
	}
	a, b, c := r.A, r.B, r.C
	if a == 0 && b == 0 && c == 0 {
		a, b, c = 0.57, 0.19, 0.19
	}
	if a < 0 || b < 0 || c < 0 || a+b+c > 1 {
		panic(fmt.Sprintf("graph: RMat probabilities A=%v B=%v C=%v must be non-negative and sum to at most 1", a, b, c))
	}
	if r.Noise < 0 || r.Noise >= 1 {
		panic(fmt.Sprintf("graph: RMat.Noise must be in [0, 1), got %v", r.Noise))
	}
	scale := bits.Len64(uint64(r.VertexCount - 1))
	rng := rand.New(rand.NewPCG(r.Seed, 0x9e3779b97f4a7c15))
	edges := make([]Edge, 0, r.EdgeCount)
	for int64(len(edges)) < r.EdgeCount {
		var src, tgt int64
		for bit := 0; bit < scale; bit++ {
			pa, pb, pc := a, b, c
			if r.Noise > 0 {
				pa *= 1 - r.Noise + 2*r.Noise*rng.Float64()
				pb *= 1 - r.Noise + 2*r.Noise*rng.Float64()
				pc *= 1 - r.Noise + 2*r.Noise*rng.Float64()
				pd := (1 - a - b - c) * (1 - r.Noise + 2*r.Noise*rng.Float64())
				sum := pa + pb + pc + pd
				pa, pb, pc = pa/sum, pb/sum, pc/sum
			}
			src <<= 1
			tgt <<= 1
			switch p := rng.Float64(); {
			case p < pa:
			case p < pa+pb:
				tgt |= 1
			case p < pa+pb+pc:
				src |= 1
			default:
				src |= 1
				tgt |= 1
			}
		}
		if src < r.VertexCount && tgt < r.VertexCount {
			edges = append(edges, Edge{Source: src, Target: tgt})
		}
	}
	return generated(env, r.VertexCount, edges)
}
