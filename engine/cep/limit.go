package cep

import (
	"errors"
	"fmt"
)

// Flink's CEP operator sets no bound on a key's state: a pattern that keeps partial matches open (no
// Within, FollowedByAny, a looping stage that never ends) grows its shared buffer until the state backend
// runs out of memory or disk. Weir bounds each key by default and fails loudly, or, if asked, drops the
// oldest partial matches and counts them.

// Default bounds of a key's CEP state (KeyLimit's zero value).
const (
	// DefaultMaxPartialMatches is how many partial matches a key may hold by default.
	DefaultMaxPartialMatches = 10_000
	// DefaultMaxBufferedEvents is how many events a key's shared buffer may hold by default.
	DefaultMaxBufferedEvents = 100_000
)

// ErrKeyLimit is wrapped by the error a CEP operator fails with when one key holds more partial matches
// or buffered events than its KeyLimit allows (and the limit does not say DropOldest).
var ErrKeyLimit = errors.New("key over its CEP state limit")

// KeyLimit bounds the state one key's NFA may hold: its partial matches and the events of its shared
// buffer. The zero value is the default: DefaultMaxPartialMatches and DefaultMaxBufferedEvents, and the
// job fails (with an error wrapping ErrKeyLimit, naming the key) when a key goes over either. Flink sets
// no bound.
type KeyLimit struct {
	// PartialMatches is the most partial matches a key may hold once an event is processed (the start
	// state, always there, not counted); 0 means DefaultMaxPartialMatches, a negative value no bound.
	PartialMatches int
	// BufferedEvents is the most events a key's shared buffer may hold once an event is processed; 0
	// means DefaultMaxBufferedEvents, a negative value no bound.
	BufferedEvents int
	// DropOldest, instead of failing the job, drops a key's partial matches that started earliest until it
	// is within both bounds again, counting them in Stats.Dropped and KeyStats.Dropped. A dropped partial
	// match is gone: it is not reported as a timeout and can no longer complete. Completed matches
	// waiting for an earlier partial match (under a skip strategy) are never dropped, so their events may
	// keep a key over BufferedEvents until they are emitted.
	DropOldest bool
}

// WithKeyLimit sets the bounds of each key's partial matches and shared buffer (see KeyLimit; without it,
// KeyLimit's defaults apply).
func (s *PatternStream) WithKeyLimit(l KeyLimit) *PatternStream {
	c := *s
	c.limit = l
	return &c
}

// keyBounds is a KeyLimit resolved: 0 means no bound.
type keyBounds struct {
	partialMatches, bufferedEvents int
	dropOldest                     bool
}

func (l KeyLimit) bounds() keyBounds {
	resolve := func(v, def int) int {
		switch {
		case v == 0:
			return def
		case v < 0:
			return 0
		}
		return v
	}
	return keyBounds{resolve(l.PartialMatches, DefaultMaxPartialMatches), resolve(l.BufferedEvents, DefaultMaxBufferedEvents), l.DropOldest}
}

// enforceLimit keeps st within the run's bounds after an event: it drops the partial matches that started
// earliest (st.Partial is sorted by first event, the start state last) and counts them in r.dropped, or,
// without DropOldest, returns an error wrapping ErrKeyLimit.
func (r *nfaRun) enforceLimit(st *nfaState) error {
	b := r.limit
	if b.partialMatches == 0 && b.bufferedEvents == 0 {
		return nil
	}
	partial := 0
	for i := range st.Partial {
		if !r.state(&st.Partial[i]).start {
			partial++
		}
	}
	over := func() bool {
		return (b.partialMatches > 0 && partial > b.partialMatches) || (b.bufferedEvents > 0 && len(r.buf.events) > b.bufferedEvents)
	}
	if !over() {
		return nil
	}
	if !b.dropOldest {
		return fmt.Errorf("%w: %d partial matches (limit %d), %d buffered events (limit %d); bound the pattern with Within, "+
			"raise the limit with PatternStream.WithKeyLimit, or set KeyLimit.DropOldest to drop the oldest partial matches",
			ErrKeyLimit, partial, b.partialMatches, len(r.buf.events), b.bufferedEvents)
	}
	kept := st.Partial[:0:0]
	for i := range st.Partial {
		c := &st.Partial[i]
		if over() && !r.state(c).start {
			if c.HasPrev {
				r.buf.releaseNode(c.Prev, c.Version)
			}
			partial--
			r.dropped++
			continue
		}
		kept = append(kept, *c)
	}
	st.Partial = kept
	return nil
}
