package engine

import (
	"cmp"
	"slices"
	"sort"

	"github.com/de4e/weir/engine/internal/state"
)

// mergingSet is a key's merging (session) windows in start order, each with the window its contents are
// kept under: Flink's MergingWindowSet, as a small sorted slice (a key rarely has more than a few sessions
// open). Its windows never intersect each other. On the heap backend each entry also holds its session's
// contents (see sessionsInline), so that one lookup of the key serves a record; elsewhere the contents live in
// the window-contents table under the entry's State window. A change of the set's length never overwrites
// A set is changed in place (see replacing). On the heap a key's set is held in a sessionBox, so storing a
// changed set allocates nothing; a snapshot copies the set with its contents in its synchronous phase
// (CopyState) and holds it as a mergingSet, as on other backends.
type mergingSet []mergedWindow

// mergedWindow is one window of a mergingSet and the window its state lives under. Contents and Has are
// its contents and whether it has any, on the heap backend only (zero elsewhere, and in checkpoints of
// earlier versions, whose contents a restore moves in: takeRestoredContents). When the window function is
// the built-in Count, a stored set's entries keep the count unboxed in n instead (Contents nil: boxing an
// int64 above 255 allocates); the sets a snapshot holds have it in Contents, as other sets do.
type mergedWindow struct {
	Window   Window
	State    Window
	Contents any
	Has      bool
	n        int64
}

// sessionBox holds a key's set in the heap's merging table. base is the set's array from its start: the set
// is a queue in time (sessions appended at its end, fired from its front by reslicing), and when its array is
// full and the fired front is at least half as long as the set, the set moves back to the front (compact)
// instead of growing into a new array, so that a steady stream of sessions allocates nothing (a move of n
// sessions frees room for n/2 appends or more: amortised O(1)).
type sessionBox struct {
	set, base mergingSet
	// counted is set when the entries keep Count's accumulator in n (windowOp.sessionCount).
	counted bool
}

// compact moves a full set to the front of its array if the front is at least half as long, and returns the
// set.
func (b *sessionBox) compact() mergingSet {
	s := b.set
	if len(s) == 0 || len(s) < cap(s) || 2*(cap(b.base)-cap(s)) < len(s) {
		return s
	}
	full := b.base[:cap(b.base)]
	n := copy(full, s)
	clear(full[n:])
	b.set = full[:n]
	return b.set
}

// store makes s the box's set.
func (b *sessionBox) store(s mergingSet) {
	b.set = s
	if cap(s) == 0 || cap(b.base) == 0 || &s[:cap(s)][cap(s)-1] != &b.base[:cap(b.base)][cap(b.base)-1] {
		b.base = s // a new array
	}
}

// CopyState returns a copy of the set (a mergingSet) that shares nothing its owner changes in place: its
// entries, and each contents that is itself state.Mutable, copied.
func (b *sessionBox) CopyState() any {
	c := b.set.copyState()
	if b.counted {
		for i := range c {
			if c[i].Has {
				c[i].Contents, c[i].n = c[i].n, 0
			}
		}
	}
	return c
}

// CopyState returns a copy of the set that shares nothing the window operator changes in place. A set is
// changed in place (replacing), so a backend that keeps the value itself past a snapshot's synchronous
// phase (the Pebble backend's write-back cache, whose checkpoint captures its entries) copies it on the
// next Get (state.Mutable).
func (s mergingSet) CopyState() any { return s.copyState() }

func (s mergingSet) copyState() mergingSet {
	c := slices.Clone(s)
	for i := range c {
		if m, ok := c[i].Contents.(state.Mutable); ok {
			c[i].Contents = m.CopyState()
		}
	}
	return c
}

