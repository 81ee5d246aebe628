package engine

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// Iterations on bounded data, Flink's DataSet iterations ("Iterations" in the DataSet API docs): a bulk
// iteration (DataSet.iterate(n) ... closeWith(result, terminationCriterion)) recomputes a partial solution
// each superstep; a delta iteration (iterateDelta(initialWorkset, maxIterations, keyPositions) ...
// closeWith(solutionSetDelta, newWorkset)) updates a keyed solution set from a shrinking workset.
//
// How Weir runs them differs from Flink, and the difference is visible. Flink runs the whole iteration as one
// job: an iteration head feeds the partial solution (or workset) into the step's operators, an iteration tail
// sends the step's result back to the head over a feedback channel, and superstep barriers (with a
// synchronisation task) separate one superstep from the next; the solution set of a delta iteration is a hash
// table kept in the head's managed memory, joined in place. Weir has no feedback edges: Environment.IterateBulk
// and IterateDelta drive the iteration from Go. Each superstep builds the step's dataflow on a fresh
// Environment with the caller's Config (so the same parallelism, state backend and clock; a
// Checkpointing.RestoreFrom is not applied to supersteps) from a bounded
// source of the previous superstep's result, runs it as one bounded job, collects its outputs and feeds them to
// the next superstep: the end of one job is the superstep barrier. The solution set is held by the driver
// between supersteps, keyed by the iteration's KeySelector, and handed to each superstep as a bounded stream of
// its entries (so the step joins it with JoinBounded), unless the step only probes it in place with
// IterationRuntimeContext.SolutionSetEntry, as Flink's solution-set join probes its hash table. Costs follow:
// each superstep pays a job start, and a step that joins the streamed solution set reads all of it each
// superstep although only the workset shrinks. An iteration runs eagerly: the call returns when the iteration
// has ended.
//
// Every superstep's job is reported to the Environment's Observer (JobStarted), gets an
// EventSuperstepCompleted event in its Job.Events, and is described by a SuperstepInfo in the IterationResult
// and to the OnSuperstep callback; Job.Iteration leads from any superstep's job to the iteration's
// IterationProgress, which the workbench polls while the iteration runs (iteration_progress.go). Aggregators
// and a convergence criterion (iteration_aggregators.go) are Flink's. Records fed into a superstep are sorted
// (ascending, by compareValues' order), so a run is reproducible at every parallelism.

// ErrIteration is wrapped by the errors of IterateBulk and IterateDelta; the message names the iteration and,
// for failures in a superstep, the superstep (counted from 1).
var ErrIteration = errors.New("engine: iteration failed")

// EventSuperstepCompleted is logged by each superstep's job when the superstep has ended; Count is the size of
// its result (the next partial solution, or the next workset) and Detail states every size of the
// superstep.
const EventSuperstepCompleted EventKind = "superstep-completed"

// IterationEnd says why an iteration ended.
type IterationEnd uint8

const (
	// EndedMaxIterations: the iteration ran its maximum number of supersteps.
	EndedMaxIterations IterationEnd = iota
	// EndedTerminationCriterion: a bulk iteration's termination criterion was empty after a superstep.
	EndedTerminationCriterion
	// EndedEmptyWorkset: a delta iteration's workset was empty (after a superstep, or from the start).
	EndedEmptyWorkset
	// EndedConvergence: the iteration's convergence criterion held for its aggregator's value after a
	// superstep (Flink's registerAggregationConvergenceCriterion).
	EndedConvergence
)

// When several reasons hold after one superstep, an iteration names the first of: the convergence
// criterion, the termination criterion or empty workset, the maximum number of supersteps.

func (e IterationEnd) String() string {
	return [...]string{"max-iterations", "termination-criterion", "empty-workset", "convergence-criterion"}[e]
}

// SuperstepInfo describes one superstep that has ended.
type SuperstepInfo struct {
	// Iteration is the iteration's name.
	Iteration string
	// Superstep counts from 1.
	Superstep int
	// Input is the size of the superstep's input: the partial solution of a bulk iteration, the workset of a
	// delta iteration.
	Input int
	// Output is the size of the superstep's result: the next partial solution, or the next workset.
	Output int
	// Criterion is the number of records of a bulk iteration's termination criterion (0 without one).
	Criterion int
	// Delta is the number of records of a delta iteration's solution-set delta.
	Delta int
	// SolutionSet is a delta iteration's solution-set size after the delta was applied.
	SolutionSet int
	// Aggregates holds the value each of the iteration's aggregators reached in this superstep, combined over
	// all subtasks, by name (nil without aggregators).
	Aggregates map[string]any
	// Duration is how long the superstep took, from building its dataflow to the end of its job (wall time).
	Duration time.Duration
	// Job is the superstep's job.
	Job *Job
}

