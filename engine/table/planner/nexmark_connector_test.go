package planner

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
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

// watermarkCount counts the watermarks a generator emits.
type watermarkCount struct{ n, last int64 }

func (w *watermarkCount) EmitWatermark(t int64) { w.n, w.last = w.n+1, t }
func (w *watermarkCount) MarkIdle()             {}

// A weir-nexmark reader returns its rows in the order of dateTime, so a watermark on dateTime of the form
// dateTime - INTERVAL is emitted after every 64th row (no row of the reader can be late either way); on
// another column (expires is not ordered) or of another form, after every row.
func TestNexmarkWatermarkEmission(t *testing.T) {
	conn := &connector{name: "weir-nexmark"}
	cases := []struct {
		col, expr string
		perRecord bool
	}{
		{"dateTime", "dateTime - INTERVAL '4' SECOND", false},
		{"dateTime", "dateTime", true}, // not "ts - INTERVAL": evaluated per row
		{"expires", "expires - INTERVAL '4' SECOND", true},
	}
	for _, tc := range cases {
		e, err := sqlparse.ParseExpr(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		tab := &Table{Name: "auction", Columns: []Column{{Name: "dateTime", Type: TypeTimestamp}, {Name: "expires", Type: TypeTimestamp}},
			Watermark: &sqlparse.Watermark{Column: tc.col, Expr: e}}
		s, err := sqlWatermarkStrategy(tab, conn.orderedBy(tc.col))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(s.String(), "per record"); got != tc.perRecord {
			t.Errorf("WATERMARK FOR %s AS %s: %s, want per record %v", tc.col, tc.expr, s, tc.perRecord)
		}
	}
	g := &sqlWatermarks{max: engine.NoTimestamp, delay: 4000, batched: true}
	out := &watermarkCount{}
	for i := range int64(130) {
		g.OnEvent(nil, 10_000+i, out)
	}
	if out.n != 2 || out.last != 10_000+127-4000 {
		t.Errorf("130 rows: %d watermarks, the last %d; want 2, the last %d", out.n, out.last, 10_000+127-4000)
	}
}
