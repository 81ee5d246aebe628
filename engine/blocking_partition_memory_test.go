package engine

import (
	"reflect"
	"testing"
)

// messageBytes counts a kept buffer's capacity in records (48 bytes each) and each record's value and key
// as state.SizeOf sizes the buffer's first record's: a string of 3 bytes is 16+3, an int 8.
func TestBlockingPartitionMessageBytes(t *testing.T) {
	recs := make([]record, 2, 4)
	recs[0] = record{v: "abc", key: 7}
	recs[1] = record{v: "de", key: 8}
	if got, want := messageBytes(recs), int64(4*48+2*(19+8)); got != want {
		t.Errorf("messageBytes = %d, want %d", got, want)
	}
	if got := messageBytes(make([]record, 0, 8)); got != 8*48 {
		t.Errorf("messageBytes of an empty buffer of 8 = %d, want %d", got, 8*48)
	}
}

// A blocking result stays in memory while its estimated bytes are within Config.BlockingPartitionMemory,
// even far below Config.BlockingPartitionRecords, and goes to its file (with what it held) once they exceed
// it; a limit of 0 (a negative Config value) writes the first buffer to the file. Either way the consumer
// reads every message back in order.
func TestBlockingPartitionSpillsBeyondItsMemory(t *testing.T) {
	buffer := func(i int) message { // 2 records in a buffer of 4: 4*48 + 2*(19+8) = 246 bytes
		recs := make([]record, 2, 4)
		recs[0] = record{v: "v" + string(rune('a'+i)) + "x", key: 2 * i, ts: int64(i)}
		recs[1] = record{v: "w" + string(rune('a'+i)) + "y", key: 2*i + 1, ts: int64(i)}
		return message{kind: msgRecords, recs: recs}
	}
	for _, c := range []struct {
		name     string
		memLimit int64
		spillAt  int // the buffer whose add spills the result; -1: never
	}{
		{"within the memory", 1000, -1},
		{"beyond the memory", 500, 2}, // 246, 492, then 738 > 500
		{"no memory", 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			sched := &batchScheduler{parts: map[partKey]*resultPartition{}}
			defer sched.cleanup()
			run := &stageRun{stage: &batchStage{id: 1}}
			rp := &resultPartition{sched: sched, stage: run, name: "v1e0s0", subs: make([]*subpartition, 1),
				limit: defaultBlockingPartitionRecords, memLimit: c.memLimit}
			s := &subpartition{part: rp}
			rp.subs[0] = s
			var want []message
			for i := range 4 {
				m := buffer(i)
				want = append(want, message{kind: m.kind, recs: append([]record(nil), m.recs...)})
				if _, err := s.add(m); err != nil {
					t.Fatal(err)
				}
				if spilled := rp.spilled; spilled != (c.spillAt >= 0 && i >= c.spillAt) {
					t.Fatalf("after buffer %d (%d bytes): spilled %v, want spilling at buffer %d", i, rp.bytes, spilled, c.spillAt)
				}
			}
			if _, err := s.add(message{kind: msgEnd}); err != nil {
				t.Fatal(err)
			}
			want = append(want, message{kind: msgEnd})
			if inFile := s.path != ""; inFile != (c.spillAt >= 0) || (inFile && s.mem != nil) {
				t.Fatalf("file %q with %d messages in memory; want a file: %v", s.path, len(s.mem), c.spillAt >= 0)
			}
			if err := rp.check(); err != nil {
				t.Fatal(err)
			}
			var got []message
			if err := s.read(func(m message) bool {
				got = append(got, message{kind: m.kind, recs: append([]record(nil), m.recs...), time: m.time})
				return true
			}); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
			}
			if run.out.Load() != 8 {
				t.Errorf("stage counted %d records out, want 8", run.out.Load())
			}
		})
	}
}

// A Batch join whose shuffles go to files because of their bytes (Config.BlockingPartitionMemory of 1 KiB,
// the record limit at its default) gives the pairs of the join in memory.
func TestBatchJoinThroughBlockingFilesByMemory(t *testing.T) {
	var orders, customers []any
	for i := range 3000 {
		orders = append(orders, bpOrder{int64(i), int64(i % 400), float64(i)})
	}
	for i := range 300 {
		customers = append(customers, bpCustomer{int64(i), "c"})
	}
	var sums []float64
	for _, mem := range []int64{1 << 10, 1 << 30} {
		env := NewEnvironment(Config{Parallelism: 2, RuntimeMode: Batch, BlockingPartitionMemory: mem})
		out := env.FromElements(orders...).JoinBounded(env.FromElements(customers...), InnerJoin).
			Where(func(v any) any { return v.(bpOrder).Customer }).EqualTo(func(v any) any { return v.(bpCustomer).ID }).
			Apply(func(l, r any) any { return l.(bpOrder).Amount }).Collect()
		if _, err := env.Execute("join through files by memory"); err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, v := range out.Values() {
			sum += v.(float64)
		}
		// Orders whose customer id is below 300 match one customer each: 7 x 300 + 200 of the 3000.
		if n := len(out.Values()); n != 2300 {
			t.Errorf("BlockingPartitionMemory %d: %d pairs, want 2300", mem, n)
		}
		sums = append(sums, sum)
	}
	if sums[0] != sums[1] {
		t.Errorf("sum of amounts through files %v, in memory %v", sums[0], sums[1])
	}
}

// A buffer of tagged unions (a bounded join's two inputs) goes to a file as a column of the unions' values
// and a column of their inputs, and comes back as the same unions: of one inner type, of mixed types, with
// nil values; a buffer mixing unions and other values is written as it is.
func TestBlockingPartitionFileTaggedUnions(t *testing.T) {
	path := t.TempDir() + "/tagged.part"
	w, err := newFrameWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	msgs := []message{
		{kind: msgRecords, recs: []record{{v: taggedUnion{V: bpOrder{1, 2, 3.5}}, key: int64(2)}, {v: taggedUnion{V: bpOrder{4, 5, 6}, Second: true}, key: int64(5), ts: 9}}},
		{kind: msgRecords, recs: []record{{v: taggedUnion{V: bpCustomer{7, "c"}, Second: true}, key: int64(7)}, {v: taggedUnion{V: nil}, key: "k"}, {v: taggedUnion{V: "s"}}}},
		{kind: msgRecords, recs: []record{{v: taggedUnion{V: 1}}, {v: 2}}},
		{kind: msgEnd},
	}
	if pm := persist(msgs[0]); pm.Tagged == nil || !reflect.DeepEqual(pm.Vals, []bpOrder{{1, 2, 3.5}, {4, 5, 6}}) {
		t.Fatalf("a buffer of unions of orders persisted as %#v, tags %v; want a []bpOrder column", pm.Vals, pm.Tagged)
	}
	if pm := persist(msgs[2]); pm.Tagged != nil {
		t.Fatalf("a buffer mixing unions and ints has input tags %v", pm.Tagged)
	}
	for _, m := range msgs {
		if err := w.write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	var got []message
	if err := (&subpartition{path: path}).read(func(m message) bool { got = append(got, m); return true }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, msgs) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, msgs)
	}
}
