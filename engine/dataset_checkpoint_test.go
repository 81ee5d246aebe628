package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// The DataSet operations keep what they have read in keyed state (ReduceGroup, JoinBounded) or operator
// state (SortPartition), so a job that crashes and restarts from a checkpoint taken half-way through its
// bounded inputs must commit exactly what a crash-free run computes (the oracle is a plain loop). As in
// TestJoinsRestoreFromCheckpoint: read half of each input, checkpoint, crash on the next record, restore.
func TestDataSetOperatorsRestoreFromCheckpoint(t *testing.T) {
	const n, leftKeys, rightKeys = 120, 7, 5
	keyOf := func(i int64, keys int64) string { return fmt.Sprintf("k%d", i%keys) }
	groups := func() []string {
		sums, counts := map[string]int64{}, map[string]int{}
		for i := range int64(n) {
			sums[keyOf(i, leftKeys)] += i
			counts[keyOf(i, leftKeys)]++
		}
		var want []string
		for k, s := range sums {
			want = append(want, fmt.Sprintf("%s sum=%d n=%d", k, s, counts[k]))
		}
		return want
	}
	fullOuter := func() []string {
		var want []string
		matchedRight := map[int64]bool{}
		for l := range int64(n) {
			hit := false
			for r := range int64(n) {
				if keyOf(l, leftKeys) == keyOf(r, rightKeys) {
					want = append(want, fmt.Sprintf("%d|%d", l, r))
					hit, matchedRight[r] = true, true
				}
			}
			if !hit {
				want = append(want, fmt.Sprintf("%d|nil", l))
			}
		}
		for r := range int64(n) {
			if !matchedRight[r] {
				want = append(want, fmt.Sprintf("nil|%d", r))
			}
		}
		return want
	}
	leftOuter := func() []string {
		var want []string
		for _, w := range fullOuter() {
			if !strings.HasPrefix(w, "nil|") {
				want = append(want, w)
			}
		}
		return want
	}
	all := func() []string {
		var want []string
		for i := range int64(n) {
			want = append(want, fmt.Sprint(i))
		}
		return want
	}
	withSetSize := func() []string {
		var want []string
		for i := range int64(n) {
			want = append(want, fmt.Sprintf("%d:%d", i, n))
		}
		return want
	}
	side := func(v any) string {
		if v == nil {
			return "nil"
		}
		return fmt.Sprint(v.(rec).V)
	}
	cases := []struct {
		name   string
		inputs int
		build  func(left, right *DataStream) *DataStream
		want   []string
	}{
		{"ReduceGroup", 1, func(left, _ *DataStream) *DataStream {
			return left.KeyBy(recKey).ReduceGroup(func(key any, vs []any, out Collector) {
				var s int64
				for _, v := range vs {
					s += v.(rec).V
				}
				out.Collect(fmt.Sprintf("%v sum=%d n=%d", key, s, len(vs)))
			})
		}, groups()},
		{"JoinBounded", 2, func(left, right *DataStream) *DataStream {
			return left.JoinBounded(right, FullOuterJoin).Where(recKey).EqualTo(recKey).WithHint(JoinHintRepartitionHashSecond).
				Apply(func(l, r any) any { return side(l) + "|" + side(r) })
		}, fullOuter()},
		{"JoinBounded(LeftOuterJoin, BROADCAST", 2, func(left, right *DataStream) *DataStream {
			return left.JoinBounded(right, LeftOuterJoin).Where(recKey).EqualTo(recKey).WithHint(JoinHintBroadcastHashSecond).
				Apply(func(l, r any) any { return side(l) + "|" + side(r) })
		}, leftOuter()},
		{"SortPartition", 1, func(left, _ *DataStream) *DataStream {
			// Rebalance keeps the sort off the source's chain, so that its records cross the network.
			return left.Rebalance().SortPartition("V", Descending).Map(func(v any) any { return v.(rec).V })
		}, all()},
		{"FlatMapWithBroadcastSet", 2, func(left, right *DataStream) *DataStream {
			return left.FlatMapWithBroadcastSet(right, func(v any, set []any, out Collector) {
				out.Collect(fmt.Sprintf("%d:%d", v.(rec).V, len(set)))
			})
		}, withSetSize()},
		{"RangePartition: route", 1, func(left, _ *DataStream) *DataStream {
			return left.PartitionByRange(func(v any) any { return v.(rec).V }).Map(func(v any) any { return v.(rec).V })
		}, all()},
	}
	for _, c := range cases {
		for _, backend := range []StateBackendKind{HeapState, PebbleState} {
			t.Run(c.name+"/"+backend.String(), func(t *testing.T) {
				want := append([]string(nil), c.want...)
				sort.Strings(want)
				f := &Faults{}
				out := t.TempDir()
				env := withFaults(NewEnvironment(Config{Parallelism: 2, StateBackend: backend,
					Checkpointing: CheckpointConfig{Dir: t.TempDir()},
					Restart:       RestartStrategy{Attempts: 1, Delay: time.Millisecond}}), f)
				release := make(chan struct{})
				left := env.FromSource(newHeldInput(n, leftKeys, 0, release), nil, "left")
				right := env.FromSource(newHeldInput(n, rightKeys, 0, release), nil, "right")
				c.build(left, right).SinkToFiles(out)
				job, err := env.ExecuteAsync(c.name)
				if err != nil {
					t.Fatal(err)
				}
				// The operator under test is the one named for it (not the taggers of a join's inputs).
				vertex, opIndex := -1, 0
				for i, v := range job.Plan().Vertices {
					for j, name := range v.Operators {
						if strings.HasPrefix(name, c.name) && !strings.Contains(name, ": tag") {
							vertex, opIndex = i, j
						}
					}
				}
				if vertex < 0 {
					t.Fatalf("no operator named %s in %+v", c.name, job.Plan().Vertices)
				}
				deadline := time.Now().Add(time.Minute)
				for job.Snapshot().Vertices[vertex].Operators[opIndex].RecordsIn < int64(c.inputs*n/2) {
					if time.Now().After(deadline) {
						t.Fatalf("%s received %d records, want %d", c.name, job.Snapshot().Vertices[vertex].Operators[opIndex].RecordsIn, c.inputs*n/2)
					}
					time.Sleep(time.Millisecond)
				}
				crashAfterCheckpoint(t, job, f, release, deadline)
				got := committedSorted(t, out)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("committed %d records, the oracle %d; first differences: %v", len(got), len(want), diff(got, want))
				}
			})
		}
	}
}

