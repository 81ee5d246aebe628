package engine

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// An iteration's progress is observable while it runs: each superstep's job leads to the iteration's
// IterationProgress, whose snapshot names the running superstep and its input and describes every superstep
// that has ended, with its aggregates; once the iteration has ended it says why, or how it failed.
func TestIterationProgressWhileRunning(t *testing.T) {
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("p%d", p), func(t *testing.T) {
			env := NewEnvironment(Config{Parallelism: p})
			var seen []string
			var last *IterationProgress
			var live atomic.Pointer[IterationProgress]
			env.Observe(Observer{JobStarted: func(j *Job) {
				live.Store(j.Iteration())
				s := j.Iteration().Snapshot()
				seen = append(seen, fmt.Sprintf("%s %s %v superstep %d/%d input %d, %d ended", s.Name, s.Kind, s.State,
					s.Superstep, s.MaxIterations, s.Input, len(s.Supersteps)))
				last = j.Iteration()
			}})
			// A poller on another goroutine, as the workbench's, races with nothing (go test -race).
			polls := 0
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if l := live.Load(); l != nil {
						if s := l.Snapshot(); s.Superstep < 1 || len(s.Supersteps) > s.Superstep {
							t.Errorf("inconsistent snapshot %+v", s)
							return
						}
						polls++
					}
					runtime.Gosched()
				}
			}()
			res, err := env.IterateBulk(integerDataSet(), BulkIteration{Name: "subtract one", MaxIterations: 20,
				Aggregators:           map[string]Aggregator{negativeElements: LongSumAggregator(), "sum": DoubleSumAggregator()},
				ConvergenceAggregator: negativeElements,
				Convergence:           func(_ int, v any) bool { return v.(int64) > 3 },
				Step: func(env *Environment, partial *DataStream) *DataStream {
					rc := env.IterationRuntimeContext()
					negatives, sum := rc.IterationAggregator(negativeElements), rc.IterationAggregator("sum")
					return partial.Map(func(v any) any {
						n := v.(int) - 1
						if n < 0 {
							negatives.Aggregate(1)
						}
						sum.Aggregate(n)
						return n
					})
				}})
			close(stop)
			wg.Wait()
			t.Logf("%d snapshots polled while the iteration ran", polls)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				"subtract one bulk running superstep 1/20 input 15, 0 ended",
				"subtract one bulk running superstep 2/20 input 15, 1 ended",
				"subtract one bulk running superstep 3/20 input 15, 2 ended",
				"subtract one bulk running superstep 4/20 input 15, 3 ended",
			}
			if got := strings.Join(seen, "\n"); got != strings.Join(want, "\n") {
				t.Fatalf("snapshots as each superstep's job started:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
			}
			s := last.Snapshot()
			var rows []string
			for _, st := range s.Supersteps {
				if st.Duration <= 0 || st.Job == nil {
					t.Fatalf("superstep %d has no duration or job: %+v", st.Superstep, st)
				}
				rows = append(rows, fmt.Sprintf("%d:%d->%d %v %v", st.Superstep, st.Input, st.Output, st.Aggregates[negativeElements], st.Aggregates["sum"]))
			}
			// The sum of the 15 elements is 55; each superstep takes 15 from it.
			got := fmt.Sprintf("%v %v superstep %d, aggregators %v, convergence %q, running %v; %s", s.State, s.Ended, s.Superstep,
				s.Aggregators, s.Convergence, s.Running, strings.Join(rows, " "))
			if w := `finished convergence-criterion superstep 4, aggregators [count.negative.elements sum], convergence "count.negative.elements", running 0s; 1:15->15 0 40 2:15->15 1 25 3:15->15 3 10 4:15->15 6 -5`; got != w {
				t.Fatalf("final snapshot:\n%s\nwant\n%s", got, w)
			}
			if len(res.Supersteps) != 4 || res.Supersteps[3].Duration != s.Supersteps[3].Duration {
				t.Fatalf("the result's supersteps are the snapshot's: %v", res.Supersteps)
			}
		})
	}
}

// A delta iteration's snapshot has its workset and solution-set sizes; a failed iteration's says failed and
// why; a job that is no superstep's has no iteration.
func TestIterationProgressDeltaAndFailure(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2})
	var prog *IterationProgress
	env.Observe(Observer{JobStarted: func(j *Job) { prog = j.Iteration() }})
	if _, err := connectedComponentsOn(env, 7, [][2]int64{{4, 3}, {3, 2}, {2, 1}, {6, 5}}); err != nil {
		t.Fatal(err)
	}
	s := prog.Snapshot()
	var rows []string
	for _, st := range s.Supersteps {
		rows = append(rows, fmt.Sprintf("%d:w%d->%d,s%d", st.Superstep, st.Input, st.Output, st.SolutionSet))
	}
	if got := fmt.Sprintf("%s %v %v %d/%d %s", s.Kind, s.State, s.Ended, s.Superstep, s.MaxIterations, strings.Join(rows, " ")); got != "delta finished empty-workset 4/100 1:w7->4,s7 2:w4->2,s7 3:w2->1,s7 4:w1->0,s7" {
		t.Fatalf("delta snapshot: %s", got)
	}
	_, err := env.IterateBulk(ints(1, 3), BulkIteration{Name: "boom", MaxIterations: 10, Step: func(env *Environment, p *DataStream) *DataStream {
		return p.Map(func(v any) any {
			if v.(int) == 5 {
				panic("five")
			}
			return v.(int) + 1
		})
	}})
	s = prog.Snapshot()
	if err == nil || s.State != IterationFailed || s.Superstep != 3 || len(s.Supersteps) != 2 || !strings.Contains(s.Err, "boom, superstep 3:") || !strings.Contains(s.Err, "five") {
		t.Fatalf("failed snapshot: %+v (err %v)", s, err)
	}
	plain := NewEnvironment(Config{})
	plain.FromSlice(ints(1, 2)).Collect()
	j, err := plain.Execute("plain")
	if err != nil || j.Iteration() != nil {
		t.Fatalf("a plain job has no iteration: %v %v", j.Iteration(), err)
	}
}

func connectedComponentsOn(env *Environment, n int, pairs [][2]int64) (*IterationResult, error) {
	return connectedComponents(env, n, pairs, 100)
}
