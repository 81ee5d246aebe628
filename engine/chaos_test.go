package engine

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

var chaosSeeds = flag.Int("chaos.seeds", 6, "number of seeds TestChaos runs (make chaos runs 200)")

// chaosRecord is the chaos job's record: per key a gap-free sequence, so that the sequence check sees any
// record lost or repeated inside the engine.
type chaosRecord struct {
	Key int64
	Seq int64
}

const chaosKeys = 8 // even, so with two readers every key comes from one reader (reader = key parity)

// chaosSource is a deterministic, replayable source of n records; it pauses now and then so that checkpoints
// (on the wall clock) fall mid-stream.
func chaosSource(n int64, every int64) GeneratorSource {
	return GeneratorSource{Count: n, Gen: func(i int64) SourceElement {
		if i%every == 0 || i%every == 1 {
			time.Sleep(100 * time.Microsecond)
		}
		return SourceElement{Value: chaosRecord{Key: i % chaosKeys, Seq: i / chaosKeys}, Timestamp: i}
	}}
}

// buildChaosJob is the job of the exactly-once acceptance test: a replayable source, keyBy, a per-key
// sequence check in keyed state, an event-time tumbling window, a two-input keyed operator with state and
// timers, and the transactional file sink.
func buildChaosJob(env *Environment, n int64, out string) {
	s := ForMonotonousTimestamps().WithPerRecordEmission()
	a := env.FromSource(chaosSource(n, 97), &s, "events")
	b := env.FromSource(chaosSource(n/4, 31), &s, "side events")
	checked := a.KeyBy(func(v any) any { return v.(chaosRecord).Key }).Process(ProcessFunction{
		ProcessElement: func(ctx *Context, v any, out Collector) {
			st := ctx.ValueState(State("next"))
			want, _ := st.Value().(int64)
			if r := v.(chaosRecord); r.Seq != want {
				panic(fmt.Sprintf("sequence broken for key %d: got %d, want %d", r.Key, r.Seq, want))
			}
			st.Update(want + 1)
			out.Collect(v)
		}}).Name("SequenceCheck")
	windows := checked.KeyBy(func(v any) any { return v.(chaosRecord).Key }).
		Window(TumblingEventTimeWindows(50*time.Millisecond)).
		Reduce(func(x, y any) any {
			a, b := x.(chaosRecord), y.(chaosRecord)
			return chaosRecord{Key: a.Key, Seq: a.Seq + b.Seq}
		}, WithKeyAndWindow)
	windows.Connect(b).KeyBy(
		func(v any) any { return v.(WindowResult).Key },
		func(v any) any { return v.(chaosRecord).Key }).
		Process(CoProcessFunction{
			ProcessElement1: func(ctx *Context, v any, out Collector) {
				w := v.(WindowResult)
				out.Collect(fmt.Sprintf("window key=%v [%d,%d) sum=%d", w.Key, w.Start, w.End, w.Value.(chaosRecord).Seq))
				st := ctx.ValueState(State("windows"))
				n, _ := st.Value().(int64)
				st.Update(n + 1)
				ctx.RegisterEventTimeTimer(MaxWatermark - 1)
			},
			ProcessElement2: func(ctx *Context, v any, out Collector) {
				st := ctx.ValueState(State("side"))
				n, _ := st.Value().(int64)
				st.Update(n + v.(chaosRecord).Seq)
				ctx.RegisterEventTimeTimer(MaxWatermark - 1)
			},
			OnTimer: func(ctx *Context, ts int64, out Collector) {
				w, _ := ctx.ValueState(State("windows")).Value().(int64)
				s, _ := ctx.ValueState(State("side")).Value().(int64)
				out.Collect(fmt.Sprintf("total key=%v windows=%d side=%d", ctx.CurrentKey(), w, s))
			},
		}).Name("Join").
		SinkToFiles(out)
}

const chaosEvents = 12_000

// chaosBackend is the state backend of the chaos job (TestChaosOnPebble switches it).
var chaosBackend = HeapState

func chaosConfig(ckptDir string) Config {
	return Config{Parallelism: 2, StateBackend: chaosBackend,
		Checkpointing: CheckpointConfig{Interval: 4 * time.Millisecond, Dir: ckptDir},
		Restart:       RestartStrategy{Attempts: 3, Delay: time.Millisecond}}
}

func committedSorted(t testing.TB, dir string) []string {
	lines, err := ReadCommitted(dir)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return lines
}

// chaosOracle is the committed output of a crash-free run.
func chaosOracle(t *testing.T) []string {
	out := t.TempDir()
	env := NewEnvironment(chaosConfig(t.TempDir()))
	buildChaosJob(env, chaosEvents, out)
	if _, err := env.Execute("chaos oracle"); err != nil {
		t.Fatal(err)
	}
	lines := committedSorted(t, out)
	if len(lines) < chaosKeys*10 {
		t.Fatalf("oracle produced only %d lines", len(lines))
	}
	return lines
}

