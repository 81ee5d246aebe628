package engine

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Aggregators and convergence criteria of iterations, Flink's org.apache.flink.api.common.aggregators:
// IterativeDataSet.registerAggregator(name, aggregator) and
// registerAggregationConvergenceCriterion(name, aggregator, criterion) become the Aggregators,
// ConvergenceAggregator and Convergence fields of BulkIteration and DeltaIteration; the step's functions reach
// the aggregators through Environment.IterationRuntimeContext, as Flink's rich functions do through
// getIterationRuntimeContext().
//
// In superstep N every function adds to the aggregators of superstep N; when the superstep has ended, each
// aggregator holds the combination of everything added by all subtasks, and that value is what
// PreviousIterationAggregate returns in superstep N+1, what the convergence criterion is asked about, and
// what SuperstepInfo.Aggregates records. Flink keeps one aggregator instance per subtask and has the
// iteration's synchronisation task combine their partial aggregates with Aggregator.aggregate at the
// superstep barrier; Weir's subtasks add to one aggregate per superstep under a lock, which gives the same
// value for the associative and commutative aggregators Flink requires (a floating-point sum may differ in
// its last bits with the order of additions, as in Flink).

// Aggregator is an iteration aggregator, Flink's Aggregator: Zero returns the aggregate at the start of
// every superstep (Flink's reset()), and Aggregate adds value to aggregate and returns the new aggregate
// (Flink's aggregate(T)). Aggregate must be associative and commutative, and the aggregate's type is the
// type of the values added, as in Flink, where partial aggregates are combined with aggregate too. Aggregate
// is called under the aggregator's lock, so it need not be safe for concurrent use. Zero may be nil, which
// makes the aggregate nil until something is added.
type Aggregator struct {
	Zero      func() any
	Aggregate func(aggregate, value any) any
}

// ConvergenceCriterion decides after a superstep whether an iteration has converged, Flink's
// ConvergenceCriterion.isConverged(iteration, value): superstep counts from 1 and aggregate is the value the
// criterion's aggregator reached in that superstep, combined over all subtasks.
type ConvergenceCriterion func(superstep int, aggregate any) bool

// LongSumAggregator returns Flink's LongSumAggregator: the aggregate is an int64, 0 at the start of each
// superstep, and every integer added (of any Go integer type) is summed into it. Adding a value that is not
// an integer panics, naming it.
func LongSumAggregator() Aggregator {
	return Aggregator{
		Zero:      func() any { return int64(0) },
		Aggregate: func(acc, v any) any { return acc.(int64) + toInt64("LongSumAggregator", v) },
	}
}

// DoubleSumAggregator returns Flink's DoubleSumAggregator: the aggregate is a float64, 0 at the start of each
// superstep, and every number added (floating-point or integer) is summed into it. Adding a value that is not
// a number panics, naming it.
func DoubleSumAggregator() Aggregator {
	return Aggregator{
		Zero:      func() any { return float64(0) },
		Aggregate: func(acc, v any) any { return acc.(float64) + toFloat64("DoubleSumAggregator", v) },
	}
}

// LongZeroConvergence returns Flink's LongZeroConvergence: an iteration has converged once its aggregator
// (a LongSumAggregator, say counting the elements that changed) holds zero after a superstep.
func LongZeroConvergence() ConvergenceCriterion {
	return func(_ int, aggregate any) bool { return toInt64("LongZeroConvergence", aggregate) == 0 }
}

// DoubleZeroConvergence returns Flink's DoubleZeroConvergence: an iteration has converged once its
// aggregator (a DoubleSumAggregator) holds exactly zero after a superstep.
func DoubleZeroConvergence() ConvergenceCriterion {
	return func(_ int, aggregate any) bool { return toFloat64("DoubleZeroConvergence", aggregate) == 0 }
}

// DoubleThresholdConvergence returns a criterion by which an iteration has converged once the absolute value
// of its aggregator's float64 aggregate (the total or largest change of a superstep: the movement of
// k-means centroids, the change of PageRank scores) is at most threshold. Flink has no such class; its
// examples write this criterion by hand. It panics if threshold is negative or NaN.
func DoubleThresholdConvergence(threshold float64) ConvergenceCriterion {
	if !(threshold >= 0) {
		panic(fmt.Sprintf("engine: DoubleThresholdConvergence: threshold must be at least 0, got %v", threshold))
	}
	return func(_ int, aggregate any) bool {
		return math.Abs(toFloat64("DoubleThresholdConvergence", aggregate)) <= threshold
	}
}

func toInt64(who string, v any) int64 {
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return r.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int64(r.Uint())
	}
	panic(fmt.Sprintf("engine: %s: %v (%T) is not an integer", who, v, v))
}

func toFloat64(who string, v any) float64 {
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Float32, reflect.Float64:
		return r.Float()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(r.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(r.Uint())
	}
	panic(fmt.Sprintf("engine: %s: %v (%T) is not a number", who, v, v))
}

// IterationRuntimeContext is what the functions of one superstep know about their iteration, Flink's
// IterationRuntimeContext: the superstep's number, its aggregators, and the aggregates of the superstep
// before. Environment.IterationRuntimeContext returns it to a step function, which captures it in the
// functions it builds. It is safe for concurrent use by every subtask of the superstep.
type IterationRuntimeContext struct {
	reg       *iterationAggregators
	superstep int
	aggs      map[string]*IterationAggregator
	solution  *solutionSet // a delta iteration's solution set, read-only while the superstep runs; nil in a bulk one
}

// IterationRuntimeContext returns the context of the superstep whose dataflow env holds, or nil when env is
// not a superstep's (an Environment the caller made, rather than the one IterateBulk or IterateDelta hands to
// a step function).
func (e *Environment) IterationRuntimeContext() *IterationRuntimeContext { return e.iteration }

