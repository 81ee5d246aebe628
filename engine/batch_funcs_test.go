package engine

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// batchForms builds, for each form, the same computation of n -> 3n+1 on the multiples of 3 (and, for the
// flat map, a second record 0-n), once per record and once per batch.
var batchForms = []struct {
	name  string
	apply func(*DataStream) *DataStream
}{
	{"per record", func(s *DataStream) *DataStream {
		return s.Filter(func(v any) bool { return v.(int64)%3 == 0 }).
			Map(func(v any) any { return v.(int64)*3 + 1 }).
			FlatMap(func(v any, out Collector) { out.Collect(v); out.Collect(-v.(int64)) })
	}},
	{"batch", func(s *DataStream) *DataStream {
		return s.FilterBatch(func(in []any) []bool {
			keep := make([]bool, len(in))
			for i, v := range in {
				keep[i] = v.(int64)%3 == 0
			}
			return keep
		}).MapBatch(func(in []any) []any {
			out := make([]any, len(in))
			for i, v := range in {
				out[i] = v.(int64)*3 + 1
			}
			return out
		}).FlatMapBatch(func(in []any, out BatchCollector) {
			for i, v := range in {
				out.Collect(i, v)
				out.Collect(i, -v.(int64))
			}
		})
	}},
}

// The batch forms compute what the per-record forms compute, at parallelism 1 and 4, with and without a
// network edge in front of them, and each result keeps its record's timestamp.
func TestBatchFormsMatchPerRecordForms(t *testing.T) {
	const n = 1000
	var want []string
	for i := int64(0); i < n; i++ {
		if i%3 == 0 {
			want = append(want, fmt.Sprintf("%d@%d", i*3+1, i), fmt.Sprintf("%d@%d", -(i*3+1), i))
		}
	}
	sort.Strings(want)
	for _, form := range batchForms {
		for _, par := range []int{1, 4} {
			for _, rebalance := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/p%d/rebalance=%v", form.name, par, rebalance), func(t *testing.T) {
					env := NewEnvironment(Config{Parallelism: par})
					s := env.FromSource(GeneratorSource{Count: n, Gen: func(i int64) SourceElement {
						return SourceElement{Value: i, Timestamp: i}
					}}, nil, "numbers")
					if rebalance {
						s = s.Rebalance()
					}
					got := form.apply(s).Process(ProcessFunction{ProcessElement: func(ctx *Context, v any, out Collector) {
						out.Collect(fmt.Sprintf("%d@%d", v, ctx.Timestamp()))
					}}).Collect()
					if _, err := env.Execute("batch forms"); err != nil {
						t.Fatal(err)
					}
					var have []string
					for _, v := range got.Values() {
						have = append(have, v.(string))
					}
					sort.Strings(have)
					if strings.Join(have, ",") != strings.Join(want, ",") {
						t.Fatalf("got %d records, want %d; differences: %v", len(have), len(want), diff(have, want))
					}
				})
			}
		}
	}
}

// No batch spans a watermark: with a watermark after every record, a batch that held records past a
// watermark would make them late for their 5 ms window, and the counts would fall short of 50.
func TestBatchNeverSpansAWatermark(t *testing.T) {
	for _, par := range []int{1, 4} {
		env := NewEnvironment(Config{Parallelism: par})
		s := ForMonotonousTimestamps().WithPerRecordEmission()
		counts := env.FromSource(GeneratorSource{Count: 2000, Gen: func(i int64) SourceElement {
			return SourceElement{Value: i, Timestamp: i / 10}
		}}, &s, "numbers").
			MapBatch(func(in []any) []any { return in }).
			KeyBy(func(any) any { return 0 }).
			Window(TumblingEventTimeWindows(5 * time.Millisecond)).
			Aggregate(Count()).
			Collect()
		if _, err := env.Execute("windows over batches"); err != nil {
			t.Fatal(err)
		}
		vals := counts.Values()
		if len(vals) != 40 {
			t.Fatalf("p%d: %d windows, want 40", par, len(vals))
		}
		for i, v := range vals {
			if v != int64(50) {
				t.Fatalf("p%d: window %d counted %v, want 50 (records held in a batch past a watermark were late)", par, i, v)
			}
		}
	}
}

// A result slice of the wrong length, or a Collect outside the batch, fails the job with both numbers.
func TestBatchFormsRejectBadResults(t *testing.T) {
	for _, c := range []struct {
		name  string
		apply func(*DataStream) *DataStream
		want  string
	}{
		{"map", func(s *DataStream) *DataStream {
			return s.MapBatch(func(in []any) []any { return in[1:] })
		}, "MapBatch: the function returned 9 results for a batch of 10 records"},
		{"filter", func(s *DataStream) *DataStream {
			return s.FilterBatch(func(in []any) []bool { return make([]bool, len(in)+1) })
		}, "FilterBatch: the function returned 11 decisions for a batch of 10 records"},
		{"flat map", func(s *DataStream) *DataStream {
			return s.FlatMapBatch(func(in []any, out BatchCollector) { out.Collect(len(in), 0) })
		}, "FlatMapBatch: Collect(10, ...) outside the batch of 10 records"},
	} {
		env := NewEnvironment(Config{Parallelism: 1})
		c.apply(env.FromSource(GeneratorSource{Count: 10, Gen: func(i int64) SourceElement {
			return SourceElement{Value: i, Timestamp: i}
		}}, nil, "numbers")).Collect()
		_, err := env.Execute("bad batch")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// Flink rule (exactly-once with a replayable source, checkpoints and a two-phase-commit sink, as in
// TestExactlyOnceStatelessAtEveryFailpoint): a batch is handed on before a barrier, so a crash after a
// checkpoint neither loses the records a batch held at the barrier nor repeats them, whether the batch
// operator is chained to the source (its barrier injected there) or behind a network edge (aligned).
func TestBatchFormExactlyOnceAcrossRecovery(t *testing.T) {
	const n = 6000
	want := expectedNumbers(n)
	for _, c := range []struct {
		name      string
		rebalance bool
		point     Failpoint
		hits      int
	}{
		{"chained/source-emit", false, FailSourceEmit, 2500},
		{"chained/after-snapshot", false, FailAfterSnapshot, 3},
		{"network/process", true, FailProcess, 2500},
		{"network/after-snapshot", true, FailAfterSnapshot, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &Faults{}
			f.Arm(c.point, c.hits)
			out := t.TempDir()
			env := withFaults(NewEnvironment(Config{Parallelism: 2,
				Checkpointing: CheckpointConfig{Interval: 5 * time.Millisecond, Dir: t.TempDir(), Guarantee: ExactlyOnce},
				Restart:       RestartStrategy{Attempts: 5, Delay: time.Millisecond}}), f)
			s := env.FromSource(slowNumbers(n), nil, "numbers")
			if c.rebalance {
				s = s.Rebalance()
			}
			s.MapBatch(func(in []any) []any {
				out := make([]any, len(in))
				for i, v := range in {
					out[i] = v.(int64) * 10
				}
				return out
			}).SinkToFiles(out)
			job, err := env.Execute("batch numbers")
			if err != nil {
				t.Fatalf("job failed: %v", err)
			}
			if job.Restarts() == 0 {
				t.Fatalf("the fault at %s never fired (no restart)", c.point)
			}
			got, err := ReadCommitted(out)
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("committed %d lines, want %d; differences: %v", len(got), len(want), diff(got, want))
			}
		})
	}
}
