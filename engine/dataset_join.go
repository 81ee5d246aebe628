package engine

import "fmt"

// Joins and coGroups of two bounded inputs, Flink's DataSet join, leftOuterJoin, rightOuterJoin,
// fullOuterJoin and coGroup (in the migration guide: join or coGroup with window(EndOfStreamWindows)). As
// with the window join (join.go), each input is tagged with its side, the two are unioned and keyed by the
// key selector of each record's side, and one keyed operator keeps every tagged record of a key in keyed
// state; when both inputs have ended it joins each subtask's records with the strategy of the JoinHint.
// In Batch mode (Config.RuntimeMode) the join keeps no keyed state: it runs the JoinHint's strategy on
// managed memory as Flink's batch drivers do, spilling to disk beyond its budget (batch_join.go), and the
// coGroup gets its input sorted by key and hands each key to its function when the next key begins
// (batch_group.go).

// JoinType says which records of a bounded join are emitted without a partner, Flink's JoinType.
type JoinType uint8

const (
	// InnerJoin emits only pairs with equal keys.
	InnerJoin JoinType = iota
	// LeftOuterJoin also emits each record of the first input that has no partner, paired with nil.
	LeftOuterJoin
	// RightOuterJoin also emits each record of the second input that has no partner, with nil on the left.
	RightOuterJoin
	// FullOuterJoin emits the unpaired records of both inputs, with nil on the missing side.
	FullOuterJoin
)

func (t JoinType) String() string {
	return [...]string{"InnerJoin", "LeftOuterJoin", "RightOuterJoin", "FullOuterJoin"}[t]
}

// JoinHint chooses how a bounded join matches the records of a subtask once both inputs have ended,
// Flink's JoinHint. Both inputs are repartitioned by key but for the broadcast hints; every hint gives the
// same pairs, in a different order. The orders below are Streaming mode's. In Batch mode the sort-merge join
// sorts both inputs through a spilling external sorter and merges them (ascending keys); the repartition
// hash hints run a hybrid hash join that builds the named input into managed pages, spilling partitions
// that do not fit and joining them recursively at the end, and probes with the other input in its arrival
// order, the build side's unmatched records of an outer join coming last; the broadcast hints build the
// broadcast input into the same hash join in every subtask.
type JoinHint uint8

const (
	// JoinHintOptimizerChooses is the default: JoinHintRepartitionSortMerge.
	JoinHintOptimizerChooses JoinHint = iota
	// JoinHintRepartitionSortMerge sorts both sides by key and merges them: pairs come in ascending key order.
	JoinHintRepartitionSortMerge
	// JoinHintRepartitionHashFirst builds a hash table of the first input and probes it with each record of
	// the second: pairs come in the order of the probe records (by key, then arrival), and the first input's
	// unmatched records of an outer join come last.
	JoinHintRepartitionHashFirst
	// JoinHintRepartitionHashSecond builds a hash table of the second input and probes it with each record
	// of the first, likewise.
	JoinHintRepartitionHashSecond
	// JoinHintBroadcastHashFirst sends every record of the first input to every subtask, which builds a hash
	// table of it, and leaves the second input where it is (no repartitioning): each subtask probes the table
	// with its share of the second input, in arrival order. As in Flink, an outer join may broadcast only its
	// inner side (inner and right outer joins). Broadcast and probe records are operator state: such a
	// checkpoint restores only at the same parallelism (ErrBroadcastSetRescale).
	JoinHintBroadcastHashFirst
	// JoinHintBroadcastHashSecond broadcasts the second input and probes with the first (inner and left outer
	// joins).
	JoinHintBroadcastHashSecond
)

func (h JoinHint) String() string {
	return [...]string{"OPTIMIZER_CHOOSES", "REPARTITION_SORT_MERGE", "REPARTITION_HASH_FIRST", "REPARTITION_HASH_SECOND",
		"BROADCAST_HASH_FIRST", "BROADCAST_HASH_SECOND"}[h]
}

// boundedTwoInput is what BoundedJoin and BoundedCoGroup share: the inputs and their keys.
type boundedTwoInput struct {
	what          string
	first, second DataStream
	key1, key2    KeySelector
}

