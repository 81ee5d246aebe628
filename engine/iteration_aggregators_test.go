package engine

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Aggregators and convergence criteria of iterations (iteration_aggregators.go), ported from Flink's
// AggregatorsITCase and AggregatorConvergenceITCase (flink-tests, org.apache.flink.test.iterative.aggregators)
// with their pinned results; each runs at parallelism 1, 2 and 4 (Flink's run at 2 and 4), so the aggregates
// are combined over several subtasks.

// aggPair is Flink's Tuple2<Integer, Integer> of the delta cases: an id and a value.
type aggPair struct{ ID, N int64 }

func init() { RegisterType(aggPair{}) }

// negativeElements is AggregatorsITCase's NEGATIVE_ELEMENTS_AGGR.
const negativeElements = "count.negative.elements"

// integerDataSet is Flink's CollectionDataSets.getIntegerDataSet: 1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5 x5.
func integerDataSet() []any {
	var out []any
	for v := 1; v <= 5; v++ {
		for range v {
			out = append(out, v)
		}
	}
	return out
}

// pairsDataSet is integerDataSet as pairs with distinct ids (Flink's TupleMakerMap draws random ids).
func pairsDataSet() []any {
	var out []any
	for i, v := range integerDataSet() {
		out = append(out, aggPair{ID: int64(i), N: int64(v.(int))})
	}
	return out
}

// aggregatesOf lists aggregator name's value in every superstep of res.
func aggregatesOf(res *IterationResult, name string) string {
	var out []string
	for _, s := range res.Supersteps {
		out = append(out, fmt.Sprint(s.Aggregates[name]))
	}
	return strings.Join(out, " ")
}

