package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// stageList prints a plan's stages one a line, for pinned expectations.
func stageList(t *testing.T, env *Environment) string {
	t.Helper()
	p, err := env.Plan()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range p.BatchStages() {
		fmt.Fprintln(&b, s)
	}
	return b.String()
}

// Flink (SchedulingPipelinedRegionComputeUtilTest): vertices connected by pipelined edges form one region,
// a blocking edge separates regions (testMultipleComponentsViaCascadeOfJoins), a region reached both by a
// pipelined path and by a blocking edge is one region (testDiamondWithMixedPipelinedAndBlockingExchanges),
// and regions whose blocking edges form a cycle are merged (testCyclicDependentRegionsAreMerged). In batch
// mode every all-to-all exchange is BLOCKING (StreamingJobGraphGenerator#determineResultPartitionType);
// forward edges stay pipelined.
func TestBatchStageSplit(t *testing.T) {
	upper := func(v any) any { return strings.ToUpper(v.(string)) }
	for _, c := range []struct {
		name  string
		par   int
		build func(env *Environment)
		want  string
	}{
		{"keyBy splits a chain", 1, func(env *Environment) {
			env.FromElements("a", "b").Map(upper).KeyBy(identityKey).Reduce(func(a, b any) any { return a }).Collect()
		}, "stage 1: [1] <- stages []\nstage 2: [2] <- stages [1]\n"},
		{"keyBy at parallelism 4", 4, func(env *Environment) {
			env.FromElements("a", "b").Map(upper).KeyBy(identityKey).Reduce(func(a, b any) any { return a }).Collect()
		}, "stage 1: [1] <- stages []\nstage 2: [2] <- stages [1]\nstage 3: [3] <- stages [2]\n"}, // the one-subtask collection source rebalances into Map
		{"an unchained forward edge stays pipelined", 1, func(env *Environment) {
			env.FromElements("a").Map(upper).DisableChaining().KeyBy(identityKey).Map(upper).Collect()
		}, "stage 1: [1 2] <- stages []\nstage 2: [3] <- stages [1]\n"},
		{"two keyed inputs and a rebalance", 2, func(env *Environment) {
			a := env.FromElements("a", "b").SetParallelism(1).Name("A")
			b := env.FromElements("c").SetParallelism(1).Name("B")
			a.KeyBy(identityKey).Connect(b.KeyBy(identityKey).DataStream.Map(upper)).Map(upper, upper).Rebalance().Map(upper).Collect()
		}, "stage 1: [1] <- stages []\nstage 2: [2] <- stages []\nstage 3: [3 4] <- stages [1 2]\nstage 4: [5] <- stages [3]\n"}, // B's Map reads a keyed stream (HASH) and feeds the CoProcess forward
		{"broadcast and global", 2, func(env *Environment) {
			env.FromElements("a").SetParallelism(1).Broadcast().Map(upper).Global().Map(upper).SetParallelism(1).Collect()
		}, "stage 1: [1] <- stages []\nstage 2: [2] <- stages [1]\nstage 3: [3] <- stages [2]\nstage 4: [4] <- stages [3]\n"}, // Collect (p2) rebalances
		{"blocking edges on a cycle merge their regions", 1, func(env *Environment) {
			a := env.FromElements("a", "b")
			b := a.Rebalance().Map(upper).DisableChaining()
			a.Connect(b.Rebalance()).Map(upper, upper).DisableChaining().Collect()
		}, "stage 1: [1 2 3 4] <- stages []\n"}, // {1,3,4} -> {2} -> {1,3,4}: one stage
		{"testMultipleComponentsViaCascadeOfJoins", 1, func(env *Environment) {
			v5 := env.FromElements("1").Union(env.FromElements("2")).Map(upper)
			v6 := env.FromElements("3").Union(env.FromElements("4")).Map(upper)
			v5.KeyBy(identityKey).Connect(&v6.KeyBy(identityKey).DataStream).Map(upper, upper).Collect()
		}, "stage 1: [1 2 3] <- stages []\nstage 2: [4 5 6] <- stages []\nstage 3: [7] <- stages [1 2]\n"},
		{"testDiamondWithMixedPipelinedAndBlockingExchanges", 1, func(env *Environment) {
			v1 := env.FromElements("a")
			v2 := v1.Rebalance().Map(upper)
			v3 := v1.Map(upper).DisableChaining()
			v2.Union(v3).Map(upper).Collect()
		}, "stage 1: [1 2 3 4] <- stages []\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := NewEnvironment(Config{Parallelism: c.par, RuntimeMode: Batch})
			c.build(env)
			if got := stageList(t, env); got != c.want {
				p, _ := env.Plan()
				t.Errorf("stages\n%s want\n%s plan\n%s", got, c.want, p)
			}
		})
	}
}

