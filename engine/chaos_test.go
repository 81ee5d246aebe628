package engine

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var chaosSeeds = flag.Int("chaos.seeds", 4, "number of seeds TestChaos runs (make chaos runs 200)")

// chaosOnLast, if set (by the chaos child only, before its job starts), is called when the main source
// generates its last record: from then on the job is in its final checkpoint and commit.
var chaosOnLast func()

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
		if i == n-1 && every == chaosMainEvery && chaosOnLast != nil {
			chaosOnLast()
		}
		if i%every == 0 || i%every == 1 {
			time.Sleep(100 * time.Microsecond)
		}
		return SourceElement{Value: chaosRecord{Key: i % chaosKeys, Seq: i / chaosKeys}, Timestamp: i}
	}}
}

// ChaosKafkaHooks let the chaos job also write through the transactional Kafka sink. This file is package
// engine, which cannot import sources/kafka (it imports engine); chaos_kafka_test.go, package engine_test,
// sets ChaosKafka in the same test binary.
type ChaosKafkaHooks struct {
	// Cluster starts an in-process Kafka cluster (kfake) in the parent process, which outlives the
	// children it kills, and returns its brokers, comma-separated.
	Cluster func() (brokers string, stop func(), err error)
	// CreateTopic creates a topic for one seed.
	CreateTopic func(brokers, topic string) error
	// Sink is a transactional Kafka sink writing to topic, and the function that closes it.
	Sink func(brokers, topic string) (TwoPhaseCommitSink, func() error)
	// ReadCommitted reads topic with isolation read_committed, failing if the read does not end within
	// timeout (a transaction left open holds read_committed readers back).
	ReadCommitted func(brokers, topic string, timeout time.Duration) ([]string, error)
}

// ChaosKafka, if set, makes TestChaos's jobs write through the Kafka sink too.
var ChaosKafka *ChaosKafkaHooks

// buildChaosJob is the job of the exactly-once acceptance test: a replayable source, keyBy, a per-key
// sequence check in keyed state, an event-time tumbling window, a two-input keyed operator with state and
// timers, and the transactional file sink, and also kafka if not nil (the transactional Kafka sink).
func buildChaosJob(env *Environment, n int64, out string, kafka TwoPhaseCommitSink) {
	s := ForMonotonousTimestamps().WithPerRecordEmission()
	a := env.FromSource(chaosSource(n, chaosMainEvery), &s, "events")
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
	joined := windows.Connect(b).KeyBy(
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
		}).Name("Join")
	joined.SinkToFiles(out)
	if kafka != nil {
		joined.SinkToTransactional("KafkaSink", kafka)
	}
}

const chaosEvents = 12_000

// chaosMainEvery is the pause period of the main source.
const chaosMainEvery = 97

// chaosBackend is the state backend of the chaos job (TestChaosOnPebble switches it), and
// chaosManagedMemory its Config.ManagedMemorySize (0: the default; TestChaosOnPebble shrinks it so that
// the Pebble backend's cache evicts all the time).
var (
	chaosBackend       = HeapState
	chaosManagedMemory int64
)

func chaosConfig(ckptDir string) Config {
	cfg := Config{Parallelism: 2, StateBackend: chaosBackend,
		Checkpointing: CheckpointConfig{Interval: 4 * time.Millisecond, Dir: ckptDir},
		Restart:       RestartStrategy{Attempts: 3, Delay: time.Millisecond}}
	if chaosManagedMemory > 0 {
		cfg.ManagedMemorySize, cfg.MemorySegmentSize = chaosManagedMemory, 256
	}
	return cfg
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
	buildChaosJob(env, chaosEvents, out, nil)
	if _, err := env.Execute("chaos oracle"); err != nil {
		t.Fatal(err)
	}
	lines := committedSorted(t, out)
	if len(lines) < chaosKeys*10 {
		t.Fatalf("oracle produced only %d lines", len(lines))
	}
	return lines
}

// The phases of a job in which the chaos test's kills land, as the child process records them.
var chaosPhases = []string{"startup", "recovery", "running", "checkpoint", "commit", "final"}