// Flink: AggregatorsITCase#testAggregatorWithoutParameterForIterate, #testAggregatorWithParameterForIterate
// and #testConvergenceCriterionWithParameterForIterate: each superstep subtracts one from every element and
// counts the negative ones in a LongSumAggregator; the iteration (at most 20 supersteps) converges when more
// than 3 are counted. After superstep k the count is the number of elements below k (0, 1, 3, 6): it
// converges after superstep 4, with every element less 4. (Flink's three cases differ only in whether the
// bound 0 and the limit 3 are fields of Java subclasses of the aggregator and the criterion; in Go both are
// captured by the closures, so one case covers them.)
func TestAggregatorsConvergeBulk(t *testing.T) {
	const bound, limit = 0, 3
	forParallelisms(t, func(t *testing.T, env *Environment) {
		res, err := env.IterateBulk(integerDataSet(), BulkIteration{Name: "subtract one", MaxIterations: 20,
			Aggregators:           map[string]Aggregator{negativeElements: LongSumAggregator()},
			ConvergenceAggregator: negativeElements,
			Convergence:           func(_ int, v any) bool { return v.(int64) > limit },
			Step: func(env *Environment, partial *DataStream) *DataStream {
				negatives := env.IterationRuntimeContext().IterationAggregator(negativeElements)
				return partial.Map(func(v any) any {
					n := v.(int) - 1
					if n < bound {
						negatives.Aggregate(1)
					}
					return n
				})
			}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(res.Result), "[-3 -2 -2 -1 -1 -1 0 0 0 0 1 1 1 1 1]"; got != want {
			t.Fatalf("result %s, want %s", got, want)
		}
		if got := endedAfter(res, negativeElements); got != "convergence-criterion after 4: 0 1 3 6" {
			t.Fatalf("got %s, want convergence-criterion after 4: 0 1 3 6", got)
		}
	})
}

// endedAfter says why res ended, after how many supersteps, and lists aggregator name's value in each.
func endedAfter(res *IterationResult, name string) string {
	return fmt.Sprintf("%v after %d: %s", res.Ended, len(res.Supersteps), aggregatesOf(res, name))
}

// Flink: AggregatorsITCase#testAggregatorWithoutParameterForIterateDelta and
// #testAggregatorWithParameterForIterateDelta: superstep k counts the workset's elements equal to k, and reads
// the count of superstep k-1 with getPreviousIterationAggregate, which must be k-1 (nil in superstep 1, as
// Flink's is null); only elements above k stay in the delta and the workset, so the workset empties after
// superstep 5 and the solution set keeps every value.
func TestAggregatorsPreviousAggregateDelta(t *testing.T) {
	forParallelisms(t, func(t *testing.T, env *Environment) {
		var mu sync.Mutex
		previous := map[int]string{}
		res, err := env.IterateDelta(pairsDataSet(), pairsDataSet(), DeltaIteration{Name: "count equal", MaxIterations: 20,
			Key:         func(v any) any { return v.(aggPair).ID },
			Aggregators: map[string]Aggregator{negativeElements: LongSumAggregator()},
			Step: func(env *Environment, solution, workset *DataStream) (*DataStream, *DataStream) {
				rc := env.IterationRuntimeContext()
				step := rc.SuperstepNumber()
				aggr := rc.IterationAggregator(negativeElements)
				mu.Lock()
				previous[step] = fmt.Sprint(rc.PreviousIterationAggregate(negativeElements))
				mu.Unlock()
				updated := workset.Map(func(v any) any {
					if v.(aggPair).N == int64(step) {
						aggr.Aggregate(int64(1))
					}
					return v
				})
				kept := updated.JoinBounded(solution, InnerJoin).
					Where(func(v any) any { return v.(aggPair).ID }).
					EqualTo(func(v any) any { return v.(aggPair).ID }).
					FlatApply(func(w, _ any, out Collector) {
						if w.(aggPair).N > int64(step) {
							out.Collect(w)
						}
					})
				return kept, kept
			}})
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		for _, v := range res.Result {
			values = append(values, fmt.Sprint(v.(aggPair).N))
		}
		if got, want := strings.Join(values, " "), "1 2 2 3 3 3 4 4 4 4 5 5 5 5 5"; got != want {
			t.Fatalf("solution set %s, want %s", got, want)
		}
		if got := fmt.Sprint(previous[1], previous[2], previous[3], previous[4], previous[5]); got != "<nil>1234" {
			t.Fatalf("previous aggregates in supersteps 1-5: %s, want <nil> 1 2 3 4", got)
		}
		if got := endedAfter(res, negativeElements); got != "empty-workset after 5: 1 2 3 4 5" {
			t.Fatalf("ended, supersteps, aggregates: %s", got)
		}
	})
}

// Flink: AggregatorsITCase#testConvergenceCriterionWithParameterForIterateDelta: superstep k counts the
// workset's ones and subtracts one from every element, which all stay in the workset; the count in superstep
// k is k (the elements that were k), so the criterion "more than 3" ends the iteration after superstep 4,
// although the workset never empties.
func TestAggregatorsConvergeDelta(t *testing.T) {
	forParallelisms(t, func(t *testing.T, env *Environment) {
		res, err := env.IterateDelta(pairsDataSet(), pairsDataSet(), DeltaIteration{MaxIterations: 20,
			Key:                   func(v any) any { return v.(aggPair).ID },
			Aggregators:           map[string]Aggregator{negativeElements: LongSumAggregator()},
			ConvergenceAggregator: negativeElements,
			Convergence:           func(_ int, v any) bool { return v.(int64) > 3 },
			Step: func(env *Environment, solution, workset *DataStream) (*DataStream, *DataStream) {
				ones := env.IterationRuntimeContext().IterationAggregator(negativeElements)
				next := workset.Map(func(v any) any {
					p := v.(aggPair)
					if p.N == 1 {
						ones.Aggregate(int64(1))
					}
					p.N--
					return p
				}).JoinBounded(solution, InnerJoin).
					Where(func(v any) any { return v.(aggPair).ID }).
					EqualTo(func(v any) any { return v.(aggPair).ID }).
					Apply(func(w, _ any) any { return w })
				return next, next
			}})
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		for _, v := range sortedCopy(projectN(res.Result)) {
			values = append(values, fmt.Sprint(v))
		}
		if got, want := strings.Join(values, " "), "-3 -2 -2 -1 -1 -1 0 0 0 0 1 1 1 1 1"; got != want {
			t.Fatalf("solution set %s, want %s", got, want)
		}
		if got := endedAfter(res, negativeElements); got != "convergence-criterion after 4: 1 2 3 4" {
			t.Fatalf("ended, supersteps, aggregates: %s", got)
		}
	})
}

func projectN(vs []any) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v.(aggPair).N
	}
	return out
}