func (s SuperstepInfo) String() string {
	out := fmt.Sprintf("%s superstep %d: input %d, output %d, criterion %d, delta %d, solution set %d",
		s.Iteration, s.Superstep, s.Input, s.Output, s.Criterion, s.Delta, s.SolutionSet)
	if len(s.Aggregates) > 0 {
		names := make([]string, 0, len(s.Aggregates))
		for n := range s.Aggregates {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			names[i] = fmt.Sprintf("%s=%v", n, s.Aggregates[n])
		}
		out += ", aggregates " + strings.Join(names, " ")
	}
	return out
}

// IterationResult is what an iteration produced.
type IterationResult struct {
	// Result is the final partial solution of a bulk iteration, or the final solution set of a delta iteration
	// (its entries in ascending key order).
	Result []any
	// Supersteps describes every superstep run, in order; len(Supersteps) is the number run.
	Supersteps []SuperstepInfo
	// Ended says why the iteration stopped.
	Ended IterationEnd
}

// BulkIteration is a bulk iteration, Flink's IterativeDataSet: Step maps the partial solution to the next one,
// up to MaxIterations supersteps or until the termination criterion is empty.
type BulkIteration struct {
	// Name names the iteration in errors, events and job names; "" means "bulk iteration".
	Name string
	// MaxIterations is the most supersteps to run (Flink's iterate(n)); it must be at least 1.
	MaxIterations int
	// Step builds one superstep's dataflow on env from the partial solution and returns the next partial
	// solution (Flink's step function closed by closeWith(result)). It must not call env.Execute.
	Step func(env *Environment, partial *DataStream) *DataStream
	// Termination, if set, builds the termination criterion from the superstep's input and result (Flink's
	// closeWith(result, terminationCriterion)): when it emits no record, the iteration ends after this
	// superstep and its result is the final one. nil means only MaxIterations ends the iteration.
	Termination func(env *Environment, partial, next *DataStream) *DataStream
	// OnSuperstep, if set, is called after each superstep, on the calling goroutine.
	OnSuperstep func(SuperstepInfo)
	// Aggregators are the iteration's aggregators by name (Flink's registerAggregator): the step's functions
	// add to them through env.IterationRuntimeContext(). nil means none.
	Aggregators map[string]Aggregator
	// ConvergenceAggregator names the aggregator Convergence checks; it must be one of Aggregators (Flink's
	// registerAggregationConvergenceCriterion(name, aggregator, criterion) registers both at once).
	ConvergenceAggregator string
	// Convergence, if set, is asked after every superstep about ConvergenceAggregator's value in it: when it
	// holds, the iteration ends after that superstep, with that superstep's result. nil means none.
	Convergence ConvergenceCriterion
}

// IterateBulk runs the bulk iteration it over initial, the first partial solution, and returns the last
// partial solution. It panics if it has no Step or MaxIterations is below 1; a failed superstep (its step
// function panicking while the dataflow is built, or its job failing) ends the iteration with an error that
// wraps ErrIteration and names the superstep.
//
// The iteration runs eagerly, one bounded job a superstep: each superstep builds Step's dataflow on a fresh
// Environment with e's Config, reading the previous superstep's result from a bounded source, and the end
// of that job is the superstep barrier. Flink instead runs the whole iteration in one job, with an iteration
// head and tail joined by a feedback channel; Weir has no feedback edges, so each superstep pays a job start.
func (e *Environment) IterateBulk(initial []any, it BulkIteration) (*IterationResult, error) {
	if it.Step == nil {
		panic("engine: IterateBulk needs BulkIteration.Step, got nil")
	}
	if it.MaxIterations < 1 {
		panic(fmt.Sprintf("engine: IterateBulk: BulkIteration.MaxIterations must be at least 1, got %d", it.MaxIterations))
	}
	name := it.Name
	if name == "" {
		name = "bulk iteration"
	}
	aggs := newIterationAggregators("IterateBulk", "BulkIteration", name, it.Aggregators, it.ConvergenceAggregator, it.Convergence)
	prog := newIterationProgress(name, IterationBulk, it.MaxIterations, aggs)
	prog.snap.Termination = it.Termination != nil
	res := &IterationResult{Ended: EndedMaxIterations}
	partial := sortedCopy(initial)
	for step := 1; step <= it.MaxIterations; step++ {
		var next, crit *Collected
		prog.begin(step, len(partial))
		job, rc, err := e.superstep(name, step, aggs, prog, func(env *Environment) {
			in := env.FromSlice(partial).Name(fmt.Sprintf("Partial solution (superstep %d)", step))
			out := it.Step(env, in)
			if out == nil {
				panic("the step function returned a nil stream")
			}
			next = out.Collect()
			if it.Termination != nil {
				c := it.Termination(env, in, out)
				if c == nil {
					panic("the termination function returned a nil stream")
				}
				crit = c.Collect()
			}
		})
		if err != nil {
			prog.finish(0, err)
			return res, err
		}
		info := SuperstepInfo{Iteration: name, Superstep: step, Input: len(partial), Job: job, Aggregates: aggs.end(rc)}
		partial = sortedCopy(next.Values())
		info.Output = len(partial)
		if crit != nil {
			info.Criterion = crit.Len()
		}
		e.reportSuperstep(res, info, prog, it.OnSuperstep)
		converged, err := aggs.converged(step, info.Aggregates)
		if err != nil {
			err = fmt.Errorf("%w: %s, superstep %d: %w", ErrIteration, name, step, err)
			prog.finish(0, err)
			return res, err
		}
		if converged {
			res.Ended = EndedConvergence
			break
		}
		if crit != nil && info.Criterion == 0 {
			res.Ended = EndedTerminationCriterion
			break
		}
	}
	res.Result = partial
	prog.finish(res.Ended, nil)
	return res, nil
}

