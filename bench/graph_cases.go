package bench

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/graph"
)

// Gelly on Weir (package engine/graph) against hand-written loops computing the same results in the same run:
// PageRank (20 iterations), connected components and triangle enumeration on a seeded R-MAT graph (Gelly's
// RMatGraph, A=0.57 B=0.19 C=0.19). An event is one edge of the input graph; the graph has one vertex for
// every 16 edges (rounded down to a power of two). Each case fails if its result differs from the loop's
// (PageRank: any score off by more than 1e-9). Every superstep of an iteration is one bounded job (see
// engine.IterateBulk), so the engine's figures include a job start and a pass over all edges per superstep.

// graphInput is the generated graph of one size, made before the clock starts.
type graphInput struct {
	vertices []graph.Vertex
	edges    []graph.Edge
	ids      int64 // vertex ids are 0..ids-1
}

var graphInputs sync.Map // n -> *graphInput

func graphVertexCount(n int64) int64 {
	v := int64(2)
	for v*2 <= n/16 {
		v *= 2
	}
	return v
}

// graphSetup generates the R-MAT graph of n edges (seed 42) once per size.
func graphSetup(n int64) error {
	if _, ok := graphInputs.Load(n); ok {
		return nil
	}
	ids := graphVertexCount(n)
	vs, es, err := graph.RMat{VertexCount: ids, EdgeCount: n, Seed: 42}.Graph(graphEnv()).Collect()
	if err != nil {
		return err
	}
	graphInputs.Store(n, &graphInput{vertices: vs, edges: es, ids: ids})
	return nil
}

func graphInputOf(n int64) *graphInput {
	if err := graphSetup(n); err != nil {
		panic(err)
	}
	in, _ := graphInputs.Load(n)
	return in.(*graphInput)
}

// graphEnv is the engine's configuration of the graph cases: parallelism 2, batch execution.
func graphEnv() *engine.Environment {
	return engine.NewEnvironment(engine.Config{Parallelism: 2, RuntimeMode: engine.Batch})
}

// pageRankLoop is Gelly's PageRank rule by hand: scores start at 1/n over the vertices with an edge; each
// iteration sends score/outdegree along every edge, and a vertex's new score is ((1-d) + d*(1-sum))/n plus d
// times what it received.
func pageRankLoop(in *graphInput, iterations int, d float64) map[int64]float64 {
	outDeg := make([]int64, in.ids)
	hasEdge := make([]bool, in.ids)
	for _, e := range in.edges {
		s, t := e.Source.(int64), e.Target.(int64)
		outDeg[s]++
		hasEdge[s], hasEdge[t] = true, true
	}
	var live []int64
	for v := range in.ids {
		if hasEdge[v] {
			live = append(live, v)
		}
	}
	n := float64(len(live))
	score, next := make([]float64, in.ids), make([]float64, in.ids)
	for _, v := range live {
		score[v] = 1 / n
	}
	for range iterations {
		clear(next)
		sum := 0.0
		for _, e := range in.edges {
			s, t := e.Source.(int64), e.Target.(int64)
			x := score[s] / float64(outDeg[s])
			next[t] += x
			sum += x
		}
		uniform := ((1 - d) + d*(1-sum)) / n
		for _, v := range live {
			next[v] = uniform + d*next[v]
		}
		score, next = next, score
	}
	out := make(map[int64]float64, len(live))
	for _, v := range live {
		out[v] = score[v]
	}
	return out
}

// componentsLoop labels every vertex with the smallest id of its weakly connected component (label
// propagation over a workset, as ConnectedComponents does).
func componentsLoop(in *graphInput) []int64 {
	adj := make([][]int64, in.ids)
	for _, e := range in.edges {
		s, t := e.Source.(int64), e.Target.(int64)
		adj[s] = append(adj[s], t)
		adj[t] = append(adj[t], s)
	}
	label := make([]int64, in.ids)
	work := make([]int64, in.ids)
	for v := range in.ids {
		label[v], work[v] = v, v
	}
	cand := map[int64]int64{}
	for len(work) > 0 {
		clear(cand)
		for _, v := range work {
			for _, u := range adj[v] {
				if c, ok := cand[u]; !ok || label[v] < c {
					cand[u] = label[v]
				}
			}
		}
		work = work[:0]
		for u, c := range cand {
			if c < label[u] {
				label[u] = c
				work = append(work, u)
			}
		}
	}
	return label
}

// trianglesLoop counts the triangles of the simple undirected graph under the edges by orienting every edge
// from its lower-degree end and intersecting sorted adjacency lists.
func trianglesLoop(in *graphInput) int {
	seen := map[[2]int64]bool{}
	deg := make([]int64, in.ids)
	var simple [][2]int64
	for _, e := range in.edges {
		s, t := e.Source.(int64), e.Target.(int64)
		if s == t {
			continue
		}
		if s > t {
			s, t = t, s
		}
		if !seen[[2]int64{s, t}] {
			seen[[2]int64{s, t}] = true
			simple = append(simple, [2]int64{s, t})
			deg[s]++
			deg[t]++
		}
	}
	out := make([][]int64, in.ids)
	for _, p := range simple {
		s, t := p[0], p[1]
		if deg[s] > deg[t] || (deg[s] == deg[t] && s > t) {
			s, t = t, s
		}
		out[s] = append(out[s], t)
	}
	for _, l := range out {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	}
	count := 0
	for v := range out {
		for _, a := range out[v] {
			for _, b := range out[v] {
				if a < b && (seen[[2]int64{a, b}]) {
					count++
				}
			}
		}
	}
	return count
}

