package graph

import (
	"fmt"
	"math"

	"github.com/de4e/weir/engine"
)

// Link analysis, Gelly's library.linkanalysis: PageRank and HITS, each a bulk iteration
// (Environment.IterateBulk) whose partial solution is every vertex's score, one job a superstep.

// PageRank is Gelly's linkanalysis.PageRank (Page, Brin, Motwani and Winograd): each superstep every
// vertex divides its score evenly among its out-edges; a vertex's new score is (1-d)/n plus d times what it
// received plus d times the score of the sink vertices (those without out-edges, "dangling") spread
// evenly over all n vertices, where Gelly takes the sinks' score as 1 minus the sum of the scores sent.
// Scores start at 1/n and sum to 1 after every superstep. As in Gelly, vertices without any edge are left
// out unless IncludeZeroDegreeVertices, and then they keep (1-d)/n plus their share of the sinks' score.
type PageRank struct {
	// DampingFactor is the probability of following an out-edge rather than jumping to a random vertex; in
	// (0, 1). Default 0 means 0.85.
	DampingFactor float64
	// MaxIterations is the most supersteps; at least 1.
	MaxIterations int
	// ConvergenceThreshold, if above 0, ends the iteration after a superstep whose sum over all vertices
	// of the absolute change in score is at or below it (Gelly's convergence threshold). Default 0: run
	// MaxIterations supersteps.
	ConvergenceThreshold float64
	// IncludeZeroDegreeVertices includes the vertices without edges (Gelly's
	// setIncludeZeroDegreeVertices). Default false, as Gelly's.
	IncludeZeroDegreeVertices bool
}

// Run runs PageRank on g: the result's vertices hold float64 scores.
func (p PageRank) Run(g *Graph) (*IterationResult, error) {
	d := p.DampingFactor
	if d == 0 {
		d = 0.85
	}
	if d <= 0 || d >= 1 {
		panic(fmt.Sprintf("graph: PageRank.DampingFactor must be in (0, 1), got %v", d))
	}
	checkIterations("PageRank", p.MaxIterations)
	if p.ConvergenceThreshold < 0 {
		panic(fmt.Sprintf("graph: PageRank.ConvergenceThreshold must not be negative, got %v", p.ConvergenceThreshold))
	}
	deg, err := degreesAndEdges(g)
	if err != nil {
		return nil, err
	}
	var initial, sources []any
	for _, v := range deg.vertices {
		if v.in+v.out == 0 && !p.IncludeZeroDegreeVertices {
			continue
		}
		initial = append(initial, v.id)
		if v.in == 0 {
			sources = append(sources, Vertex{ID: v.id, Value: 0.0})
		}
	}
	n := float64(len(initial))
	for i, id := range initial {
		initial[i] = Vertex{ID: id, Value: 1 / n}
	}
	live := newLiveTracker("pagerank", "bulk", p.MaxIterations).rankBy(RankByScore, nil)
	bulk := engine.BulkIteration{
		Name:          "pagerank",
		MaxIterations: p.MaxIterations,
		Step: func(env *engine.Environment, partial *engine.DataStream) *engine.DataStream {
			scores := partial.CoGroupBounded(env.FromSlice(deg.adjacency).Name("Out-edges")).
				Where(vertexID).EqualTo(taggedKey).
				Apply(func(ps, as []any, out engine.Collector) {
					if len(ps) == 0 || len(as) == 0 {
						return
					}
					s := ps[0].(Vertex).Value.(float64)
					es := as[0].(tagged).Edges
					live.active.Add(1)
					live.sent.Add(int64(len(es)))
					for _, e := range es {
						out.Collect(Vertex{ID: e.Target, Value: s / float64(len(es))})
					}
				}).Name("Send score").
				KeyBy(vertexID).Aggregate(engine.FieldAggregation{Kind: engine.AggSum, Field: "Value"}).Name("Sum")
			total := sumOf(scores, "Sum of scores")
			return scores.Union(env.FromSlice(sources).Name("Source vertices")).
				FlatMapWithBroadcastSet(total, func(r any, b []any, out engine.Collector) {
					sum := 0.0
					if len(b) > 0 {
						sum = b[0].(float64)
					}
					uniform := ((1 - d) + d*(1-sum)) / n // the random jump and the sinks' score
					v := r.(Vertex)
					out.Collect(Vertex{ID: v.ID, Value: uniform + d*v.Value.(float64)})
				}).Name("Adjust scores")
		},
	}
	if p.ConvergenceThreshold > 0 {
		bulk.Termination = func(env *engine.Environment, partial, next *engine.DataStream) *engine.DataStream {
			change := partial.JoinBounded(next, engine.InnerJoin).Where(vertexID).EqualTo(vertexID).
				Apply(func(a, b any) any {
					return Vertex{Value: math.Abs(b.(Vertex).Value.(float64) - a.(Vertex).Value.(float64))}
				}).Name("Change in scores")
			return sumOf(change, "Sum of changes").Filter(func(r any) bool { return r.(float64) > p.ConvergenceThreshold }).Name("Not converged")
		}
	}
	return g.runBulk(initial, bulk, live)
}

