package graph

import (
	"fmt"

	"github.com/de4e/weir/engine"
)

// EdgeDirection says which edges of a vertex a neighbourhood method or an iteration uses, Gelly's
// EdgeDirection.
type EdgeDirection uint8

const (
	// Out uses a vertex's out-edges (the vertex is their source); their targets are its neighbours.
	Out EdgeDirection = iota
	// In uses a vertex's in-edges (the vertex is their target); their sources are its neighbours.
	In
	// All uses both.
	All
)

func (d EdgeDirection) String() string {
	switch d {
	case Out:
		return "OUT"
	case In:
		return "IN"
	case All:
		return "ALL"
	}
	return fmt.Sprintf("EdgeDirection(%d)", uint8(d))
}

func checkDirection(what string, d EdgeDirection) {
	if d > All {
		panic(fmt.Sprintf("graph: %s: direction %d is not In, Out or All", what, uint8(d)))
	}
}

// Neighbor is one neighbour of a vertex: the edge that connects them and the neighbour vertex, Gelly's
// Tuple2<Edge<K, EV>, Vertex<K, VV>> of a NeighborsFunction.
type Neighbor struct {
	Edge   Edge
	Vertex Vertex
}

// ReduceNeighborsFunc combines two neighbour values (or two edge values) into one, Gelly's
// ReduceNeighborsFunction and ReduceEdgesFunction. It must be associative and commutative.
type ReduceNeighborsFunc func(a, b any) any

// NeighborsFunc is called once for every vertex with all its neighbours in the chosen direction (none, for
// a vertex without any) and emits any records, Gelly's NeighborsFunctionWithVertexValue.
type NeighborsFunc func(vertex Vertex, neighbors []Neighbor, out engine.Collector)

// EdgesFunc is called once for every vertex with all its edges in the chosen direction and emits any
// records, Gelly's EdgesFunctionWithVertexValue.
type EdgesFunc func(vertex Vertex, edges []Edge, out engine.Collector)

// keyedNeighbor is a neighbour of the vertex Of.
type keyedNeighbor struct {
	Of any
	N  Neighbor
}

func init() { engine.RegisterType(keyedNeighbor{}) }

func neighborOf(v any) any { return v.(keyedNeighbor).Of }

// neighbors returns, for every edge in direction d, a keyedNeighbor of the vertex at the edge's near end
// with the vertex at its far end: edges are joined with the vertices on their far end.
func neighbors(v, e *engine.DataStream, d EdgeDirection) *engine.DataStream {
	out := func() *engine.DataStream { // neighbours over out-edges: the target is the neighbour
		return e.JoinBounded(v, engine.InnerJoin).Where(edgeTarget).EqualTo(vertexID).Apply(func(l, r any) any {
			x := l.(Edge)
			return keyedNeighbor{Of: x.Source, N: Neighbor{Edge: x, Vertex: r.(Vertex)}}
		}).Name("Out-neighbours")
	}
	in := func() *engine.DataStream {
		return e.JoinBounded(v, engine.InnerJoin).Where(edgeSource).EqualTo(vertexID).Apply(func(l, r any) any {
			x := l.(Edge)
			return keyedNeighbor{Of: x.Target, N: Neighbor{Edge: x, Vertex: r.(Vertex)}}
		}).Name("In-neighbours")
	}
	switch d {
	case Out:
		return out()
	case In:
		return in()
	}
	return out().Union(in())
}

// edgesOf returns, for every edge in direction d, a keyedNeighbor of the vertex at its near end holding the
// edge (and no vertex).
func edgesOf(e *engine.DataStream, d EdgeDirection) *engine.DataStream {
	return e.FlatMap(func(r any, out engine.Collector) {
		x := r.(Edge)
		if d == Out || d == All {
			out.Collect(keyedNeighbor{Of: x.Source, N: Neighbor{Edge: x}})
		}
		if d == In || d == All {
			out.Collect(keyedNeighbor{Of: x.Target, N: Neighbor{Edge: x}})
		}
	}).Name(fmt.Sprintf("Edges (%s)", d))
}

// ReduceOnNeighbors returns, for every vertex with at least one neighbour in direction d, its id and f
// applied over its neighbours' values (Vertex records), Gelly's reduceOnNeighbors.
func (g *Graph) ReduceOnNeighbors(f ReduceNeighborsFunc, d EdgeDirection) *DataSet {
	if f == nil {
		panic("graph: ReduceOnNeighbors needs a ReduceNeighborsFunc, got nil")
	}
	checkDirection("ReduceOnNeighbors", d)
	return newDataSet(g.env, "ReduceOnNeighbors", func(s *session) *engine.DataStream {
		v, e := g.streams(s)
		return reduceValues(neighbors(v, e, d), func(n Neighbor) any { return n.Vertex.Value }, f, "ReduceOnNeighbors")
	})
}

// ReduceOnEdges returns, for every vertex with at least one edge in direction d, its id and f applied over
// those edges' values (Vertex records), Gelly's reduceOnEdges.
func (g *Graph) ReduceOnEdges(f ReduceNeighborsFunc, d EdgeDirection) *DataSet {
	if f == nil {
		panic("graph: ReduceOnEdges needs a ReduceNeighborsFunc, got nil")
	}
	checkDirection("ReduceOnEdges", d)
	return newDataSet(g.env, "ReduceOnEdges", func(s *session) *engine.DataStream {
		_, e := g.streams(s)
		return reduceValues(edgesOf(e, d), func(n Neighbor) any { return n.Edge.Value }, f, "ReduceOnEdges")
	})
}

