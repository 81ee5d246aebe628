package engine

import (
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// Bulk and delta iterations (iteration.go, iteration_delta.go), on Flink's DataSet iteration tests: every case
// runs at parallelism 1, 2 and 4 and must give the pinned result, the pinned number of supersteps and the
// pinned reason for ending each time.

// ccVertex is Flink's ConnectedComponents Tuple2<vertexId, componentId>; ccEdge is a directed edge.
type ccVertex struct{ V, C int64 }
type ccEdge struct{ Src, Dst int64 }

func init() {
	RegisterType(ccVertex{})
	RegisterType(ccEdge{})
}

func forParallelisms(t *testing.T, f func(t *testing.T, env *Environment)) {
	t.Helper()
	for _, p := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) { f(t, NewEnvironment(Config{Parallelism: p})) })
	}
}

func ints(from, to int) []any {
	var out []any
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func incrementStep(env *Environment, partial *DataStream) *DataStream {
	return partial.Map(func(v any) any { return v.(int) + 1 }).Name("increment")
}

// Flink: BulkIterationTest / IterationIncompleteStaticPathConsumptionITCase style: each element is
// incremented once a superstep, for a fixed number of supersteps (iterate(n) without termination criterion).
func TestIterateBulkFixedSupersteps(t *testing.T) {
	forParallelisms(t, func(t *testing.T, env *Environment) {
		var seen []string
		res, err := env.IterateBulk(ints(1, 5), BulkIteration{Name: "increment", MaxIterations: 10, Step: incrementStep,
			OnSuperstep: func(s SuperstepInfo) { seen = append(seen, fmt.Sprintf("%d:%d->%d", s.Superstep, s.Input, s.Output)) }})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(res.Result), "[11 12 13 14 15]"; got != want {
			t.Fatalf("result %s, want %s", got, want)
		}
		if res.Ended != EndedMaxIterations || len(res.Supersteps) != 10 {
			t.Fatalf("ended %v after %d supersteps, want max-iterations after 10", res.Ended, len(res.Supersteps))
		}
		if got := strings.Join(seen, " "); got != "1:5->5 2:5->5 3:5->5 4:5->5 5:5->5 6:5->5 7:5->5 8:5->5 9:5->5 10:5->5" {
			t.Fatalf("observed supersteps %s", got)
		}
		ev := res.Supersteps[9].Job.Events(0)
		last := ev[len(ev)-1]
		for _, e := range ev {
			if e.Kind == EventSuperstepCompleted {
				last = e
			}
		}
		if last.Kind != EventSuperstepCompleted || last.Count != 5 || !strings.Contains(last.Detail, "increment superstep 10: input 5, output 5") {
			t.Fatalf("last superstep event %v", last)
		}
	})
}

// Flink: the DataSet "Iterations" docs, closeWith(result, terminationCriterion), and
// IterationTerminationWithTerminationTail: the iteration ends after the first superstep whose termination
// criterion is empty, with that superstep's result; MaxIterations still bounds it.
func TestIterateBulkTerminationCriterion(t *testing.T) {
	stillBelow10 := func(env *Environment, partial, next *DataStream) *DataStream {
		return next.Filter(func(v any) bool { return v.(int) < 10 })
	}
	forParallelisms(t, func(t *testing.T, env *Environment) {
		res, err := env.IterateBulk(ints(1, 3), BulkIteration{MaxIterations: 100, Step: incrementStep, Termination: stillBelow10})
		if err != nil {
			t.Fatal(err)
		}
		// After k supersteps the smallest element is 1+k: the criterion is first empty at k = 9.
		if got := fmt.Sprint(res.Result, res.Ended, len(res.Supersteps)); got != "[10 11 12] termination-criterion 9" {
			t.Fatalf("got %s", got)
		}
		if c := res.Supersteps[7].Criterion; c != 1 { // after superstep 8: {9, 10, 11}, one below 10
			t.Fatalf("criterion size at superstep 8 = %d, want 1", c)
		}
		res, err = env.IterateBulk(ints(1, 3), BulkIteration{MaxIterations: 5, Step: incrementStep, Termination: stillBelow10})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(res.Result, res.Ended, len(res.Supersteps)); got != "[6 7 8] max-iterations 5" {
			t.Fatalf("bounded by max iterations: got %s", got)
		}
	})
}

// connectedComponentsStep is Flink's ConnectedComponents example (flink-examples-batch): the workset's
// vertices send their component to their neighbours, each vertex keeps the smallest candidate, and only
// candidates smaller than the vertex's current component go into the delta and the next workset.
func connectedComponentsStep(edges []any) func(env *Environment, solution, workset *DataStream) (*DataStream, *DataStream) {
	return func(env *Environment, solution, workset *DataStream) (*DataStream, *DataStream) {
		e := env.FromSlice(edges).Name("Edges")
		candidates := workset.JoinBounded(e, InnerJoin).
			Where(func(v any) any { return v.(ccVertex).V }).
			EqualTo(func(v any) any { return v.(ccEdge).Src }).
			Apply(func(l, r any) any { return ccVertex{V: r.(ccEdge).Dst, C: l.(ccVertex).C} }).
			KeyBy(func(v any) any { return v.(ccVertex).V }).
			Aggregate(FieldAggregation{Kind: AggMin, Field: "C"})
		changes := candidates.JoinBounded(solution, InnerJoin).
			Where(func(v any) any { return v.(ccVertex).V }).
			EqualTo(func(v any) any { return v.(ccVertex).V }).
			FlatApply(func(cand, cur any, out Collector) {
				if cand.(ccVertex).C < cur.(ccVertex).C {
					out.Collect(cand)
				}
			})
		return changes, changes
	}
}

// connectedComponents runs the delta iteration on vertices 1..n (each its own component at first) and the
// undirected edges given as pairs.
func connectedComponents(env *Environment, n int, pairs [][2]int64, maxIter int) (*IterationResult, error) {
	var vertices, edges []any
	for v := int64(1); v <= int64(n); v++ {
		vertices = append(vertices, ccVertex{v, v})
	}
	for _, p := range pairs {
		edges = append(edges, ccEdge{p[0], p[1]}, ccEdge{p[1], p[0]})
	}
	return env.IterateDelta(vertices, vertices, DeltaIteration{Name: "connected components", MaxIterations: maxIter,
		Key:  func(v any) any { return v.(ccVertex).V },
		Step: connectedComponentsStep(edges)})
}

// unionFindComponents is the oracle: each vertex's component is the smallest vertex id connected to it.
func unionFindComponents(n int, pairs [][2]int64) []string {
	parent := make([]int64, n+1)
	for i := range parent {
		parent[i] = int64(i)
	}
	find := func(x int64) int64 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, p := range pairs {
		a, b := find(p[0]), find(p[1])
		if a < b {
			parent[b] = a
		} else if b < a {
			parent[a] = b
		}
	}
	var out []string
	for v := 1; v <= n; v++ {
		out = append(out, fmt.Sprint(ccVertex{int64(v), find(int64(v))}))
	}
	return out
}

// Flink: ConnectedComponentsITCase on a small pinned graph: components {1,2,3,4}, {5,6}, {7}; the chain
// 4-3-2-1 needs three supersteps to carry 1 to vertex 4 and a fourth finds no change, so the workset empties.
func TestIterateDeltaConnectedComponentsPinned(t *testing.T) {
	pairs := [][2]int64{{4, 3}, {3, 2}, {2, 1}, {6, 5}}
	forParallelisms(t, func(t *testing.T, env *Environment) {
		res, err := connectedComponents(env, 7, pairs, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(res.Result), "[{1 1} {2 1} {3 1} {4 1} {5 5} {6 5} {7 7}]"; got != want {
			t.Fatalf("components %s, want %s", got, want)
		}
		var steps []string
		for _, s := range res.Supersteps {
			steps = append(steps, fmt.Sprintf("%d:w%d->%d,d%d,s%d", s.Superstep, s.Input, s.Output, s.Delta, s.SolutionSet))
		}
		// Superstep 1: vertices 2, 3, 4 and 6 learn a smaller neighbour (1, 2, 3, 5); 2: 3 and 4 learn 1 and 2;
		// 3: 4 learns 1; 4: vertex 4 sends 1 to 3, which has it already.
		if got, want := strings.Join(steps, " "), "1:w7->4,d4,s7 2:w4->2,d2,s7 3:w2->1,d1,s7 4:w1->0,d0,s7"; got != want {
			t.Fatalf("supersteps %s, want %s", got, want)
		}
		if res.Ended != EndedEmptyWorkset {
			t.Fatalf("ended %v, want empty-workset", res.Ended)
		}
		res, err = connectedComponents(env, 7, pairs, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(res.Result, res.Ended), "[{1 1} {2 1} {3 1} {4 2} {5 5} {6 5} {7 7}] max-iterations"; got != want {
			t.Fatalf("two supersteps: %s, want %s", got, want)
		}
	})
}

// Flink: ConnectedComponentsITCase with ConnectedComponentsData.getRandomOddEvenEdges: random edges between
// vertices of equal parity; here checked against a union-find oracle instead of the odd/even rule, since a
// small random graph need not be connected within each parity.
func TestIterateDeltaConnectedComponentsRandom(t *testing.T) {
	const n, m = 60, 50
	rnd := rand.New(rand.NewSource(0xBADC0FFEE))
	var pairs [][2]int64
	for range m {
		a := rnd.Int63n(n) + 1
		b := rnd.Int63n(n/2)*2 + 1 + (a+1)%2 // a vertex of a's parity
		pairs = append(pairs, [2]int64{a, b})
	}
	want := unionFindComponents(n, pairs)
	sort.Strings(want)
	forParallelisms(t, func(t *testing.T, env *Environment) {
		res, err := connectedComponents(env, n, pairs, 1000)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(res.Result))
		for i, v := range res.Result {
			got[i] = fmt.Sprint(v)
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") || res.Ended != EndedEmptyWorkset {
			t.Fatalf("got %v (%v)\nwant %v", got, res.Ended, want)
		}
		// Pinned for this seed: the oracle's 19 components, reached after 7 supersteps (the last finds no change).
		if s, c := len(res.Supersteps), len(distinctComponents(res.Result)); s != 7 || c != 19 {
			t.Fatalf("%d supersteps and %d components, want 7 and 19", s, c)
		}
		for _, v := range res.Result {
			if c := v.(ccVertex); c.C%2 != c.V%2 {
				t.Fatalf("vertex %d joined component %d of the other parity", c.V, c.C)
			}
		}
	})
}

// A step function that fails, while its dataflow is built or while its job runs, ends the iteration with an
// error naming the superstep.
func TestIterationStepErrorsNameSuperstep(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2})
	_, err := env.IterateBulk(ints(1, 3), BulkIteration{Name: "boom", MaxIterations: 10, Step: func(env *Environment, p *DataStream) *DataStream {
		return p.Map(func(v any) any {
			if v.(int) == 6 { // superstep k reads {k, k+1, k+2}: 6 first in superstep 4
				panic("six")
			}
			return v.(int) + 1
		})
	}})
	if !errors.Is(err, ErrIteration) || !strings.Contains(err.Error(), "boom, superstep 4:") || !strings.Contains(err.Error(), "six") {
		t.Fatalf("runtime failure: %v", err)
	}
	_, err = env.IterateBulk(ints(1, 3), BulkIteration{MaxIterations: 10, Step: func(env *Environment, p *DataStream) *DataStream {
		return p.SetParallelism(0)
	}})
	if !errors.Is(err, ErrIteration) || !strings.Contains(err.Error(), "bulk iteration, superstep 1: building the step's dataflow") {
		t.Fatalf("build failure: %v", err)
	}
	_, err = env.IterateDelta(ints(1, 3), ints(1, 3), DeltaIteration{MaxIterations: 10, Key: func(v any) any { return v.(int) % 2 },
		Step: func(env *Environment, s, w *DataStream) (*DataStream, *DataStream) { return nil, nil }})
	if !errors.Is(err, ErrIteration) || !strings.Contains(err.Error(), "initial solution set: two records have key 1") {
		t.Fatalf("duplicate key: %v", err)
	}
	_, err = env.IterateDelta(ints(1, 3), ints(1, 3), DeltaIteration{MaxIterations: 10, Key: func(v any) any { return v },
		Step: func(env *Environment, s, w *DataStream) (*DataStream, *DataStream) {
			return w.Map(func(v any) any { return 7 }), w
		}})
	if !errors.Is(err, ErrIteration) || !strings.Contains(err.Error(), "delta iteration, superstep 1: solution-set delta: two records have key 7") {
		t.Fatalf("duplicate key in delta: %v", err)
	}
}

