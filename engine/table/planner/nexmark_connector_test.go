package planner

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/sources"
)

// readAll reads r to its end and returns each row's fields as text.
func readAll(t *testing.T, r engine.SourceReader) []string {
	t.Helper()
	var out []string
	for {
		e, err := r.Read()
		if errors.Is(err, engine.ErrEndOfInput) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(e.Timestamp, e.Value.(Row).Fields))
	}
}

// The readers of the weir-nexmark source together return exactly the rows of the table's events, one per
// event of its kind among sources.NexmarkEventAt(0..count-1), at any parallelism, and a reader sought to an
// offset it reported goes on from there.
func TestNexmarkTableReaders(t *testing.T) {
	const count = 500
	// The BIGINT and TIMESTAMP(3) columns are stored in the row's block, the DOUBLE one converted and boxed,
	// the one the generator does not produce is NULL.
	cols := []Column{{Name: "auction", Type: TypeBigInt}, {Name: "price", Type: TypeBigInt}, {Name: "url", Type: TypeString},
		{Name: "dateTime", Type: TypeTimestamp}, {Name: "bidder", Type: TypeDouble}}
	src := newNexmarkTableSource("bid", count, cols)
	want := map[string]int{}
	for i := int64(0); i < count; i++ {
		if e := sources.NexmarkEventAt(i); e.Kind == sources.NexmarkBidKind {
			at := time.UnixMilli(e.TS).UTC()
			want[fmt.Sprint(e.TS, []any{e.Auction, e.Price, nil, at, float64(e.Bidder)})]++
		}
	}
	// A stored value is an int64 or a time.Time as any other: equal to one boxed by Go, and a map key.
	r, _ := src.Reader(engine.SourceContext{Subtask: 0, Parallelism: 1})
	first, _ := r.Read()
	e0 := sources.NexmarkEventAt(0)
	for i := int64(1); e0.Kind != sources.NexmarkBidKind; i++ {
		e0 = sources.NexmarkEventAt(i)
	}
	row := first.Value.(Row)
	if row.Kind != Insert || row.Fields[0] != any(e0.Auction) || row.Fields[3] != any(time.UnixMilli(e0.TS).UTC()) {
		t.Fatalf("first row %v, want the fields of %+v", row, e0)
	}
	if m := map[any]int{row.Fields[0]: 1, row.Fields[3]: 2}; m[e0.Auction] != 1 || m[time.UnixMilli(e0.TS).UTC()] != 2 {
		t.Errorf("stored values as map keys: %v", m)
	}
	if len(want) < 400 {
		t.Fatalf("only %d bids among %d events", len(want), count)
	}
	for _, par := range []int{1, 3} {
		got := map[string]int{}
		for k := range par {
			r, _ := src.Reader(engine.SourceContext{Subtask: k, Parallelism: par})
			for _, s := range readAll(t, r) {
				got[s]++
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("parallelism %d: %d distinct rows, want %d", par, len(got), len(want))
		}
	}
	r, _ = src.Reader(engine.SourceContext{Subtask: 0, Parallelism: 1})
	for range 10 {
		r.Read()
	}
	off, _ := r.(engine.ReplayableReader).Offset()
	rest := readAll(t, r)
	r2, _ := src.Reader(engine.SourceContext{Subtask: 0, Parallelism: 1})
	if err := r2.(engine.ReplayableReader).Seek(off); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r2); fmt.Sprint(got) != fmt.Sprint(rest) || len(rest) == 0 {
		t.Errorf("after Seek(%s): %d rows, want the %d after the offset", off, len(got), len(rest))
	}
}
