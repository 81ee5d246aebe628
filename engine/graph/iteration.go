package graph

import (
	"fmt"
	"sort"

	"github.com/de4e/weir/engine"
)

// IterationResult is what an iteration of one of Gelly's models produced.
type IterationResult struct {
	// Vertices are the final vertices, in ascending id order.
	Vertices []Vertex
	// Graph is the Graph of the final vertices and the iteration's edges, as Gelly's iterations return a
	// Graph; nil for PageRank and HITS, whose results are scores (Gelly returns them as a DataSet).
	Graph *Graph
	// Supersteps describes each superstep run: Input is its workset (the messages of a vertex-centric
	// iteration, before any combiner, with one activation per vertex in superstep 1; the updated vertices
	// of a scatter-gather or gather-sum-apply one, every vertex in superstep 1), Delta the vertices it
	// updated, Output the next workset. PageRank and HITS, bulk iterations, report their vertices as Input
	// and Output.
	Supersteps []engine.SuperstepInfo
	// Ended says why the iteration stopped.
	Ended engine.IterationEnd
}

// Record kinds of the tagged union an iteration's keyed operators read.
const (
	kindVertex  uint8 = iota // the vertex (solution set or workset)
	kindEdge                 // an edge of the vertex
	kindMessage              // a message to the vertex
	kindInit                 // superstep 1 of a vertex-centric iteration: the vertex is active
)

// tagged is one record of an iteration's tagged union, keyed by Key.
type tagged struct {
	Key    any
	Kind   uint8
	Vertex Vertex
	Edges  []Edge // kindEdge: the vertex's edges in the iteration's direction
	Ins    []bool // Ins[i]: Edges[i] is an in-edge of the vertex (the vertex is its target)
	Value  any
}

func init() { engine.RegisterType(tagged{}) }

func taggedKey(v any) any { return v.(tagged).Key }

func tagVertices(s *engine.DataStream, name string) *engine.DataStream {
	return s.Map(func(r any) any { v := r.(Vertex); return tagged{Key: v.ID, Kind: kindVertex, Vertex: v} }).Name(name)
}

// adjacency returns, for every vertex with edges in direction d, one kindEdge record holding them: the
// loop-invariant input of every superstep, grouped once in the driver (Flink likewise caches an iteration's
// static path instead of recomputing it each superstep), so a superstep's keyed operators read one record a
// vertex rather than one an edge.
func (m *materialized) adjacency(d EdgeDirection) []any {
	if a, ok := m.adj[d]; ok {
		return a
	}
	byVertex := map[any]*tagged{}
	var keys []any
	add := func(key any, e Edge, in bool) {
		t := byVertex[key]
		if t == nil {
			t = &tagged{Key: key, Kind: kindEdge}
			byVertex[key] = t
			keys = append(keys, key)
		}
		t.Edges = append(t.Edges, e)
		t.Ins = append(t.Ins, in)
	}
	for _, e := range m.edgeList {
		if d == Out || d == All {
			add(e.Source, e, false)
		}
		if d == In || d == All {
			add(e.Target, e, true)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return Compare(keys[i], keys[j]) < 0 })
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = *byVertex[k]
	}
	m.adj[d] = out
	return out
}

// adjacencyStream is m's adjacency in direction d as a bounded source of env.
func (m *materialized) adjacencyStream(env *engine.Environment, d EdgeDirection) *engine.DataStream {
	return env.FromSlice(m.adjacency(d)).Name(fmt.Sprintf("Adjacency lists (%s)", d))
}

// group is the tagged records of one vertex, split by kind.
type group struct {
	vertex    *Vertex
	edges     []Edge
	in        []bool // in[i]: edges[i] is an in-edge of the vertex
	messages  []any
	initiated bool
}

func split(vs []any) group {
	var g group
	for _, r := range vs {
		t := r.(tagged)
		switch t.Kind {
		case kindVertex:
			v := t.Vertex
			g.vertex = &v
		case kindEdge:
			g.edges = append(g.edges, t.Edges...)
			g.in = append(g.in, t.Ins...)
		case kindMessage:
			g.messages = append(g.messages, t.Value)
		case kindInit:
			g.initiated = true
		}
	}
	return g
}

// messenger sends messages from one vertex over its edges.
type messenger struct {
	vertex Vertex
	edges  []Edge
	in     []bool
	out    engine.Collector
	live   *liveTracker // counts the messages sent
}

func (m *messenger) sendTo(target, msg any) {
	m.live.sent.Add(1)
	m.out.Collect(tagged{Key: target, Kind: kindMessage, Value: msg})
}

func (m *messenger) sendToAll(msg any) {
	for i, e := range m.edges {
		if m.in[i] {
			m.sendTo(e.Source, msg)
		} else {
			m.sendTo(e.Target, msg)
		}
	}
}

// materialized holds a Graph's vertices and edges collected for an iteration.
type materialized struct {
	vertices []any
	edgeList []Edge
	adj      map[EdgeDirection][]any
}

func (g *Graph) materialize() (*materialized, error) {
	vs, es, err := g.Collect()
	if err != nil {
		return nil, err
	}
	m := &materialized{vertices: make([]any, len(vs)), edgeList: es, adj: map[EdgeDirection][]any{}}
	for i, v := range vs {
		m.vertices[i] = v
	}
	return m, nil
}

// iterate runs a delta iteration over m with the vertices as the solution set and workset as the initial
// workset, and makes its IterationResult.
// The live tracker live follows it (its gauge is registered on every superstep's delta), and aggregators
// are the iteration's aggregators (nil for none).
func (g *Graph) iterate(m *materialized, workset []any, name string, maxIterations int, onSuperstep func(engine.SuperstepInfo),
	live *liveTracker, aggregators map[string]engine.Aggregator,
	step func(env *engine.Environment, superstep int, solution, workset *engine.DataStream) (delta, next *engine.DataStream)) (*IterationResult, error) {
	superstep := 0
	live.start(m.vertices)
	res, err := g.env.IterateDelta(m.vertices, workset, engine.DeltaIteration{
		Name:          name,
		MaxIterations: maxIterations,
		Key:           vertexID,
		Step: func(env *engine.Environment, solution, workset *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
			superstep++
			live.begin(superstep)
			delta, next := step(env, superstep, solution, workset)
			if delta == nil {
				return delta, next
			}
			watched := live.watch(delta)
			if next == delta {
				next = watched // one stream as both: still collected once
			}
			return watched, next
		},
		OnSuperstep: func(info engine.SuperstepInfo) {
			live.end()
			if onSuperstep != nil {
				onSuperstep(info)
			}
		},
		Aggregators: aggregators,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrGraph, name, err)
	}
	out := &IterationResult{Vertices: toVertices(res.Result), Supersteps: res.Supersteps, Ended: res.Ended}
	SortVertices(out.Vertices)
	out.Graph = FromCollection(g.env, out.Vertices, m.edgeList)
	return out, nil
}

func checkIterations(what string, n int) {
	if n < 1 {
		panic(fmt.Sprintf("graph: %s: MaxIterations must be at least 1, got %d", what, n))
	}
}

func isMessage(r any) bool { return r.(tagged).Kind == kindMessage }
func isVertex(r any) bool  { return r.(tagged).Kind == kindVertex }
func untagVertex(r any) any {
	return r.(tagged).Vertex
}
