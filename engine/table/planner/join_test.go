package planner

import (
	"sort"
	"strings"
	"testing"
)

// memSide is a joinSide in a Go map, for driving the join logic without a job.
type memSide map[string]joinEntry

func (m memSide) get(k string) (joinEntry, bool) { e, ok := m[k]; return e, ok }
func (m memSide) put(k string, e joinEntry)      { m[k] = e }
func (m memSide) remove(k string)                { delete(m, k) }
func (m memSide) each(f func(k string, e joinEntry)) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f(k, m[k])
	}
}

// joinHarness drives a joiner for one join key, as Flink's KeyedTwoInputStreamOperatorTestHarness drives
// StreamingJoinOperator.
type joinHarness struct {
	t           *testing.T
	j           *joiner
	left, right memSide
	out         []string
}

func newJoinHarness(t *testing.T, typ JoinType, nl, nr, lk, rk int) *joinHarness {
	cols := func(n int) []Column { return make([]Column, n) }
	n := &JoinNode{Left: &ValuesNode{Cols: cols(nl)}, Right: &ValuesNode{Cols: cols(nr)}, Type: typ, LeftKeys: []int{lk}, RightKeys: []int{rk}}
	return &joinHarness{t: t, j: newJoiner(n), left: memSide{}, right: memSide{}}
}

func (h *joinHarness) in(left bool, kind RowKind, fields ...any) {
	h.t.Helper()
	mine, other := h.left, h.right
	if !left {
		mine, other = other, mine
	}
	if err := h.j.process(Row{Kind: kind, Fields: fields}, left, mine, other, func(r Row) { h.out = append(h.out, r.String()) }); err != nil {
		h.t.Fatal(err)
	}
}

func (h *joinHarness) emits(want ...string) {
	h.t.Helper()
	if strings.Join(h.out, "\n") != strings.Join(want, "\n") {
		h.t.Errorf("got:\n%s\nwant:\n%s", strings.Join(h.out, "\n"), strings.Join(want, "\n"))
	}
	h.out = nil
}

// Flink: StreamingTwoWayJoinNoUniqueKeyOperatorTest#testInnerJoinWithNoUniqueKeyOnRight: an inner join of
// inputs without unique keys forwards each input row's kind, joins duplicates once per copy, and a
// retraction retracts every joined row it made.
func TestInnerJoinNoUniqueKey(t *testing.T) {
	h := newJoinHarness(t, InnerJoin, 3, 3, 0, 0)
	users, orders := true, false
	h.in(users, Insert, "1", "Gus", "User 1 Details")
	h.emits()
	h.in(orders, Insert, "1", "order_1", "Order 1 Details")
	h.emits("+I[1, Gus, User 1 Details, 1, order_1, Order 1 Details]")
	h.in(orders, Insert, "1", "order_1", "Order 1 Details")
	h.emits("+I[1, Gus, User 1 Details, 1, order_1, Order 1 Details]")
	h.in(orders, Insert, "1", "order_2", "Order 2 Details")
	h.emits("+I[1, Gus, User 1 Details, 1, order_2, Order 2 Details]")
	h.in(users, Insert, "2", "Bob", "User 2 Details")
	h.emits()
	h.in(orders, Insert, "2", "order_3", "Order 3 Details")
	h.emits("+I[2, Bob, User 2 Details, 2, order_3, Order 3 Details]")
	h.in(users, Delete, "1", "Gus", "User 1 Details")
	h.emits("-D[1, Gus, User 1 Details, 1, order_1, Order 1 Details]",
		"-D[1, Gus, User 1 Details, 1, order_1, Order 1 Details]",
		"-D[1, Gus, User 1 Details, 1, order_2, Order 2 Details]")
	h.in(users, Insert, "1", "Gus Updated", "User 1 Details")
	h.emits("+I[1, Gus Updated, User 1 Details, 1, order_1, Order 1 Details]",
		"+I[1, Gus Updated, User 1 Details, 1, order_1, Order 1 Details]",
		"+I[1, Gus Updated, User 1 Details, 1, order_2, Order 2 Details]")
	h.in(orders, Delete, "1", "order_1", "Order 1 Details")
	h.emits("-D[1, Gus Updated, User 1 Details, 1, order_1, Order 1 Details]")
	h.in(orders, UpdateAfter, "1", "order_1", "Order 1 Details - Second instance")
	h.emits("+U[1, Gus Updated, User 1 Details, 1, order_1, Order 1 Details - Second instance]")
	h.in(orders, Delete, "1", "order_2", "Order 2 Details")
	h.emits("-D[1, Gus Updated, User 1 Details, 1, order_2, Order 2 Details]")
	h.in(users, Delete, "1", "Gus Updated", "User 1 Details")
	h.emits("-D[1, Gus Updated, User 1 Details, 1, order_1, Order 1 Details]",
		"-D[1, Gus Updated, User 1 Details, 1, order_1, Order 1 Details - Second instance]")
}

