package engine

import "github.com/de4e/weir/engine/internal/state"

// The state codec's binary encodings of the engine's own values in state (the tags 1-63 are the engine's;
// a tag is stored with every value, so it is never changed or reused): TTL envelopes, window contents
// kept with their timestamps (evictors), windows and merging-window sets, the built-in average's
// accumulator, window results and the tagged records of joins and crosses. Values of other types inside
// them go through the codec too; only user types it does not know use gob.
func init() {
	state.RegisterCodec(1, func(e *state.Encoder, v ttlValue) {
		e.Value(v.V)
		e.Int64(v.Last)
	}, func(d *state.Decoder) ttlValue { return ttlValue{V: d.Value(), Last: d.Int64()} })
	state.RegisterCodec(2, encodeTimestamped, decodeTimestamped)
	state.RegisterCodec(3, func(e *state.Encoder, vs []TimestampedValue) {
		e.Len(len(vs))
		for _, v := range vs {
			encodeTimestamped(e, v)
		}
	}, func(d *state.Decoder) []TimestampedValue {
		vs := make([]TimestampedValue, d.Len())
		for i := range vs {
			vs[i] = decodeTimestamped(d)
		}
		return vs
	})
	state.RegisterCodec(4, encodeWindow, decodeWindow)
	state.RegisterCodec(5, func(e *state.Encoder, s mergingSet) {
		e.Len(len(s))
		for _, m := range s {
			encodeWindow(e, m.Window)
			encodeWindow(e, m.State)
			e.Bool(m.Has)
			if m.Has {
				e.Value(m.Contents)
			}
		}
	}, func(d *state.Decoder) mergingSet {
		s := make(mergingSet, d.Len())
		for i := range s {
			s[i] = mergedWindow{Window: decodeWindow(d), State: decodeWindow(d)}
			if s[i].Has = d.Bool(); s[i].Has {
				s[i].Contents = d.Value()
			}
		}
		return s
	})
	state.RegisterCodec(6, func(e *state.Encoder, a avgAcc) {
		e.Float64(a.Sum)
		e.Int64(a.Count)
	}, func(d *state.Decoder) avgAcc { return avgAcc{Sum: d.Float64(), Count: d.Int64()} })
	state.RegisterCodec(7, func(e *state.Encoder, r WindowResult) {
		e.Value(r.Key)
		e.Int64(r.Start)
		e.Int64(r.End)
		e.Value(r.Value)
	}, func(d *state.Decoder) WindowResult {
		return WindowResult{Key: d.Value(), Start: d.Int64(), End: d.Int64(), Value: d.Value()}
	})
	state.RegisterCodec(8, func(e *state.Encoder, t taggedUnion) {
		e.Value(t.V)
		e.Bool(t.Second)
	}, func(d *state.Decoder) taggedUnion { return taggedUnion{V: d.Value(), Second: d.Bool()} })
	state.RegisterCodec(9, func(e *state.Encoder, t crossTagged) {
		e.Int64(int64(t.Part))
		e.Value(t.V)
		e.Bool(t.Second)
	}, func(d *state.Decoder) crossTagged {
		return crossTagged{Part: int(d.Int64()), V: d.Value(), Second: d.Bool()}
	})
}

func encodeTimestamped(e *state.Encoder, v TimestampedValue) {
	e.Value(v.Value)
	e.Int64(v.Timestamp)
	e.Bool(v.Untimed)
}

func decodeTimestamped(d *state.Decoder) TimestampedValue {
	return TimestampedValue{Value: d.Value(), Timestamp: d.Int64(), Untimed: d.Bool()}
}

func encodeWindow(e *state.Encoder, w Window) {
	e.Int64(w.Start)
	e.Int64(w.End)
}

func decodeWindow(d *state.Decoder) Window { return Window{Start: d.Int64(), End: d.Int64()} }
