package engine

import (
	"fmt"
	"time"
)

// TimestampedValue is a window element with its timestamp, as evictors see it.
type TimestampedValue struct {
	Value     any
	Timestamp int64
}

// Evictor removes elements from a window before and/or after the window function runs. A window with an
// evictor keeps every element (no incremental aggregation), as in Flink.
type Evictor interface {
	// EvictBefore returns the elements kept before the window function runs.
	EvictBefore(elems []TimestampedValue, w Window) []TimestampedValue
	// EvictAfter returns the elements kept after it.
	EvictAfter(elems []TimestampedValue, w Window) []TimestampedValue
	String() string
}

type countEvictor struct {
	n     int
	after bool
}

// CountEvictor keeps the last n elements of a window, evicting before the window function (or after, if
// after is true; default false). n must not be negative.
func CountEvictor(n int, after ...bool) Evictor {
	if n < 0 {
		panic(fmt.Sprintf("engine: CountEvictor: count cannot be negative, got %d", n))
	}
	return countEvictor{n, len(after) > 0 && after[0]}
}

func (c countEvictor) evict(e []TimestampedValue) []TimestampedValue {
	if len(e) <= c.n {
		return e
	}
	return e[len(e)-c.n:]
}
func (c countEvictor) EvictBefore(e []TimestampedValue, _ Window) []TimestampedValue {
	if c.after {
		return e
	}
	return c.evict(e)
}
func (c countEvictor) EvictAfter(e []TimestampedValue, _ Window) []TimestampedValue {
	if !c.after {
		return e
	}
	return c.evict(e)
}
func (c countEvictor) String() string { return fmt.Sprintf("CountEvictor(%d)", c.n) }

type timeEvictor struct {
	keep  int64
	after bool
}

// TimeEvictor keeps the elements whose timestamp is within keep of the newest element of the window,
// evicting before the window function (or after, if after is true; default false). Elements without a
// timestamp (a window in processing time over records that carry none) are all kept, as in Flink. keep must
// not be negative.
func TimeEvictor(keep time.Duration, after ...bool) Evictor {
	if keep < 0 {
		panic(fmt.Sprintf("engine: TimeEvictor: window size cannot be negative, got %v", keep))
	}
	return timeEvictor{keep.Milliseconds(), len(after) > 0 && after[0]}
}

// hasTimestamp reports whether an element carries an event timestamp (Flink's
// TimestampedValue.hasTimestamp).
func hasTimestamp(e TimestampedValue) bool { return e.Timestamp != NoTimestamp }

func (t timeEvictor) evict(e []TimestampedValue) []TimestampedValue {
	// As Flink's TimeEvictor, look at the first element: without a timestamp there is nothing to measure the
	// others against, so nothing is evicted.
	if len(e) == 0 || !hasTimestamp(e[0]) {
		return e
	}
	newest := e[0].Timestamp
	for _, x := range e {
		newest = max(newest, x.Timestamp)
	}
	cut := newest - t.keep
	out := e[:0:0]
	for _, x := range e {
		if x.Timestamp > cut {
			out = append(out, x)
		}
	}
	return out
}
func (t timeEvictor) EvictBefore(e []TimestampedValue, _ Window) []TimestampedValue {
	if t.after {
		return e
	}
	return t.evict(e)
}
func (t timeEvictor) EvictAfter(e []TimestampedValue, _ Window) []TimestampedValue {
	if !t.after {
		return e
	}
	return t.evict(e)
}
func (t timeEvictor) String() string {
	return fmt.Sprintf("TimeEvictor(%v)", time.Duration(t.keep)*time.Millisecond)
}

type deltaEvictor struct {
	threshold float64
	delta     DeltaFunction
	after     bool
}

// DeltaEvictor evicts every element whose delta to the window's last element is threshold or more, before
// the window function (or after it, if doEvictAfter is true; default false): Flink's DeltaEvictor.
func DeltaEvictor(threshold float64, delta DeltaFunction, doEvictAfter ...bool) Evictor {
	if delta == nil {
		panic("engine: DeltaEvictor: delta function is nil")
	}
	return deltaEvictor{threshold, delta, len(doEvictAfter) > 0 && doEvictAfter[0]}
}

func (d deltaEvictor) evict(e []TimestampedValue) []TimestampedValue {
	if len(e) == 0 {
		return e
	}
	last := e[len(e)-1].Value
	out := e[:0:0]
	for _, x := range e {
		if d.delta(x.Value, last) < d.threshold {
			out = append(out, x)
		}
	}
	return out
}
func (d deltaEvictor) EvictBefore(e []TimestampedValue, _ Window) []TimestampedValue {
	if d.after {
		return e
	}
	return d.evict(e)
}
func (d deltaEvictor) EvictAfter(e []TimestampedValue, _ Window) []TimestampedValue {
	if !d.after {
		return e
	}
	return d.evict(e)
}
func (d deltaEvictor) String() string { return fmt.Sprintf("DeltaEvictor(%v)", d.threshold) }