// chaosPhaseOf maps a failpoint passage to its phase.
func chaosPhaseOf(p Failpoint) string {
	switch p {
	case FailRestore:
		return "recovery"
	case FailAlignment, FailBeforeSnapshot, FailAfterSnapshot, FailBeforeMetadataRename:
		return "checkpoint"
	case FailAfterMetadataRename, FailBeforeSinkCommit:
		return "commit"
	}
	return "running"
}

// chaosPhaseFile is where a chaos child keeps its current phase, overwritten in place (one pwrite per
// change), so that the parent reads where the child was when it was killed.
type chaosPhaseFile struct {
	f      *os.File
	cur    atomic.Value // string
	final  atomic.Bool
	sticky atomic.Int64 // when a checkpoint or commit phase was last entered (ns since the child began)
	start  time.Time
}

func (p *chaosPhaseFile) set(phase string) {
	if p.final.Load() {
		phase = "final"
	}
	if cur, _ := p.cur.Load().(string); cur == phase {
		return
	}
	p.cur.Store(phase)
	p.f.WriteAt([]byte(fmt.Sprintf("%-16s", phase)), 0)
}

// trace records the phase of a failpoint passage. Records flow on during a checkpoint, so a record does not
// end the checkpoint or commit phase until it has been quiet for half a millisecond.
func (p *chaosPhaseFile) trace(fp Failpoint) {
	now := int64(time.Since(p.start))
	phase := chaosPhaseOf(fp)
	if phase == "running" {
		cur, _ := p.cur.Load().(string)
		if (cur == "checkpoint" || cur == "commit") && now-p.sticky.Load() < int64(500*time.Microsecond) {
			return
		}
	} else if phase != "recovery" {
		p.sticky.Store(now)
	}
	p.set(phase)
}

func readChaosPhase(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return "startup" // killed before the child wrote anything
	}
	return strings.TrimSpace(string(b))
}

// chaosTally counts what the seeds of TestChaos did.
type chaosTally struct {
	kills, notLanded, loud, inconclusive, retried, corrupted, kafka int
	phases                                                          map[string]int
	backends                                                        map[string]int
}

// TestChaos is the exactly-once acceptance test. Each seed runs the chaos job in child processes and
// SIGKILLs them 1-4 times at random moments over the whole run (start-up, recovery, processing, checkpoints,
// commits, the final checkpoint and commit), on the heap backend (odd seeds) or Pebble (even seeds), each
// restart restoring the newest intact checkpoint; every fourth seed also damages a random file of a random
// retained checkpoint after a kill. The committed output must equal the crash-free run's exactly; after a
// corruption a loud failure (the child exits with an error) is also accepted, never silent loss or
// repetition. A kill that did not land (the job had finished) is counted; a seed none of whose kills landed
// runs again from the start with kills drawn from the job's latest duration (chaosAttempts), and is
// inconclusive, not a pass, when none landed in any attempt. make chaos runs 200 seeds: go test ./engine -run 'TestChaos$'
// -chaos.seeds=200 -v; the figures in the README come from make chaos SEEDS=1000.
func TestChaos(t *testing.T) {
	if os.Getenv("WEIR_CHAOS_CHILD") != "" {
		t.Skip("child process")
	}
	var brokers string
	if ChaosKafka != nil {
		var stop func()
		var err error
		if brokers, stop, err = ChaosKafka.Cluster(); err != nil {
			t.Fatal(err)
		}
		defer stop()
	}
	want, span := chaosChildOracle(t, brokers)
	tally := chaosTally{phases: map[string]int{}, backends: map[string]int{}}
	passed, failed := 0, 0
	begin := time.Now()
	for seed := 1; seed <= *chaosSeeds; seed++ {
		ok := t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { chaosSeed(t, seed, brokers, want, span, &tally) })
		if ok { // not t.Failed(), which stays true after the first failed seed
			passed++
		} else {
			failed++
		}
	}
	passed -= tally.inconclusive
	var phases []string
	for _, p := range chaosPhases {
		phases = append(phases, fmt.Sprintf("%s %d", p, tally.phases[p]))
	}
	fmt.Printf("chaos: %d seeds in %v (heap %d, pebble %d; %d with a corrupted checkpoint) on %d CPUs; a crash-free child takes %v\n",
		*chaosSeeds, time.Since(begin).Round(time.Second), tally.backends["heap"], tally.backends["pebble"], tally.corrupted,
		runtime.NumCPU(), (span.startup + span.job).Round(time.Millisecond))
	fmt.Printf("chaos: %d kills landed: %s\n", tally.kills, strings.Join(phases, ", "))
	fmt.Printf("chaos: %d seeds also checked the Kafka sink's topic (kfake, read_committed)\n", tally.kafka)
	fmt.Printf("chaos: %d planned kills did not land (the job had finished); %d seeds ran again because none of theirs landed; %d inconclusive seeds (no kill landed in %d attempts); %d loud failures after a corruption\n",
		tally.notLanded, tally.retried, tally.inconclusive, chaosAttempts, tally.loud)
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if tally.inconclusive > *chaosSeeds/10 {
		t.Errorf("%d of %d seeds were inconclusive: the kills come too late", tally.inconclusive, *chaosSeeds)
	}
}

