package engine

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/de4e/weir/engine/internal/state"
)

// DataSet operations on bounded streams. Flink deprecated its DataSet API and maps each DataSet operation to
// the DataStream API in "How to Migrate from DataSet to DataStream": the grouped ones (reduceGroup,
// aggregate, first-n, coGroup, outer joins) become keyed windows over EndOfStreamWindows, a window that fires
// once, when the input ends. Weir runs them as keyed operators that keep each key's data in keyed state (so
// checkpoints taken while the input is still being read keep it, on the heap or in Pebble) and emit in
// endInput, once every input has ended. The non-keyed ones (SortPartition, PartitionByRange,
// FlatMapWithBroadcastSet, the broadcast-hash join) keep what they buffer in operator state. On an unbounded
// input these operators never emit. Their results carry no timestamp, and keys are emitted in ascending key
// order within each subtask (see compareValues), so a parallelism-1 job is deterministic. Files:
// dataset.go (grouped operations, Distinct), dataset_partition.go, dataset_range.go, dataset_cross.go,
// dataset_join.go (joins and coGroup), dataset_broadcast.go (broadcast sets).

// GroupReduceFunc receives all records of one key at once, in arrival order, Flink's GroupReduceFunction.
type GroupReduceFunc func(key any, values []any, out Collector)

// Order is a sort order, Flink's Order.
type Order uint8

const (
	// Ascending sorts smallest first.
	Ascending Order = iota
	// Descending sorts largest first.
	Descending
)

func (o Order) String() string {
	if o == Descending {
		return "DESCENDING"
	}
	return "ASCENDING"
}

// AggregationKind names a field aggregation of Aggregate, Flink's Aggregations (plus minBy and maxBy).
type AggregationKind uint8

const (
	// AggSum sums the field.
	AggSum AggregationKind = iota
	// AggMin keeps the smallest value of the field.
	AggMin
	// AggMax keeps the largest value of the field.
	AggMax
	// AggMinBy keeps the whole record with the smallest field (the first one on ties).
	AggMinBy
	// AggMaxBy keeps the whole record with the largest field (the first one on ties).
	AggMaxBy
)

func (k AggregationKind) String() string {
	return [...]string{"sum", "min", "max", "minBy", "maxBy"}[k]
}

// FieldAggregation is one aggregation of Aggregate: Kind applied to Field ("" aggregates the records
// themselves, which must then be numbers).
type FieldAggregation struct {
	Kind  AggregationKind
	Field string
}

// endOfInputOp is a keyed operator that, when the input ends, hands every key's data to emit, keys in
// ascending order. With a fold it keeps one accumulator a key (Aggregate, FirstN); without one (nil) it keeps
// every record in a keyedLog and emit receives them as a []any in arrival order (ReduceGroup, the bounded
// CoGroup, Cross). It is the DataStream counterpart of a keyed window over Flink's EndOfStreamWindows (in
// Weir: Window(GlobalWindows()).Trigger(EndOfStreamTrigger())), without a window's per-record bookkeeping.
// In Batch mode it keeps no state: its input comes sorted by key and it emits each key as it ends
// (batch_group.go).
type endOfInputOp struct {
	opBase
	table string
	fold  func(acc any, has bool, v any) any
	emit  func(key, acc any, out Collector)
	t     stateTable
	log   keyedLog
	col   timestampedCollector
	group *batchGroup // Batch mode only (batch_group.go)
}

func newEndOfInputOp(table string, fold func(acc any, has bool, v any) any, emit func(key, acc any, out Collector)) func() operator {
	return func() operator { return &endOfInputOp{table: table, fold: fold, emit: emit} }
}

func (o *endOfInputOp) open() error {
	o.col = timestampedCollector{op: &o.opBase, ts: NoTimestamp, noTs: true}
	if batchMode(&o.opBase) {
		o.group = &batchGroup{}
		return nil
	}
	if o.fold == nil {
		o.log = newKeyedLog(o.backend, o.table)
	} else {
		o.t = stateTable{t: o.backend.Table(o.table)}
	}
	return nil
}

