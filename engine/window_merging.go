package engine

import (
	"cmp"
	"slices"
)

// mergingSet is a key's merging (session) windows in start order, each with the window its contents are
// kept under: Flink's MergingWindowSet, as a small sorted slice (a key rarely has more than a few sessions
// open). Its windows never intersect each other. A stored set is never changed in place: a change makes a
// new slice, so that a snapshot's copy of the table keeps the set of its moment.
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

// replacing returns a new set: s with s[lo:hi] replaced by m (none or one window).
func (s mergingSet) replacing(lo, hi int, m ...mergedWindow) mergingSet {
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
		var actual Window
		var added bool
		set, actual, added = o.addWindow(set, nw)
		changed = changed || added
		i := set.find(actual)
		if o.isWindowLate(actual) {
			set, changed = set.without(i), true
			continue
		}
		skipped = false
		o.addToWindow(actual, set[i].State, r)
	}
	if changed {
		o.putMergingSet(set)
	}
	return skipped
}

// addWindow adds nw to the merging set and returns the new set, the window nw ended up in, and whether the
// set changed (if not, the set returned is set itself). The set's windows intersect none of each other, so the windows nw merges with are exactly
// those it intersects, a run of the sorted set: the group Flink's TimeWindow.mergeWindows (sorted by start,
// each window joining the running cover while it intersects it) finds for nw among the set's windows.
func (o *windowOp) addWindow(set mergingSet, nw Window) (mergingSet, Window, bool) {
	lo := 0
	for lo < len(set) && set[lo].Window.End < nw.Start {
		lo++ // ends before nw
	}
	hi := lo
	for hi < len(set) && set[hi].Window.Start <= nw.End {
		hi++ // intersects nw
	}
	if hi == lo { // a new session
		return set.replacing(lo, lo, mergedWindow{nw, nw}), nw, true
	}
	cover := nw
	for _, m := range set[lo:hi] {
		cover = cover.Cover(m.Window)
	}
	if hi-lo == 1 && cover == set[lo].Window {
		return set, cover, false // nw fell inside an existing window
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
	next := set.replacing(lo, hi, mergedWindow{cover, stateWindow})
	o.onMerge(cover, o.merged, stateWindow, mergedState)
	return next, cover, true
}
