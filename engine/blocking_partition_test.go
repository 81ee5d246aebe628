package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

type partWord struct {
	Word  string
	Count int
	Tags  map[string]any
}

// A blocking result file gives back every record as written: values and keys of one type or of mixed types,
// nil keys, structs, maps behind interfaces, timestamps and "no timestamp", then watermark, time and end.
func TestBlockingPartitionFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.part")
	w, err := newFrameWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	msgs := []message{
		{kind: msgRecords, recs: []record{{v: "a", key: "a", ts: 1, kg: 3}, {v: "b", key: "b", ts: 2, kg: 7}}},
		{kind: msgRecords, recs: []record{{v: 1, noTs: true}, {v: "x"}, {v: nil}, {v: 2.5, key: int64(9), kg: 1}}},
		{kind: msgRecords, recs: []record{{v: partWord{"w", 2, map[string]any{"n": 1, "s": "t"}}, key: "w", ts: -5},
			{v: partWord{Word: "v"}, key: "v", ts: MaxWatermark}}},
		{kind: msgTime, time: 42},
		{kind: msgWatermark, time: MaxWatermark},
		{kind: msgEnd},
	}
	for _, m := range msgs {
		if err := w.write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	sub := &subpartition{path: path}
	var got []message
	if err := sub.read(func(m message) bool { got = append(got, m); return true }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, msgs) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, msgs)
	}

	// A file without its end message is not a complete result.
	b, _ := os.ReadFile(path)
	short := filepath.Join(t.TempDir(), "short.part")
	os.WriteFile(short, b[:len(b)*2/3], 0o644)
	err = (&subpartition{path: short}).read(func(message) bool { return true })
	if !errors.Is(err, ErrPartitionNotFound) {
		t.Fatalf("a truncated file read as %v, want ErrPartitionNotFound", err)
	}
}

// partFirst and partLater are record types met only behind an interface (the V of a join's tagged union).
type partFirst struct{ A int }
type partLater struct{ B string }

// A buffer whose records hold, behind an interface, a type no earlier buffer held (a join's second input
// arriving after 64 records of its first) reads back as it was written.
func TestBlockingPartitionFileNewTypeBehindAnInterface(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.part")
	w, err := newFrameWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	var first, second []record
	for i := range 100 {
		first = append(first, record{v: taggedUnion{V: partFirst{i}}, key: i})
		second = append(second, record{v: taggedUnion{V: partFirst{i}}, key: i})
	}
	for i := range 100 { // after 64 records of the first type: registerDeep looks at 64 elements only
		second = append(second, record{v: taggedUnion{V: partLater{fmt.Sprint(i)}, Second: true}, key: i})
	}
	msgs := []message{{kind: msgRecords, recs: first}, {kind: msgRecords, recs: second}, {kind: msgEnd}}
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
		t.Fatalf("read back %d messages, want %d equal ones", len(got), len(msgs))
	}
}

type bpOrder struct {
	ID, Customer int64
	Amount       float64
}

type bpCustomer struct {
	ID   int64
	Name string
}

// A Batch join whose shuffles go to files (more records than Config.BlockingPartitionRecords): the join's
// inputs reach it as tagged unions of two record types. One gob stream per file failed to read back
// ("gob: decoding into local type []engine.taggedUnion, received remote type persistedMessage"), failing
// every Batch join larger than the in-memory threshold; each frame is now a gob stream of its own.
func TestBatchJoinThroughBlockingFiles(t *testing.T) {
	var orders, customers []any
	for i := range 5000 {
		orders = append(orders, bpOrder{int64(i), int64(i % 600), float64(i)})
	}
	for i := range 500 {
		customers = append(customers, bpCustomer{int64(i), fmt.Sprint("c", i)})
	}
	for _, hint := range []JoinHint{JoinHintRepartitionSortMerge, JoinHintRepartitionHashFirst} {
		env := NewEnvironment(Config{Parallelism: 2, RuntimeMode: Batch, BlockingPartitionRecords: 100})
		out := env.FromElements(orders...).JoinBounded(env.FromElements(customers...), InnerJoin).
			Where(func(v any) any { return v.(bpOrder).Customer }).EqualTo(func(v any) any { return v.(bpCustomer).ID }).
			WithHint(hint).Apply(func(l, r any) any { return l.(bpOrder).Amount }).Collect()
		if _, err := env.Execute("join through files"); err != nil {
			t.Fatalf("%v: %v", hint, err)
		}
		// Orders whose customer id is below 500 match one customer each: 8 x 500 + 200.
		if n := len(out.Values()); n != 4200 {
			t.Errorf("%v: %d pairs, want 4200", hint, n)
		}
	}
}