// Invalid iterations are refused when they are built.
func TestIterationRefusesBadArguments(t *testing.T) {
	env := NewEnvironment(Config{})
	for name, f := range map[string]func(){
		"BulkIteration.Step":             func() { _, _ = env.IterateBulk(nil, BulkIteration{MaxIterations: 1}) },
		"MaxIterations must be at least": func() { _, _ = env.IterateBulk(nil, BulkIteration{Step: incrementStep}) },
		"DeltaIteration.Key": func() {
			_, _ = env.IterateDelta(nil, nil, DeltaIteration{MaxIterations: 1, Step: func(*Environment, *DataStream, *DataStream) (*DataStream, *DataStream) { return nil, nil }})
		},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), name) {
					t.Errorf("want a panic naming %q, got %v", name, r)
				}
			}()
			f()
		}()
	}
}

// An empty initial workset ends a delta iteration before its first superstep, with the initial solution set.
func TestIterateDeltaEmptyWorkset(t *testing.T) {
	res, err := NewEnvironment(Config{}).IterateDelta(ints(1, 3), nil, DeltaIteration{MaxIterations: 5, Key: func(v any) any { return v },
		Step: func(*Environment, *DataStream, *DataStream) (*DataStream, *DataStream) { panic("not run") }})
	if err != nil || fmt.Sprint(res.Result, res.Ended, len(res.Supersteps)) != "[1 2 3] empty-workset 0" {
		t.Fatalf("got %v %v", res, err)
	}
}