// keyed tags both inputs, unions them and keys the union by each side's key selector, refusing a missing key.
func (b *boundedTwoInput) keyed() *KeyedStream {
	if b.key1 == nil || b.key2 == nil {
		panic(fmt.Sprintf("engine: %s needs Where and EqualTo key selectors before Apply", b.what))
	}
	w := twoInputWindow{what: b.what, first: b.first, second: b.second, key1: b.key1, key2: b.key2}
	tag1 := b.first.Map(func(v any) any { return taggedUnion{V: v} }).Name(b.what + ": tag input 1")
	tag2 := b.second.Map(func(v any) any { return taggedUnion{V: v, Second: true} }).Name(b.what + ": tag input 2")
	sameParallelism(tag1, b.first)
	sameParallelism(tag2, b.second)
	return tag1.Union(tag2).KeyBy(w.unionKey())
}

// splitTagged splits a key's tagged records into the two sides, each in arrival order.
func splitTagged(tagged []any) (left, right []any) {
	for _, e := range tagged {
		if t := e.(taggedUnion); t.Second {
			right = append(right, t.V)
		} else {
			left = append(left, t.V)
		}
	}
	return left, right
}

// BoundedCoGroup is a coGroup of two bounded inputs, Flink's DataSet coGroup: when both inputs have ended,
// the CoGroupFunc receives all records of each key from both sides (one side may be empty, never both).
type BoundedCoGroup struct{ b boundedTwoInput }

// CoGroupBounded starts a coGroup of the bounded streams s and other.
func (s *DataStream) CoGroupBounded(other *DataStream) *BoundedCoGroup {
	if other == nil {
		panic("engine: DataStream.CoGroupBounded: other stream is nil")
	}
	return &BoundedCoGroup{boundedTwoInput{what: "CoGroupBounded", first: *s, second: *other}}
}

// Where sets the key selector of the first input.
func (c *BoundedCoGroup) Where(key KeySelector) *BoundedCoGroup {
	if key == nil {
		panic("engine: CoGroupBounded.Where needs a key selector, got nil")
	}
	c.b.key1 = key
	return c
}

// EqualTo sets the key selector of the second input.
func (c *BoundedCoGroup) EqualTo(key KeySelector) *BoundedCoGroup {
	if key == nil {
		panic("engine: CoGroupBounded.EqualTo needs a key selector, got nil")
	}
	c.b.key2 = key
	return c
}

// Apply runs f once per key when both inputs have ended, keys in ascending order within each subtask.
func (c *BoundedCoGroup) Apply(f CoGroupFunc) *DataStream {
	if f == nil {
		panic("engine: CoGroupBounded.Apply needs a CoGroupFunc, got nil")
	}
	return c.b.keyed().add("CoGroupBounded", newEndOfInputOp("coGroup", nil, func(_, acc any, out Collector) {
		left, right := splitTagged(acc.([]any))
		f(left, right, out)
	}), true)
}

// BoundedJoin is a join of two bounded inputs, Flink's DataSet join and outer joins: name the key of each
// side with Where and EqualTo, optionally a strategy with WithHint, and the join function with Apply. In an
// outer join the JoinFunc receives nil for the missing side.
type BoundedJoin struct {
	b    boundedTwoInput
	kind JoinType
	hint JoinHint
}

// JoinBounded starts a join of kind joinType of the bounded streams s and other.
func (s *DataStream) JoinBounded(other *DataStream, joinType JoinType) *BoundedJoin {
	if other == nil {
		panic("engine: DataStream.JoinBounded: other stream is nil")
	}
	if joinType > FullOuterJoin {
		panic(fmt.Sprintf("engine: DataStream.JoinBounded: unknown join type %d", joinType))
	}
	return &BoundedJoin{b: boundedTwoInput{what: "JoinBounded", first: *s, second: *other}, kind: joinType}
}

// Where sets the key selector of the first input.
func (j *BoundedJoin) Where(key KeySelector) *BoundedJoin {
	if key == nil {
		panic("engine: JoinBounded.Where needs a key selector, got nil")
	}
	j.b.key1 = key
	return j
}

// EqualTo sets the key selector of the second input.
func (j *BoundedJoin) EqualTo(key KeySelector) *BoundedJoin {
	if key == nil {
		panic("engine: JoinBounded.EqualTo needs a key selector, got nil")
	}
	j.b.key2 = key
	return j
}