// convergenceGraph is AggregatorConvergenceITCase's graph: vertices 1-9, each its own component, and its
// directed edges (both directions listed).
func convergenceGraph() (vertices, edges []any) {
	for v := int64(1); v <= 9; v++ {
		vertices = append(vertices, ccVertex{v, v})
	}
	for _, e := range [][2]int64{{1, 2}, {1, 3}, {2, 3}, {2, 4}, {2, 1}, {3, 1}, {3, 2}, {4, 2}, {4, 6}, {5, 6},
		{6, 4}, {6, 5}, {7, 8}, {7, 9}, {8, 7}, {8, 9}, {9, 7}, {9, 8}} {
		edges = append(edges, ccEdge{e[0], e[1]})
	}
	return vertices, edges
}

// minimumIDStep is AggregatorConvergenceITCase's step: every vertex of in sends its component to its
// neighbours (NeighborWithComponentIDJoin), each vertex takes the smallest candidate (groupBy(0).min(1)), and
// MinimumIdFilter emits the smaller of candidate and current component, calling count for what it emits.
func minimumIDStep(env *Environment, in, current *DataStream, edges []any, count func(kept, old ccVertex)) *DataStream {
	candidates := in.JoinBounded(env.FromSlice(edges), InnerJoin).
		Where(func(v any) any { return v.(ccVertex).V }).
		EqualTo(func(v any) any { return v.(ccEdge).Src }).
		Apply(func(l, r any) any { return ccVertex{V: r.(ccEdge).Dst, C: l.(ccVertex).C} }).
		KeyBy(func(v any) any { return v.(ccVertex).V }).
		Aggregate(FieldAggregation{Kind: AggMin, Field: "C"})
	return candidates.JoinBounded(current, InnerJoin).
		Where(func(v any) any { return v.(ccVertex).V }).
		EqualTo(func(v any) any { return v.(ccVertex).V }).
		FlatApply(func(cand, cur any, out Collector) {
			kept := cur.(ccVertex)
			if cand.(ccVertex).C < kept.C {
				kept = cand.(ccVertex)
			}
			count(kept, cur.(ccVertex))
			out.Collect(kept)
		})
}

const updatedElements = "updated.elements.aggr"

// Flink: AggregatorConvergenceITCase#testConnectedComponentsWithParametrizableConvergence and
// #testDeltaConnectedComponentsWithParametrizableConvergence: connected components whose iteration (at most
// 10 supersteps) converges once fewer than 3 vertices change component in a superstep. 6 change in superstep
// 1, 3 in superstep 2 and 2 in superstep 3, so it ends there, before vertex 5 has learnt component 1.
func TestAggregatorConvergenceConnectedComponents(t *testing.T) {
	vertices, edges := convergenceGraph()
	const want = "[{1 1} {2 1} {3 1} {4 1} {5 2} {6 1} {7 7} {8 7} {9 7}]"
	fewerThan3 := func(_ int, v any) bool { return v.(int64) < 3 }
	countChanges := func(env *Environment) func(kept, old ccVertex) {
		changed := env.IterationRuntimeContext().IterationAggregator(updatedElements)
		return func(kept, old ccVertex) {
			if kept != old {
				changed.Aggregate(int64(1))
			}
		}
	}
	forParallelisms(t, func(t *testing.T, env *Environment) {
		res, err := env.IterateBulk(vertices, BulkIteration{MaxIterations: 10,
			Aggregators:           map[string]Aggregator{updatedElements: LongSumAggregator()},
			ConvergenceAggregator: updatedElements, Convergence: fewerThan3,
			Step: func(env *Environment, partial *DataStream) *DataStream {
				return minimumIDStep(env, partial, partial, edges, countChanges(env))
			}})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(res.Result, " ", res.Ended, " ", aggregatesOf(res, updatedElements)); got != want+" convergence-criterion 6 3 2" {
			t.Fatalf("bulk: %s", got)
		}
		res, err = env.IterateDelta(vertices, vertices, DeltaIteration{MaxIterations: 10,
			Key:                   func(v any) any { return v.(ccVertex).V },
			Aggregators:           map[string]Aggregator{updatedElements: LongSumAggregator()},
			ConvergenceAggregator: updatedElements, Convergence: fewerThan3,
			Step: func(env *Environment, solution, workset *DataStream) (*DataStream, *DataStream) {
				next := minimumIDStep(env, workset, solution, edges, countChanges(env))
				return next, next
			}})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(res.Result, " ", res.Ended, " ", aggregatesOf(res, updatedElements)); got != want+" convergence-criterion 6 3 2" {
			t.Fatalf("delta: %s", got)
		}
	})
}

