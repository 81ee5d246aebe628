package planner

import (
	"testing"
	"time"
)

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

// stateKey: equal grouping values give equal keys (a timestamp by its instant, whatever its location),
// different values different keys, and values it does not pack (a string, a NULL, four values) fall back
// to groupKey.
func TestStateKey(t *testing.T) {
	ts := time.UnixMilli(1500).UTC()
	tests := []struct {
		name string
		a, b []any
		same bool
	}{
		{"one id", []any{int64(7)}, []any{int64(7)}, true},
		{"ids differ", []any{int64(7)}, []any{int64(8)}, false},
		{"window", []any{ts, ts.Add(time.Second)}, []any{ts.In(time.FixedZone("x", 3600)), ts.Add(time.Second)}, true},
		{"window ends differ", []any{ts, ts.Add(time.Second)}, []any{ts, ts.Add(2 * time.Second)}, false},
		{"id and window", []any{int64(1), ts, ts}, []any{int64(1), ts, ts}, true},
		{"order matters", []any{int64(1), int64(2)}, []any{int64(2), int64(1)}, false},
		{"NULL", []any{nil, int64(2)}, []any{nil, int64(2)}, true},
		{"NULL differs from a value", []any{nil, int64(2)}, []any{int64(0), int64(2)}, false},
		{"strings", []any{"a", int64(2)}, []any{"a", int64(2)}, true},
		{"four values", []any{int64(1), int64(2), int64(3), int64(4)}, []any{int64(1), int64(2), int64(3), int64(5)}, false},
	}
	for _, tt := range tests {
		if got := stateKey(tt.a) == stateKey(tt.b); got != tt.same {
			t.Errorf("%s: stateKey(%v) == stateKey(%v) is %t", tt.name, tt.a, tt.b, got)
		}
	}
	if _, ok := stateKey([]any{int64(1), ts}).([2]int64); !ok {
		t.Errorf("an id and a timestamp: %T, want [2]int64", stateKey([]any{int64(1), ts}))
	}
}

// stateKeyOf reads a key straight from the row when it can, and gives the key stateKey gives for the values
// of the keys that are not nil (window properties) in every case; a computed key and a row whose key has
// a NULL or a string take the general form.
func TestStateKeyOf(t *testing.T) {
	ref := func(i int) *cexpr {
		return &cexpr{ref: i + 1, eval: func(r []any) (any, error) { return r[i], nil }}
	}
	computed := &cexpr{eval: func(r []any) (any, error) { return r[0].(int64) * 2, nil }}
	ts := time.UnixMilli(1_700_000_000_123).UTC()
	row := Row{Fields: []any{int64(7), ts, "x", nil, int64(9)}}
	cases := []struct {
		name string
		keys []*cexpr
		want any
	}{
		{"one BIGINT", []*cexpr{ref(0)}, int64(7)},
		{"BIGINT and window properties", []*cexpr{ref(0), nil, nil}, int64(7)},
		{"BIGINT and timestamp", []*cexpr{nil, ref(0), ref(1)}, [2]int64{7, ts.UnixNano()}},
		{"three", []*cexpr{ref(4), ref(0), ref(1)}, [3]int64{9, 7, ts.UnixNano()}},
		{"four", []*cexpr{ref(4), ref(0), ref(1), ref(4)}, groupKey([]any{int64(9), int64(7), ts, int64(9)})},
		{"string", []*cexpr{ref(0), ref(2)}, groupKey([]any{int64(7), "x"})},
		{"NULL", []*cexpr{nil, ref(3)}, groupKey([]any{nil})},
		{"computed", []*cexpr{computed, nil}, int64(14)},
		{"only window properties", []*cexpr{nil, nil}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := stateKeyOf(c.keys, row)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("stateKeyOf = %#v, want %#v", got, c.want)
			}
		})
	}
}
