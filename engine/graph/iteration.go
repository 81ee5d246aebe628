package graph

import (
	"fmt"

	"github.com/de4e/weir/engine"
)

// IterationResult is what an iteration of one of Gelly's models produced.
type IterationResult struct {
	// Vertices are the final vertices, in ascending id order.
	Vertices []Vertex
	// Graph is the Graph of the final vertices and the input's edges (Gelly's iterations return a Graph).
	Graph *Graph
	// Supersteps describes each superstep run: Input is its workset (messages of a vertex-centric
	// iteration, updated vertices of a scatter-gather or gather-sum-apply one), Delta the vertices it
	// updated, Output the next workset.
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
	In     bool // an edge of the vertex at its target end
	Vertex Vertex
	Edge   Edge
	Value  any
}

func init() { engine.RegisterType(tagged{}) }

func taggedKey(v any) any { return v.(tagged).Key }

func tagVertices(s *engine.DataStream, name string) *engine.DataStream {
	return s.Map(func(r any) any { v := r.(Vertex); return tagged{Key: v.ID, Kind: kindVertex, Vertex: v} }).Name(name)
}

// tagEdges tags every edge for the vertices at its ends that d names.
func tagEdges(s *engine.DataStream, d EdgeDirection) *engine.DataStream {
	return s.FlatMap(func(r any, out engine.Collector) {
		e := r.(Edge)
		if d == Out || d == All {
			out.Collect(tagged{Key: e.Source, Kind: kindEdge, Edge: e})
		}
		if d == In || d == All {
			out.Collect(tagged{Key: e.Target, Kind: kindEdge, Edge: e, In: true})
		}
	}).Name(fmt.Sprintf("Edges (%s)", d))
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
			g.edges = append(g.edges, t.Edge)
			g.in = append(g.in, t.In)
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
}

func (m *messenger) sendTo(target, msg any) {
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
	vertices, edges []any
	edgeList        []Edge
}

func (g *Graph) materialize() (*materialized, error) {
	vs, es, err := g.Collect()
	if err != nil {
		return nil, err
	}
	m := &materialized{vertices: make([]any, len(vs)), edges: make([]any, len(es)), edgeList: es}
	for i, v := range vs {
		m.vertices[i] = v
	}
	for i, e := range es {
		m.edges[i] = e
	}
	return m, nil
}

// iterate runs a delta iteration over m with the vertices as the solution set and workset as the initial
// workset, and makes its IterationResult.
func (g *Graph) iterate(m *materialized, workset []any, name string, maxIterations int, onSuperstep func(engine.SuperstepInfo),
	step func(env *engine.Environment, superstep int, solution, workset *engine.DataStream) (delta, next *engine.DataStream)) (*IterationResult, error) {
	superstep := 0
	res, err := g.env.IterateDelta(m.vertices, workset, engine.DeltaIteration{
		Name:          name,
		MaxIterations: maxIterations,
		Key:           vertexID,
		Step: func(env *engine.Environment, solution, workset *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
			superstep++
			return step(env, superstep, solution, workset)
		},
		OnSuperstep: onSuperstep,
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