// Flink: AggregatorConvergenceITCase#testParameterizableAggregator: five supersteps of bulk connected
// components count the vertices emitted with component 1; superstep k+1 reads superstep k's count (3, 4, 5, 6)
// through getPreviousIterationAggregate, and the last count is never read by a superstep.
func TestAggregatorParameterizable(t *testing.T) {
	vertices, edges := convergenceGraph()
	const inComponent = "elements.in.component.aggregator"
	forParallelisms(t, func(t *testing.T, env *Environment) {
		var mu sync.Mutex
		var read []string
		res, err := env.IterateBulk(vertices, BulkIteration{MaxIterations: 5,
			Aggregators: map[string]Aggregator{inComponent: LongSumAggregator()},
			Step: func(env *Environment, partial *DataStream) *DataStream {
				rc := env.IterationRuntimeContext()
				if rc.SuperstepNumber() > 1 {
					mu.Lock()
					read = append(read, fmt.Sprint(rc.PreviousIterationAggregate(inComponent)))
					mu.Unlock()
				}
				inOne := rc.IterationAggregator(inComponent)
				return minimumIDStep(env, partial, partial, edges, func(kept, _ ccVertex) {
					if kept.C == 1 {
						inOne.Aggregate(int64(1))
					}
				})
			}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(res.Result), "[{1 1} {2 1} {3 1} {4 1} {5 1} {6 1} {7 7} {8 7} {9 7}]"; got != want {
			t.Fatalf("result %s, want %s", got, want)
		}
		if got := strings.Join(read, " "); got != "3 4 5 6" {
			t.Fatalf("previous aggregates read in supersteps 2-5: %s, want 3 4 5 6", got)
		}
		if got := fmt.Sprint(res.Ended, " ", aggregatesOf(res, inComponent)); got != "max-iterations 3 4 5 6 6" {
			t.Fatalf("ended and aggregates: %s", got)
		}
	})
}

// Flink's built-in aggregators and criteria: LongSumAggregator sums integers of any Go type into an int64
// and DoubleSumAggregator numbers into a float64, each from 0; LongZeroConvergence and DoubleZeroConvergence
// hold at zero; DoubleThresholdConvergence at an absolute value no larger than its threshold.
func TestBuiltInAggregatorsAndCriteria(t *testing.T) {
	l := LongSumAggregator()
	acc := l.Zero()
	for _, v := range []any{1, int8(2), uint16(3), int64(-10)} {
		acc = l.Aggregate(acc, v)
	}
	d := DoubleSumAggregator()
	dacc := d.Zero()
	for _, v := range []any{0.5, float32(0.25), 2} {
		dacc = d.Aggregate(dacc, v)
	}
	if fmt.Sprintf("%T %v %T %v", acc, acc, dacc, dacc) != "int64 -4 float64 2.75" {
		t.Fatalf("sums %T %v, %T %v", acc, acc, dacc, dacc)
	}
	got := fmt.Sprint(LongZeroConvergence()(1, int64(0)), LongZeroConvergence()(1, int64(2)),
		DoubleZeroConvergence()(1, 0.0), DoubleZeroConvergence()(1, 1e-300),
		DoubleThresholdConvergence(0.5)(1, -0.5), DoubleThresholdConvergence(0.5)(1, 0.51))
	if got != "true false true false true false" {
		t.Fatalf("criteria: %s", got)
	}
	for name, f := range map[string]func(){
		"LongSumAggregator: 1.5 (float64) is not an integer": func() { l.Aggregate(int64(0), 1.5) },
		"DoubleSumAggregator: x (string) is not a number":    func() { d.Aggregate(0.0, "x") },
		"threshold must be at least 0":                       func() { DoubleThresholdConvergence(-1) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), name) {
					t.Errorf("want a panic with %q, got %v", name, r)
				}
			}()
			f()
		}()
	}
}

