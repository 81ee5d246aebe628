package graph

import (
	"fmt"

	"github.com/de4e/weir/engine"
)

// ComputeFunction is the user function of a vertex-centric (Pregel) iteration, Gelly's ComputeFunction:
// called in superstep 1 for every vertex (with no messages), then for every vertex that received messages
// in the superstep before. Through ctx it reads the superstep and the vertex's out-edges, sends messages
// (delivered in the next superstep) and sets the vertex's new value.
type ComputeFunction func(ctx *ComputeContext, vertex Vertex, messages []any)

// MessageCombiner combines two messages to one vertex into one, Gelly's MessageCombiner; it must be
// associative and commutative. The combined message is what the ComputeFunction receives.
type MessageCombiner func(a, b any) any

// ComputeContext is what a ComputeFunction may do, Gelly's ComputeFunction methods.
type ComputeContext struct {
	superstep int
	m         messenger
	value     any
	set       bool
	rc        *engine.IterationRuntimeContext // the superstep's aggregators
}

// Superstep returns the superstep, counted from 1 (Gelly's getSuperstepNumber).
func (c *ComputeContext) Superstep() int { return c.superstep }

// Edges returns the vertex's out-edges (Gelly's getEdges).
func (c *ComputeContext) Edges() []Edge { return c.m.edges }

// SendMessageTo sends msg to the vertex target, which receives it in the next superstep.
func (c *ComputeContext) SendMessageTo(target, msg any) { c.m.sendTo(target, msg) }

// SendMessageToAllNeighbors sends msg along every out-edge (Gelly's sendMessageToAllNeighbors).
func (c *ComputeContext) SendMessageToAllNeighbors(msg any) { c.m.sendToAll(msg) }

// SetNewVertexValue sets the vertex's new value (Gelly's setNewVertexValue); calling it twice in one
// compute call panics, as in Gelly.
func (c *ComputeContext) SetNewVertexValue(v any) {
	if c.set {
		panic("graph: SetNewVertexValue called twice for one vertex in one superstep")
	}
	c.value, c.set = v, true
}

// IterationAggregator returns the aggregator registered as name in the iteration's Aggregators, for this
// superstep (Gelly's ComputeFunction.getIterationAggregator): what every vertex adds with its Aggregate is
// combined over all subtasks. It panics if no aggregator of that name is registered.
func (c *ComputeContext) IterationAggregator(name string) *engine.IterationAggregator {
	return c.rc.IterationAggregator(name)
}

// PreviousIterationAggregate returns the value aggregator name reached in the superstep before, combined over
// all vertices (Gelly's ComputeFunction.getPreviousIterationAggregate); nil in superstep 1. It panics if no
// aggregator of that name is registered.
func (c *ComputeContext) PreviousIterationAggregate(name string) any {
	return c.rc.PreviousIterationAggregate(name)
}

// VertexCentricIteration is a vertex-centric iteration, Gelly's VertexCentricIteration
// (Graph.runVertexCentricIteration(computeFunction, combiner, maxIterations)).
type VertexCentricIteration struct {
	// Name names the iteration in job names, events and errors. Default "vertex-centric iteration".
	Name string
	// Compute is the ComputeFunction; required.
	Compute ComputeFunction
	// Combiner, if set, combines the messages to each vertex before Compute receives them. Default nil:
	// Compute receives every message.
	Combiner MessageCombiner
	// MaxIterations is the most supersteps; at least 1. The iteration ends earlier when no message was sent.
	MaxIterations int
	// OnSuperstep, if set, is called after each superstep (the workbench shows supersteps live through it).
	OnSuperstep func(engine.SuperstepInfo)
	// Aggregators are the iteration's aggregators by name (Gelly's VertexCentricConfiguration.registerAggregator):
	// Compute adds to them with ComputeContext.IterationAggregator and reads the superstep before's value with
	// ComputeContext.PreviousIterationAggregate; each superstep's values are in IterationResult.Supersteps'
	// Aggregates. Default nil: no aggregators.
	Aggregators map[string]engine.Aggregator
}

// RunVertexCentricIteration runs it on g, Gelly's runVertexCentricIteration: g's job runs first to collect
// its vertices and edges, then every superstep is one job that unions the messages, the solution set's
// vertices and the out-edges, keys them by vertex and calls Compute for each vertex with messages (every
// vertex in superstep 1). The vertices it updates are the solution-set delta, the messages it sends the
// next workset; the iteration ends when a superstep sends none or after MaxIterations.
func (g *Graph) RunVertexCentricIteration(it VertexCentricIteration) (*IterationResult, error) {
	if it.Compute == nil {
		panic("graph: VertexCentricIteration needs a Compute function, got nil")
	}
	checkIterations("VertexCentricIteration", it.MaxIterations)
	name := it.Name
	if name == "" {
		name = "vertex-centric iteration"
	}
	m, err := g.materialize()
	if err != nil {
		return nil, err
	}
	initial := make([]any, len(m.vertices))
	for i, v := range m.vertices {
		initial[i] = tagged{Key: v.(Vertex).ID, Kind: kindInit}
	}
	live := newLiveTracker(name, "vertex-centric", it.MaxIterations)
	return g.iterate(m, initial, name, it.MaxIterations, it.OnSuperstep, live, it.Aggregators,
		func(env *engine.Environment, superstep int, solution, workset *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
			rc := env.IterationRuntimeContext()
			msgs := workset
			if it.Combiner != nil {
				msgs = combine(workset, it.Combiner)
			}
			out := msgs.Union(tagVertices(solution, "Solution set"), m.adjacencyStream(env, Out)).
				KeyBy(taggedKey).
				ReduceGroup(func(key any, vs []any, out engine.Collector) {
					g := split(vs)
					if len(g.messages) == 0 && !g.initiated {
						return // an inactive vertex
					}
					if g.vertex == nil {
						panic(fmt.Sprintf("graph: %s: message to vertex %v, which does not exist", name, key))
					}
					live.active.Add(1)
					ctx := &ComputeContext{superstep: superstep, m: messenger{vertex: *g.vertex, edges: g.edges, in: g.in, out: out, live: live}, rc: rc}
					it.Compute(ctx, *g.vertex, g.messages)
					if ctx.set {
						out.Collect(tagged{Key: key, Kind: kindVertex, Vertex: Vertex{ID: key, Value: ctx.value}})
					}
				}).Name("Compute")
			delta := out.Filter(isVertex).Name("Updated vertices").Map(untagVertex).Name("Solution-set delta")
			next := out.Filter(isMessage).Name("Messages")
			return delta, next
		})
}

// combine combines the messages to each vertex with c, keeping the superstep-1 activations.
func combine(workset *engine.DataStream, c MessageCombiner) *engine.DataStream {
	return workset.KeyBy(taggedKey).ReduceGroup(func(key any, vs []any, out engine.Collector) {
		var acc any
		has := false
		for _, r := range vs {
			t := r.(tagged)
			if t.Kind != kindMessage {
				out.Collect(t)
				continue
			}
			if has {
				acc = c(acc, t.Value)
			} else {
				acc, has = t.Value, true
			}
		}
		if has {
			out.Collect(tagged{Key: key, Kind: kindMessage, Value: acc})
		}
	}).Name("Combine messages")
}
