package engine

import (
	"cmp"
	"slices"
)

// mergingSet is a key's merging (session) windows in start order, each with the window its contents are
// kept under: Flink's MergingWindowSet, as a small sorted slice (a key rarely has more than a few sessions
// open). Its windows never intersect each other. A stored set may be read by a snapshot's asynchronous phase
// while the key's set changes, so no element a stored set holds is ever overwritten (see replacing).
type mergingSet []mergedWindow

// mergedWindow is one window of a mergingSet and the window its state lives under.
type mergedWindow struct {
	Window Window
	State  Window
}

// find returns the index of window w in s, or -1.
func (s mergingSet) find(w Window) int {
	for i := range s {
		if s[i].Window == w {
			return i
		}
	}
	return -1
}

// without returns s without its window i.
func (s mergingSet) without(i int) mergingSet { return s.replacing(i, i+1) }

// replacing returns s with s[lo:hi] replaced by m (none or one window), leaving s itself as it was. The two
// changes that in-order input makes all the time share s's array: a window added at the end is appended
// (when the array has room), which writes past the end of s and of every earlier set on that array, since
// no change ever shortens a set's end in place; and the first window (the one that fires first) is dropped
// by reslicing. Any other change copies the set, so a session set costs amortised O(1) per record however
// many of its key's sessions wait for the watermark.
func (s mergingSet) replacing(lo, hi int, m ...mergedWindow) mergingSet {
	switch {
	case lo == len(s) && hi == lo:
		return append(s, m...)
	case lo == 0 && hi == 1 && len(m) == 0:
		return s[1:]
	}
	out := make(mergingSet, 0, len(s)-(hi-lo)+len(m))
	out = append(out, s[:lo]...)
	out = append(out, m...)
	return append(out, s[hi:]...)
}

// mergingSet returns the current key's set. A set stored as a map (by checkpoints of earlier versions) is
// read into a sorted slice.
func (o *windowOp) mergingSet() mergingSet {
	v, ok := o.merging.get(o, Window{})
	if !ok {
		return nil
	}
	if m, ok := v.(map[Window]Window); ok {
		s := make(mergingSet, 0, len(m))
		for w, sw := range m {
			s = append(s, mergedWindow{w, sw})
		}
		slices.SortFunc(s, func(a, b mergedWindow) int { return cmp.Compare(a.Window.Start, b.Window.Start) })
		return s
	}
	return v.(mergingSet)
}

func (o *windowOp) putMergingSet(set mergingSet) {
	if len(set) == 0 {
		o.merging.del(o, Window{})
	} else {
		o.merging.put(o, Window{}, set)
	}
}

// processMerging is the session-window path of processElement (Flink's MergingWindowSet): each new window is
// merged with the windows of its key that it overlaps; the merged window keeps the state of one of them, the
// others' state is merged into it, and their triggers and cleanup timers are cleared.
func (o *windowOp) processMerging(r record) (skipped bool) {
	skipped = true
	set := o.mergingSet()
	changed := false
	for _, nw := range o.buf {
		var i int
		var added, fresh bool
		set, i, added, fresh = o.addWindow(set, nw)
		changed = changed || added
		actual := set[i].Window
		if o.isWindowLate(actual) {
			set, changed = set.without(i), true
			continue
		}
		skipped = false
		// A new session's state window holds nothing yet (its bounds overlap no window of the key, and a
		// window's contents go when it does): with unique timers (no lateness) its contents are not looked up.
		o.addToWindow(actual, set[i].State, r, fresh && o.uniqueTimers)
	}
	if changed {
		o.putMergingSet(set)
	}
	return skipped
}

// addWindow adds nw to the merging set and returns the new set, the index of the window nw ended up in, whether
// the set changed (if not, the set returned is set itself) and whether nw is a new session of its own. The
// set's windows intersect none of each other, so the windows nw merges with are exactly those it intersects,
// a run of the sorted set: the group Flink's TimeWindow.mergeWindows (sorted by start, each window joining the
// running cover while it intersects it) finds for nw among the set's windows. In-order input adds at the end,
// so the run is looked for from there.
func (o *windowOp) addWindow(set mergingSet, nw Window) (next mergingSet, at int, changed, fresh bool) {
	hi := len(set)
	for hi > 0 && set[hi-1].Window.Start > nw.End {
		hi-- // starts after nw
	}
	lo := hi
	for lo > 0 && set[lo-1].Window.End >= nw.Start {
		lo-- // intersects nw
	}
	if hi == lo { // a new session
		return set.replacing(lo, lo, mergedWindow{nw, nw}), lo, true, true
	}
	cover := nw
	for _, m := range set[lo:hi] {
		cover = cover.Cover(m.Window)
	}
	if hi-lo == 1 && cover == set[lo].Window {
		return set, lo, false, false // nw fell inside an existing window
	}
	stateWindow := set[lo].State // the state of the earliest merged window
	o.merged = o.merged[:0]
	var mergedState []Window
	for _, m := range set[lo:hi] {
		o.merged = append(o.merged, m.Window)
		if m.State != stateWindow {
			mergedState = append(mergedState, m.State)
		}
	}
	next = set.replacing(lo, hi, mergedWindow{cover, stateWindow})
	o.onMerge(cover, o.merged, stateWindow, mergedState)
	return next, lo, true, false
}
