package cep

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
)

// Stats is a snapshot of a CEP operator as its subtasks last saw it, for a live view to poll.
type Stats struct {
	// Matches and Timeouts count the matches emitted and the timed-out partial matches handed to
	// ProcessTimedOutMatch (uncounted without one), over all keys and
	// subtasks, since the job (attempt) started; LateEvents counts events that came behind the watermark.
	Matches, Timeouts, LateEvents int64
	// Dropped counts the partial matches dropped to keep keys within their KeyLimit (with DropOldest).
	Dropped int64
	// Stages names the stages a partial match can wait in, in the order the pattern reaches them (the keys
	// of KeyStats.PartialMatches), for a view to draw them in order.
	Stages []string
	// Keys are the keys holding partial matches, the busiest (most partial matches) first, then by key.
	Keys []KeyStats
}

// KeyStats is one key's NFA as last stored.
type KeyStats struct {
	Key any
	// PartialMatches counts the partial matches waiting in each stage's states (by stage name).
	PartialMatches map[string]int
	// BufferedEvents and BufferEntries are the sizes of the key's shared buffer: the events held for
	// partial matches, and the nodes (an event taken by a stage) linking them.
	BufferedEvents, BufferEntries int
	// Matches and Timeouts count this key's matches and timed-out partial matches, Dropped the partial
	// matches dropped to keep it within its KeyLimit.
	Matches, Timeouts, Dropped int64
}

// String writes the snapshot in a few lines.
func (s Stats) String() string {
	out := fmt.Sprintf("matches %d, timeouts %d, late events %d, dropped partial matches %d, keys with partial matches %d",
		s.Matches, s.Timeouts, s.LateEvents, s.Dropped, len(s.Keys))
	for _, k := range s.Keys {
		out += fmt.Sprintf("\n  key %v: partial matches %v, buffer %d events / %d entries, matches %d, timeouts %d, dropped %d",
			k.Key, k.PartialMatches, k.BufferedEvents, k.BufferEntries, k.Matches, k.Timeouts, k.Dropped)
	}
	return out
}

// statsRegistry gathers the operator's figures; every subtask writes to it under its lock.
type statsRegistry struct {
	mu                      sync.Mutex
	matches, timeouts, late int64
	dropped                 int64
	keys                    map[any]*KeyStats
	keyMatches, keyTimeouts map[any]int64
	keyDropped              map[any]int64
	stages                  []string // set once, when the registry is made
}

func newStatsRegistry(n *compiledNFA) *statsRegistry {
	return &statsRegistry{keys: map[any]*KeyStats{}, keyMatches: map[any]int64{}, keyTimeouts: map[any]int64{},
		keyDropped: map[any]int64{}, stages: n.waitingStages()}
}

// waitingStages lists the names of the stages whose states a partial match can wait in (neither the start
// nor the final state), in the order a breadth-first walk from the start state reaches them.
func (n *compiledNFA) waitingStages() []string {
	order := []*state{n.start}
	seen := map[*state]bool{n.start: true}
	var names []string
	named := map[string]bool{}
	for i := 0; i < len(order); i++ {
		s := order[i]
		if !s.start && s.typ != finalState && !named[s.name] {
			named[s.name] = true
			names = append(names, s.name)
		}
		for _, t := range s.edges {
			if !seen[t.target] {
				seen[t.target] = true
				order = append(order, t.target)
			}
		}
	}
	return names
}

func (r *statsRegistry) count(key any, matches, timeouts int) {
	if matches == 0 && timeouts == 0 {
		return
	}
	r.mu.Lock()
	r.matches += int64(matches)
	r.timeouts += int64(timeouts)
	r.keyMatches[key] += int64(matches)
	r.keyTimeouts[key] += int64(timeouts)
	r.mu.Unlock()
}

// drop counts n partial matches of key dropped by its KeyLimit.
func (r *statsRegistry) drop(key any, n int) {
	r.mu.Lock()
	r.dropped += int64(n)
	r.keyDropped[key] += int64(n)
	r.mu.Unlock()
}

func (r *statsRegistry) lateEvent() {
	r.mu.Lock()
	r.late++
	r.mu.Unlock()
}

