package engine

import (
	"errors"
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