func reduceValues(kn *engine.DataStream, value func(Neighbor) any, f ReduceNeighborsFunc, name string) *engine.DataStream {
	return kn.KeyBy(neighborOf).ReduceGroup(func(key any, vs []any, out engine.Collector) {
		acc := value(vs[0].(keyedNeighbor).N)
		for _, r := range vs[1:] {
			acc = f(acc, value(r.(keyedNeighbor).N))
		}
		out.Collect(Vertex{ID: key, Value: acc})
	}).Name(name)
}

// GroupReduceOnNeighbors calls f once for every vertex with its neighbours in direction d and returns what
// f emits, Gelly's groupReduceOnNeighbors with a NeighborsFunctionWithVertexValue. An edge whose near end is
// not a vertex of the Graph fails the job, as in Gelly.
func (g *Graph) GroupReduceOnNeighbors(f NeighborsFunc, d EdgeDirection) *DataSet {
	if f == nil {
		panic("graph: GroupReduceOnNeighbors needs a NeighborsFunc, got nil")
	}
	checkDirection("GroupReduceOnNeighbors", d)
	return newDataSet(g.env, "GroupReduceOnNeighbors", func(s *session) *engine.DataStream {
		v, e := g.streams(s)
		return groupWithVertex(v, neighbors(v, e, d), func(vertex Vertex, ns []Neighbor, out engine.Collector) {
			f(vertex, ns, out)
		}, "GroupReduceOnNeighbors")
	})
}

// GroupReduceOnEdges calls f once for every vertex with its edges in direction d and returns what f
// emits, Gelly's groupReduceOnEdges with an EdgesFunctionWithVertexValue.
func (g *Graph) GroupReduceOnEdges(f EdgesFunc, d EdgeDirection) *DataSet {
	if f == nil {
		panic("graph: GroupReduceOnEdges needs an EdgesFunc, got nil")
	}
	checkDirection("GroupReduceOnEdges", d)
	return newDataSet(g.env, "GroupReduceOnEdges", func(s *session) *engine.DataStream {
		v, e := g.streams(s)
		return groupWithVertex(v, edgesOf(e, d), func(vertex Vertex, ns []Neighbor, out engine.Collector) {
			es := make([]Edge, len(ns))
			for i, n := range ns {
				es[i] = n.Edge
			}
			f(vertex, es, out)
		}, "GroupReduceOnEdges")
	})
}

func groupWithVertex(v, kn *engine.DataStream, f func(Vertex, []Neighbor, engine.Collector), name string) *engine.DataStream {
	return v.CoGroupBounded(kn).Where(vertexID).EqualTo(neighborOf).Apply(func(vs, ns []any, out engine.Collector) {
		if len(vs) == 0 {
			panic(fmt.Sprintf("graph: %s: edge endpoint %v is not a vertex of the graph", name, ns[0].(keyedNeighbor).Of))
		}
		list := make([]Neighbor, len(ns))
		for i, n := range ns {
			list[i] = n.(keyedNeighbor).N
		}
		f(vs[0].(Vertex), list, out)
	}).Name(name)
}

// InDegrees returns every vertex's id and in-degree (an int64; 0 for a vertex without in-edges), Gelly's
// inDegrees.
func (g *Graph) InDegrees() *DataSet { return g.degrees(In, "InDegrees") }

// OutDegrees returns every vertex's id and out-degree (an int64), Gelly's outDegrees.
func (g *Graph) OutDegrees() *DataSet { return g.degrees(Out, "OutDegrees") }

// GetDegrees returns every vertex's id and degree, the sum of its in- and out-degree (an int64), Gelly's
// getDegrees.
func (g *Graph) GetDegrees() *DataSet { return g.degrees(All, "GetDegrees") }

func (g *Graph) degrees(d EdgeDirection, name string) *DataSet {
	return newDataSet(g.env, name, func(s *session) *engine.DataStream {
		v, e := g.streams(s)
		return degreeStream(v, e, d, name)
	})
}

// endpoint is one end of an edge, for counting degrees.
type endpoint struct {
	ID any
	N  int64
}

func init() { engine.RegisterType(endpoint{}) }

func degreeStream(v, e *engine.DataStream, d EdgeDirection, name string) *engine.DataStream {
	ends := e.FlatMap(func(r any, out engine.Collector) {
		x := r.(Edge)
		if d == Out || d == All {
			out.Collect(endpoint{ID: x.Source, N: 1})
		}
		if d == In || d == All {
			out.Collect(endpoint{ID: x.Target, N: 1})
		}
	}).Name(name + ": endpoints").
		KeyBy(func(r any) any { return r.(endpoint).ID }).
		Aggregate(engine.FieldAggregation{Kind: engine.AggSum, Field: "N"}).Name(name + ": count")
	return v.CoGroupBounded(ends).Where(vertexID).EqualTo(func(r any) any { return r.(endpoint).ID }).
		Apply(func(vs, cs []any, out engine.Collector) {
			var n int64
			if len(cs) > 0 {
				n = cs[0].(endpoint).N
			}
			for _, x := range vs {
				out.Collect(Vertex{ID: x.(Vertex).ID, Value: n})
			}
		}).Name(name)
}