// WithHint chooses the join strategy; the default is JoinHintOptimizerChooses.
func (j *BoundedJoin) WithHint(h JoinHint) *BoundedJoin {
	if h > JoinHintBroadcastHashSecond {
		panic(fmt.Sprintf("engine: JoinBounded.WithHint: unknown join hint %d", h))
	}
	// Flink: a broadcast side cannot be an outer side (OuterJoinOperatorBase refuses such hints).
	if (h == JoinHintBroadcastHashFirst && j.leftOuter()) || (h == JoinHintBroadcastHashSecond && j.rightOuter()) {
		panic(fmt.Sprintf("engine: JoinBounded.WithHint: %s cannot be used with a %s (the broadcast side would be an outer side)", h, j.kind))
	}
	j.hint = h
	return j
}

// Apply joins each pair with f and emits its result.
func (j *BoundedJoin) Apply(f JoinFunc) *DataStream {
	if f == nil {
		panic("engine: JoinBounded.Apply needs a JoinFunc, got nil")
	}
	return j.FlatApply(func(l, r any, out Collector) { out.Collect(f(l, r)) })
}

// FlatApply joins each pair with f, which emits zero or more records.
func (j *BoundedJoin) FlatApply(f FlatJoinFunc) *DataStream {
	if f == nil {
		panic("engine: JoinBounded.FlatApply needs a FlatJoinFunc, got nil")
	}
	kind, hint, key1, key2 := j.kind, j.hint, j.b.key1, j.b.key2
	if hint == JoinHintOptimizerChooses {
		hint = JoinHintRepartitionSortMerge
	}
	if hint == JoinHintBroadcastHashFirst || hint == JoinHintBroadcastHashSecond {
		return j.broadcastHash(f)
	}
	return j.b.keyed().add(fmt.Sprintf("JoinBounded(%s, %s)", kind, hint), func() operator {
		return &boundedJoinOp{kind: kind, hint: hint, key1: key1, key2: key2, f: f}
	}, true)
}

// boundedJoinOp keeps every tagged record of a key in keyed state (a keyedLog) and joins the subtask's
// records with its strategy when both inputs have ended. In Batch mode it runs a batchJoinStrategy on
// managed memory instead (batch_join.go).
type boundedJoinOp struct {
	opBase
	kind       JoinType
	hint       JoinHint
	key1, key2 KeySelector
	f          FlatJoinFunc
	log        keyedLog
	col        timestampedCollector
	batch      batchJoinStrategy // Batch mode only
}

func (o *boundedJoinOp) open() error {
	o.col = timestampedCollector{op: &o.opBase, ts: NoTimestamp, noTs: true}
	if batchMode(&o.opBase) {
		return o.openBatchJoin()
	}
	o.log = newKeyedLog(o.backend, "join")
	return nil
}

func (o *boundedJoinOp) processElement(_ int, r record) {
	if o.batch != nil {
		o.addBatch(r)
		return
	}
	o.setKey(&r)
	o.log.add(&o.opBase, r.v)
}

