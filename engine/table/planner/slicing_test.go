package planner

import (
	"reflect"
	"testing"
)

// A group's slices stay in the order of their ends whatever order their rows come in (a row ahead of the
// watermark makes a later slice before an earlier one gets its row), and a slice is made once.
func TestGroupSlicesKeepsSlicesInOrder(t *testing.T) {
	tests := []struct {
		name    string
		ends    []int64
		created []bool
		want    []int64
	}{
		{"in order", []int64{2, 4, 6}, []bool{true, true, true}, []int64{2, 4, 6}},
		{"same slice twice", []int64{2, 2, 4, 4}, []bool{true, false, true, false}, []int64{2, 4}},
		{"out of order", []int64{6, 2, 4, 8, 4, 2}, []bool{true, true, true, true, false, false}, []int64{2, 4, 6, 8}},
		{"before the first", []int64{10, 8, 6}, []bool{true, true, true}, []int64{6, 8, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &groupSlices{}
			for i, end := range tt.ends {
				s, created := g.slice(end, 2)
				if created != tt.created[i] {
					t.Errorf("row %d (slice end %d): created %v, want %v", i, end, created, tt.created[i])
				}
				if s.End != end || len(s.Acc.Accs) != 2 {
					t.Fatalf("row %d: got the slice ending at %d with %d accumulators, want %d with 2", i, s.End, len(s.Acc.Accs), end)
				}
				s.Acc.Rows++
			}
			var got []int64
			rows := int64(0)
			for _, s := range g.Slices {
				got = append(got, s.End)
				rows += s.Acc.Rows
			}
			if !reflect.DeepEqual(got, tt.want) || rows != int64(len(tt.ends)) {
				t.Errorf("slices end at %v holding %d rows, want %v holding %d", got, rows, tt.want, len(tt.ends))
			}
		})
	}
}

// CopyState gives a heap snapshot a copy that the aggregation's changes in place after the snapshot do
// not reach: the rows, the accumulators (a COUNT DISTINCT's map too) and the list of slices.
func TestGroupSlicesCopyState(t *testing.T) {
	g := &groupSlices{Key: []any{int64(7)}}
	s, _ := g.slice(2, 1)
	s.Acc.Rows, s.Acc.Accs[0].Count = 1, 1
	s.Acc.Accs[0].Vals, s.Acc.Accs[0].Orig = map[string]int64{"sx": 1}, map[string]any{"sx": "x"}
	snap := g.CopyState().(*groupSlices)

	s, _ = g.slice(2, 1)
	s.Acc.Rows, s.Acc.Accs[0].Count = 2, 2
	s.Acc.Accs[0].Vals["sy"], s.Acc.Accs[0].Orig["sy"] = 1, "y"
	g.slice(4, 1)
	g.Slices = append(g.Slices[:0], g.Slices[1:]...) // the window ending at 2 fired: its slice dropped

	if len(snap.Slices) != 1 || snap.Slices[0].End != 2 || snap.Slices[0].Acc.Rows != 1 || snap.Slices[0].Acc.Accs[0].Count != 1 ||
		len(snap.Slices[0].Acc.Accs[0].Vals) != 1 || !reflect.DeepEqual(snap.Key, []any{int64(7)}) {
		t.Errorf("the snapshot's copy changed with the state: %+v", snap.Slices)
	}
	if len(g.Slices) != 1 || g.Slices[0].End != 4 {
		t.Errorf("the state's slices end at %+v, want one ending at 4", g.Slices)
	}
}
