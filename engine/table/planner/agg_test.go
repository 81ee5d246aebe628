package planner

import "testing"

// TestExtremeAccumulators checks MIN and MAX accumulators: a retractable one replaces a retracted extreme by
// the next one (Flink's MaxWithRetractAggFunction), an append-only one keeps only the extreme
// (MaxAggFunction), and merging keeps the better of two extremes.
func TestExtremeAccumulators(t *testing.T) {
	type step struct {
		v    int64
		sign int64
	}
	tests := []struct {
		name       string
		fn         string
		appendOnly bool
		steps      []step
		want       any
	}{
		{"max", "MAX", false, []step{{3, 1}, {9, 1}, {5, 1}}, int64(9)},
		{"max retracts its extreme", "MAX", false, []step{{3, 1}, {9, 1}, {5, 1}, {9, -1}}, int64(5)},
		{"max keeps a duplicate extreme", "MAX", false, []step{{9, 1}, {9, 1}, {5, 1}, {9, -1}}, int64(9)},
		{"max retracts all", "MAX", false, []step{{9, 1}, {9, -1}}, nil},
		{"min retracts its extreme", "MIN", false, []step{{3, 1}, {1, 1}, {5, 1}, {1, -1}}, int64(3)},
		{"min retracts another value", "MIN", false, []step{{3, 1}, {1, 1}, {5, 1}, {3, -1}}, int64(1)},
		{"append-only max", "MAX", true, []step{{3, 1}, {9, 1}, {5, 1}}, int64(9)},
		{"append-only min", "MIN", true, []step{{3, 1}, {1, 1}, {5, 1}}, int64(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &aggCall{fn: tt.fn, arg: colRef(0, TypeBigInt, "x"), typ: TypeBigInt, appendOnly: tt.appendOnly}
			var acc aggAcc
			for _, s := range tt.steps {
				c.accumulate(&acc, s.v, s.sign)
			}
			if got := c.result(&acc); got != tt.want {
				t.Errorf("result = %v, want %v", got, tt.want)
			}
			if tt.appendOnly && acc.Vals != nil {
				t.Errorf("an append-only %s kept each value: %v", tt.fn, acc.Vals)
			}
		})
	}
	c := &aggCall{fn: "MAX", arg: colRef(0, TypeBigInt, "x"), typ: TypeBigInt}
	var a, b aggAcc
	c.accumulate(&a, int64(4), 1)
	c.accumulate(&b, int64(7), 1)
	c.merge(&a, b)
	if got := c.result(&a); got != int64(7) {
		t.Errorf("merged MAX = %v, want 7", got)
	}
}