// sumOf sums the float64 values of a stream of Vertex records into one float64 record.
func sumOf(vs *engine.DataStream, name string) *engine.DataStream {
	return vs.Map(func(r any) any { return r.(Vertex).Value.(float64) }).Name(name + ": values").
		KeyBy(func(any) any { return 0 }).Aggregate(engine.FieldAggregation{Kind: engine.AggSum}).Name(name)
}

// runBulk runs a bulk iteration over Vertex records and makes its IterationResult; live follows it (its
// gauge is registered on every superstep's next partial solution).
func (g *Graph) runBulk(initial []any, it engine.BulkIteration, live *liveTracker) (*IterationResult, error) {
	live.start(initial)
	step, superstep := it.Step, 0
	it.Step = func(env *engine.Environment, partial *engine.DataStream) *engine.DataStream {
		superstep++
		live.begin(superstep)
		return live.watch(step(env, partial))
	}
	onSuperstep := it.OnSuperstep
	it.OnSuperstep = func(info engine.SuperstepInfo) {
		live.end()
		if onSuperstep != nil {
			onSuperstep(info)
		}
	}
	res, err := g.env.IterateBulk(initial, it)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrGraph, it.Name, err)
	}
	out := &IterationResult{Vertices: toVertices(res.Result), Supersteps: res.Supersteps, Ended: res.Ended}
	SortVertices(out.Vertices)
	return out, nil
}

// vertexDegree is a vertex with its in- and out-degree.
type vertexDegree struct {
	id      any
	in, out int64
}

// degreeData is what PageRank collects before iterating: every vertex's degrees, and every vertex's
// out-edges grouped into one kindEdge record (the iteration's static path, grouped once).
type degreeData struct {
	vertices  []vertexDegree
	adjacency []any
}

func init() { engine.RegisterType([2]int64{}) }

// degreesAndEdges runs one job that collects g's vertices with their degrees (Gelly's VertexDegrees) and
// g's edges, and groups the edges by source.
func degreesAndEdges(g *Graph) (*degreeData, error) {
	res, err := run(g.env, "degrees",
		func(s *session) *engine.DataStream {
			v, e := g.streams(s)
			in := degreeStream(v, e, In, "InDegrees")
			return degreeStream(v, e, Out, "OutDegrees").JoinBounded(in, engine.InnerJoin).Where(vertexID).EqualTo(vertexID).
				Apply(func(o, i any) any {
					return Vertex{ID: o.(Vertex).ID, Value: [2]int64{i.(Vertex).Value.(int64), o.(Vertex).Value.(int64)}}
				}).Name("Degrees")
		},
		func(s *session) *engine.DataStream { _, e := g.streams(s); return e })
	if err != nil {
		return nil, err
	}
	vs := toVertices(res[0])
	SortVertices(vs)
	es := toEdges(res[1])
	SortEdges(es)
	m := &materialized{edgeList: es, adj: map[EdgeDirection][]any{}}
	out := &degreeData{adjacency: m.adjacency(Out)}
	for _, v := range vs {
		d := v.Value.([2]int64)
		out.vertices = append(out.vertices, vertexDegree{id: v.ID, in: d[0], out: d[1]})
	}
	return out, nil
}

// HITSScores are a vertex's hub and authority scores.
type HITSScores struct {
	Hub       float64
	Authority float64
}

func init() { engine.RegisterType(HITSScores{}) }

// HITS is Gelly's linkanalysis.HITS (Kleinberg's hubs and authorities): every vertex starts with hub and
// authority scores of 1; each superstep a vertex's authority becomes the sum of its in-neighbours' hub
// scores, then its hub the sum of its out-neighbours' new authority scores, and each kind of score is
// divided by the square root of its sum of squares. Every vertex of the graph is scored (0 for what it
// cannot have: an authority score without in-edges, a hub score without out-edges).
type HITS struct {
	// MaxIterations is the most supersteps; at least 1.
	MaxIterations int
	// ConvergenceThreshold, if above 0, ends the iteration after a superstep whose sum over all vertices of
	// the absolute changes in hub and authority score is at or below it. Default 0: run MaxIterations.
	ConvergenceThreshold float64
}