// A convergence criterion without its aggregator, or naming one that is not registered, and an aggregator
// without a function are refused when the iteration is built; an unknown aggregator asked for by a step
// fails the superstep naming it and the registered ones; an aggregator that panics fails the superstep's
// job naming the aggregator; a criterion that panics ends the iteration with an error.
func TestAggregatorMisuse(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2})
	never := func(int, any) bool { return false }
	for want, f := range map[string]func(){
		"BulkIteration.Convergence needs BulkIteration.ConvergenceAggregator": func() {
			_, _ = env.IterateBulk(nil, BulkIteration{MaxIterations: 1, Step: incrementStep, Convergence: never})
		},
		`DeltaIteration.ConvergenceAggregator "x" is not among DeltaIteration.Aggregators (a)`: func() {
			_, _ = env.IterateDelta(nil, nil, DeltaIteration{MaxIterations: 1, Key: func(v any) any { return v },
				Step:        func(*Environment, *DataStream, *DataStream) (*DataStream, *DataStream) { return nil, nil },
				Aggregators: map[string]Aggregator{"a": LongSumAggregator()}, ConvergenceAggregator: "x", Convergence: never})
		},
		`BulkIteration.ConvergenceAggregator "a" is set without a BulkIteration.Convergence`: func() {
			_, _ = env.IterateBulk(nil, BulkIteration{MaxIterations: 1, Step: incrementStep,
				Aggregators: map[string]Aggregator{"a": LongSumAggregator()}, ConvergenceAggregator: "a"})
		},
		`BulkIteration.Aggregators["a"] has no Aggregate function`: func() {
			_, _ = env.IterateBulk(nil, BulkIteration{MaxIterations: 1, Step: incrementStep, Aggregators: map[string]Aggregator{"a": {}}})
		},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), want) {
					t.Errorf("want a panic with %q, got %v", want, r)
				}
			}()
			f()
		}()
	}
	aggs := map[string]Aggregator{"count": LongSumAggregator(), "sum": DoubleSumAggregator()}
	_, err := env.IterateBulk(ints(1, 3), BulkIteration{Name: "typo", MaxIterations: 3, Aggregators: aggs,
		Step: func(env *Environment, p *DataStream) *DataStream {
			env.IterationRuntimeContext().IterationAggregator("cuont")
			return p
		}})
	if !errors.Is(err, ErrIteration) || !strings.Contains(err.Error(), `typo, superstep 1: building the step's dataflow: engine: IterationAggregator: typo has no aggregator "cuont" (registered: count, sum)`) {
		t.Fatalf("unknown aggregator: %v", err)
	}
	_, err = env.IterateBulk(ints(1, 3), BulkIteration{Name: "bad value", MaxIterations: 3, Aggregators: aggs,
		Step: func(env *Environment, p *DataStream) *DataStream {
			count := env.IterationRuntimeContext().IterationAggregator("count")
			return p.Map(func(v any) any {
				if v.(int) == 4 { // in superstep 2
					count.Aggregate("four")
				}
				return v.(int) + 1
			})
		}})
	if !errors.Is(err, ErrIteration) || !strings.Contains(err.Error(), "bad value, superstep 2:") ||
		!strings.Contains(err.Error(), `aggregator "count" adding four: engine: LongSumAggregator: four (string) is not an integer`) {
		t.Fatalf("aggregator panic: %v", err)
	}
	_, err = env.IterateBulk(ints(1, 3), BulkIteration{Name: "criterion", MaxIterations: 3, Aggregators: aggs,
		ConvergenceAggregator: "sum", Convergence: LongZeroConvergence(), Step: incrementStep})
	if !errors.Is(err, ErrIteration) || !strings.Contains(err.Error(), `criterion, superstep 1: convergence criterion on aggregator "sum": engine: LongZeroConvergence: 0 (float64) is not an integer`) {
		t.Fatalf("criterion panic: %v", err)
	}
	if env.IterationRuntimeContext() != nil {
		t.Fatal("an Environment the caller made has no iteration runtime context")
	}
}