func identityKey(v any) any { return v }

// stagedJob is a three-stage Batch job: words, counted per word (stage 2, keyed), then per count (stage 3).
// It collects both the word counts (in stage 2, chained) and the final "count:words" lines (stage 3).
func stagedJob(env *Environment, failIn2 func(v any)) (words, final *Collected) {
	var src SliceSource
	for i := range 40 {
		src = append(src, SourceElement{Value: fmt.Sprintf("w%d", i%7), Timestamp: int64(i)})
	}
	counted := env.FromSource(src, nil, "words").KeyBy(identityKey).Process(ProcessFunction{
		ProcessElement: func(ctx *Context, v any, out Collector) {
			if failIn2 != nil {
				failIn2(v)
			}
			st := ctx.ValueState(StateDescriptor{Name: "n"})
			n, _ := st.Value().(int)
			st.Update(n + 1)
			ctx.RegisterEventTimeTimer(MaxWatermark - 1)
		},
		OnTimer: func(ctx *Context, _ int64, out Collector) {
			n, _ := ctx.ValueState(StateDescriptor{Name: "n"}).Value().(int)
			out.Collect(fmt.Sprintf("%v=%d", ctx.CurrentKey(), n))
		},
	})
	words = counted.Collect()
	final = counted.KeyBy(func(v any) any { return strings.Split(v.(string), "=")[1] }).
		Reduce(func(a, b any) any {
			ws := append(strings.Split(a.(string), ","), strings.Split(b.(string), ",")...)
			slices.Sort(ws)
			return strings.Join(ws, ",")
		}).Collect()
	return words, final
}

// The final results of stagedJob, as Streaming computes them (the last value per count of the rolling
// reduce).
var stagedWant = []string{"w0=6", "w1=6", "w2=6", "w3=6", "w4=6", "w5=5", "w6=5"}

var finalWant = []string{"w0=6,w1=6,w2=6,w3=6,w4=6", "w5=5,w6=5"}