// chaosChildOracle runs the chaos job once in a child process without a kill: its committed output is the
// oracle, and its duration (process start included) the span over which kills are drawn.
func chaosChildOracle(t *testing.T, brokers string) ([]string, chaosSpan) {
	ckpt, out := t.TempDir(), t.TempDir()
	topic := chaosTopic(t, brokers, "chaos-oracle")
	cmd := chaosChild(ckpt, out, "heap", filepath.Join(t.TempDir(), "phase"), brokers, topic)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	start := time.Now()
	ready, err := startChaosChild(cmd)
	if err != nil {
		t.Fatal(err)
	}
	var span chaosSpan
	if _, err := ready.Read(make([]byte, 1)); err == nil {
		span.startup = time.Since(start)
	}
	ready.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("crash-free child failed: %v\n%s", err, log.String())
	}
	span.job = time.Since(start) - span.startup
	want := committedSorted(t, out)
	if len(want) < chaosKeys*10 {
		t.Fatalf("oracle produced only %d lines", len(want))
	}
	if oracle := chaosOracle(t); strings.Join(oracle, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the child's crash-free output differs from the in-process run's: %v", diff(want, oracle))
	}
	chaosCheckKafka(t, brokers, topic, want)
	return want, span
}

// chaosTopic creates the Kafka topic of one run, or returns "" without a Kafka cluster.
func chaosTopic(t *testing.T, brokers, topic string) string {
	if brokers == "" {
		return ""
	}
	if err := ChaosKafka.CreateTopic(brokers, topic); err != nil {
		t.Fatal(err)
	}
	return topic
}

// chaosCheckKafka requires that topic, read read_committed, holds exactly want; a reader held back by a
// transaction left open fails it too.
func chaosCheckKafka(t *testing.T, brokers, topic string, want []string) {
	if topic == "" {
		return
	}
	got, err := ChaosKafka.ReadCommitted(brokers, topic, time.Minute)
	if err != nil {
		t.Fatalf("reading the Kafka sink's topic %s: %v", topic, err)
	}
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the Kafka sink committed other records than the crash-free run: %d vs %d; %v", len(got), len(want), diff(got, want))
	}
}

// chaosSpan is how long a crash-free child takes to start its job, and the job itself.
type chaosSpan struct{ startup, job time.Duration }

// startChaosChild starts cmd with a pipe on which the child writes one byte when its job starts.
func startChaosChild(cmd *exec.Cmd) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{w}
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func chaosChild(ckpt, out, backend, phase, brokers, topic string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChaosChild$", "-test.v")
	cmd.Env = append(os.Environ(), "WEIR_CHAOS_CHILD=1", "WEIR_CHAOS_CKPT="+ckpt, "WEIR_CHAOS_OUT="+out,
		"WEIR_CHAOS_BACKEND="+backend, "WEIR_CHAOS_PHASE="+phase, "WEIR_CHAOS_KAFKA="+brokers, "WEIR_CHAOS_TOPIC="+topic)
	return cmd
}

