package planner

import (
	"strings"
	"testing"
)

// joinHarness drives a joiner for one join key, as Flink's KeyedTwoInputStreamOperatorTestHarness drives
// StreamingJoinOperator. It keeps each side twice, as an input that retracts keeps it (each row with its
// copies) and as an insert-only one does (each copy a row of its own), feeds every row to both, and
// expects the same output of both.
type joinHarness struct {
	t     *testing.T
	j     *joiner
	sides [2][2]*joinRows // by layout (searching, appending), then left and right
	out   [2][]string
}

func newJoinHarness(t *testing.T, typ JoinType, nl, nr, lk, rk int) *joinHarness {
	cols := func(n int) []Column { return make([]Column, n) }
	n := &JoinNode{Left: &ValuesNode{Cols: cols(nl)}, Right: &ValuesNode{Cols: cols(nr)}, Type: typ, LeftKeys: []int{lk}, RightKeys: []int{rk}}
	h := &joinHarness{t: t, j: newJoiner(n)}
	for layout := range h.sides {
		h.sides[layout] = [2]*joinRows{{search: layout == 0}, {search: layout == 0}}
	}
	return h
}

func (h *joinHarness) in(left bool, kind RowKind, fields ...any) {
	h.t.Helper()
	for layout, s := range h.sides {
		mine, other := s[0], s[1]
		if !left {
			mine, other = other, mine
		}
		if err := h.j.process(Row{Kind: kind, Fields: fields}, left, mine, other, func(r any) { h.out[layout] = append(h.out[layout], r.(Row).String()) }); err != nil {
			h.t.Fatal(err)
		}
	}
}

func (h *joinHarness) emits(want ...string) {
	h.t.Helper()
	for layout, out := range h.out {
		if strings.Join(out, "\n") != strings.Join(want, "\n") {
			h.t.Errorf("%s: got:\n%s\nwant:\n%s", [...]string{"rows with copies", "a row per copy"}[layout],
				strings.Join(out, "\n"), strings.Join(want, "\n"))
		}
	}
	h.out = [2][]string{}
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
