package cep

import "fmt"

// skipKind names an after-match skip strategy.
type skipKind int

const (
	noSkip skipKind = iota
	skipToNext
	skipPastLastEvent
	skipToFirst
	skipToLast
)

// AfterMatchSkipStrategy says which partial matches are dropped once a match is emitted: Flink's
// AfterMatchSkipStrategy. The zero value is NoSkip.
type AfterMatchSkipStrategy struct {
	kind        skipKind
	name        string
	throwOnMiss bool
}

// NoSkip keeps every partial match: every possible match is emitted.
func NoSkip() AfterMatchSkipStrategy { return AfterMatchSkipStrategy{kind: noSkip} }

// SkipToNext drops the partial matches that started with the same event as the emitted match.
func SkipToNext() AfterMatchSkipStrategy { return AfterMatchSkipStrategy{kind: skipToNext} }

// SkipPastLastEvent drops the partial matches that started at or before the emitted match's last event.
func SkipPastLastEvent() AfterMatchSkipStrategy {
	return AfterMatchSkipStrategy{kind: skipPastLastEvent}
}

// SkipToFirst drops the partial matches that started before the first event the emitted match took for
// stage name.
func SkipToFirst(name string) AfterMatchSkipStrategy {
	return AfterMatchSkipStrategy{kind: skipToFirst, name: name}
}

// SkipToLast drops the partial matches that started before the last event the emitted match took for
// stage name.
func SkipToLast(name string) AfterMatchSkipStrategy {
	return AfterMatchSkipStrategy{kind: skipToLast, name: name}
}

// ThrowExceptionOnMiss makes SkipToFirst and SkipToLast fail (the operator panics, failing the task) when a
// match has no event for the named stage, or when skipping would go to the match's own first event;
// by default such a match prunes nothing.
func (s AfterMatchSkipStrategy) ThrowExceptionOnMiss() AfterMatchSkipStrategy {
	s.throwOnMiss = true
	return s
}

// PatternName returns the stage named by SkipToFirst or SkipToLast, "" for the others.
func (s AfterMatchSkipStrategy) PatternName() string { return s.name }

// isSkip reports whether the strategy prunes anything (all but NoSkip).
func (s AfterMatchSkipStrategy) isSkip() bool { return s.kind != noSkip }

func (s AfterMatchSkipStrategy) String() string {
	switch s.kind {
	case skipToNext:
		return "SkipToNext"
	case skipPastLastEvent:
		return "SkipPastLastEvent"
	case skipToFirst:
		return fmt.Sprintf("SkipToFirst(%s)", s.name)
	case skipToLast:
		return fmt.Sprintf("SkipToLast(%s)", s.name)
	}
	return "NoSkip"
}

// pruningID returns the event from which (or before which) partial matches are pruned for match, and
// whether there is one.
func (s AfterMatchSkipStrategy) pruningID(match []namedIDs) (eventID, bool, error) {
	var id eventID
	found := false
	switch s.kind {
	case skipToNext, skipPastLastEvent:
		for _, st := range match {
			for _, e := range st.ids {
				if !found || (s.kind == skipToNext && e.less(id)) || (s.kind == skipPastLastEvent && id.less(e)) {
					id, found = e, true
				}
			}
		}
	case skipToFirst, skipToLast:
		var ids []eventID
		for _, st := range match {
			if st.name == s.name {
				ids = st.ids
			}
		}
		if len(ids) == 0 {
			if s.throwOnMiss {
				return id, false, fmt.Errorf("cep: could not skip to %s: no such element in the found match", s.name)
			}
			return id, false, nil
		}
		if s.kind == skipToFirst {
			id = ids[0]
		} else {
			id = ids[len(ids)-1]
		}
		found = true
		if s.throwOnMiss {
			first := match[0].ids[0]
			for _, st := range match {
				for _, e := range st.ids {
					if e.less(first) {
						first = e
					}
				}
			}
			if first == id {
				return id, false, fmt.Errorf("cep: could not skip to first element of a match")
			}
		}
	}
	return id, found, nil
}

// shouldPrune reports whether a partial match that started with start is dropped for pruning id.
func (s AfterMatchSkipStrategy) shouldPrune(start, id eventID) bool {
	switch s.kind {
	case skipToNext, skipPastLastEvent:
		return !id.less(start) // start <= id
	case skipToFirst, skipToLast:
		return start.less(id)
	}
	return false
}
