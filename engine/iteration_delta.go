package engine

import (
	"fmt"
	"sort"
)

// DeltaIteration is a delta iteration, Flink's DeltaIteration (DataSet.iterateDelta(initialWorkset,
// maxIterations, keyPositions)): a solution set keyed by Key and a workset. Each superstep Step reads both and
// returns the solution-set delta, whose records replace the solution-set entries of their keys (or add them),
// and the next workset. The iteration ends when the workset is empty or after MaxIterations supersteps. Each
// superstep is one bounded job, as in Environment.IterateBulk; between supersteps the solution set is held by
// the driver, keyed by Key, and a superstep reads all of it as a bounded stream if its step consumes the
// solutionSet stream, or probes it in place with IterationRuntimeContext.SolutionSetEntry (Flink keeps it in
// a hash table that the step probes in place).
type DeltaIteration struct {
	// Name names the iteration in errors, events and job names; "" means "delta iteration".
	Name string
	// MaxIterations is the most supersteps to run; it must be at least 1.
	MaxIterations int
	// Key selects the solution set's key from a record (Flink's keyPositions). Keys must be comparable.
	Key KeySelector
	// Step builds one superstep's dataflow on env: solutionSet is a bounded stream of the solution set's
	// entries at the start of the superstep, workset the superstep's workset. It returns the solution-set delta
	// and the next workset (Flink's closeWith(solutionSetDelta, newWorkset)); either may be nil for an empty
	// one. It must not call env.Execute. A delta holding two records of one key is refused with an error: in
	// Flink the survivor would depend on arrival order.
	Step func(env *Environment, solutionSet, workset *DataStream) (delta, nextWorkset *DataStream)
	// OnSuperstep, if set, is called after each superstep, on the calling goroutine.
	OnSuperstep func(SuperstepInfo)
	// Aggregators, ConvergenceAggregator and Convergence are the iteration's aggregators and convergence
	// criterion, as in BulkIteration (Flink's DeltaIteration.registerAggregator and
	// registerAggregationConvergenceCriterion).
	Aggregators           map[string]Aggregator
	ConvergenceAggregator string
	Convergence           ConvergenceCriterion
}

// IterateDelta runs the delta iteration it from initialSolution (keyed by it.Key; two records of one key are
// refused) and initialWorkset, and returns the final solution set, entries in ascending key order. It panics if
// it has no Step or Key or MaxIterations is below 1; errors wrap ErrIteration and name the superstep.
func (e *Environment) IterateDelta(initialSolution, initialWorkset []any, it DeltaIteration) (*IterationResult, error) {
	if it.Step == nil {
		panic("engine: IterateDelta needs DeltaIteration.Step, got nil")
	}
	if it.Key == nil {
		panic("engine: IterateDelta needs DeltaIteration.Key, got nil")
	}
	if it.MaxIterations < 1 {
		panic(fmt.Sprintf("engine: IterateDelta: DeltaIteration.MaxIterations must be at least 1, got %d", it.MaxIterations))
	}
	name := it.Name
	if name == "" {
		name = "delta iteration"
	}
	aggs := newIterationAggregators("IterateDelta", "DeltaIteration", name, it.Aggregators, it.ConvergenceAggregator, it.Convergence)
	prog := newIterationProgress(name, IterationDelta, it.MaxIterations, aggs)
	res := &IterationResult{Ended: EndedMaxIterations}
	fail := func(err error) (*IterationResult, error) {
		prog.finish(0, err)
		return res, err
	}
	solution := &solutionSet{entries: map[any]any{}}
	if err := solution.apply(it.Key, initialSolution); err != nil {
		return fail(fmt.Errorf("%w: %s, initial solution set: %w", ErrIteration, name, err))
	}
	workset := sortedCopy(initialWorkset)
	for step := 1; ; step++ {
		if len(workset) == 0 {
			res.Ended = EndedEmptyWorkset
			break
		}
		if step > it.MaxIterations {
			break
		}
		var delta, next *Collected
		prog.begin(step, len(workset))
		job, rc, err := e.superstep(name, step, aggs, prog, func(env *Environment) {
			env.iteration.solution = solution
			s := env.FromSource(solutionSource{solution}, nil, fmt.Sprintf("Solution set (superstep %d)", step))
			w := env.FromSlice(workset).Name(fmt.Sprintf("Workset (superstep %d)", step))
			d, n := it.Step(env, s, w)
			env.dropUnread(s) // a step that only probes the solution set (SolutionSetEntry) does not stream it
			if d != nil {
				delta = d.Collect()
			}
			switch {
			case n == d:
				next = delta // one stream as both (as in Flink's ConnectedComponents): collect it once
			case n != nil:
				next = n.Collect()
			}
		})
		if err != nil {
			return fail(err)
		}
		info := SuperstepInfo{Iteration: name, Superstep: step, Input: len(workset), Job: job, Aggregates: aggs.end(rc)}
		if delta != nil {
			ds := delta.Values()
			info.Delta = len(ds)
			if err := solution.apply(it.Key, ds); err != nil {
				return fail(fmt.Errorf("%w: %s, superstep %d: solution-set delta: %w", ErrIteration, name, step, err))
			}
		}
		workset = nil
		if next != nil {
			workset = sortedCopy(next.Values())
		}
		info.Output, info.SolutionSet = len(workset), len(solution.entries)
		e.reportSuperstep(res, info, prog, it.OnSuperstep)
		converged, err := aggs.converged(step, info.Aggregates)
		if err != nil {
			return fail(fmt.Errorf("%w: %s, superstep %d: %w", ErrIteration, name, step, err))
		}
		if converged {
			res.Ended = EndedConvergence
			break
		}
	}
	res.Result = solution.sorted()
	prog.finish(res.Ended, nil)
	return res, nil
}