// chaosAttempts is how many times a seed runs when none of its kills landed: on a machine busier or idler
// than when the crash-free child was timed, every kill may come after the job has finished. Each retry draws
// its moments from the job's duration in the attempt before, so that it fits the machine's present pace.
const chaosAttempts = 3

// chaosSeed runs one seed: children killed at random moments until one finishes; again, from the start, when
// no kill landed (chaosAttempts), and inconclusive when none landed in any attempt.
func chaosSeed(t *testing.T, seed int, brokers string, want []string, span chaosSpan, tally *chaosTally) {
	backend := "heap"
	if seed%2 == 0 {
		backend = "pebble"
	}
	tally.backends[backend]++
	for attempt := 1; ; attempt++ {
		landed, took := chaosAttempt(t, seed, attempt, backend, brokers, want, span, tally)
		if landed > 0 || t.Failed() {
			return
		}
		if attempt == chaosAttempts {
			tally.inconclusive++
			t.Logf("inconclusive: no kill landed in %d attempts", attempt)
			return
		}
		tally.retried++
		t.Logf("no kill landed: again, with kills drawn from this attempt's job of %v", took.Round(time.Millisecond))
		if took > 0 {
			span.job = took
		}
	}
}

// chaosAttempt runs one attempt of a seed (the first draws as every seed always did; later ones from
// another stream of the seed): children killed at random moments until one finishes. It returns how many
// kills landed and how long the job of the child that finished took, from its start signal (0 when that is
// not known); its checks fail t.
func chaosAttempt(t *testing.T, seed, attempt int, backend, brokers string, want []string, span chaosSpan,
	tally *chaosTally) (landed int, took time.Duration) {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(7+(attempt-1)*1000)))
	corrupt := seed%4 == 0
	kills := 1 + rng.IntN(4)
	ckpt, out, phaseDir := t.TempDir(), t.TempDir(), t.TempDir()
	topic := chaosTopic(t, brokers, fmt.Sprintf("chaos-%d-%d", seed, attempt))
	corrupted := ""
	var where []string
	for child := 0; ; child++ {
		if child > kills+2 {
			t.Fatal("the job never finished")
		}
		phase := filepath.Join(phaseDir, fmt.Sprint("phase-", child))
		cmd := chaosChild(ckpt, out, backend, phase, brokers, topic)
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = &log, &log
		ready, err := startChaosChild(cmd)
		if err != nil {
			t.Fatal(err)
		}
		started := make(chan struct{})
		var startedAt time.Time // written before started closes
		go func() {
			if _, err := ready.Read(make([]byte, 1)); err == nil {
				startedAt = time.Now()
				close(started)
			}
			ready.Close()
		}()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if child < kills {
			// One kill in eight lands while the process starts; the others at a random moment of its job
			// (recovery, processing, checkpoints, commits, the final checkpoint and commit).
			var timer *time.Timer
			if rng.IntN(8) == 0 {
				timer = time.NewTimer(time.Duration(rng.Int64N(int64(span.startup))))
			} else {
				d := time.Duration(rng.Int64N(int64(span.job)))
				select {
				case <-started:
				case err = <-done:
					// It ended before its job started: a failure, judged below.
					done <- err
				}
				timer = time.NewTimer(d)
			}
			select {
			case <-timer.C:
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				landed++
				p := readChaosPhase(phase)
				tally.kills++
				tally.phases[p]++
				where = append(where, p)
				if corrupt && corrupted == "" {
					corrupted = chaosCorrupt(t, rng, ckpt)
				}
				continue
			case err = <-done:
				timer.Stop()
				tally.notLanded += kills - child
			}
		} else {
			err = <-done
		}
		select {
		case <-started:
			took = time.Since(startedAt)
		default:
		}
		if corrupted != "" {
			tally.corrupted++
		}
		t.Logf("%s backend, %d of %d kills landed (%s)%s", backend, landed, kills, strings.Join(where, ", "),
			map[bool]string{true: "; damaged " + corrupted, false: ""}[corrupted != ""])
		if err != nil {
			if corrupted != "" {
				tally.loud++
				t.Logf("loud failure after the corruption: %v: %s", err, childError(log.String()))
				return landed, took
			}
			t.Fatalf("child failed: %v\n%s", err, log.String())
		}
		got := committedSorted(t, out)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("committed output differs from the crash-free run: %d lines vs %d; %v", len(got), len(want), diff(got, want))
		}
		chaosCheckKafka(t, brokers, topic, want)
		if topic != "" {
			tally.kafka++
		}
		return landed, took
	}
}