func lastPerCount(vs []any) []string {
	last := map[string]string{}
	for _, x := range vs {
		v := x.(string)
		parts := strings.Split(v, ",")
		last[strings.Split(parts[0], "=")[1]] = v
	}
	var out []string
	for _, v := range last {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// Flink (PipelinedRegionSchedulingStrategy, blocking result partitions): a consumer region is scheduled
// only when every producer of its blocking input has finished, so its first record is processed after
// the producer stage finished; stages run one after another in topological order.
func TestBatchBlockingStagesRunInOrder(t *testing.T) {
	for _, par := range []int{1, 4} {
		t.Run(fmt.Sprint("p", par), func(t *testing.T) {
			env := NewEnvironment(Config{Parallelism: par, Clock: NewVirtualClock(0), RuntimeMode: Batch})
			var job atomic.Pointer[Job]
			var released string
			env.observer.JobStarted = func(j *Job) {
				job.Store(j)
				// Flink (RegionPartitionGroupReleaseStrategy): when stage 3 starts, stage 1's result has been
				// released (its only consumer, stage 2, finished) and stage 2's is there.
				j.batch.beforeStage = func(stage, _ int) {
					if stage != 3 {
						return
					}
					for id := 1; id <= 2; id++ {
						have := 0
						for _, k := range j.batch.runs[id-1].parts {
							if j.batch.partition(k) != nil {
								have++
							}
						}
						released += fmt.Sprintf("stage %d: %d/%d ", id, have, len(j.batch.runs[id-1].parts))
					}
				}
			}
			var mu sync.Mutex
			var seen []Event // the job's events when stage 2 processed its first record
			words, final := stagedJob(env, func(any) {
				mu.Lock()
				defer mu.Unlock()
				if seen == nil {
					seen = job.Load().Events(0)
				}
			})
			j, err := env.Execute("blocking")
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range seen {
				if strings.HasPrefix(string(e.Kind), "stage-") {
					kinds = append(kinds, fmt.Sprintf("%s %s", e.Kind, e.Detail))
				}
			}
			wantSeen := []string{"stage-running stage 1 [1] attempt 1", "stage-finished stage 1 [1] attempt 1", "stage-running stage 2 [2] attempt 1"}
			if !slices.Equal(kinds, wantSeen) {
				t.Errorf("stage events when stage 2 processed its first record:\n%q\nwant\n%q", kinds, wantSeen)
			}
			var all []string
			for _, e := range j.Events(0) {
				if strings.HasPrefix(string(e.Kind), "stage-") {
					all = append(all, fmt.Sprintf("%s %s", e.Kind, e.Detail))
				}
			}
			wantAll := append(wantSeen, "stage-finished stage 2 [2] attempt 1", "stage-running stage 3 [3] attempt 1", "stage-finished stage 3 [3] attempt 1")
			if !slices.Equal(all, wantAll) {
				t.Errorf("stage events\n%q\nwant\n%q", all, wantAll)
			}
			if got := words.Strings(); !slices.Equal(got, stagedWant) {
				t.Errorf("words %v, want %v", got, stagedWant)
			}
			if got, want := final.Strings(), finalWant; !slices.Equal(got, want) {
				t.Errorf("final %v, want %v", got, want)
			}
			if want := fmt.Sprintf("stage 1: 0/1 stage 2: %d/%d ", par, par); released != want { // the slice source has one subtask
				t.Errorf("results held when stage 3 starts: %q, want %q", released, want)
			}
			var stages []string
			for _, s := range j.Snapshot().Stages {
				stages = append(stages, fmt.Sprintf("%d %v %s attempts=%d in=%d out=%d", s.ID, s.Vertices, s.State, s.Attempts, s.RecordsIn, s.RecordsOut))
			}
			// Stage 1 reads 40 words and writes them; stage 2 reads them, collects 7 counts and writes 7;
			// stage 3 reads 7 and collects 2 final values (Batch: the rolling reduce emits one per key).
			want := []string{"1 [1] FINISHED attempts=1 in=40 out=40", "2 [2] FINISHED attempts=1 in=40 out=14", "3 [3] FINISHED attempts=1 in=7 out=2"}
			if !slices.Equal(stages, want) {
				t.Errorf("stages\n%q\nwant\n%q", stages, want)
			}
		})
	}
}

// streamingFinal runs stagedJob in Streaming mode and returns its final results: the words, and the last
// value per count of the rolling reduce.
func streamingFinal(t *testing.T, par int) (words, final []string) {
	t.Helper()
	env := NewEnvironment(Config{Parallelism: par, Clock: NewVirtualClock(0)})
	w, f := stagedJob(env, nil)
	if _, err := env.Execute("streaming"); err != nil {
		t.Fatal(err)
	}
	return w.Strings(), lastPerCount(f.Values()) // arrival order: a key's values arrive in order
}

// failOnce returns a stage-2 hook that panics once, when stage 2 has processed n records in all.
func failOnce(n int32) func(any) {
	var processed atomic.Int32
	return func(any) {
		if processed.Add(1) == n {
			panic("injected failure in stage 2")
		}
	}
}

func stageAttempts(j *Job) string {
	var b strings.Builder
	for _, s := range j.Snapshot().Stages {
		fmt.Fprintf(&b, "%d:%d/%s ", s.ID, s.Attempts, s.State)
	}
	return strings.TrimSpace(b.String())
}

// Flink (RestartPipelinedRegionFailoverStrategyTest#testRegionFailoverForRegionInternalErrors,
// RegionFailoverITCase): a task failure restarts only its region, which reads its blocking inputs again;
// finished upstream regions do not run again, and the restart counts against the restart strategy.
// Sinks stay exactly-once: the failed attempt's collected records and file-sink transactions are
// discarded, and the result equals Streaming's final result.
func TestBatchRegionFailoverRestartsOnlyTheFailedStage(t *testing.T) {
	for _, par := range []int{1, 4} {
		t.Run(fmt.Sprint("p", par), func(t *testing.T) {
			dir := t.TempDir()
			env := NewEnvironment(Config{Parallelism: par, Clock: NewVirtualClock(0), RuntimeMode: Batch,
				Restart: RestartStrategy{Attempts: 2}})
			// 30 records in, stage 2 has emitted (collected and written) the counts of several keys.
			words, final := stagedJob(env, failOnce(30))
			streamOf(env, env.nodes[1]).SinkToFiles(dir) // the keyed process's output, in stage 2
			j, err := env.Execute("failover")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := stageAttempts(j), "1:1/FINISHED 2:2/FINISHED 3:1/FINISHED"; got != want {
				t.Errorf("attempts %s, want %s", got, want)
			}
			if j.Restarts() != 1 {
				t.Errorf("restarts %d, want 1", j.Restarts())
			}
			sw, sf := streamingFinal(t, par)
			if got := words.Strings(); !slices.Equal(got, sw) || !slices.Equal(got, stagedWant) {
				t.Errorf("words %v, want %v (streaming %v)", got, stagedWant, sw)
			}
			if got := final.Strings(); !slices.Equal(got, sf) || !slices.Equal(got, finalWant) {
				t.Errorf("final %v, want %v (streaming %v)", got, finalWant, sf)
			}
			files, err := ReadCommitted(dir)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(files)
			if !slices.Equal(files, stagedWant) {
				t.Errorf("committed files hold %v, want %v", files, stagedWant)
			}
			// The failed attempt's transactions, open or pre-committed, were aborted: no in-progress file is left.
			if left, _ := filepath.Glob(filepath.Join(dir, ".*.inprogress")); len(left) > 0 {
				t.Errorf("transactions left in progress: %v", left)
			}
			var failedEvents int
			for _, e := range j.Events(0) {
				if e.Kind == EventStageFailed {
					failedEvents++
					if !strings.Contains(e.Detail, "stage 2 [2] attempt 1") || !strings.Contains(e.Detail, "injected failure") {
						t.Errorf("stage-failed event %q", e.Detail)
					}
				}
			}
			if failedEvents != 1 {
				t.Errorf("%d stage-failed events, want 1", failedEvents)
			}
		})
	}
}

// Without restarts left, the failed stage fails the job, and the stages after it never run.
func TestBatchStageFailureWithoutRestartsFailsTheJob(t *testing.T) {
	env := NewEnvironment(Config{Parallelism: 2, Clock: NewVirtualClock(0), RuntimeMode: Batch})
	words, _ := stagedJob(env, failOnce(3))
	j, err := env.Execute("no restarts")
	if err == nil || !strings.Contains(err.Error(), "injected failure in stage 2") {
		t.Fatalf("err %v", err)
	}
	if got, want := stageAttempts(j), "1:1/FINISHED 2:1/FAILED 3:0/WAITING"; got != want {
		t.Errorf("attempts %s, want %s", got, want)
	}
	if words.Len() != 0 {
		t.Errorf("a failed stage collected %v", words.Values())
	}
}

// Flink (PartitionNotFoundException; RestartPipelinedRegionFailoverStrategyTest#
// testRegionFailoverForDataConsumptionErrors): a consumer that cannot read a blocking result fails, and
// failover restarts the producer's region as well, which rebuilds the result before the consumer runs
// again. The producer's sink output, committed by its first run, is not committed twice.
func TestBatchLostPartitionRerunsItsProducer(t *testing.T) {
	damage := map[string]func(t *testing.T, path string){
		"deleted": func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Error(err)
			}
		},
		"truncated": func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, fi.Size()-3); err != nil {
				t.Error(err)
			}
		},
		"corrupt": func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0xff
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Error(err)
			}
		},
	}
	for _, how := range []string{"deleted", "truncated", "corrupt"} {
		for _, par := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/p%d", how, par), func(t *testing.T) {
				env := NewEnvironment(Config{Parallelism: par, Clock: NewVirtualClock(0), RuntimeMode: Batch,
					Restart: RestartStrategy{Attempts: 1}, BlockingPartitionRecords: -1})
				tapDir := t.TempDir()
				words, final := stagedJob(env, nil)
				streamOf(env, env.nodes[0]).SinkToFiles(tapDir).SetParallelism(1) // a sink in stage 1
				var dirSeen string
				env.observer.JobStarted = func(j *Job) {
					j.batch.beforeStage = func(stage, attempt int) {
						if stage != 2 || attempt != 1 {
							return
						}
						files := partFiles(t, j, 1)
						if len(files) == 0 {
							t.Error("stage 1 wrote no files")
							return
						}
						dirSeen = filepath.Dir(files[0])
						for _, f := range files {
							if fi, err := os.Stat(f); err == nil && fi.Size() > 0 {
								damage[how](t, f)
								return
							}
						}
					}
				}
				j, err := env.Execute("lost partition")
				if err != nil {
					t.Fatal(err)
				}
				if got, want := stageAttempts(j), "1:2/FINISHED 2:2/FINISHED 3:1/FINISHED"; got != want {
					t.Errorf("attempts %s, want %s", got, want)
				}
				if j.Restarts() != 1 {
					t.Errorf("restarts %d, want 1", j.Restarts())
				}
				lost := 0
				for _, e := range j.Events(0) {
					if e.Kind == EventPartitionLost {
						lost++
						if !strings.Contains(e.Detail, "stage 1 [1] runs again") || !strings.Contains(e.Detail, ErrPartitionNotFound.Error()) {
							t.Errorf("partition-lost event %q", e.Detail)
						}
					}
				}
				if lost != 1 {
					t.Errorf("%d partition-lost events, want 1", lost)
				}
				if got := words.Strings(); !slices.Equal(got, stagedWant) {
					t.Errorf("words %v, want %v", got, stagedWant)
				}
				if got := final.Strings(); !slices.Equal(got, finalWant) {
					t.Errorf("final %v, want %v", got, finalWant)
				}
				if tap, err := ReadCommitted(tapDir); err != nil || len(tap) != 40 {
					t.Errorf("stage 1's sink committed %d records (%v), want 40 (its rerun must not commit again)", len(tap), err)
				}
				if _, err := os.Stat(dirSeen); dirSeen == "" || !os.IsNotExist(err) {
					t.Errorf("the job's blocking results %q are still there (%v)", dirSeen, err)
				}
			})
		}
	}
}