// record keeps key's NFA state as just stored; a key without partial matches is dropped. It reuses the
// key's map, so that recording allocates only for a new key.
func (r *statsRegistry) record(key any, n *nfaRun, st *nfaState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ks := r.keys[key]
	if ks != nil {
		clear(ks.PartialMatches)
	}
	for i := range st.Partial {
		s := n.state(&st.Partial[i])
		if s.start {
			continue
		}
		if ks == nil {
			ks = &KeyStats{Key: key, PartialMatches: map[string]int{}}
			r.keys[key] = ks
		}
		ks.PartialMatches[s.name]++
	}
	if ks == nil {
		return
	}
	if len(ks.PartialMatches) == 0 {
		delete(r.keys, key)
		return
	}
	ks.BufferedEvents, ks.BufferEntries = len(n.buf.events), len(n.buf.nodes)
}

// snapshot copies the figures, with the top busiest keys (all if top <= 0); keys with as many partial
// matches are ordered by key (ints and strings by value, others by their fmt.Sprint). For a live view's few
// keys it ranks every key in one pass, keeping only the top, so that a poll over many keys stays cheap while
// it holds the lock the subtasks record under.
func (r *statsRegistry) snapshot(top int) Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Stats{Matches: r.matches, Timeouts: r.timeouts, LateEvents: r.late, Dropped: r.dropped, Stages: slices.Clone(r.stages)}
	type ranked struct {
		ks      *KeyStats
		total   int
		name    string // fmt.Sprint(ks.Key), made when first needed
		hasName bool
	}
	keyName := func(c *ranked) string {
		if !c.hasName {
			c.name, c.hasName = fmt.Sprint(c.ks.Key), true
		}
		return c.name
	}
	before := func(a, b *ranked) bool { // a ranks before b: busier, then by key
		if a.total != b.total {
			return a.total > b.total
		}
		switch x := a.ks.Key.(type) { // common key types compare without formatting
		case int:
			if y, ok := b.ks.Key.(int); ok {
				return x < y
			}
		case int64:
			if y, ok := b.ks.Key.(int64); ok {
				return x < y
			}
		case string:
			if y, ok := b.ks.Key.(string); ok {
				return x < y
			}
		}
		return keyName(a) < keyName(b)
	}
	var keep []ranked
	for _, ks := range r.keys {
		c := ranked{ks: ks}
		for _, v := range ks.PartialMatches {
			c.total += v
		}
		if top <= 0 {
			keep = append(keep, c)
			continue
		}
		if len(keep) == top && !before(&c, &keep[top-1]) {
			continue
		}
		i := sort.Search(len(keep), func(i int) bool { return before(&c, &keep[i]) })
		keep = slices.Insert(keep, i, c)
		if len(keep) > top {
			keep = keep[:top]
		}
	}
	if top <= 0 {
		sort.Slice(keep, func(i, j int) bool { return before(&keep[i], &keep[j]) })
	}
	for _, c := range keep {
		k := *c.ks
		k.PartialMatches = maps.Clone(c.ks.PartialMatches)
		k.Matches, k.Timeouts, k.Dropped = r.keyMatches[k.Key], r.keyTimeouts[k.Key], r.keyDropped[k.Key]
		s.Keys = append(s.Keys, k)
	}
	return s
}

// Stats returns a snapshot of the running (or finished) CEP operator: match and timeout counts and, for at
// most top keys (all if top <= 0), the busiest first, the partial matches per stage and the size of the
// shared buffer. Every PatternStream derived from one CEP.Pattern call shares the figures.
func (s *PatternStream) Stats(top int) Stats { return s.stats.snapshot(top) }

// StatsGauge is the name of the gauge (engine.DataStream.Gauge) through which the stream a PatternStream's
// Process, Select, FlatSelect or SelectWithTimeout returns publishes its Stats, for the workbench's live
// view: Job.Snapshot shows them in the operator's OperatorSnapshot.Gauges as a Stats of the LiveKeys
// busiest keys.
const StatsGauge = "cep"

// LiveKeys is how many keys (the busiest) the StatsGauge reports.
const LiveKeys = 5