// TestChaos is the exactly-once acceptance test: each seed picks a failpoint and when it fires (or, for
// every third seed, SIGKILLs a child process running the job at a random moment and restarts it from the
// newest checkpoint); the committed output must equal the crash-free run's exactly. A seed whose failure
// came before any checkpoint completed is counted as inconclusive, as Flink's own tests do.
// make chaos runs 200 seeds: go test ./engine -run TestChaos -chaos.seeds=200
func TestChaos(t *testing.T) {
	if os.Getenv("WEIR_CHAOS_CHILD") != "" {
		t.Skip("child process")
	}
	want := chaosOracle(t)
	passed, failed, inconclusive := 0, 0, 0
	for seed := 1; seed <= *chaosSeeds; seed++ {
		ok := t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			var got []string
			var conclusive bool
			if seed%3 == 0 {
				got, conclusive = chaosKill(t, rng)
			} else {
				got, conclusive = chaosInProcess(t, rng)
			}
			if !conclusive {
				inconclusive++
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("committed output differs from the crash-free run: %d lines vs %d; %v", len(got), len(want), diff(got, want))
			}
		})
		if ok {
			passed++
		} else {
			failed++
		}
	}
	fmt.Printf("chaos: %d inconclusive (failure before the first checkpoint)\n", inconclusive)
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if inconclusive > *chaosSeeds/2 {
		t.Errorf("%d of %d seeds were inconclusive: crashes come too early to test recovery", inconclusive, *chaosSeeds)
	}
}

// chaosInProcess arms a random failpoint and runs the job once, with restarts.
func chaosInProcess(t *testing.T, rng *rand.Rand) ([]string, bool) {
	p := Failpoints[rng.IntN(len(Failpoints))]
	// Spread the crash over the run: snapshot failpoints are reached by every subtask at every checkpoint,
	// the metadata and commit ones once per checkpoint (or sink subtask), records many thousand times.
	var hits int
	switch p {
	case FailSourceEmit, FailProcess:
		hits = 500 + rng.IntN(chaosEvents)
	case FailBeforeSnapshot, FailAfterSnapshot, FailAlignment:
		hits = 10 + rng.IntN(80)
	case FailRestore:
		hits = 1
	default:
		hits = 2 + rng.IntN(12)
	}
	f := &Faults{}
	f.Arm(p, hits)
	if p == FailRestore { // a restore happens only after a crash: crash first, then fail the restore once
		f.Arm(FailProcess, 2000+rng.IntN(chaosEvents))
	}
	out := t.TempDir()
	env := withFaults(NewEnvironment(chaosConfig(t.TempDir())), f)
	buildChaosJob(env, chaosEvents, out)
	job, err := env.Execute("chaos")
	if err != nil {
		t.Fatalf("failpoint %s at hit %d: the job failed: %v", p, hits, err)
	}
	restored := false
	for _, e := range job.Events(0) {
		if e.Kind == EventCheckpointRestored {
			restored = true
		}
	}
	t.Logf("failpoint %s at hit %d: %d restarts, restored from a checkpoint: %v", p, hits, job.Restarts(), restored)
	return committedSorted(t, out), restored || job.Restarts() == 0
}

// chaosKill runs the job in a child process, SIGKILLs it after a random delay, and runs it again from the
// newest intact checkpoint until it finishes.
func chaosKill(t *testing.T, rng *rand.Rand) ([]string, bool) {
	ckpt, out := t.TempDir(), t.TempDir()
	conclusive := false
	for attempt := 0; attempt < 5; attempt++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChaosChild$", "-test.v")
		cmd.Env = append(os.Environ(), "WEIR_CHAOS_CHILD=1", "WEIR_CHAOS_CKPT="+ckpt, "WEIR_CHAOS_OUT="+out)
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if attempt == 0 {
			select {
			case <-time.After(time.Duration(20+rng.IntN(120)) * time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				if _, err := LatestCheckpoint(ckpt); err == nil {
					conclusive = true
				}
				continue
			case err := <-done:
				if err != nil {
					t.Fatalf("child failed: %v\n%s", err, log.String())
				}
				return committedSorted(t, out), true
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("restarted child failed: %v\n%s", err, log.String())
		}
		return committedSorted(t, out), conclusive
	}
	t.Fatal("the job never finished")
	return nil, false
}

// TestChaosChild is the child process of chaosKill: it runs the chaos job, from the newest checkpoint if any.
func TestChaosChild(t *testing.T) {
	if os.Getenv("WEIR_CHAOS_CHILD") == "" {
		t.Skip("run by TestChaos only")
	}
	RegisterType(chaosRecord{}) // a new process restores state holding this type
	cfg := chaosConfig(os.Getenv("WEIR_CHAOS_CKPT"))
	if latest, err := LatestCheckpoint(cfg.Checkpointing.Dir); err == nil {
		cfg.Checkpointing.RestoreFrom = latest
		fmt.Println("restoring", filepath.Base(latest))
	}
	env := NewEnvironment(cfg)
	buildChaosJob(env, chaosEvents, os.Getenv("WEIR_CHAOS_OUT"))
	if _, err := env.Execute("chaos child"); err != nil {
		t.Fatal(err)
	}
}