func init() {
	const iterations, damping = 20, 0.85
	var prLoop sync.Map // n -> map[int64]float64
	var prSteps, ccSteps, triangles int
	const big = 0.5 // 1,000,000 edges of the default 2,000,000 events
	Register(Case{Name: "graph-pagerank/loop", Scale: big, Setup: graphSetup,
		About: "hand-written PageRank, 20 iterations (Gelly's rule) on an R-MAT graph",
		Run: func(n int64) (int64, error) {
			prLoop.Store(n, pageRankLoop(graphInputOf(n), iterations, damping))
			return n, nil
		}})
	Register(Case{Name: "graph-pagerank/engine", Baseline: "graph-pagerank/loop", ChecksBaseline: true, Scale: big, Setup: graphSetup,
		About: "graph.PageRank, 20 supersteps (IterateBulk), parallelism 2, batch mode",
		Run: func(n int64) (int64, error) {
			in := graphInputOf(n)
			res, err := graph.PageRank{DampingFactor: damping, MaxIterations: iterations}.Run(graph.FromCollection(graphEnv(), in.vertices, in.edges))
			if err != nil {
				return 0, err
			}
			prSteps = len(res.Supersteps)
			want, ok := prLoop.Load(n)
			if !ok {
				want = pageRankLoop(in, iterations, damping)
			}
			w := want.(map[int64]float64)
			if len(res.Vertices) != len(w) {
				return 0, fmt.Errorf("the engine scored %d vertices, the loop %d", len(res.Vertices), len(w))
			}
			for _, v := range res.Vertices {
				if x := v.Value.(float64); math.Abs(x-w[v.ID.(int64)]) > 1e-9 {
					return 0, fmt.Errorf("vertex %v: the engine's score %v differs from the loop's %v", v.ID, x, w[v.ID.(int64)])
				}
			}
			return n, nil
		},
		Note: func() string { return fmt.Sprintf("%d supersteps", prSteps) }})

	var ccLoopResult sync.Map // n -> []int64
	Register(Case{Name: "graph-cc/loop", Scale: big, Setup: graphSetup,
		About: "hand-written label propagation: connected components of an R-MAT graph",
		Run: func(n int64) (int64, error) {
			ccLoopResult.Store(n, componentsLoop(graphInputOf(n)))
			return n, nil
		}})
	Register(Case{Name: "graph-cc/engine", Baseline: "graph-cc/loop", ChecksBaseline: true, Scale: big, Setup: graphSetup,
		About: "graph.ConnectedComponents (scatter-gather on IterateDelta), parallelism 2, batch mode",
		Run: func(n int64) (int64, error) {
			in := graphInputOf(n)
			res, err := graph.ConnectedComponents{MaxIterations: 1 << 20}.Run(graph.FromCollection(graphEnv(), in.vertices, in.edges))
			if err != nil {
				return 0, err
			}
			ccSteps = len(res.Supersteps)
			want, ok := ccLoopResult.Load(n)
			if !ok {
				want = componentsLoop(in)
			}
			for _, v := range res.Vertices {
				if c := want.([]int64)[v.ID.(int64)]; v.Value != c {
					return 0, fmt.Errorf("vertex %v: the engine's component %v differs from the loop's %d", v.ID, v.Value, c)
				}
			}
			return n, nil
		},
		Note: func() string { return fmt.Sprintf("%d supersteps", ccSteps) }})

	const small = 0.01 // 20,000 edges
	var triLoop sync.Map
	Register(Case{Name: "graph-triangles/loop", Scale: small, Setup: graphSetup,
		About: "hand-written triangle count (degree-oriented edges) on an R-MAT graph",
		Run: func(n int64) (int64, error) {
			triLoop.Store(n, trianglesLoop(graphInputOf(n)))
			return n, nil
		}})
	Register(Case{Name: "graph-triangles/engine", Baseline: "graph-triangles/loop", ChecksBaseline: true, Scale: small, Setup: graphSetup,
		About: "graph.TriangleEnumerator (one job), parallelism 2, batch mode",
		Run: func(n int64) (int64, error) {
			in := graphInputOf(n)
			got, err := graph.TriangleEnumerator{}.Run(graph.FromCollection(graphEnv(), in.vertices, in.edges))
			if err != nil {
				return 0, err
			}
			triangles = len(got)
			want, ok := triLoop.Load(n)
			if !ok {
				want = trianglesLoop(in)
			}
			if len(got) != want.(int) {
				return 0, fmt.Errorf("the engine listed %d triangles, the loop counted %d", len(got), want)
			}
			return n, nil
		},
		Note: func() string { return fmt.Sprintf("%d triangles", triangles) }})
}
