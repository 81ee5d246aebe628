package graph

import (
	"github.com/de4e/weir/engine"
)

// NeighborGatherFunc is the gather phase of a gather-sum-apply iteration, Gelly's gsa.GatherFunction:
// from an updated neighbour's value and the value of the edge joining it to the vertex, the partial value
// the vertex gathers.
type NeighborGatherFunc func(superstep int, neighborValue, edgeValue any) any

// SumFunc is the sum phase, Gelly's gsa.SumFunction: it combines two gathered values of one vertex into
// one; it must be associative and commutative.
type SumFunc func(superstep int, a, b any) any

// ApplyFunc is the apply phase, Gelly's gsa.ApplyFunction: from the vertex's summed value and its current
// value, its new value, and whether to update it (Gelly's setResult).
type ApplyFunc func(superstep int, sum, current any) (newValue any, update bool)

// GatherSumApplyIteration is a gather-sum-apply iteration, Gelly's GatherSumApplyIteration
// (Graph.runGatherSumApplyIteration(gather, sum, apply, maxIterations)).
type GatherSumApplyIteration struct {
	// Name names the iteration. Default "gather-sum-apply iteration".
	Name string
	// Gather, Sum and Apply are the three phases; required.
	Gather NeighborGatherFunc
	Sum    SumFunc
	Apply  ApplyFunc
	// Direction says whose values a vertex gathers: Out (the default, as Gelly's) from the sources of its
	// in-edges (values flow along the edges), In from the targets of its out-edges, All from both.
	Direction EdgeDirection
	// MaxIterations is the most supersteps; at least 1. The iteration ends earlier when no vertex was
	// updated.
	MaxIterations int
	// OnSuperstep, if set, is called after each superstep.
	OnSuperstep func(engine.SuperstepInfo)

	live func(name string) *liveTracker // a library algorithm's live view; nil: the default
}

// RunGatherSumApplyIteration runs it on g, Gelly's runGatherSumApplyIteration. Every superstep is one job:
// the workset's vertices (those updated in the superstep before; all at first) meet their edges, and each
// edge gives its far end a gathered value (Gelly joins the workset with the edges); the values of each
// vertex are summed; the sum meets the vertex in the solution set and Apply may update it. The updated
// vertices are both the solution-set delta and the next workset.
func (g *Graph) RunGatherSumApplyIteration(it GatherSumApplyIteration) (*IterationResult, error) {
	if it.Gather == nil || it.Sum == nil || it.Apply == nil {
		panic("graph: GatherSumApplyIteration needs Gather, Sum and Apply functions, got nil")
	}
	checkIterations("GatherSumApplyIteration", it.MaxIterations)
	checkDirection("GatherSumApplyIteration", it.Direction)
	name := it.Name
	if name == "" {
		name = "gather-sum-apply iteration"
	}
	m, err := g.materialize()
	if err != nil {
		return nil, err
	}
	live := newLiveTracker(name, "gather-sum-apply", it.MaxIterations)
	if it.live != nil {
		live = it.live(name)
	}
	return g.iterate(m, m.vertices, name, it.MaxIterations, it.OnSuperstep, live, nil,
		func(env *engine.Environment, superstep int, solution, workset *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
			gathered := tagVertices(workset, "Updated vertices").Union(m.adjacencyStream(env, it.Direction)).
				KeyBy(taggedKey).
				ReduceGroup(func(key any, vs []any, out engine.Collector) {
					g := split(vs)
					if g.vertex == nil {
						return
					}
					live.active.Add(1)
					live.sent.Add(int64(len(g.edges)))
					for i, e := range g.edges {
						far := e.Target
						if g.in[i] {
							far = e.Source
						}
						out.Collect(tagged{Key: far, Kind: kindMessage, Value: it.Gather(superstep, g.vertex.Value, e.Value)})
					}
				}).Name("Gather")
			summed := gathered.KeyBy(taggedKey).ReduceGroup(func(key any, vs []any, out engine.Collector) {
				acc := vs[0].(tagged).Value
				for _, r := range vs[1:] {
					acc = it.Sum(superstep, acc, r.(tagged).Value)
				}
				out.Collect(tagged{Key: key, Kind: kindMessage, Value: acc})
			}).Name("Sum")
			updated := summed.Union(tagVertices(solution, "Solution set")).
				KeyBy(taggedKey).
				ReduceGroup(func(key any, vs []any, out engine.Collector) {
					g := split(vs)
					if len(g.messages) == 0 || g.vertex == nil {
						return // Gelly's apply joins the sums with the solution set: a sum without a vertex is dropped
					}
					if v, ok := it.Apply(superstep, g.messages[0], g.vertex.Value); ok {
						out.Collect(Vertex{ID: key, Value: v})
					}
				}).Name("Apply")
			return updated, updated
		})
}