// partFiles lists the blocking result files stage writes under the job's directory.
func partFiles(t *testing.T, j *Job, stage int) []string {
	t.Helper()
	dir, err := j.batch.tempDir()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, fmt.Sprintf("stage%d-*.part", stage)))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// streamOf returns the main output of node n as a DataStream.
func streamOf(env *Environment, n *node) *DataStream {
	return &DataStream{env: env, inputs: []streamInput{{node: n}}}
}

// A stage merged from regions on a cycle runs its inner all-to-all edges pipelined, and gives Streaming's
// result.
func TestBatchMergedStageRuns(t *testing.T) {
	for _, par := range []int{1, 4} {
		run := func(mode RuntimeMode) []string {
			env := NewEnvironment(Config{Parallelism: par, Clock: NewVirtualClock(0), RuntimeMode: mode})
			var in []any
			for i := range 50 {
				in = append(in, i)
			}
			a := env.FromElements(in...).Rebalance().Map(func(v any) any { return v })
			b := a.Rebalance().Map(func(v any) any { return v.(int) * 10 }).DisableChaining()
			out := a.Connect(b.Rebalance()).Map(func(v any) any { return fmt.Sprint("a", v) }, func(v any) any { return fmt.Sprint("b", v) }).Collect()
			if _, err := env.Execute("merged"); err != nil {
				t.Fatal(err)
			}
			return out.Strings()
		}
		env := NewEnvironment(Config{Parallelism: par, RuntimeMode: Batch})
		a := env.FromElements(1).Rebalance().Map(func(v any) any { return v })
		b := a.Rebalance().Map(func(v any) any { return v }).DisableChaining()
		a.Connect(b.Rebalance()).Map(func(v any) any { return v }, func(v any) any { return v }).Collect()
		if got, want := stageList(t, env), "stage 1: [1] <- stages []\nstage 2: [2 3 4] <- stages [1]\n"; got != want {
			t.Errorf("p%d: stages\n%s want\n%s", par, got, want)
		}
		batch, streaming := run(Batch), run(Streaming)
		if len(batch) != 100 || !slices.Equal(batch, streaming) {
			t.Errorf("p%d: batch %d records %v\nstreaming %v", par, len(batch), batch, streaming)
		}
	}
}

