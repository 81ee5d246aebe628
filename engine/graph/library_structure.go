package graph

import (
	"math"
	"sort"

	"github.com/de4e/weir/engine"
)

// Triangle is three vertex ids that are pairwise connected, in ascending order (Compare), Gelly's
// Tuple3<K, K, K> of TriangleEnumerator.
type Triangle struct {
	A, B, C any
}

// Similarity is a score of a pair of vertices that share at least one neighbour, Source before Target
// (Compare): Gelly's JaccardIndex.Result and AdamicAdar.Result.
type Similarity struct {
	Source, Target any
	// Shared is the number of neighbours the two vertices share.
	Shared int64
	// Score is the Jaccard index (Shared over the size of the union of their neighbourhoods) or the
	// Adamic-Adar index (the sum over shared neighbours of 1/ln(degree)).
	Score float64
}

func init() {
	engine.RegisterType(Triangle{})
	engine.RegisterType(Similarity{})
	engine.RegisterType(pairScore{})
}

// simpleUndirected returns every connection of e once as an edge from its smaller to its larger end
// (Compare), without self-loops: the edges of the simple undirected graph underlying e.
func simpleUndirected(e *engine.DataStream) *engine.DataStream {
	return e.FlatMap(func(r any, out engine.Collector) {
		x := r.(Edge)
		switch c := Compare(x.Source, x.Target); {
		case c < 0:
			out.Collect(Edge{Source: x.Source, Target: x.Target})
		case c > 0:
			out.Collect(Edge{Source: x.Target, Target: x.Source})
		}
	}).Name("Undirected pairs").DistinctBy(edgePair).Name("Simple edges")
}

// TriangleEnumerator lists the triangles of a graph, its edges taken as undirected, Gelly's library
// TriangleEnumerator (Schank and Wagner's algorithm on a dataflow): the simple undirected edges are
// oriented from the end of lower degree to the end of higher degree (ties: the smaller id first), each
// vertex pairs its oriented neighbours into triads, and a triad whose two ends are connected is a
// triangle. Each triangle is listed once.
type TriangleEnumerator struct{}

// Run runs one job listing g's triangles, sorted ascending.
func (TriangleEnumerator) Run(g *Graph) ([]Triangle, error) {
	res, err := run(g.env, "triangle enumeration", func(s *session) *engine.DataStream {
		_, e := g.streams(s)
		simple := simpleUndirected(e)
		degrees := simple.FlatMap(func(r any, out engine.Collector) {
			x := r.(Edge)
			out.Collect(endpoint{ID: x.Source, N: 1})
			out.Collect(endpoint{ID: x.Target, N: 1})
		}).Name("Endpoints").KeyBy(func(r any) any { return r.(endpoint).ID }).
			Aggregate(engine.FieldAggregation{Kind: engine.AggSum, Field: "N"}).Name("Degrees")
		endpointID := func(r any) any { return r.(endpoint).ID }
		oriented := simple.JoinBounded(degrees, engine.InnerJoin).Where(edgeSource).EqualTo(endpointID).
			Apply(func(a, b any) any { x := a.(Edge); x.Value = b.(endpoint).N; return x }).Name("Source degree").
			JoinBounded(degrees, engine.InnerJoin).Where(edgeTarget).EqualTo(endpointID).
			Apply(func(a, b any) any {
				x := a.(Edge)
				ds, dt := x.Value.(int64), b.(endpoint).N
				if ds > dt || (ds == dt && Compare(x.Source, x.Target) > 0) {
					return Edge{Source: x.Target, Target: x.Source}
				}
				return Edge{Source: x.Source, Target: x.Target}
			}).Name("Orient by degree")
		triads := oriented.KeyBy(edgeSource).ReduceGroup(func(apex any, vs []any, out engine.Collector) {
			ends := make([]any, len(vs))
			for i, r := range vs {
				ends[i] = r.(Edge).Target
			}
			sort.Slice(ends, func(i, j int) bool { return Compare(ends[i], ends[j]) < 0 })
			for i := range ends {
				for j := i + 1; j < len(ends); j++ {
					out.Collect(Edge{Source: ends[i], Target: ends[j], Value: apex})
				}
			}
		}).Name("Build triads")
		return triads.JoinBounded(simple, engine.InnerJoin).Where(edgePair).EqualTo(edgePair).
			Apply(func(a, _ any) any {
				x := a.(Edge)
				t := []any{x.Value, x.Source, x.Target}
				sort.Slice(t, func(i, j int) bool { return Compare(t[i], t[j]) < 0 })
				return Triangle{A: t[0], B: t[1], C: t[2]}
			}).Name("Close triads")
	})
	if err != nil {
		return nil, err
	}
	out := make([]Triangle, len(res[0]))
	for i, r := range res[0] {
		out[i] = r.(Triangle)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if c := Compare(a.A, b.A); c != 0 {
			return c < 0
		}
		if c := Compare(a.B, b.B); c != 0 {
			return c < 0
		}
		return Compare(a.C, b.C) < 0
	})
	return out, nil
}

