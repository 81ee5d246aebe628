package engine

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// WindowStagger decides how the processing-time windows of the parallel instances of a window operator are
// shifted against each other, so that they do not all fire at the same instant (Flink's WindowStagger). Each
// instance picks its stagger offset when it assigns its first record.
type WindowStagger uint8

// The staggering strategies, Flink's WindowStagger.ALIGNED, RANDOM and NATURAL.
const (
	// WindowStaggerAligned does not stagger: every instance's windows start together. The default.
	WindowStaggerAligned WindowStagger = iota
	// WindowStaggerRandom shifts each instance by an offset drawn uniformly from [0, size). On a VirtualClock
	// the draw is seeded by the operator's name and subtask index, so a test or replay gets the same offsets on
	// every run; on the real clock it is random.
	WindowStaggerRandom
	// WindowStaggerNatural shifts each instance by how far into an aligned window its first record arrived,
	// so its windows start when its first record did.
	WindowStaggerNatural
)

// String returns Flink's name of the strategy.
func (s WindowStagger) String() string {
	switch s {
	case WindowStaggerAligned:
		return "ALIGNED"
	case WindowStaggerRandom:
		return "RANDOM"
	case WindowStaggerNatural:
		return "NATURAL"
	}
	return fmt.Sprintf("WindowStagger(%d)", uint8(s))
}

// TumblingProcessingTimeWindowsWithStagger is TumblingProcessingTimeWindows(size, offset) with each parallel
// instance's windows shifted by stagger (Flink's TumblingProcessingTimeWindows.of(size, offset,
// windowStagger)). The size must be at least 1ms and abs(offset) < size.
func TumblingProcessingTimeWindowsWithStagger(size, offset time.Duration, stagger WindowStagger) WindowAssigner {
	return newStaggered("TumblingProcessingTimeWindowsWithStagger", size, offset, stagger, false)
}

// TumblingEventTimeWindowsWithStagger is TumblingEventTimeWindows(size, offset) with each parallel instance's
// windows shifted by stagger, picked from the processing time of its first record (Flink's
// TumblingEventTimeWindows.of(size, offset, windowStagger)). The size must be at least 1ms and
// abs(offset) < size.
func TumblingEventTimeWindowsWithStagger(size, offset time.Duration, stagger WindowStagger) WindowAssigner {
	return newStaggered("TumblingEventTimeWindowsWithStagger", size, offset, stagger, true)
}

func newStaggered(builder string, size, offset time.Duration, stagger WindowStagger, eventTime bool) staggered {
	if stagger > WindowStaggerNatural {
		panic(fmt.Sprintf("engine: %s: unknown stagger %v", builder, stagger))
	}
	return staggered{newTumbling(builder, size, []time.Duration{offset}, eventTime), stagger}
}

// staggered is the shared description of a staggered assigner; each window operator instance gets its own
// staggeredInstance, which holds the offset it picked.
type staggered struct {
	tumbling
	stagger WindowStagger
}

func (s staggered) AssignWindows(v any, ts, now int64, buf []Window) []Window {
	panic("engine: a staggered window assigner is used through its operator instance") // see forInstance
}
func (s staggered) String() string {
	return fmt.Sprintf("Tumbling%sWindows(%v, %v)", domainName(s.eventTime), time.Duration(s.size)*time.Millisecond,
		s.stagger)
}

// forInstance returns the assigner of one parallel instance, seeded as WindowStaggerRandom documents.
func (s staggered) forInstance(o *windowOp) WindowAssigner {
	in := &staggeredInstance{staggered: s, clock: o.processingTime}
	if s.stagger == WindowStaggerRandom {
		if _, virtual := o.task.clock.(*VirtualClock); virtual {
			h := fnv.New64a()
			fmt.Fprintf(h, "%s/%d", o.name, o.task.index)
			in.rnd = rand.New(rand.NewPCG(h.Sum64(), 0))
		} else {
			in.rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
		}
	}
	return in
}

// perInstanceAssigner is an assigner with state of its own in each parallel instance of its operator.
type perInstanceAssigner interface {
	forInstance(o *windowOp) WindowAssigner
}

type staggeredInstance struct {
	staggered
	offset int64 // the stagger offset, picked at the first record
	picked bool
	rnd    *rand.Rand
	clock  func() int64 // the instance's processing time
}

func (s *staggeredInstance) AssignWindows(_ any, ts, now int64, buf []Window) []Window {
	if !s.eventTime {
		ts = now
	} else if ts == NoTimestamp {
		panic(errNoTimestamp)
	}
	if !s.picked {
		s.offset, s.picked = s.staggerOffset(s.clock()), true
	}
	return append(buf, tumblingWindow(ts, (s.tumbling.offset+s.offset)%s.size, s.size))
}

// staggerOffset is Flink's WindowStagger.getStaggerOffset.
func (s *staggeredInstance) staggerOffset(now int64) int64 {
	switch s.stagger {
	case WindowStaggerRandom:
		return int64(s.rnd.Float64() * float64(s.size))
	case WindowStaggerNatural:
		return max(0, now-WindowStart(now, 0, s.size))
	}
	return 0
}