// SuperstepNumber returns the superstep's number, counted from 1 (Flink's getSuperstepNumber).
func (c *IterationRuntimeContext) SuperstepNumber() int { return c.superstep }

// IterationAggregator returns the aggregator registered as name for this superstep (Flink's
// getIterationAggregator): what the superstep's functions add to it is combined over all subtasks. It
// panics if the iteration registered no aggregator of that name.
func (c *IterationRuntimeContext) IterationAggregator(name string) *IterationAggregator {
	a, ok := c.aggs[name]
	if !ok {
		panic(fmt.Sprintf("engine: IterationAggregator: %s has no aggregator %q (registered: %s)", c.reg.iteration, name, c.reg.list()))
	}
	return a
}

// PreviousIterationAggregate returns the value aggregator name reached in the superstep before this one,
// combined over all subtasks (Flink's getPreviousIterationAggregate); in superstep 1 it returns nil, as
// Flink returns null. It panics if the iteration registered no aggregator of that name.
func (c *IterationRuntimeContext) PreviousIterationAggregate(name string) any {
	if _, ok := c.reg.specs[name]; !ok {
		panic(fmt.Sprintf("engine: PreviousIterationAggregate: %s has no aggregator %q (registered: %s)", c.reg.iteration, name, c.reg.list()))
	}
	return c.reg.previous[name]
}

// IterationAggregator is one aggregator of one superstep, which every subtask adds to.
type IterationAggregator struct {
	name string
	agg  func(acc, v any) any
	mu   sync.Mutex
	acc  any
}

// Aggregate adds v to the aggregate (Flink's Aggregator.aggregate); it is safe for concurrent use. A panic of
// the aggregator's function fails the superstep's job, naming the aggregator.
func (a *IterationAggregator) Aggregate(v any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			panic(fmt.Sprintf("aggregator %q adding %v: %v", a.name, v, r))
		}
	}()
	a.acc = a.agg(a.acc, v)
}

// value returns the aggregate.
func (a *IterationAggregator) value() any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.acc
}

// iterationAggregators is an iteration's aggregator registry (Flink's AggregatorRegistry) and the aggregates
// of its last superstep.
type iterationAggregators struct {
	iteration string
	specs     map[string]Aggregator
	names     []string // sorted
	convName  string
	conv      ConvergenceCriterion
	previous  map[string]any // the aggregates of the last superstep that ended; nil before
}

// newIterationAggregators checks an iteration's aggregators and convergence criterion, panicking with a
// message that names the bad field of what (BulkIteration or DeltaIteration) in fn (the calling function).
func newIterationAggregators(fn, what, iteration string, specs map[string]Aggregator, convName string, conv ConvergenceCriterion) *iterationAggregators {
	r := &iterationAggregators{iteration: iteration, specs: specs, convName: convName, conv: conv}
	for name, a := range specs {
		if a.Aggregate == nil {
			panic(fmt.Sprintf("engine: %s: %s.Aggregators[%q] has no Aggregate function", fn, what, name))
		}
		r.names = append(r.names, name)
	}
	sort.Strings(r.names)
	switch {
	case conv != nil && convName == "":
		panic(fmt.Sprintf("engine: %s: %s.Convergence needs %s.ConvergenceAggregator, the name of the aggregator it checks", fn, what, what))
	case conv == nil && convName != "":
		panic(fmt.Sprintf("engine: %s: %s.ConvergenceAggregator %q is set without a %s.Convergence criterion", fn, what, convName, what))
	case conv != nil:
		if _, ok := specs[convName]; !ok {
			panic(fmt.Sprintf("engine: %s: %s.ConvergenceAggregator %q is not among %s.Aggregators (%s)", fn, what, convName, what, r.list()))
		}
	}
	return r
}

// list names the registered aggregators for messages.
func (r *iterationAggregators) list() string {
	if len(r.names) == 0 {
		return "none"
	}
	return strings.Join(r.names, ", ")
}

// begin returns the runtime context of superstep step, every aggregator at its Zero.
func (r *iterationAggregators) begin(step int) (c *IterationRuntimeContext, err error) {
	c = &IterationRuntimeContext{reg: r, superstep: step, aggs: make(map[string]*IterationAggregator, len(r.specs))}
	for _, name := range r.names {
		spec := r.specs[name]
		var zero any
		if spec.Zero != nil {
			if zero, err = callSafely(func() any { return spec.Zero() }); err != nil {
				return nil, fmt.Errorf("aggregator %q: Zero: %w", name, err)
			}
		}
		c.aggs[name] = &IterationAggregator{name: name, agg: spec.Aggregate, acc: zero}
	}
	return c, nil
}

// end takes the aggregates of the superstep c ran (nil without aggregators); they become the previous ones.
func (r *iterationAggregators) end(c *IterationRuntimeContext) map[string]any {
	if len(r.names) == 0 {
		r.previous = nil
		return nil
	}
	out := make(map[string]any, len(r.names))
	for name, a := range c.aggs {
		out[name] = a.value()
	}
	r.previous = out
	return out
}

// converged asks the convergence criterion, if any, about the aggregates of superstep step.
func (r *iterationAggregators) converged(step int, aggs map[string]any) (bool, error) {
	if r.conv == nil {
		return false, nil
	}
	v, err := callSafely(func() any { return r.conv(step, aggs[r.convName]) })
	if err != nil {
		return false, fmt.Errorf("convergence criterion on aggregator %q: %w", r.convName, err)
	}
	return v.(bool), nil
}

// callSafely runs f, turning a panic into an error.
func callSafely(f func() any) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return f(), nil
}