// pairScore is one shared neighbour's contribution to a vertex pair's similarity.
type pairScore struct {
	Pair   edgeKey
	Shared int64
	Score  float64
}

func pairOf(r any) any { return r.(pairScore).Pair }

// sharedNeighbours groups the simple undirected graph's edges by vertex and emits, for every two
// neighbours u < v of a vertex of degree d, a pairScore of weight(d).
func sharedNeighbours(e *engine.DataStream, weight func(degree int) float64) (pairs, degrees *engine.DataStream) {
	simple := simpleUndirected(e)
	both := simple.Union(reversed(simple))
	degrees = both.KeyBy(edgeSource).ReduceGroup(func(v any, vs []any, out engine.Collector) {
		out.Collect(endpoint{ID: v, N: int64(len(vs))})
	}).Name("Degrees")
	pairs = both.KeyBy(edgeSource).ReduceGroup(func(_ any, vs []any, out engine.Collector) {
		ns := make([]any, len(vs))
		for i, r := range vs {
			ns[i] = r.(Edge).Target
		}
		sort.Slice(ns, func(i, j int) bool { return Compare(ns[i], ns[j]) < 0 })
		w := weight(len(ns))
		for i := range ns {
			for j := i + 1; j < len(ns); j++ {
				out.Collect(pairScore{Pair: edgeKey{ns[i], ns[j]}, Shared: 1, Score: w})
			}
		}
	}).Name("Neighbour pairs").
		KeyBy(pairOf).Aggregate(engine.FieldAggregation{Kind: engine.AggSum, Field: "Shared"},
		engine.FieldAggregation{Kind: engine.AggSum, Field: "Score"}).Name("Sum over shared neighbours")
	return pairs, degrees
}

// JaccardIndex scores every pair of vertices that share a neighbour (edges taken as undirected) with the
// number of shared neighbours over the number of distinct neighbours of either, Gelly's
// similarity.JaccardIndex. Each pair is listed once.
type JaccardIndex struct{}

// Run runs one job scoring g's vertex pairs, sorted by Source then Target.
func (JaccardIndex) Run(g *Graph) ([]Similarity, error) {
	return similarity(g, "jaccard index", func(int) float64 { return 0 }, true)
}

// AdamicAdar scores every pair of vertices that share a neighbour (edges taken as undirected) with the
// sum over the shared neighbours of the inverse of the natural logarithm of their degree, Gelly's
// similarity.AdamicAdar. Each pair is listed once.
type AdamicAdar struct{}

// Run runs one job scoring g's vertex pairs, sorted by Source then Target.
func (AdamicAdar) Run(g *Graph) ([]Similarity, error) {
	return similarity(g, "adamic-adar", func(d int) float64 { return 1 / math.Log(float64(d)) }, false)
}

func similarity(g *Graph, name string, weight func(int) float64, jaccard bool) ([]Similarity, error) {
	res, err := run(g.env, name, func(s *session) *engine.DataStream {
		_, e := g.streams(s)
		pairs, degrees := sharedNeighbours(e, weight)
		if !jaccard {
			return pairs.Map(func(r any) any {
				p := r.(pairScore)
				return Similarity{Source: p.Pair.Source, Target: p.Pair.Target, Shared: p.Shared, Score: p.Score}
			}).Name("Adamic-Adar")
		}
		endpointID := func(r any) any { return r.(endpoint).ID }
		return pairs.JoinBounded(degrees, engine.InnerJoin).Where(func(r any) any { return r.(pairScore).Pair.Source }).EqualTo(endpointID).
			Apply(func(a, b any) any { p := a.(pairScore); p.Score = float64(b.(endpoint).N); return p }).Name("Source degree").
			JoinBounded(degrees, engine.InnerJoin).Where(func(r any) any { return r.(pairScore).Pair.Target }).EqualTo(endpointID).
			Apply(func(a, b any) any {
				p := a.(pairScore)
				union := p.Score + float64(b.(endpoint).N) - float64(p.Shared)
				return Similarity{Source: p.Pair.Source, Target: p.Pair.Target, Shared: p.Shared, Score: float64(p.Shared) / union}
			}).Name("Jaccard index")
	})
	if err != nil {
		return nil, err
	}
	out := make([]Similarity, len(res[0]))
	for i, r := range res[0] {
		out[i] = r.(Similarity)
	}
	sort.Slice(out, func(i, j int) bool {
		if c := Compare(out[i].Source, out[j].Source); c != 0 {
			return c < 0
		}
		return Compare(out[i].Target, out[j].Target) < 0
	})
	return out, nil
}
