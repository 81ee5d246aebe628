package planner

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"
)

// joinRows against a Go map of copies: adds and retractions, across the size at which it starts keeping an
// index and through the compactions that drop its dead rows, hold the same multiset; a copy (CopyState) is
// not changed by later writes.
func TestJoinRowsAgainstAMap(t *testing.T) {
	type row struct {
		k int64
		v string
	}
	dec := newPairBlock(nil, []Column{{Type: TypeBigInt}, {Type: TypeString}}, true)
	rows, ref := &joinRows{}, map[row]int64{}
	held := func(r *joinRows) map[row]int64 {
		got := map[row]int64{}
		for _, m := range r.appendRows(nil, nil, dec) {
			got[row{m.fields[0].(int64), m.fields[1].(string)}] += m.copies
		}
		return got
	}
	check := func(step int) {
		t.Helper()
		if got := held(rows); !reflect.DeepEqual(got, ref) && len(got)+len(ref) > 0 {
			t.Fatalf("step %d: holds %v, want %v", step, got, ref)
		}
		if rows.Live != len(ref) {
			t.Fatalf("step %d: %d live rows, want %d", step, rows.Live, len(ref))
		}
	}
	var frozen *joinRows
	var want map[row]int64
	indexed, compacted := false, false
	for step := range 800 {
		k := int64(step * 7 % 41)
		name := row{k, fmt.Sprintf("v%d", k%3)}
		fields := []any{name.k, name.v}
		// Adds outnumber retractions for the first 400 steps (the rows grow past the index's size), then
		// every step retracts (dead rows come to outnumber the live ones).
		if step%3 == 2 || step >= 400 {
			dead := rows.Dead
			if err := rows.retract(fields); err != nil {
				t.Fatal(err)
			}
			compacted = compacted || rows.Dead < dead
			if ref[name]--; ref[name] <= 0 { // a row not held is not retracted
				delete(ref, name)
			}
		} else {
			if _, err := rows.addRow(fields, true); err != nil {
				t.Fatal(err)
			}
			ref[name]++
		}
		indexed = indexed || rows.index != nil
		check(step)
		if step == 300 {
			frozen = rows.CopyState().(*joinRows)
			want = held(frozen)
		}
	}
	if got := held(frozen); !reflect.DeepEqual(got, want) {
		t.Errorf("the copy holds %v, want %v: later writes reached it", got, want)
	}
	if !indexed || !compacted {
		t.Errorf("indexed %v, compacted %v: the test does not exercise both", indexed, compacted)
	}
	// Retracting every copy leaves no row; retracting a row not held changes nothing.
	for name, n := range ref {
		for range n {
			if err := rows.retract([]any{name.k, name.v}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := rows.retract([]any{int64(1), "absent"}); err != nil {
		t.Fatal(err)
	}
	if rows.Live != 0 || rows.Dead != 0 || len(rows.Data) != 0 {
		t.Errorf("after retracting every row: %d live, %d dead, %d bytes, want none", rows.Live, rows.Dead, len(rows.Data))
	}
}

// Every run-time form of a SQL value (see TypeKind) reads back from joinRows as it went in, whatever the
// column's declared type; a value of no SQL type is refused with ErrJoinValue and leaves the rows as they
// were.
func TestJoinRowsEncodeEveryValue(t *testing.T) {
	ts := time.Date(2026, 12, 2, 15, 4, 5, 123456789, time.UTC)
	old := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC) // DATE '0001-01-01': beyond Unix nanoseconds
	row := []any{int64(-7), math.Inf(-1), 2.5, true, false, "", "näive ünïcode", nil, ts, old, int64(math.MaxInt64), ts}
	cols := []Column{{Type: TypeBigInt}, {Type: TypeDouble}, {Type: TypeDouble}, {Type: TypeBoolean}, {Type: TypeBoolean},
		{Type: TypeString}, {Type: TypeString}, {Type: TypeBigInt}, {Type: TypeTimestamp}, {Type: TypeTimestamp},
		{Type: TypeString}, {Type: TypeString}} // the last two read back boxed, without a slot
	r := &joinRows{}
	if _, err := r.addRow(row, false); err != nil {
		t.Fatal(err)
	}
	// Read back as the right input's rows, joined with a left row (whose fields stay as they are).
	in := []any{"left", int64(3)}
	got := r.appendRows(nil, in, newPairBlock([]Column{{Type: TypeString}, {Type: TypeBigInt}}, cols, true))
	if len(got) != 1 || !reflect.DeepEqual(got[0].fields, row) || !reflect.DeepEqual(got[0].pair, append(in, row...)) {
		t.Errorf("read back %#v, want %#v", got, row)
	}
	size := len(r.Data)
	if _, err := r.addRow([]any{int64(1), int32(2)}, true); !errors.Is(err, ErrJoinValue) {
		t.Errorf("a value of no SQL type: got error %v, want ErrJoinValue", err)
	}
	if len(r.Data) != size || r.Live != 1 {
		t.Errorf("a refused row changed the rows: %d bytes (want %d), %d live (want 1)", len(r.Data), size, r.Live)
	}
}

// A side without a unique key holding a row twice (Flink: JoinRecordStateViews, InputSideHasNoUniqueKey):
// in a LEFT join, the right side's duplicate joins each left row twice; retracting one copy retracts one
// joined row per left row, and the left rows stay matched (no null-padded row) until the last copy goes.
// A left row retracted to one of its two copies goes on joining once.
func TestLeftJoinDuplicatesRetractedOneByOne(t *testing.T) {
	h := newJoinHarness(t, LeftJoin, 2, 2, 0, 0)
	left, right := true, false
	h.in(left, Insert, int64(1), "a")
	h.emits("+I[1, a, <NULL>, <NULL>]")
	h.in(right, Insert, int64(1), "x")
	h.emits("-D[1, a, <NULL>, <NULL>]", "+I[1, a, 1, x]")
	h.in(right, Insert, int64(1), "x")
	h.emits("+I[1, a, 1, x]")
	h.in(left, Insert, int64(1), "a")
	h.emits("+I[1, a, 1, x]", "+I[1, a, 1, x]")
	h.in(right, Delete, int64(1), "x")
	h.emits("-D[1, a, 1, x]", "-D[1, a, 1, x]")
	h.in(left, Delete, int64(1), "a")
	h.emits("-D[1, a, 1, x]")
	h.in(right, Delete, int64(1), "x")
	h.emits("-D[1, a, 1, x]", "+I[1, a, <NULL>, <NULL>]")
	h.in(left, Delete, int64(1), "a")
	h.emits("-D[1, a, <NULL>, <NULL>]")
	for layout, s := range h.sides {
		for i, side := range s {
			if side.Live != 0 {
				t.Errorf("layout %d side %d: %d rows left, want none", layout, i, side.Live)
			}
		}
	}
}