// stateEntry returns the entry of s whose contents live under state window sw, or -1. The entry's window
// covers sw, and the windows are sorted and disjoint, so it is the first whose window ends after sw starts.
// hint is tried first.
func (s mergingSet) stateEntry(sw Window, hint int) int {
	if hint >= 0 && hint < len(s) && s[hint].State == sw {
		return hint
	}
	i := sort.Search(len(s), func(i int) bool { return s[i].Window.End > sw.Start })
	if i < len(s) && s[i].State == sw {
		return i
	}
	return -1
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

// replacing returns s with s[lo:hi] replaced by m (none or one window), changing s's array in place: no one
// else reads a stored set (a heap snapshot copies it in its synchronous phase; Pebble decodes a copy). A
// window added at the end is appended, and the first window (the one that fires first) is dropped by
// reslicing, so a session set costs amortised O(1) per record however many of its key's sessions wait for
// the watermark. Dropped entries are cleared, so that their contents can be collected.
func (s mergingSet) replacing(lo, hi int, m ...mergedWindow) mergingSet {
	switch {
	case lo == len(s) && hi == lo:
		return append(s, m...)
	case lo == 0 && hi == 1 && len(m) == 0:
		s[0] = mergedWindow{}
		return s[1:]
	case hi-lo == len(m): // as many replace as go: a merge into one window
		copy(s[lo:], m)
		return s
	case hi == lo: // an insertion
		s = append(s, mergedWindow{})
		copy(s[lo+len(m):], s[lo:])
		copy(s[lo:], m)
		return s
	}
	n := copy(s[lo:], m)
	k := copy(s[lo+n:], s[hi:])
	clear(s[lo+n+k:])
	return s[:lo+n+k]
}

// mergingSet returns the current key's set. On the heap it is the stored set itself (sessionsInline: its
// entries' contents are changed in place), and the slot it came from is kept for putMergingSet; a restored
// set (a value, whose array a snapshot taken since may hold) is copied into its sessionBox here, once.
func (o *windowOp) mergingSet() mergingSet {
	o.sessionKeys = nil
	if wt := o.merging.wt; wt != nil {
		k := wt.Keys(state.Namespace{})
		if k == nil {
			return o.spareSet()
		}
		i := k.Find(o.hash, o.key)
		if i < 0 {
			return o.spareSet()
		}
		o.sessionKeys, o.sessionIdx = k, i
		slot := k.At(i)
		b, ok := slot.V.(*sessionBox)
		if !ok {
			set := asMergingSet(slot.V).copyState()
			if o.sessionCount {
				for i := range set {
					if set[i].Has {
						set[i].n, set[i].Contents = set[i].Contents.(int64), nil
					}
				}
			}
			b = &sessionBox{set: set, base: set, counted: o.sessionCount}
			slot.V = b
		}
		o.sessionBox = b
		return b.compact()
	}
	v, ok := o.merging.get(o, Window{})
	if !ok {
		return nil
	}
	return asMergingSet(v)
}

// asMergingSet returns a stored set as a mergingSet. A set stored as a map (by checkpoints of earlier
// versions) is read into a sorted slice.
func asMergingSet(v any) mergingSet {
	if b, ok := v.(*sessionBox); ok {
		return b.set
	}
	if m, ok := v.(map[Window]Window); ok {
		s := make(mergingSet, 0, len(m))
		for w, sw := range m {
			s = append(s, mergedWindow{Window: w, State: sw})
		}
		slices.SortFunc(s, func(a, b mergedWindow) int { return cmp.Compare(a.Window.Start, b.Window.Start) })
		return s
	}
	return v.(mergingSet)
}

// putMergingSet stores the current key's set. On the heap the set that mergingSet found is replaced in its
// box (nothing has added or removed a key's set since), and a new key's set gets a box.
func (o *windowOp) putMergingSet(set mergingSet) {
	if k := o.sessionKeys; k != nil {
		o.sessionKeys = nil
		if len(set) == 0 {
			k.Remove(o.sessionIdx)
			o.keepSpare(o.sessionBox)
		} else {
			o.sessionBox.store(set)
		}
		return
	}
	switch {
	case len(set) == 0:
		o.merging.del(o, Window{})
	case o.sessionsInline:
		o.merging.put(o, Window{}, o.newSessionBox(set))
	default:
		o.merging.put(o, Window{}, set)
	}
}

// maxSpareSessions bounds the windows that the arrays of spare session boxes hold together (1Mi, about
// 56 MiB), and maxSpareBoxes their number. Spares live from the watermark whose timers emptied them to the
// next one (dropSpares), so they hold at most what the sets held just before.
const (
	maxSpareSessions = 1 << 20
	maxSpareBoxes    = 1 << 16
)

// dropSpares lets the GC have the spare boxes that no new key took since the last watermark.
func (o *windowOp) dropSpares() {
	clear(o.spareBoxes)
	o.spareBoxes, o.spareSessions = o.spareBoxes[:0], 0
}

// keepSpare keeps the box of a key whose set has emptied (its key removed from the merging table), so that
// the next new key's set starts with the array its last one grew to: a key's sessions all fire at a
// watermark, and its set would otherwise grow from nothing again. Its array holds only cleared entries
// beyond the set (replacing and compact clear what they drop). Boxes beyond the bounds are left to the GC.
func (o *windowOp) keepSpare(b *sessionBox) {
	n := cap(b.base)
	if len(o.spareBoxes) >= maxSpareBoxes || o.spareSessions+n > maxSpareSessions {
		return
	}
	b.set = b.base[:0]
	o.spareBoxes = append(o.spareBoxes, b)
	o.spareSessions += n
}

// spareSet returns the empty set of the spare box newSessionBox gives next (nil if there is none): a new
// key's first sessions are appended into its array. On other backends than the heap, nil.
func (o *windowOp) spareSet() mergingSet {
	if n := len(o.spareBoxes); n > 0 && o.sessionsInline {
		return o.spareBoxes[n-1].set
	}
	return nil
}

// newSessionBox returns a box holding the new key's set: the spare box whose array spareSet gave, if any.
func (o *windowOp) newSessionBox(set mergingSet) *sessionBox {
	n := len(o.spareBoxes)
	if n == 0 {
		return &sessionBox{set: set, base: set, counted: o.sessionCount}
	}
	b := o.spareBoxes[n-1]
	o.spareBoxes[n-1] = nil
	o.spareBoxes = o.spareBoxes[:n-1]
	o.spareSessions -= cap(b.base)
	b.store(set)
	return b
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
		o.sessions, o.sessionHint = set, i
		o.addToWindow(actual, set[i].State, r, fresh && o.uniqueTimers)
	}
	o.sessions = nil
	if changed {
		o.putMergingSet(set)
	}
	o.sessionKeys = nil
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
		return set.replacing(lo, lo, mergedWindow{Window: nw, State: nw}), lo, true, true
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
	// The contents are merged into set[lo]'s while the merged windows are still entries of the set (on the
	// heap they hold their contents), then the cover replaces them.
	o.sessions = set
	o.onMerge(cover, o.merged, stateWindow, mergedState)
	m := set[lo]
	m.Window = cover
	return set.replacing(lo, hi, m), lo, true, false
}