func (o *endOfInputOp) processElement(_ int, r record) {
	if o.group != nil {
		o.addBatch(r)
		return
	}
	o.setKey(&r)
	if o.fold == nil {
		o.log.add(&o.opBase, r.v)
		return
	}
	acc, has := o.t.get(&o.opBase)
	o.t.put(&o.opBase, o.fold(acc, has, r.v))
}

func (o *endOfInputOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

// endInput emits every key's result, in ascending key order, and clears the key's state.
func (o *endOfInputOp) endInput() {
	if o.group != nil {
		o.emitGroup()
		return
	}
	if o.fold == nil {
		for _, g := range o.log.drain() {
			o.key, o.kg, o.hasKey = g.key, g.kg, true
			o.emit(g.key, g.values, &o.col)
		}
		o.hasKey = false
		return
	}
	type entry struct {
		kg       int
		key, acc any
	}
	var all []entry
	o.t.t.ForEach(func(kg int, key any, _ state.Namespace, v any) bool {
		all = append(all, entry{kg, key, v})
		return true
	})
	sort.SliceStable(all, func(i, j int) bool { return compareValues(all[i].key, all[j].key) < 0 })
	for _, e := range all {
		o.key, o.kg, o.hasKey = e.key, e.kg, true
		o.emit(e.key, e.acc, &o.col)
		o.t.del(&o.opBase)
	}
	o.hasKey = false
}

// keyedLog keeps every record of each key in keyed state: one entry a record, whose namespace holds its
// sequence number within the key, and a counter a key. Adding a record costs one read and two writes on
// every backend, where a list value would be decoded and encoded whole for each record on Pebble.
type keyedLog struct{ recs, count state.Table }

func newKeyedLog(b state.Backend, name string) keyedLog {
	return keyedLog{recs: b.Table(name), count: b.Table(name + ".count")}
}

// add appends v to the current key's records.
func (l keyedLog) add(b *opBase, v any) {
	n, _ := l.count.Get(b.kg, b.key, state.Namespace{})
	seq, _ := n.(int64)
	l.recs.Put(b.kg, b.key, state.Namespace{Start: seq}, v)
	l.count.Put(b.kg, b.key, state.Namespace{}, seq+1)
}

// keyGroup is one key's records, in arrival order.
type keyGroup struct {
	kg     int
	key    any
	values []any
}

// drain returns every key's records, keys in ascending order (see compareValues), and clears the log.
func (l keyedLog) drain() []keyGroup {
	type entry struct {
		seq int64
		v   any
	}
	type group struct {
		kg      int
		key     any
		entries []entry
	}
	var groups []*group
	byKey := map[any]*group{}
	l.recs.ForEach(func(kg int, key any, ns state.Namespace, v any) bool {
		g := byKey[key]
		if g == nil {
			g = &group{kg: kg, key: key}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.entries = append(g.entries, entry{ns.Start, v})
		return true
	})
	sort.SliceStable(groups, func(i, j int) bool { return compareValues(groups[i].key, groups[j].key) < 0 })
	out := make([]keyGroup, len(groups))
	for i, g := range groups {
		sort.Slice(g.entries, func(a, b int) bool { return g.entries[a].seq < g.entries[b].seq })
		vs := make([]any, len(g.entries))
		for j, e := range g.entries {
			vs[j] = e.v
			l.recs.Delete(g.kg, g.key, state.Namespace{Start: e.seq})
		}
		l.count.Delete(g.kg, g.key, state.Namespace{})
		out[i] = keyGroup{g.kg, g.key, vs}
	}
	return out
}

// ReduceGroup hands all records of each key to f at once when the input ends, Flink's
// GroupedDataSet.reduceGroup (in the migration guide: keyBy, window(EndOfStreamWindows), apply). The records
// of a key are kept in keyed state until then; in Batch mode, where the input comes sorted by key, only the
// current key's records are kept, and f runs for a key when the next key begins.
func (k *KeyedStream) ReduceGroup(f GroupReduceFunc) *DataStream {
	if f == nil {
		panic("engine: KeyedStream.ReduceGroup needs a GroupReduceFunc, got nil")
	}
	return k.add("ReduceGroup", newEndOfInputOp("reduceGroup", nil, func(key, acc any, out Collector) {
		f(key, acc.([]any), out)
	}), true)
}

// Aggregate emits, once per key when the input ends, the key's first record with each aggregated field
// replaced by its aggregate, Flink's GroupedDataSet.aggregate(Aggregations.SUM, field).and(...). AggMinBy
// and AggMaxBy instead emit the whole record holding the extreme value (the first one on ties), Flink's
// minBy and maxBy; they are used alone. At least one aggregation is needed.
func (k *KeyedStream) Aggregate(aggs ...FieldAggregation) *DataStream {
	if len(aggs) == 0 {
		panic("engine: KeyedStream.Aggregate needs at least one FieldAggregation")
	}
	names := make([]string, len(aggs))
	fns := make([]ReduceFunc, len(aggs))
	for i, a := range aggs {
		if a.Kind > AggMaxBy {
			panic(fmt.Sprintf("engine: KeyedStream.Aggregate: unknown aggregation kind %d", a.Kind))
		}
		if (a.Kind == AggMinBy || a.Kind == AggMaxBy) && len(aggs) > 1 {
			panic(fmt.Sprintf("engine: KeyedStream.Aggregate: %s(%s) keeps a whole record and cannot be combined with other aggregations", a.Kind, a.Field))
		}
		names[i] = fmt.Sprintf("%s(%s)", a.Kind, a.Field)
		fns[i] = rollingField(a.Kind.String(), a.Field)
	}
	fold := func(acc any, has bool, v any) any {
		if !has {
			return v
		}
		next := acc
		for _, f := range fns {
			next = f(next, v)
		}
		return next
	}
	return k.add("Aggregate "+strings.Join(names, ","), newEndOfInputOp("aggregate", fold, func(_, acc any, out Collector) {
		out.Collect(acc)
	}), true)
}

// FirstN emits, when the input ends, the first n records of each key in arrival order, Flink's
// GroupedDataSet.first(n). Only n records a key are kept in state. n must be positive.
func (k *KeyedStream) FirstN(n int) *DataStream {
	if n <= 0 {
		panic(fmt.Sprintf("engine: KeyedStream.FirstN: n must be positive, got %d", n))
	}
	fold := func(acc any, _ bool, v any) any {
		list, _ := acc.([]any)
		if len(list) >= n {
			return list
		}
		return append(list, v)
	}
	return k.add(fmt.Sprintf("First(%d)", n), newEndOfInputOp("first", fold, emitAll), true)
}

// FirstNSorted emits, when the input ends, the first n records of each key sorted by field in order,
// Flink's GroupedDataSet.sortGroup(field, order).first(n); records with equal fields keep their arrival
// order. Only n records a key are kept in state. n must be positive.
func (k *KeyedStream) FirstNSorted(n int, field string, order Order) *DataStream {
	if n <= 0 {
		panic(fmt.Sprintf("engine: KeyedStream.FirstNSorted: n must be positive, got %d", n))
	}
	checkOrder("KeyedStream.FirstNSorted", order)
	before := orderedBy(func(v any) any { return Field(v, field) }, order)
	fold := func(acc any, _ bool, v any) any {
		list, _ := acc.([]any)
		i := sort.Search(len(list), func(i int) bool { return before(v, list[i]) }) // after every equal one
		if i >= n {
			return list
		}
		// A new slice: a heap checkpoint being written may still share the old one (state values are never
		// changed in place).
		next := make([]any, 0, min(len(list)+1, n))
		next = append(next, list[:i]...)
		next = append(next, v)
		next = append(next, list[i:min(len(list), n-1)]...)
		return next
	}
	return k.add(fmt.Sprintf("SortGroup(%s %s).First(%d)", field, order, n), newEndOfInputOp("firstSorted", fold, emitAll), true)
}

func emitAll(_, acc any, out Collector) {
	for _, v := range acc.([]any) {
		out.Collect(v)
	}
}

// Distinct removes duplicate records, Flink's DataSet.distinct() (in the migration guide: keyBy the record,
// reduce keeping the first). Records are compared whole, so they must be comparable Go values (no maps or
// slices; a record that is not is refused with a panic naming it). Each record is emitted when it is first
// seen; the keys seen so far are kept in keyed state.
func (s *DataStream) Distinct() *DataStream {
	return s.distinct("Distinct", func(v any) any {
		if v != nil && !reflect.TypeOf(v).Comparable() {
			panic(fmt.Sprintf("engine: Distinct: record %v (%T) is not comparable; use DistinctBy with a key selector", v, v))
		}
		return v
	})
}

// DistinctBy keeps the first record of each key that key selects, Flink's DataSet.distinct(KeySelector).
func (s *DataStream) DistinctBy(key KeySelector) *DataStream {
	if key == nil {
		panic("engine: DataStream.DistinctBy needs a key selector, got nil")
	}
	return s.distinct("DistinctBy", key)
}

func (s *DataStream) distinct(name string, key KeySelector) *DataStream {
	return s.KeyBy(key).add(name, func() operator { return &distinctOp{} }, true)
}

// distinctOp emits the first record of each key and drops the others.
type distinctOp struct {
	opBase
	seen stateTable
}

func (o *distinctOp) open() error {
	o.seen = stateTable{t: o.backend.Table("distinct")}
	return nil
}

func (o *distinctOp) processElement(_ int, r record) {
	o.setKey(&r)
	if _, ok := o.seen.get(&o.opBase); ok {
		return
	}
	o.seen.put(&o.opBase, true)
	o.emitLike(r.v, &r)
}

func (o *distinctOp) processWatermark(wm int64) { o.advanceWatermark(o, wm) }

func checkOrder(what string, o Order) {
	if o != Ascending && o != Descending {
		panic(fmt.Sprintf("engine: %s: unknown order %d", what, o))
	}
}

// orderedBy returns "a sorts strictly before b" by the value key selects, in order.
func orderedBy(key KeySelector, order Order) func(a, b any) bool {
	return func(a, b any) bool {
		c := compareValues(key(a), key(b))
		if order == Descending {
			return c > 0
		}
		return c < 0
	}
}

// CompareKeys orders two keys as the engine does when it sorts them (SortPartition, batch mode's sorted
// input, iteration results): it returns -1, 0 or +1 by compareValues' order. Libraries beside the engine use
// it to order their ids the same way.
func CompareKeys(a, b any) int { return compareValues(a, b) }

// compareValues orders two keys or fields: numbers by value (integers exactly, across integer kinds),
// strings and booleans (false first) naturally, nil first, and anything else, or values of different kinds,
// by their %v text.
func compareValues(a, b any) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		}
		return 1
	}
	ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
	switch ka, kb := numKind(ra), numKind(rb); {
	case ka == 'i' && kb == 'i':
		return cmp3(ra.Int(), rb.Int())
	case ka == 'u' && kb == 'u':
		return cmp3(ra.Uint(), rb.Uint())
	case ka != 0 && kb != 0:
		return cmp3(toFloat(ra), toFloat(rb))
	}
	if ra.Kind() == reflect.String && rb.Kind() == reflect.String {
		return strings.Compare(ra.String(), rb.String())
	}
	if ra.Kind() == reflect.Bool && rb.Kind() == reflect.Bool {
		return cmp3(b2i(ra.Bool()), b2i(rb.Bool()))
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func numKind(v reflect.Value) byte {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return 'i'
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return 'u'
	case reflect.Float32, reflect.Float64:
		return 'f'
	}
	return 0
}

func toFloat(v reflect.Value) float64 {
	switch numKind(v) {
	case 'i':
		return float64(v.Int())
	case 'u':
		return float64(v.Uint())
	}
	return v.Float()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func cmp3[T int | int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