// chaosCorrupt damages a random file of a random retained checkpoint (truncating it, or flipping a byte)
// and says which, or returns "" when no checkpoint is retained yet.
func chaosCorrupt(t *testing.T, rng *rand.Rand, ckpt string) string {
	dirs, _ := filepath.Glob(filepath.Join(ckpt, "chk-*"))
	var files []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, metadataFile)); err != nil {
			continue // not completed
		}
		filepath.WalkDir(d, func(path string, e os.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
	}
	if len(files) == 0 {
		return ""
	}
	sort.Strings(files)
	path := files[rng.IntN(len(files))]
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	how := "truncated"
	if len(b) > 0 && rng.IntN(2) == 0 {
		i := rng.IntN(len(b))
		b[i] ^= byte(1 + rng.IntN(255))
		how = fmt.Sprintf("byte %d flipped", i)
	} else {
		b = b[:rng.IntN(len(b)+1)]
	}
	// A hard link (Pebble's sstables are shared between checkpoints) is replaced, not written through.
	os.Remove(path)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(ckpt, path)
	return rel + " (" + how + ")"
}

// childError is the error a chaos child reported (its t.Fatal line), without the child's test verdict lines.
func childError(log string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "chaos_test.go:") {
			return strings.TrimSpace(l)
		}
	}
	return "(no error line)"
}

// TestChaosChild is the child process of TestChaos: it runs the chaos job, from the newest intact checkpoint
// if any, and keeps its phase in WEIR_CHAOS_PHASE.
func TestChaosChild(t *testing.T) {
	if os.Getenv("WEIR_CHAOS_CHILD") == "" {
		t.Skip("run by TestChaos only")
	}
	RegisterType(chaosRecord{}) // a new process restores state holding this type
	if os.Getenv("WEIR_CHAOS_BACKEND") == "pebble" {
		chaosBackend = PebbleState
	}
	f, err := os.Create(os.Getenv("WEIR_CHAOS_PHASE"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	phase := &chaosPhaseFile{f: f, start: time.Now()}
	phase.set("startup")

	chaosOnLast = func() { phase.final.Store(true); phase.set("final") }
	cfg := chaosConfig(os.Getenv("WEIR_CHAOS_CKPT"))
	if latest, err := LatestCheckpoint(cfg.Checkpointing.Dir); err == nil {
		cfg.Checkpointing.RestoreFrom = latest
		phase.set("recovery")
		fmt.Println("restoring", filepath.Base(latest))
	}
	env := withFaults(NewEnvironment(cfg), &Faults{Trace: phase.trace})
	var kafka TwoPhaseCommitSink
	closeKafka := func() error { return nil }
	if brokers := os.Getenv("WEIR_CHAOS_KAFKA"); brokers != "" {
		if ChaosKafka == nil {
			t.Fatal("WEIR_CHAOS_KAFKA is set but ChaosKafka is not")
		}
		kafka, closeKafka = ChaosKafka.Sink(brokers, os.Getenv("WEIR_CHAOS_TOPIC"))
	}
	buildChaosJob(env, chaosEvents, os.Getenv("WEIR_CHAOS_OUT"), kafka)
	if ready := os.NewFile(3, "ready"); ready != nil { // the job starts now (TestChaos draws kills from here)
		ready.Write([]byte{1})
		ready.Close()
	}
	if _, err := env.Execute("chaos child"); err != nil {
		t.Fatal(err)
	}
	if err := closeKafka(); err != nil {
		t.Fatal(err)
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
	buildChaosJob(env, chaosEvents, out, nil)
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
	if job.Restarts() == 0 {
		t.Skipf("failpoint %s at hit %d never fired: not a pass", p, hits)
	}
	return committedSorted(t, out), restored
}
