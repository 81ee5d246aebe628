package bench

import (
	"fmt"
	"sync"

	"github.com/de4e/weir/engine"
)

// Connected components as a delta iteration (Flink's ConnectedComponents example) on a generated graph,
// against a hand-written label-propagation loop running the same algorithm (the workset's vertices send their
// label to their neighbours; a vertex whose smallest candidate beats its label changes and joins the next
// workset) in the same run; the case fails if the components differ. An event is one undirected edge of the
// input graph; the graph has one vertex for every two edges, its endpoints drawn from a hash of the edge's
// index. Each superstep of the engine runs as a bounded job (see engine.IterateBulk), so the figure includes a
// job start per superstep.

// ccLabel is a vertex and its component; ccArc is a directed edge.
type ccLabel struct{ V, C int64 }
type ccArc struct{ Src, Dst int64 }

func init() {
	engine.RegisterType(ccLabel{})
	engine.RegisterType(ccArc{})
}

// ccGraph returns the n undirected edges of the generated graph on n/2 (at least 2) vertices 1...
func ccGraph(n int64) (vertices int64, edges [][2]int64) {
	vertices = max(n/2, 2)
	edges = make([][2]int64, n)
	for i := range n {
		h := splitmix(uint64(i) + 0x5eed)
		edges[i] = [2]int64{int64(h%uint64(vertices)) + 1, int64(h>>32%uint64(vertices)) + 1}
	}
	return vertices, edges
}

// ccLoop is the hand-written label propagation: it returns each vertex's component (index = vertex) and the
// number of rounds.
func ccLoop(vertices int64, edges [][2]int64) ([]int64, int) {
	adj := make([][]int64, vertices+1)
	for _, e := range edges {
		adj[e[0]] = append(adj[e[0]], e[1])
		adj[e[1]] = append(adj[e[1]], e[0])
	}
	label := make([]int64, vertices+1)
	work := make([]int64, 0, vertices)
	for v := int64(1); v <= vertices; v++ {
		label[v] = v
		work = append(work, v)
	}
	cand := map[int64]int64{}
	rounds := 0
	for len(work) > 0 {
		rounds++
		clear(cand)
		for _, v := range work {
			for _, u := range adj[v] {
				if c, ok := cand[u]; !ok || label[v] < c {
					cand[u] = label[v]
				}
			}
		}
		work = work[:0]
		for u, c := range cand {
			if c < label[u] {
				label[u] = c
				work = append(work, u)
			}
		}
	}
	return label, rounds
}

// ccEngine runs the delta iteration at parallelism 2 and returns each vertex's component. With probe, the step
// compares each candidate with the vertex's current component by probing the solution set
// (IterationRuntimeContext.SolutionSetEntry, Flink's in-place solution-set join) instead of joining the
// streamed solution set, so no superstep streams the solution set.
func ccEngine(vertices int64, edges [][2]int64, probe bool) ([]int64, int, error) {
	var init, arcs []any
	for v := int64(1); v <= vertices; v++ {
		init = append(init, ccLabel{v, v})
	}
	for _, e := range edges {
		arcs = append(arcs, ccArc{e[0], e[1]}, ccArc{e[1], e[0]})
	}
	env := engine.NewEnvironment(engine.Config{Parallelism: 2})
	res, err := env.IterateDelta(init, init, engine.DeltaIteration{Name: "connected components", MaxIterations: 1 << 20,
		Key: func(v any) any { return v.(ccLabel).V },
		Step: func(env *engine.Environment, solution, workset *engine.DataStream) (*engine.DataStream, *engine.DataStream) {
			candidates := workset.JoinBounded(env.FromSlice(arcs), engine.InnerJoin).
				Where(func(v any) any { return v.(ccLabel).V }).
				EqualTo(func(v any) any { return v.(ccArc).Src }).
				Apply(func(l, r any) any { return ccLabel{r.(ccArc).Dst, l.(ccLabel).C} }).
				KeyBy(func(v any) any { return v.(ccLabel).V }).
				Aggregate(engine.FieldAggregation{Kind: engine.AggMin, Field: "C"})
			if probe {
				rc := env.IterationRuntimeContext()
				changes := candidates.Filter(func(v any) bool {
					cur, ok := rc.SolutionSetEntry(v.(ccLabel).V)
					return ok && v.(ccLabel).C < cur.(ccLabel).C
				})
				return changes, changes
			}
			changes := candidates.JoinBounded(solution, engine.InnerJoin).
				Where(func(v any) any { return v.(ccLabel).V }).
				EqualTo(func(v any) any { return v.(ccLabel).V }).
				FlatApply(func(cand, cur any, out engine.Collector) {
					if cand.(ccLabel).C < cur.(ccLabel).C {
						out.Collect(cand)
					}
				})
			return changes, changes
		}})
	if err != nil {
		return nil, 0, err
	}
	label := make([]int64, vertices+1)
	for _, v := range res.Result {
		l := v.(ccLabel)
		label[l.V] = l.C
	}
	return label, len(res.Supersteps), nil
}

func init() {
	var loopResult sync.Map // n -> []int64
	var rounds int
	const scale = 0.01 // 20,000 edges of the default 2,000,000 events: one job per superstep
	Register(Case{Name: "iteration-cc/loop", Scale: scale, About: "hand-written label propagation: connected components",
		Run: func(n int64) (int64, error) {
			v, e := ccGraph(n)
			label, r := ccLoop(v, e)
			loopResult.Store(n, label)
			rounds = r
			return n, nil
		},
		Note: func() string { return fmt.Sprintf("%d rounds", rounds) }})
	engineCase := func(name, about string, probe bool) {
		var supersteps int
		Register(Case{Name: name, Baseline: "iteration-cc/loop", ChecksBaseline: true, Scale: scale, About: about,
			Run: func(n int64) (int64, error) {
				v, e := ccGraph(n)
				got, s, err := ccEngine(v, e, probe)
				if err != nil {
					return 0, err
				}
				supersteps = s
				want, ok := loopResult.Load(n)
				if !ok {
					w, _ := ccLoop(v, e)
					want = w
				}
				for i, c := range want.([]int64) {
					if got[i] != c {
						return 0, fmt.Errorf("vertex %d: the engine's component %d differs from the loop's %d", i, got[i], c)
					}
				}
				return n, nil
			},
			Note: func() string { return fmt.Sprintf("%d supersteps", supersteps) }})
	}
	engineCase("iteration-cc/engine", "delta iteration (IterateDelta), parallelism 2: connected components, joining the streamed solution set", false)
	engineCase("iteration-cc/engine-probe", "delta iteration (IterateDelta), parallelism 2: connected components, probing the solution set (SolutionSetEntry)", true)
}
