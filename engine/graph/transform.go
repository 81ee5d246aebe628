package graph

import (
	"github.com/de4e/weir/engine"
)

// VertexMapFunc returns a vertex's new value, Gelly's MapFunction<Vertex<K, VV>, NV> of mapVertices.
type VertexMapFunc func(v Vertex) any

// EdgeMapFunc returns an edge's new value, Gelly's MapFunction<Edge<K, EV>, NV> of mapEdges.
type EdgeMapFunc func(e Edge) any

// VertexFilterFunc keeps the vertices it returns true for, Gelly's FilterFunction<Vertex<K, VV>>.
type VertexFilterFunc func(v Vertex) bool

// EdgeFilterFunc keeps the edges it returns true for, Gelly's FilterFunction<Edge<K, EV>>.
type EdgeFilterFunc func(e Edge) bool

// VertexJoinFunc returns a vertex's new value from its value and the matching input value, Gelly's
// VertexJoinFunction.
type VertexJoinFunc func(vertexValue, inputValue any) any

// EdgeJoinFunc returns an edge's new value from its value and the matching input value, Gelly's
// EdgeJoinFunction.
type EdgeJoinFunc func(edgeValue, inputValue any) any

// MapVertices returns the Graph with every vertex value replaced by f's result, Gelly's mapVertices.
func (g *Graph) MapVertices(f VertexMapFunc) *Graph {
	if f == nil {
		panic("graph: MapVertices needs a VertexMapFunc, got nil")
	}
	return g.derive(func(_ *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		return v.Map(func(r any) any {
			x := r.(Vertex)
			return Vertex{ID: x.ID, Value: f(x)}
		}).Name("MapVertices"), e
	})
}

// MapEdges returns the Graph with every edge value replaced by f's result, Gelly's mapEdges.
func (g *Graph) MapEdges(f EdgeMapFunc) *Graph {
	if f == nil {
		panic("graph: MapEdges needs an EdgeMapFunc, got nil")
	}
	return g.derive(func(_ *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		return v, e.Map(func(r any) any {
			x := r.(Edge)
			return Edge{Source: x.Source, Target: x.Target, Value: f(x)}
		}).Name("MapEdges")
	})
}

// FilterOnVertices keeps the vertices f accepts and the edges between two of them, Gelly's
// filterOnVertices.
func (g *Graph) FilterOnVertices(f VertexFilterFunc) *Graph {
	if f == nil {
		panic("graph: FilterOnVertices needs a VertexFilterFunc, got nil")
	}
	return g.Subgraph(f, func(Edge) bool { return true })
}

// FilterOnEdges keeps every vertex and the edges f accepts, Gelly's filterOnEdges.
func (g *Graph) FilterOnEdges(f EdgeFilterFunc) *Graph {
	if f == nil {
		panic("graph: FilterOnEdges needs an EdgeFilterFunc, got nil")
	}
	return g.derive(func(_ *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		return v, e.Filter(func(r any) bool { return f(r.(Edge)) }).Name("FilterOnEdges")
	})
}

// Subgraph keeps the vertices vf accepts and the edges ef accepts between two of them, Gelly's subgraph:
// the edges are joined with the kept vertices on source and then on target, then filtered.
func (g *Graph) Subgraph(vf VertexFilterFunc, ef EdgeFilterFunc) *Graph {
	if vf == nil || ef == nil {
		panic("graph: Subgraph needs a VertexFilterFunc and an EdgeFilterFunc, got nil")
	}
	return g.derive(func(_ *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		kept := v.Filter(func(r any) bool { return vf(r.(Vertex)) }).Name("Filter vertices")
		edges := edgesBetween(e, kept).Filter(func(r any) bool { return ef(r.(Edge)) }).Name("Filter edges")
		return kept, edges
	})
}

// edgesBetween keeps the edges of e whose source and target are both vertices of v.
func edgesBetween(e, v *engine.DataStream) *engine.DataStream {
	keepEdge := func(edge, _ any) any { return edge }
	return e.JoinBounded(v, engine.InnerJoin).Where(edgeSource).EqualTo(vertexID).Apply(keepEdge).Name("Join with source").
		JoinBounded(v, engine.InnerJoin).Where(edgeTarget).EqualTo(vertexID).Apply(keepEdge).Name("Join with target")
}

// Reverse returns the Graph with every edge's direction reversed, Gelly's reverse.
func (g *Graph) Reverse() *Graph {
	return g.derive(func(_ *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		return v, reversed(e)
	})
}

func reversed(e *engine.DataStream) *engine.DataStream {
	return e.Map(func(r any) any {
		x := r.(Edge)
		return Edge{Source: x.Target, Target: x.Source, Value: x.Value}
	}).Name("Reverse")
}

// GetUndirected returns the Graph with every edge and its reverse, Gelly's getUndirected (an edge whose
// reverse was already there is then there twice, as in Gelly).
func (g *Graph) GetUndirected() *Graph {
	return g.derive(func(_ *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		return v, e.Union(reversed(e))
	})
}

