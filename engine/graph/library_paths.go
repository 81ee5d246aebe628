package graph

import (
	"fmt"
	"math"
	"reflect"
)

// number returns v as a float64: an edge weight or a score of any numeric kind.
func number(what string, v any) float64 {
	if v != nil {
		switch r := reflect.ValueOf(v); {
		case r.CanInt():
			return float64(r.Int())
		case r.CanUint():
			return float64(r.Uint())
		case r.CanFloat():
			return r.Float()
		}
	}
	panic(fmt.Sprintf("graph: %s %v (%T) is not a number", what, v, v))
}

// SingleSourceShortestPaths computes every vertex's distance from Source along the edges, whose values are
// the (non-negative, numeric) weights, Gelly's library SingleSourceShortestPaths: a scatter-gather
// iteration in which every vertex whose distance fell sends it plus each out-edge's weight to the edge's
// target, and a vertex takes the smallest distance it receives if that beats its own.
type SingleSourceShortestPaths struct {
	// Source is the id of the vertex the distances are measured from.
	Source any
	// MaxIterations is the most supersteps; at least 1. Default 0 is refused.
	MaxIterations int
}

// Run runs the algorithm on g: the result's vertices hold float64 distances, +Inf for a vertex that
// Source does not reach.
func (a SingleSourceShortestPaths) Run(g *Graph) (*IterationResult, error) {
	checkIterations("SingleSourceShortestPaths", a.MaxIterations)
	return ssspInitial(g, a.Source).RunScatterGatherIteration(ScatterGatherIteration{
		Name:          "single-source shortest paths",
		MaxIterations: a.MaxIterations,
		Scatter: func(ctx *ScatterContext, v Vertex) {
			d := v.Value.(float64)
			if math.IsInf(d, 1) {
				return
			}
			for _, e := range ctx.Edges() {
				ctx.SendMessageTo(e.Target, d+number("edge weight", e.Value))
			}
		},
		Gather: func(ctx *GatherContext, v Vertex, msgs []any) {
			d := math.Inf(1)
			for _, m := range msgs {
				d = math.Min(d, m.(float64))
			}
			if d < v.Value.(float64) {
				ctx.SetNewVertexValue(d)
			}
		},
	})
}

// GSASingleSourceShortestPaths is SingleSourceShortestPaths as a gather-sum-apply iteration, Gelly's
// library GSASingleSourceShortestPaths: a vertex gathers each updated in-neighbour's distance plus the
// edge's weight, sums by taking the minimum, and applies it if it beats its own.
type GSASingleSourceShortestPaths struct {
	// Source is the id of the vertex the distances are measured from.
	Source any
	// MaxIterations is the most supersteps; at least 1.
	MaxIterations int
}

// Run runs the algorithm on g; the result's vertices hold float64 distances (+Inf where unreached).
func (a GSASingleSourceShortestPaths) Run(g *Graph) (*IterationResult, error) {
	checkIterations("GSASingleSourceShortestPaths", a.MaxIterations)
	return ssspInitial(g, a.Source).RunGatherSumApplyIteration(GatherSumApplyIteration{
		Name:          "single-source shortest paths (GSA)",
		MaxIterations: a.MaxIterations,
		Gather: func(_ int, neighbor, edge any) any {
			return neighbor.(float64) + number("edge weight", edge)
		},
		Sum: func(_ int, a, b any) any { return math.Min(a.(float64), b.(float64)) },
		Apply: func(_ int, sum, current any) (any, bool) {
			return sum, sum.(float64) < current.(float64)
		},
	})
}

// ssspInitial sets Source's value to 0 and every other vertex's to +Inf (Gelly's InitVerticesMapper).
func ssspInitial(g *Graph, source any) *Graph {
	return g.MapVertices(func(v Vertex) any {
		if v.ID == source {
			return 0.0
		}
		return math.Inf(1)
	})
}

// initialLabel is a vertex's starting label in ConnectedComponents and LabelPropagation: its value, or its
// id when the value is nil.
func initialLabel(v Vertex) any {
	if v.Value == nil {
		return v.ID
	}
	return v.Value
}

// ConnectedComponents labels every vertex with the smallest label in its weakly connected component,
// Gelly's library ConnectedComponents: the graph is made undirected and, in a scatter-gather iteration,
// every vertex whose label fell sends it to its neighbours, and a vertex takes the smallest label it
// receives if that is below its own. Labels start as the vertex values (Gelly's rule), or the vertex ids
// for nil values, so with nil values each component is labelled by its smallest id.
type ConnectedComponents struct {
	// MaxIterations is the most supersteps; at least 1.
	MaxIterations int
}

// Run runs the algorithm on g.
func (a ConnectedComponents) Run(g *Graph) (*IterationResult, error) {
	checkIterations("ConnectedComponents", a.MaxIterations)
	return g.MapVertices(initialLabel).MapEdges(func(Edge) any { return nil }).GetUndirected().
		RunScatterGatherIteration(ScatterGatherIteration{
			Name:          "connected components",
			MaxIterations: a.MaxIterations,
			Scatter:       func(ctx *ScatterContext, v Vertex) { ctx.SendMessageToAllNeighbors(v.Value) },
			Gather: func(ctx *GatherContext, v Vertex, msgs []any) {
				least := v.Value
				for _, m := range msgs {
					if Compare(m, least) < 0 {
						least = m
					}
				}
				if Compare(least, v.Value) < 0 {
					ctx.SetNewVertexValue(least)
				}
			},
		})
}

// GSAConnectedComponents is ConnectedComponents as a gather-sum-apply iteration, Gelly's library
// GSAConnectedComponents.
type GSAConnectedComponents struct {
	// MaxIterations is the most supersteps; at least 1.
	MaxIterations int
}

// Run runs the algorithm on g.
func (a GSAConnectedComponents) Run(g *Graph) (*IterationResult, error) {
	checkIterations("GSAConnectedComponents", a.MaxIterations)
	least := func(_ int, a, b any) any {
		if Compare(b, a) < 0 {
			return b
		}
		return a
	}
	return g.MapVertices(initialLabel).MapEdges(func(Edge) any { return nil }).GetUndirected().
		RunGatherSumApplyIteration(GatherSumApplyIteration{
			Name:          "connected components (GSA)",
			MaxIterations: a.MaxIterations,
			Gather:        func(_ int, neighbor, _ any) any { return neighbor },
			Sum:           least,
			Apply: func(_ int, sum, current any) (any, bool) {
				return sum, Compare(sum, current) < 0
			},
		})
}