// A broadcast set operator's checkpoint holds each subtask's copy of the set with its share of the main
// input: restoring it at another parallelism is refused, not silently wrong.
func TestBroadcastSetRefusesRescaledRestore(t *testing.T) {
	const n = 40
	build := func(env *Environment, p int, release chan struct{}) {
		left := env.FromSource(newHeldInput(n, 3, 0, release), nil, "left").SetParallelism(2)
		right := env.FromSource(newHeldInput(n, 3, 0, release), nil, "right").SetParallelism(2)
		left.FlatMapWithBroadcastSet(right, func(v any, set []any, out Collector) { out.Collect(len(set)) }).
			SetParallelism(p).Collect()
	}
	env := NewEnvironment(Config{Parallelism: 2, Checkpointing: CheckpointConfig{Dir: t.TempDir()}})
	release := make(chan struct{})
	build(env, 2, release)
	job, err := env.ExecuteAsync("before")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for job.Snapshot().Vertices[2].Operators[0].RecordsIn < n/2 {
		if time.Now().After(deadline) {
			t.Fatalf("the operator received %d records", job.Snapshot().Vertices[2].Operators[0].RecordsIn)
		}
		time.Sleep(time.Millisecond)
	}
	sp := cancelWithSavepoint(t, job)
	close(release)

	env2 := NewEnvironment(Config{Parallelism: 2, Checkpointing: CheckpointConfig{Dir: t.TempDir(), RestoreFrom: sp}})
	build(env2, 3, release)
	if _, err := env2.Execute("after"); !errors.Is(err, ErrBroadcastSetRescale) {
		t.Fatalf("restoring at parallelism 3: err = %v, want ErrBroadcastSetRescale", err)
	}
}