// Run runs HITS on g: the result's vertices hold HITSScores.
func (h HITS) Run(g *Graph) (*IterationResult, error) {
	checkIterations("HITS", h.MaxIterations)
	if h.ConvergenceThreshold < 0 {
		panic(fmt.Sprintf("graph: HITS.ConvergenceThreshold must not be negative, got %v", h.ConvergenceThreshold))
	}
	m, err := g.materialize()
	if err != nil {
		return nil, err
	}
	initial := make([]any, len(m.vertices))
	for i, v := range m.vertices {
		initial[i] = Vertex{ID: v.(Vertex).ID, Value: HITSScores{Hub: 1, Authority: 1}}
	}
	live := newLiveTracker("hits", "bulk", h.MaxIterations).rankBy(RankByScore, func(v any) (float64, bool) {
		return v.(HITSScores).Authority, true
	})
	bulk := engine.BulkIteration{
		Name:          "hits",
		MaxIterations: h.MaxIterations,
		Step: func(env *engine.Environment, partial *engine.DataStream) *engine.DataStream {
			zero := partial.Map(func(r any) any { return Vertex{ID: r.(Vertex).ID, Value: 0.0} }).Name("Zero scores")
			// Authority: the in-neighbours' hub scores, sent along the out-edges.
			auth := partial.CoGroupBounded(m.adjacencyStream(env, Out)).Where(vertexID).EqualTo(taggedKey).
				Apply(func(ps, as []any, out engine.Collector) {
					if len(ps) == 0 || len(as) == 0 {
						return
					}
					hub := ps[0].(Vertex).Value.(HITSScores).Hub
					live.active.Add(1)
					live.sent.Add(int64(len(as[0].(tagged).Edges)))
					for _, e := range as[0].(tagged).Edges {
						out.Collect(Vertex{ID: e.Target, Value: hub})
					}
				}).Name("Send hub score").
				Union(zero).KeyBy(vertexID).Aggregate(engine.FieldAggregation{Kind: engine.AggSum, Field: "Value"}).Name("Authority")
			// Hub: the out-neighbours' new authority scores, sent back along the in-edges.
			hub := auth.CoGroupBounded(m.adjacencyStream(env, In)).Where(vertexID).EqualTo(taggedKey).
				Apply(func(ps, as []any, out engine.Collector) {
					if len(ps) == 0 || len(as) == 0 {
						return
					}
					a := ps[0].(Vertex).Value
					live.sent.Add(int64(len(as[0].(tagged).Edges)))
					for _, e := range as[0].(tagged).Edges {
						out.Collect(Vertex{ID: e.Source, Value: a})
					}
				}).Name("Send authority score").
				Union(zero).KeyBy(vertexID).Aggregate(engine.FieldAggregation{Kind: engine.AggSum, Field: "Value"}).Name("Hub")
			square := func(r any) any { x := r.(Vertex).Value.(float64); return Vertex{Value: x * x} }
			norms := sumOf(hub.Map(square), "Hub norm").Map(func(r any) any { return [2]float64{0, math.Sqrt(r.(float64))} }).
				Union(sumOf(auth.Map(square), "Authority norm").Map(func(r any) any { return [2]float64{1, math.Sqrt(r.(float64))} }))
			return hub.JoinBounded(auth, engine.InnerJoin).Where(vertexID).EqualTo(vertexID).
				Apply(func(a, b any) any {
					return Vertex{ID: a.(Vertex).ID, Value: HITSScores{Hub: a.(Vertex).Value.(float64), Authority: b.(Vertex).Value.(float64)}}
				}).Name("Scores").
				FlatMapWithBroadcastSet(norms, func(r any, b []any, out engine.Collector) {
					v := r.(Vertex)
					s := v.Value.(HITSScores)
					for _, n := range b {
						x := n.([2]float64)
						if x[1] == 0 {
							continue
						}
						if x[0] == 0 {
							s.Hub /= x[1]
						} else {
							s.Authority /= x[1]
						}
					}
					out.Collect(Vertex{ID: v.ID, Value: s})
				}).Name("Normalize")
		},
	}
	if h.ConvergenceThreshold > 0 {
		bulk.Termination = func(env *engine.Environment, partial, next *engine.DataStream) *engine.DataStream {
			change := partial.JoinBounded(next, engine.InnerJoin).Where(vertexID).EqualTo(vertexID).
				Apply(func(a, b any) any {
					x, y := a.(Vertex).Value.(HITSScores), b.(Vertex).Value.(HITSScores)
					return Vertex{Value: math.Abs(x.Hub-y.Hub) + math.Abs(x.Authority-y.Authority)}
				}).Name("Change in scores")
			return sumOf(change, "Sum of changes").Filter(func(r any) bool { return r.(float64) > h.ConvergenceThreshold }).Name("Not converged")
		}
	}
	return g.runBulk(initial, bulk, live)
}
