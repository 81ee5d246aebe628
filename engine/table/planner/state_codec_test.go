package planner

import (
	"testing"
	"time"

	"github.com/de4e/weir/engine/internal/state/statetest"
)

// Each of the planner's values in state round-trips through the state codec in binary (its codec's tag,
// not gob), with the SQL values inside it keeping their types.
func TestStateCodecRoundTrip(t *testing.T) {
	ts := time.UnixMilli(1_700_000_000_000).UTC()
	fields := []any{int64(7), "name", nil, 2.5, true, ts}
	acc := aggAcc{Count: 3, ISum: -4, FSum: 1.25, Vals: map[string]int64{"i7": 2}, Orig: map[string]any{"i7": int64(7)},
		Seq: []any{"a", nil}, Best: int64(7)}
	rows := &joinRows{}
	for _, r := range [][]any{fields, {ts}, fields} {
		if err := rows.add(r, true, 1); err != nil {
			t.Fatal(err)
		}
	}
	rows.search, rows.changed = false, false // set while a row is joined, not part of the state
	statetest.CodecRoundTrips(t, map[string]any{
		"row":                           Row{Kind: UpdateBefore, Fields: fields},
		"row without fields":            Row{Kind: Insert, Fields: []any{}},
		"join entry":                    joinEntry{Fields: fields, Count: 2, Assoc: 1},
		"join rows":                     rows,
		"group state":                   &groupState{Key: []any{int64(1), "g"}, Rows: 5, Accs: []aggAcc{acc, {Count: 1, Best: "max"}}},
		"group state of an empty group": &groupState{Key: []any{}, Accs: []aggAcc{{}}},
		"over state":                    overState{Last: 99, Started: true, Accs: []aggAcc{acc}, Kept: []overRow{{TS: 98, Fields: fields}}},
		"over rows":                     []overRow{{TS: 1, Fields: []any{int64(1)}}, {TS: 2, Fields: []any{nil}}},
		"rank state":                    rankState{Rows: []rankEntry{{Sort: []any{int64(3)}, Fields: fields}, {Sort: []any{nil}, Fields: []any{"x"}}}},
		"window join rows":              windowJoinRows{Rows: [][]any{fields, {int64(2)}}},
		"temporal versions":             []temporalVersion{{TS: 10, Fields: fields}, {TS: 20, Deleted: true, Fields: []any{}}},
		"error row":                     errorRow{Msg: "division by zero"},
	})
}