// Union returns the union of g and other, Gelly's union: the vertices of both without duplicate records
// (a vertex equal in id and value in both is kept once, so values must be comparable), and the edges of
// both, duplicates kept.
func (g *Graph) Union(other *Graph) *Graph {
	if other == nil {
		panic("graph: Union needs another Graph, got nil")
	}
	return g.derive(func(s *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		ov, oe := other.streams(s)
		return v.Union(ov).Distinct().Name("Union vertices"), e.Union(oe)
	})
}

// Difference returns g without the vertices of other (matched by id) and without the edges that touch
// them, Gelly's difference (removeVertices(other.getVertices())).
func (g *Graph) Difference(other *Graph) *Graph {
	if other == nil {
		panic("graph: Difference needs another Graph, got nil")
	}
	return g.derive(func(s *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		ov, _ := other.streams(s)
		kept := v.CoGroupBounded(ov).Where(vertexID).EqualTo(vertexID).Apply(func(mine, theirs []any, out engine.Collector) {
			if len(theirs) == 0 {
				for _, x := range mine {
					out.Collect(x)
				}
			}
		}).Name("Remove vertices")
		return kept, edgesBetween(e, kept)
	})
}

// JoinWithVertices returns the Graph with the value of every vertex that has a record in input (a DataSet
// of Vertex records: id and input value) replaced by f(vertex value, input value), Gelly's
// joinWithVertices; other vertices keep theirs. With several input records for one id, the first in arrival
// order is used.
func (g *Graph) JoinWithVertices(input *DataSet, f VertexJoinFunc) *Graph {
	if input == nil || f == nil {
		panic("graph: JoinWithVertices needs an input DataSet and a VertexJoinFunc, got nil")
	}
	return g.derive(func(s *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		in := input.stream(s)
		return v.CoGroupBounded(in).Where(vertexID).EqualTo(vertexID).Apply(func(vs, ins []any, out engine.Collector) {
			for _, r := range vs {
				x := r.(Vertex)
				if len(ins) > 0 {
					x.Value = f(x.Value, ins[0].(Vertex).Value)
				}
				out.Collect(x)
			}
		}).Name("JoinWithVertices"), e
	})
}

// JoinWithEdges returns the Graph with the value of every edge that has a record in input (a DataSet of
// Edge records: source, target and input value) replaced by f(edge value, input value), Gelly's
// joinWithEdges; other edges keep theirs.
func (g *Graph) JoinWithEdges(input *DataSet, f EdgeJoinFunc) *Graph {
	if input == nil || f == nil {
		panic("graph: JoinWithEdges needs an input DataSet and an EdgeJoinFunc, got nil")
	}
	return g.joinEdges(input, edgePair, edgePair, func(r any) any { return r.(Edge).Value }, f, "JoinWithEdges")
}

// JoinWithEdgesOnSource returns the Graph with the value of every edge whose source has a record in input
// (a DataSet of Vertex records) replaced by f(edge value, input value), Gelly's joinWithEdgesOnSource.
func (g *Graph) JoinWithEdgesOnSource(input *DataSet, f EdgeJoinFunc) *Graph {
	if input == nil || f == nil {
		panic("graph: JoinWithEdgesOnSource needs an input DataSet and an EdgeJoinFunc, got nil")
	}
	return g.joinEdges(input, edgeSource, vertexID, func(r any) any { return r.(Vertex).Value }, f, "JoinWithEdgesOnSource")
}

// JoinWithEdgesOnTarget returns the Graph with the value of every edge whose target has a record in input
// (a DataSet of Vertex records) replaced by f(edge value, input value), Gelly's joinWithEdgesOnTarget.
func (g *Graph) JoinWithEdgesOnTarget(input *DataSet, f EdgeJoinFunc) *Graph {
	if input == nil || f == nil {
		panic("graph: JoinWithEdgesOnTarget needs an input DataSet and an EdgeJoinFunc, got nil")
	}
	return g.joinEdges(input, edgeTarget, vertexID, func(r any) any { return r.(Vertex).Value }, f, "JoinWithEdgesOnTarget")
}

func (g *Graph) joinEdges(input *DataSet, edgeKey, inputKey engine.KeySelector, inputValue func(any) any, f EdgeJoinFunc, name string) *Graph {
	return g.derive(func(s *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		in := input.stream(s)
		return v, e.CoGroupBounded(in).Where(edgeKey).EqualTo(inputKey).Apply(func(es, ins []any, out engine.Collector) {
			for _, r := range es {
				x := r.(Edge)
				if len(ins) > 0 {
					x.Value = f(x.Value, inputValue(ins[0]))
				}
				out.Collect(x)
			}
		}).Name(name)
	})
}

// Simplify returns the Graph without self-loops and with one edge of each (source, target) pair (the
// first in arrival order), Gelly's asm.simple.directed.Simplify.
func (g *Graph) Simplify() *Graph {
	return g.derive(func(_ *session, v, e *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
		return v, e.Filter(func(r any) bool { x := r.(Edge); return x.Source != x.Target }).Name("Remove self-loops").
			DistinctBy(edgePair).Name("Remove duplicate edges")
	})
}