// Flink keeps a blocking result on the TaskManager that produced it: losing the TaskManager fails the running
// stage and loses the results produced there, so their producer stage runs again before the failed stage
// restarts (RestartPipelinedRegionFailoverStrategyTest#testRegionFailoverForVariousResultPartitionAvailabilityCombinations:
// a failed consumer restarts with the producers of its unavailable inputs). One failure is one restart.
func TestBatchKillTaskManagerLosesItsResults(t *testing.T) {
	for _, c := range []struct {
		tm   int
		want string
	}{
		{1, "1:2/FINISHED 2:2/FINISHED 3:1/FINISHED"}, // the one-subtask source ran in slot 0, on TaskManager 1
		{2, "1:1/FINISHED 2:2/FINISHED 3:1/FINISHED"},
	} {
		t.Run(fmt.Sprint("tm", c.tm), func(t *testing.T) {
			env := NewEnvironment(Config{Parallelism: 2, TaskManagers: 2, Clock: NewVirtualClock(0), RuntimeMode: Batch,
				Restart: RestartStrategy{Attempts: 1}})
			var job atomic.Pointer[Job]
			env.observer.JobStarted = func(j *Job) { job.Store(j) }
			var killed atomic.Bool
			words, final := stagedJob(env, func(any) {
				if killed.CompareAndSwap(false, true) {
					if err := job.Load().KillTaskManager(c.tm); err != nil {
						t.Error(err)
					}
				}
			})
			j, err := env.Execute("kill")
			if err != nil {
				t.Fatal(err)
			}
			if got := stageAttempts(j); got != c.want {
				t.Errorf("attempts %s, want %s", got, c.want)
			}
			if j.Restarts() != 1 {
				t.Errorf("restarts %d, want 1", j.Restarts())
			}
			if got := words.Strings(); !slices.Equal(got, stagedWant) {
				t.Errorf("words %v, want %v", got, stagedWant)
			}
			if got := final.Strings(); !slices.Equal(got, finalWant) {
				t.Errorf("final %v, want %v", got, finalWant)
			}
		})
	}
}