// solutionSet is a delta iteration's solution set between supersteps: the record of each key. It is not
// changed while a superstep runs, so its subtasks may read it.
type solutionSet struct {
	entries map[any]any
}

// solutionSource is the bounded, non-parallel source of a superstep's solution set: its entries in
// ascending key order, sorted when the superstep's job starts reading them.
type solutionSource struct{ s *solutionSet }

// MaxParallelism returns 1: the solution set is read by one reader.
func (solutionSource) MaxParallelism() int { return 1 }

// Reader returns a reader of the solution set's entries.
func (src solutionSource) Reader(SourceContext) (SourceReader, error) {
	entries := src.s.sorted()
	elems := make([]SourceElement, len(entries))
	for i, v := range entries {
		elems[i] = SourceElement{Value: v, Timestamp: NoTimestamp}
	}
	return &sliceReader{elems: elems}, nil
}

// SolutionSetEntry returns the entry of key in a delta iteration's solution set as it was when this
// superstep started, and whether there is one. Flink joins a step's records with the solution set by
// probing the solution set's hash table in place (its solution-set join drivers) rather than reading the
// set; SolutionSetEntry is that probe. A step that reads the solution set only through it, and never
// consumes the solutionSet stream Step receives, does not stream the solution set at all, which saves a
// superstep the work of the whole set. key is compared as the DeltaIteration's Key returns it (an int64 key
// is not found as an int). It panics in a bulk iteration, which has no solution set.
func (c *IterationRuntimeContext) SolutionSetEntry(key any) (v any, ok bool) {
	if c.solution == nil {
		panic(fmt.Sprintf("engine: SolutionSetEntry: %s is a bulk iteration, which has no solution set", c.reg.iteration))
	}
	v, ok = c.solution.entries[key]
	return v, ok
}

// dropUnread removes s's source from e when no operator reads it.
func (e *Environment) dropUnread(s *DataStream) {
	src := s.inputs[0].node
	for _, n := range e.nodes {
		for _, in := range n.inputs {
			if in.from == src {
				return
			}
		}
	}
	kept := e.nodes[:0]
	for _, n := range e.nodes {
		if n != src {
			kept = append(kept, n)
		}
	}
	e.nodes = kept
}

// apply puts every record of vs under its key, replacing the entry there; two records of one key in vs are
// an error.
func (s *solutionSet) apply(key KeySelector, vs []any) (err error) {
	seen := make(map[any]bool, len(vs))
	for _, v := range vs {
		k, kerr := selectKey(key, v)
		if kerr != nil {
			return kerr
		}
		if seen[k] {
			return fmt.Errorf("two records have key %v: %v and %v", k, s.entries[k], v)
		}
		seen[k] = true
		s.entries[k] = v
	}
	return nil
}

// selectKey runs key on v, turning a panic or an incomparable key into an error.
func selectKey(key KeySelector, v any) (k any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("key of %v: %v", v, r)
		}
	}()
	k = key(v)
	_ = map[any]bool{k: true} // panics on an incomparable key
	return k, nil
}

// sorted returns the entries in ascending key order.
func (s *solutionSet) sorted() []any {
	keys := make([]any, 0, len(s.entries))
	for k := range s.entries {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return compareValues(keys[i], keys[j]) < 0 })
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = s.entries[k]
	}
	return out
}
