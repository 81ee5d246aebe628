package planner

import (
	"reflect"
	"testing"
	"time"
	"unsafe"
)

// A value detached from a row's block equals the field it was read from and points outside the block, so
// that holding it does not keep the block alive; values that are never in a block come back as they are.
func TestDetachedLeavesTheBlock(t *testing.T) {
	b := newRowBlock(3, []slotKind{int64Slot, float64Slot, timeSlot})
	p, fields := b.newRow()
	b.setInt64(p, fields, 0, 123456)
	b.setFloat64(p, fields, 1, 2.5)
	b.setTime(p, fields, 2, time.UnixMilli(1700000000123).UTC())
	start, end := uintptr(p), uintptr(p)+b.typ.Size()
	for i, f := range fields {
		d := detached(f)
		if d != f {
			t.Errorf("field %d: detached %v, want %v", i, d, f)
		}
		if at := uintptr((*eface)(unsafe.Pointer(&d)).data); at >= start && at < end {
			t.Errorf("field %d: the detached value still points into the block", i)
		}
	}
	if s := "x"; detached(s) != any(s) || detached(nil) != nil {
		t.Error("a string or NULL changed when detached")
	}
}

// An update's -U and +U rows, built in one block, hold the key columns and each its own values.
func TestUpdateBlockRows(t *testing.T) {
	ub, ua := newUpdateBlock(3).rows([]any{"k"}, []any{int64(1), 2.0}, []any{int64(3), nil})
	want := []Row{{Kind: UpdateBefore, Fields: []any{"k", int64(1), 2.0}}, {Kind: UpdateAfter, Fields: []any{"k", int64(3), nil}}}
	if !reflect.DeepEqual([]any{ub, ua}, []any{want[0], want[1]}) {
		t.Errorf("got %v and %v, want %v and %v", ub, ua, want[0], want[1])
	}
}