func (o *boundedJoinOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

// keyedValue is one record of one side with its key.
type keyedValue struct{ key, v any }

func (o *boundedJoinOp) endInput() {
	if o.batch != nil {
		o.endBatch()
		return
	}
	// Both sides sorted by key, each key's records in arrival order: the sort-merge join's input, and the
	// order in which the hash join builds and probes.
	var left, right []keyedValue
	for _, g := range o.log.drain() {
		l, r := splitTagged(g.values)
		for _, v := range l {
			left = append(left, keyedValue{g.key, v})
		}
		for _, v := range r {
			right = append(right, keyedValue{g.key, v})
		}
	}
	switch o.hint {
	case JoinHintRepartitionHashFirst:
		o.hashJoin(left, right, true)
	case JoinHintRepartitionHashSecond:
		o.hashJoin(right, left, false)
	default:
		o.sortMergeJoin(left, right)
	}
}

func (o *boundedJoinOp) leftOuter() bool  { return o.kind == LeftOuterJoin || o.kind == FullOuterJoin }
func (o *boundedJoinOp) rightOuter() bool { return o.kind == RightOuterJoin || o.kind == FullOuterJoin }

// sortMergeJoin merges the two sides, each sorted by key: for every key present on either side it pairs
// every left record with every right record, or emits the unpaired side with nil as the join type asks
// (Flink's SortMergeFullOuterJoinIterator).
func (o *boundedJoinOp) sortMergeJoin(left, right []keyedValue) {
	i, j := 0, 0
	for i < len(left) || j < len(right) {
		var c int
		switch {
		case i == len(left):
			c = 1
		case j == len(right):
			c = -1
		default:
			c = compareValues(left[i].key, right[j].key)
		}
		switch {
		case c < 0:
			if o.leftOuter() {
				o.f(left[i].v, nil, &o.col)
			}
			i++
		case c > 0:
			if o.rightOuter() {
				o.f(nil, right[j].v, &o.col)
			}
			j++
		default:
			i2, j2 := i, j
			for i2 < len(left) && compareValues(left[i2].key, left[i].key) == 0 {
				i2++
			}
			for j2 < len(right) && compareValues(right[j2].key, right[j].key) == 0 {
				j2++
			}
			for _, l := range left[i:i2] {
				for _, r := range right[j:j2] {
					o.f(l.v, r.v, &o.col)
				}
			}
			i, j = i2, j2
		}
	}
}

// hashJoin builds a hash table of the build side, probes it with each record of the probe side in order,
// and then emits the build records that found no partner if the join is outer on the build side (Flink's
// MutableHashTable probing, with the build side's unmatched records from its hash table after the probe
// input, as in its ReusingBuildFirstHashJoinIterator for outer joins). buildFirst says the build side is
// the first input.
func (o *boundedJoinOp) hashJoin(build, probe []keyedValue, buildFirst bool) {
	table := make(map[any][]int, len(build))
	for i, b := range build {
		table[b.key] = append(table[b.key], i)
	}
	matched := make([]bool, len(build))
	probeOuter, buildOuter := o.rightOuter(), o.leftOuter()
	if !buildFirst {
		probeOuter, buildOuter = buildOuter, probeOuter
	}
	pair := func(b, p any) {
		if buildFirst {
			o.f(b, p, &o.col)
		} else {
			o.f(p, b, &o.col)
		}
	}
	for _, p := range probe {
		hits := table[p.key]
		if len(hits) == 0 && probeOuter {
			pair(nil, p.v)
		}
		for _, i := range hits {
			matched[i] = true
			pair(build[i].v, p.v)
		}
	}
	if buildOuter {
		for i, b := range build {
			if !matched[i] {
				pair(b.v, nil)
			}
		}
	}
}

func (j *BoundedJoin) leftOuter() bool  { return j.kind == LeftOuterJoin || j.kind == FullOuterJoin }
func (j *BoundedJoin) rightOuter() bool { return j.kind == RightOuterJoin || j.kind == FullOuterJoin }

// broadcastHash builds the join as a broadcast set operator: the build side is the broadcast set, the probe
// side the main input, which keeps its partitioning. Each subtask builds its hash table of the whole build
// side once, at the first probe record, and then probes with each of its records in arrival order. In Batch
// mode the operator builds a hash join on managed memory instead (broadcastHashJoinOp).
func (j *BoundedJoin) broadcastHash(f FlatJoinFunc) *DataStream {
	if j.b.key1 == nil || j.b.key2 == nil {
		panic("engine: JoinBounded needs Where and EqualTo key selectors before Apply")
	}
	buildFirst := j.hint == JoinHintBroadcastHashFirst
	probe, build, probeKey, buildKey := j.b.second, j.b.first, j.b.key2, j.b.key1
	if !buildFirst {
		probe, build, probeKey, buildKey = j.b.first, j.b.second, j.b.key1, j.b.key2
	}
	probeOuter := (buildFirst && j.rightOuter()) || (!buildFirst && j.leftOuter())
	out := probe.add(fmt.Sprintf("JoinBounded(%s, %s)", j.kind, j.hint), func() operator {
		var table map[any][]any
		return &broadcastHashJoinOp{buildKey: buildKey, probeKey: probeKey, buildFirst: buildFirst, probeOuter: probeOuter, join: f,
			broadcastSetOp: broadcastSetOp{f: func(v any, set []any, out Collector) {
				if table == nil {
					table = make(map[any][]any, len(set))
					for _, b := range set {
						k := buildKey(b)
						table[k] = append(table[k], b)
					}
				}
				hits := table[probeKey(v)]
				if len(hits) == 0 && probeOuter {
					hits = []any{nil}
				}
				for _, b := range hits {
					if buildFirst {
						f(b, v, out)
					} else {
						f(v, b, out)
					}
				}
			}}}
	}, false)
	withBroadcastInput(out, &build)
	return out
}