func distinctComponents(vs []any) map[int64]bool {
	out := map[int64]bool{}
	for _, v := range vs {
		out[v.(ccVertex).C] = true
	}
	return out
}

// Every superstep's job is reported to the Environment's Observer, so the workbench shows it live.
func TestIterationObserverSeesSuperstepJobs(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2})
	var names []string
	env.Observe(Observer{JobStarted: func(j *Job) { names = append(names, j.Name()) }})
	if _, err := env.IterateBulk(ints(1, 2), BulkIteration{Name: "inc", MaxIterations: 3, Step: incrementStep}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, "; "); got != "inc, superstep 1; inc, superstep 2; inc, superstep 3" {
		t.Fatalf("jobs started: %s", got)
	}
}

// The supersteps keep their keyed state (the joins' and aggregation's) in the Config's backend: on Pebble the
// components are the same.
func TestIterateDeltaOnPebble(t *testing.T) {
	res, err := connectedComponents(NewEnvironment(Config{Parallelism: 2, StateBackend: PebbleState}), 7, [][2]int64{{4, 3}, {3, 2}, {2, 1}, {6, 5}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(res.Result, res.Ended, len(res.Supersteps)), "[{1 1} {2 1} {3 1} {4 1} {5 5} {6 5} {7 7}] empty-workset 4"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
