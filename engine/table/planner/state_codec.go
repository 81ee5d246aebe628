package planner

import "github.com/de4e/weir/engine/internal/state"

// The state codec's binary encodings of the planner's values in state (the tags 64-127 are the planner's;
// a tag is stored with every value, so it is never changed or reused): rows, the join's rows per key, the
// aggregations' group states and accumulators, the over aggregation's and Top-N's partitions, window join
// and temporal join rows. The fields of rows go through the codec too (SQL values are scalars and times).
func init() {
	state.RegisterCodec(64, func(e *state.Encoder, r Row) {
		e.Uint64(uint64(r.Kind))
		e.Values(r.Fields)
	}, func(d *state.Decoder) Row { return Row{Kind: RowKind(d.Uint64()), Fields: d.Values()} })
	state.RegisterCodec(65, encodeJoinEntry, decodeJoinEntry)
	// A join's rows for a key are one pointer-free byte slice already (join_rows.go), written as it is.
	state.RegisterCodec(66, func(e *state.Encoder, j *joinRows) {
		e.Str(string(j.Data))
		e.Int64(int64(j.Live))
		e.Int64(int64(j.Dead))
	}, func(d *state.Decoder) *joinRows {
		return &joinRows{Data: []byte(d.Str()), Live: int(d.Int64()), Dead: int(d.Int64())}
	})
	state.RegisterCodec(67, func(e *state.Encoder, g *groupState) {
		e.Values(g.Key)
		e.Int64(g.Rows)
		encodeAccs(e, g.Accs)
	}, func(d *state.Decoder) *groupState {
		return &groupState{Key: d.Values(), Rows: d.Int64(), Accs: decodeAccs(d)}
	})
	state.RegisterCodec(68, func(e *state.Encoder, st overState) {
		e.Int64(st.Last)
		e.Bool(st.Started)
		encodeAccs(e, st.Accs)
		encodeOverRows(e, st.Kept)
	}, func(d *state.Decoder) overState {
		return overState{Last: d.Int64(), Started: d.Bool(), Accs: decodeAccs(d), Kept: decodeOverRows(d)}
	})
	state.RegisterCodec(69, encodeOverRows, decodeOverRows)
	state.RegisterCodec(70, func(e *state.Encoder, rs rankState) {
		e.Len(len(rs.Rows))
		for _, r := range rs.Rows {
			e.Values(r.Sort)
			e.Values(r.Fields)
		}
	}, func(d *state.Decoder) rankState {
		rs := rankState{Rows: make([]rankEntry, d.Len())}
		for i := range rs.Rows {
			rs.Rows[i] = rankEntry{Sort: d.Values(), Fields: d.Values()}
		}
		return rs
	})
	state.RegisterCodec(71, func(e *state.Encoder, w windowJoinRows) {
		e.Len(len(w.Rows))
		for _, r := range w.Rows {
			e.Values(r)
		}
	}, func(d *state.Decoder) windowJoinRows {
		w := windowJoinRows{Rows: make([][]any, d.Len())}
		for i := range w.Rows {
			w.Rows[i] = d.Values()
		}
		return w
	})
	state.RegisterCodec(72, func(e *state.Encoder, vs []temporalVersion) {
		e.Len(len(vs))
		for _, v := range vs {
			e.Int64(v.TS)
			e.Values(v.Fields)
			e.Bool(v.Deleted)
		}
	}, func(d *state.Decoder) []temporalVersion {
		vs := make([]temporalVersion, d.Len())
		for i := range vs {
			vs[i] = temporalVersion{TS: d.Int64(), Fields: d.Values(), Deleted: d.Bool()}
		}
		return vs
	})
	state.RegisterCodec(73, func(e *state.Encoder, r errorRow) { e.Str(r.Msg) },
		func(d *state.Decoder) errorRow { return errorRow{Msg: d.Str()} })
}

func encodeJoinEntry(e *state.Encoder, j joinEntry) {
	e.Values(j.Fields)
	e.Int64(j.Count)
	e.Int64(j.Assoc)
}

func decodeJoinEntry(d *state.Decoder) joinEntry {
	return joinEntry{Fields: d.Values(), Count: d.Int64(), Assoc: d.Int64()}
}

func encodeOverRows(e *state.Encoder, rows []overRow) {
	e.Len(len(rows))
	for _, r := range rows {
		e.Int64(r.TS)
		e.Values(r.Fields)
	}
}

func decodeOverRows(d *state.Decoder) []overRow {
	rows := make([]overRow, d.Len())
	for i := range rows {
		rows[i] = overRow{TS: d.Int64(), Fields: d.Values()}
	}
	return rows
}

// encodeAccs writes aggregate accumulators: their numbers, their multiplicities (Vals, by valueKey) with
// the values they stand for (Orig), LAG's values and MIN's or MAX's extreme.
func encodeAccs(e *state.Encoder, accs []aggAcc) {
	e.Len(len(accs))
	for i := range accs {
		a := &accs[i]
		e.Int64(a.Count)
		e.Int64(a.ISum)
		e.Float64(a.FSum)
		e.Len(len(a.Vals))
		for k, n := range a.Vals {
			e.Str(k)
			e.Int64(n)
		}
		e.Len(len(a.Orig))
		for k, v := range a.Orig {
			e.Str(k)
			e.Value(v)
		}
		e.Values(a.Seq)
		e.Value(a.Best)
	}
}

func decodeAccs(d *state.Decoder) []aggAcc {
	accs := make([]aggAcc, d.Len())
	for i := range accs {
		a := &accs[i]
		a.Count, a.ISum, a.FSum = d.Int64(), d.Int64(), d.Float64()
		if n := d.Len(); n > 0 {
			a.Vals = make(map[string]int64, n)
			for range n {
				k := d.Str()
				a.Vals[k] = d.Int64()
			}
		}
		if n := d.Len(); n > 0 {
			a.Orig = make(map[string]any, n)
			for range n {
				k := d.Str()
				a.Orig[k] = d.Value()
			}
		}
		a.Seq = d.Values()
		a.Best = d.Value()
	}
	return accs
}
