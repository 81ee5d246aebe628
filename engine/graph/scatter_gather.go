package graph

import (
	"fmt"

	"github.com/de4e/weir/engine"
)

// ScatterFunction sends a vertex's messages in a scatter-gather iteration, Gelly's ScatterFunction: called
// in every superstep for each vertex updated in the superstep before (every vertex in superstep 1).
type ScatterFunction func(ctx *ScatterContext, vertex Vertex)

// GatherFunction updates a vertex from the messages it received in a scatter-gather iteration, Gelly's
// GatherFunction (updateVertex): called for every vertex that received messages in the superstep.
type GatherFunction func(ctx *GatherContext, vertex Vertex, messages []any)

// ScatterContext is what a ScatterFunction may do.
type ScatterContext struct {
	superstep int
	m         messenger
	rc        *engine.IterationRuntimeContext // the superstep's aggregators
}

// Superstep returns the superstep, counted from 1 (Gelly's getSuperstepNumber).
func (c *ScatterContext) Superstep() int { return c.superstep }

// Edges returns the vertex's edges in the iteration's direction (Gelly's getEdges).
func (c *ScatterContext) Edges() []Edge { return c.m.edges }

// SendMessageTo sends msg to the vertex target, which gathers it in this superstep's gather phase.
func (c *ScatterContext) SendMessageTo(target, msg any) { c.m.sendTo(target, msg) }

// SendMessageToAllNeighbors sends msg to the vertex's neighbours in the iteration's direction (the other
// end of each of its edges), Gelly's sendMessageToAllNeighbors.
func (c *ScatterContext) SendMessageToAllNeighbors(msg any) { c.m.sendToAll(msg) }

// GatherContext is what a GatherFunction may do.
type GatherContext struct {
	superstep int
	value     any
	set       bool
	rc        *engine.IterationRuntimeContext // the superstep's aggregators
}

// Superstep returns the superstep, counted from 1.
func (c *GatherContext) Superstep() int { return c.superstep }

// SetNewVertexValue sets the vertex's new value (Gelly's setNewVertexValue), which makes it scatter in the
// next superstep; calling it twice in one call panics, as in Gelly.
func (c *GatherContext) SetNewVertexValue(v any) {
	if c.set {
		panic("graph: SetNewVertexValue called twice for one vertex in one superstep")
	}
	c.value, c.set = v, true
}

// IterationAggregator returns the aggregator registered as name in the iteration's Aggregators, for this
// superstep (Gelly's ScatterFunction.getIterationAggregator). It panics if none is registered under name.
func (c *ScatterContext) IterationAggregator(name string) *engine.IterationAggregator {
	return c.rc.IterationAggregator(name)
}

// PreviousIterationAggregate returns the value aggregator name reached in the superstep before (Gelly's
// ScatterFunction.getPreviousIterationAggregate); nil in superstep 1. It panics if none is registered under
// name.
func (c *ScatterContext) PreviousIterationAggregate(name string) any {
	return c.rc.PreviousIterationAggregate(name)
}

// IterationAggregator returns the aggregator registered as name in the iteration's Aggregators, for this
// superstep (Gelly's GatherFunction.getIterationAggregator). It panics if none is registered under name.
func (c *GatherContext) IterationAggregator(name string) *engine.IterationAggregator {
	return c.rc.IterationAggregator(name)
}

// PreviousIterationAggregate returns the value aggregator name reached in the superstep before (Gelly's
// GatherFunction.getPreviousIterationAggregate); nil in superstep 1. It panics if none is registered under
// name.
func (c *GatherContext) PreviousIterationAggregate(name string) any {
	return c.rc.PreviousIterationAggregate(name)
}

// ScatterGatherIteration is a scatter-gather iteration, Gelly's ScatterGatherIteration
// (Graph.runScatterGatherIteration(scatterFunction, gatherFunction, maxIterations)).
type ScatterGatherIteration struct {
	// Name names the iteration. Default "scatter-gather iteration".
	Name string
	// Scatter and Gather are the two user functions; required.
	Scatter ScatterFunction
	Gather  GatherFunction
	// Direction says along which edges Scatter sends to all neighbours: Out (the default, as Gelly's)
	// to the targets of the vertex's out-edges, In to the sources of its in-edges, All to both.
	Direction EdgeDirection
	// MaxIterations is the most supersteps; at least 1. The iteration ends earlier when no vertex was
	// updated.
	MaxIterations int
	// OnSuperstep, if set, is called after each superstep.
	OnSuperstep func(engine.SuperstepInfo)
	// Aggregators are the iteration's aggregators by name (Gelly's ScatterGatherConfiguration.registerAggregator),
	// which Scatter and Gather reach through their contexts' IterationAggregator and
	// PreviousIterationAggregate; each superstep's values are in IterationResult.Supersteps' Aggregates.
	// Default nil: no aggregators.
	Aggregators map[string]engine.Aggregator

	live func(name string) *liveTracker // a library algorithm's live view; nil: the default
}

// RunScatterGatherIteration runs it on g, Gelly's runScatterGatherIteration. Every superstep is one job
// of two keyed phases: the workset's vertices (those updated in the superstep before; all of them at
// first) meet their edges and Scatter sends messages; the messages meet the solution set's vertices and
// Gather may set new values. The updated vertices are both the solution-set delta and the next workset.
func (g *Graph) RunScatterGatherIteration(it ScatterGatherIteration) (*IterationResult, error) {
	if it.Scatter == nil || it.Gather == nil {
		panic("graph: ScatterGatherIteration needs Scatter and Gather functions, got nil")
	}
	checkIterations("ScatterGatherIteration", it.MaxIterations)
	checkDirection("ScatterGatherIteration", it.Direction)
	name := it.Name
	if name == "" {
		name = "scatter-gather iteration"
	}
	m, err := g.materialize()
	if err != nil {
		return nil, err
	}
	live := newLiveTracker(name, "scatter-gather", it.MaxIterations)
	if it.live != nil {
		live = it.live(name)
	}
	return g.iterate(m, m.vertices, name, it.MaxIterations, it.OnSuperstep, live, it.Aggregators,
		func(env *engine.Environment, superstep int, solution, workset *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
			rc := env.IterationRuntimeContext()
			msgs := tagVertices(workset, "Updated vertices").Union(m.adjacencyStream(env, it.Direction)).
				KeyBy(taggedKey).
				ReduceGroup(func(key any, vs []any, out engine.Collector) {
					g := split(vs)
					if g.vertex == nil {
						return // not updated in the superstep before
					}
					live.active.Add(1)
					it.Scatter(&ScatterContext{superstep: superstep, m: messenger{vertex: *g.vertex, edges: g.edges, in: g.in, out: out, live: live}, rc: rc}, *g.vertex)
				}).Name("Scatter")
			updated := msgs.Union(tagVertices(solution, "Solution set")).
				KeyBy(taggedKey).
				ReduceGroup(func(key any, vs []any, out engine.Collector) {
					g := split(vs)
					if len(g.messages) == 0 {
						return
					}
					if g.vertex == nil {
						panic(fmt.Sprintf("graph: %s: message to vertex %v, which does not exist", name, key))
					}
					ctx := &GatherContext{superstep: superstep, rc: rc}
					it.Gather(ctx, *g.vertex, g.messages)
					if ctx.set {
						out.Collect(Vertex{ID: key, Value: ctx.value})
					}
				}).Name("Gather")
			return updated, updated
		})
}