// superstep builds one superstep's dataflow with build on a fresh Environment with e's Config and runs it,
// turning a panic of build and a failure of the job into an error naming the superstep. The Environment
// carries the superstep's runtime context (aggregators at their Zero), returned as rc; its job is linked to
// prog and reported to e's Observer.
func (e *Environment) superstep(name string, step int, aggs *iterationAggregators, prog *IterationProgress, build func(env *Environment)) (job *Job, rc *IterationRuntimeContext, err error) {
	if rc, err = aggs.begin(step); err != nil {
		return nil, nil, fmt.Errorf("%w: %s, superstep %d: %w", ErrIteration, name, step, err)
	}
	cfg := e.cfg
	cfg.Checkpointing.RestoreFrom = "" // a superstep's job starts from its input, never from a snapshot
	env := &Environment{cfg: cfg, faults: e.faults, iteration: rc}
	outer := e.observer.JobStarted
	env.observer.JobStarted = func(j *Job) {
		j.iteration = prog // before the job is published to the observer
		if outer != nil {
			outer(j)
		}
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w: %s, superstep %d: building the step's dataflow: %v", ErrIteration, name, step, r)
			}
		}()
		build(env)
	}()
	if err != nil {
		return nil, rc, err
	}
	job, err = env.Execute(fmt.Sprintf("%s, superstep %d", name, step))
	if err != nil {
		return job, rc, fmt.Errorf("%w: %s, superstep %d: %w", ErrIteration, name, step, err)
	}
	return job, rc, nil
}

// reportSuperstep records info (its duration set now) in prog, in res, in its job's events and with the
// callback.
func (e *Environment) reportSuperstep(res *IterationResult, info SuperstepInfo, prog *IterationProgress, cb func(SuperstepInfo)) {
	prog.done(&info)
	res.Supersteps = append(res.Supersteps, info)
	if info.Job != nil {
		info.Job.events.add(Event{Kind: EventSuperstepCompleted, Operator: info.Iteration, Count: int64(info.Output),
			Watermark: MaxWatermark, Detail: info.String()})
	}
	if cb != nil {
		cb(info)
	}
}

// sortedCopy returns vs sorted ascending (compareValues' order), so a superstep's input does not depend on
// the order in which the previous superstep's subtasks delivered it.
// Records that are neither numbers, strings nor bools (structs, typically) are formatted once each rather than
// at every comparison, which gives compareValues' order.
func sortedCopy(vs []any) []any {
	out := append([]any(nil), vs...)
	if !allFormatted(out) {
		sort.SliceStable(out, func(i, j int) bool { return compareValues(out[i], out[j]) < 0 })
		return out
	}
	type keyed struct {
		s string
		v any
	}
	ks := make([]keyed, len(out))
	for i, v := range out {
		ks[i] = keyed{fmt.Sprint(v), v}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].s < ks[j].s })
	for i, k := range ks {
		out[i] = k.v
	}
	return out
}

// allFormatted reports whether compareValues compares every pair of vs by formatting both.
func allFormatted(vs []any) bool {
	for _, v := range vs {
		if v == nil {
			return false
		}
		r := reflect.ValueOf(v)
		if numKind(r) != 0 || r.Kind() == reflect.String || r.Kind() == reflect.Bool {
			return false
		}
	}
	return true
}