// Flink: StreamingJoinOperatorTest#testLeftOuterJoinWithDifferentStateRetentionTime (its rows before the
// state expires): a left row without a match is emitted padded with nulls; when its first match arrives
// the padded row is retracted (-D) before the joined row is inserted. Then, by the rules of
// StreamingJoinOperator#processElement: retracting the last match inserts the padded row again, and
// retracting the left row deletes it.
func TestLeftOuterJoinChangelog(t *testing.T) {
	h := newJoinHarness(t, LeftJoin, 3, 2, 1, 0)
	orders, lines := true, false
	addr := "3 Bellevue Drive, Pottstown, PA 19464"
	h.in(orders, Insert, "Ord#1", "LineOrd#1", addr)
	h.emits("+I[Ord#1, LineOrd#1, " + addr + ", <NULL>, <NULL>]")
	h.in(orders, Insert, "Ord#1", "LineOrd#2", addr)
	h.emits("+I[Ord#1, LineOrd#2, " + addr + ", <NULL>, <NULL>]")
	h.in(lines, Insert, "LineOrd#2", "AIR")
	h.emits("-D[Ord#1, LineOrd#2, "+addr+", <NULL>, <NULL>]", "+I[Ord#1, LineOrd#2, "+addr+", LineOrd#2, AIR]")
	h.in(lines, Insert, "LineOrd#2", "SHIP")
	h.emits("+I[Ord#1, LineOrd#2, " + addr + ", LineOrd#2, SHIP]")
	h.in(lines, Delete, "LineOrd#2", "AIR")
	h.emits("-D[Ord#1, LineOrd#2, " + addr + ", LineOrd#2, AIR]")
	h.in(lines, Delete, "LineOrd#2", "SHIP")
	h.emits("-D[Ord#1, LineOrd#2, "+addr+", LineOrd#2, SHIP]", "+I[Ord#1, LineOrd#2, "+addr+", <NULL>, <NULL>]")
	h.in(orders, Delete, "Ord#1", "LineOrd#2", addr)
	h.emits("-D[Ord#1, LineOrd#2, " + addr + ", <NULL>, <NULL>]")
	// A right row with no left match emits nothing in a LEFT join; a NULL key never matches.
	h.in(lines, Insert, "LineOrd#9", "RAIL")
	h.emits()
	h.in(orders, Insert, "Ord#2", nil, addr)
	h.emits("+I[Ord#2, <NULL>, " + addr + ", <NULL>, <NULL>]")
}

// A FULL join pads either side (Flink: StreamingJoinOperator#processElement, both sides outer).
func TestFullOuterJoinChangelog(t *testing.T) {
	h := newJoinHarness(t, FullJoin, 2, 2, 0, 0)
	h.in(false, Insert, int64(1), "r1")
	h.emits("+I[<NULL>, <NULL>, 1, r1]")
	h.in(true, Insert, int64(1), "l1")
	h.emits("-D[<NULL>, <NULL>, 1, r1]", "+I[1, l1, 1, r1]")
	h.in(true, Insert, int64(1), "l2")
	h.emits("+I[1, l2, 1, r1]")
	h.in(false, UpdateBefore, int64(1), "r1")
	h.emits("-D[1, l1, 1, r1]", "-D[1, l2, 1, r1]", "+I[1, l1, <NULL>, <NULL>]", "+I[1, l2, <NULL>, <NULL>]")
	h.in(false, UpdateAfter, int64(1), "r2")
	h.emits("-D[1, l1, <NULL>, <NULL>]", "-D[1, l2, <NULL>, <NULL>]", "+I[1, l1, 1, r2]", "+I[1, l2, 1, r2]")
}

// joinRows against a Go map: puts (new and replacing) and removes, across the size at which it starts
// keeping an index, leave the same rows; a copy (CopyState) is not changed by later writes.
func TestJoinRowsAgainstAMap(t *testing.T) {
	rows, ref := &joinRows{}, map[string]int64{}
	check := func(step int) {
		t.Helper()
		if len(rows.Keys) != len(ref) || len(rows.Rows) != len(ref) {
			t.Fatalf("step %d: %d keys, %d rows, want %d", step, len(rows.Keys), len(rows.Rows), len(ref))
		}
		for k, n := range ref {
			i := rows.find(k)
			if i < 0 || rows.Rows[i].Count != n {
				t.Fatalf("step %d: %q at %d, want count %d", step, k, i, n)
			}
		}
		if rows.find("absent") >= 0 {
			t.Fatalf("step %d: found a key never put", step)
		}
	}
	var frozen *joinRows
	for step := range 400 {
		k := string(rune('a' + step*7%23))
		switch {
		case step%5 == 4:
			rows.remove(k)
			delete(ref, k)
		default:
			rows.put(k, joinEntry{Count: int64(step)})
			ref[k] = int64(step)
		}
		check(step)
		if step == 200 {
			frozen = rows.CopyState().(*joinRows)
			want := map[string]int64{}
			for k, n := range ref {
				want[k] = n
			}
			defer func() {
				got := map[string]int64{}
				for i, k := range frozen.Keys {
					got[k] = frozen.Rows[i].Count
				}
				if len(got) != len(want) {
					t.Fatalf("the copy has %d rows, want %d", len(got), len(want))
				}
				for k, n := range want {
					if got[k] != n {
						t.Errorf("the copy's %q is %d, want %d: later writes reached it", k, got[k], n)
					}
				}
			}()
		}
	}
	if len(ref) <= joinRowsIndexed {
		t.Fatalf("the test never grew past %d rows (has %d): the index is not exercised", joinRowsIndexed, len(ref))
	}
}
