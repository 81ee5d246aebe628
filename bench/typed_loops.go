package bench

import "fmt"

// The typed loops: the keyed window cases computed by hand with concrete key and accumulator types in one
// goroutine, as a program written for this one job would. They are the second baseline of those cases (the
// first, the boxed loop, calls the engine's own key selector and aggregate through interfaces), so that a
// ratio against them shows the whole distance to a compiled, single-purpose program.

// windowTyped counts events per key in 1 s tumbling windows: one map from key to count for the window the
// input is in, emptied when the watermark (the in-order input's event time) passes the window's end.
func windowTyped(n, keys int64) error {
	counts := make(map[int64]int64, keys)
	var fired, cur int64
	for i := int64(0); i < n; i++ {
		e := eventAt(i, keys)
		if start := e.TS - e.TS%1000; start != cur {
			for _, c := range counts {
				fired += c
			}
			clear(counts)
			cur = start
		}
		counts[e.Key]++
	}
	for _, c := range counts {
		fired += c
	}
	if fired != n {
		return fmt.Errorf("typed window loop counted %d of %d events", fired, n)
	}
	return nil
}

// slidingTyped counts events per key in 1 s windows sliding by 250 ms: each event is in four windows, kept in
// a ring of five per-window maps (key to count) indexed by the window's end.
func slidingTyped(n, keys int64) error {
	const size, slide = 1000, 250
	const slots = size/slide + 1
	type window struct {
		end    int64
		counts map[int64]int64
	}
	var ring [slots]window
	for i := range ring {
		ring[i] = window{end: -1, counts: make(map[int64]int64, keys)}
	}
	var total, fired int64
	fire := func(w *window) {
		for _, c := range w.counts {
			fired += c
		}
		clear(w.counts)
		w.end = -1
	}
	for i := int64(0); i < n; i++ {
		e := eventAt(i, keys)
		for end := e.TS/slide*slide + slide; end <= e.TS+size; end += slide {
			w := &ring[(end/slide)%slots]
			if w.end != end {
				if w.end >= 0 { // the slot's previous window ended at or before this event: the watermark passed it
					fire(w)
				}
				w.end = end
			}
			w.counts[e.Key]++
			total++
		}
	}
	for i := range ring {
		fire(&ring[i])
	}
	if fired != total {
		return fmt.Errorf("typed sliding loop counted %d of %d", fired, total)
	}
	return nil
}

// sessionTyped counts events per key and session: a session ends when its key is silent for gap.
func sessionTyped(n, keys, gap int64) error {
	type session struct{ end, count int64 }
	open := make(map[int64]session, keys)
	var fired int64
	for i := int64(0); i < n; i++ {
		e := eventAt(i, keys)
		s, ok := open[e.Key]
		if ok && e.TS < s.end {
			open[e.Key] = session{end: e.TS + gap, count: s.count + 1}
			continue
		}
		if ok {
			fired += s.count
		}
		open[e.Key] = session{end: e.TS + gap, count: 1}
	}
	for _, s := range open {
		fired += s.count
	}
	if fired != n {
		return fmt.Errorf("typed session loop counted %d of %d events", fired, n)
	}
	return nil
}
