package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/de4e/weir/engine/internal/keygroup"
	"github.com/de4e/weir/engine/internal/state"
)

// ttlKind is one state kind under test, as Flink's TtlStateTestContextBase subclasses: how to write a test
// value (update), how to read the state back as a string (get), and the values of Flink's contexts.
type ttlKind struct {
	name string
	desc func(d StateDescriptor) StateDescriptor
	// update and get act on the operator's current key and namespace.
	update func(c *Context, d StateDescriptor, v any)
	get    func(c *Context, d StateDescriptor) string
	// Flink's initTestValues: what is written, and what get returns after it.
	updateEmpty, updateUnexpired, updateExpired    any
	getUpdateEmpty, getUnexpired, getUpdateExpired string
	empty                                          string
}

func mapEntries(c *Context, d StateDescriptor) string {
	var es []string
	c.MapState(d).Range(func(k, v any) bool { es = append(es, fmt.Sprintf("%v=%v", k, v)); return true })
	slices.Sort(es)
	return "{" + strings.Join(es, " ") + "}"
}

// ttlKinds ports Flink's TtlValueStateTestContext, TtlFixedLenElemListStateTestContext,
// TtlMapStatePerElementTestContext, TtlMapStateAllEntriesTestContext, TtlReducingStateTestContext and
// TtlAggregatingStateTestContext, with the same test values.
var ttlKinds = []ttlKind{
	{
		name:   "value",
		desc:   func(d StateDescriptor) StateDescriptor { return d },
		update: func(c *Context, d StateDescriptor, v any) { c.ValueState(d).Update(v) },
		get:    func(c *Context, d StateDescriptor) string { return fmt.Sprint(c.ValueState(d).Value()) },
		// TtlValueStateTestContext
		updateEmpty: "5", updateUnexpired: "10", updateExpired: "15",
		getUpdateEmpty: "5", getUnexpired: "10", getUpdateExpired: "15", empty: "<nil>",
	},
	{
		name: "list",
		desc: func(d StateDescriptor) StateDescriptor { return d },
		update: func(c *Context, d StateDescriptor, v any) { // Flink's context calls addAll
			for _, e := range v.([]any) {
				c.ListState(d).Add(e)
			}
		},
		get: func(c *Context, d StateDescriptor) string { return fmtValue(c.ListState(d).Get()) },
		// TtlFixedLenElemListStateTestContext
		updateEmpty: []any{5, 7, 10}, updateUnexpired: []any{8, 9, 11}, updateExpired: []any{1, 4},
		getUpdateEmpty: "[5 7 10]", getUnexpired: "[8 9 11]", getUpdateExpired: "[1 4]", empty: "[]",
	},
	{
		name:   "map-per-element",
		desc:   func(d StateDescriptor) StateDescriptor { return d },
		update: func(c *Context, d StateDescriptor, v any) { c.MapState(d).Put(1, v) },
		get: func(c *Context, d StateDescriptor) string {
			v, ok := c.MapState(d).Get(1)
			return fmt.Sprintf("%v %v", v, ok)
		},
		// TtlMapStatePerElementTestContext
		updateEmpty: "test value1", updateUnexpired: "test value2", updateExpired: "test value3",
		getUpdateEmpty: "test value1 true", getUnexpired: "test value2 true", getUpdateExpired: "test value3 true",
		empty: "<nil> false",
	},
	{
		name: "map-all-entries",
		desc: func(d StateDescriptor) StateDescriptor { return d },
		update: func(c *Context, d StateDescriptor, v any) { // Flink's context calls putAll
			for k, x := range v.(map[any]any) {
				c.MapState(d).Put(k, x)
			}
		},
		get: mapEntries,
		// TtlMapStateAllEntriesTestContext (null values included)
		updateEmpty:     map[any]any{3: "3", 5: "5", 23: nil, 10: "10"},
		updateUnexpired: map[any]any{12: "12", 24: nil, 7: "7"},
		updateExpired:   map[any]any{15: "15", 25: nil, 4: "4"},
		getUpdateEmpty:  "{10=10 23=<nil> 3=3 5=5}", getUnexpired: "{12=12 24=<nil> 7=7}",
		getUpdateExpired: "{15=15 25=<nil> 4=4}", empty: "{}",
	},
	{
		name: "reducing",
		desc: func(d StateDescriptor) StateDescriptor {
			d.Reduce = func(a, b any) any { return a.(int) + b.(int) }
			return d
		},
		update: func(c *Context, d StateDescriptor, v any) { c.ReducingState(d).Add(v) },
		get:    func(c *Context, d StateDescriptor) string { return fmt.Sprint(c.ReducingState(d).Get()) },
		// TtlReducingStateTestContext
		updateEmpty: 5, updateUnexpired: 7, updateExpired: 6,
		getUpdateEmpty: "5", getUnexpired: "12", getUpdateExpired: "6", empty: "<nil>",
	},
	{
		name: "aggregating",
		desc: func(d StateDescriptor) StateDescriptor {
			d.Aggregate = AggregateFunction{ // TtlAggregatingStateTestContext's AGGREGATE
				CreateAccumulator: func() any { return int64(3) },
				Add:               func(v, acc any) any { return acc.(int64) + int64(v.(int)) },
				GetResult:         func(acc any) any { return fmt.Sprint(acc) },
				Merge:             func(a, b any) any { return a.(int64) + b.(int64) },
			}
			return d
		},
		update:      func(c *Context, d StateDescriptor, v any) { c.AggregatingState(d).Add(v) },
		get:         func(c *Context, d StateDescriptor) string { return fmt.Sprint(c.AggregatingState(d).Get()) },
		updateEmpty: 5, updateUnexpired: 7, updateExpired: 6,
		getUpdateEmpty: "8", getUnexpired: "15", getUpdateExpired: "9", empty: "<nil>",
	},
}

// ttlRig is Flink's StateBackendTestContext with a MockTtlTimeProvider: a keyed operator on a heap backend
// whose current key and namespace the test sets, and a virtual clock as the TTL's processing time.
type ttlRig struct {
	t     *testing.T
	clock *VirtualClock
	b     *opBase
	d     StateDescriptor
	kind  ttlKind
}

const ttlMillis = 100 // TtlStateTestBase.TTL

func newTTLRig(t *testing.T, kind ttlKind, ttl time.Duration, upd TTLUpdate, vis TTLVisibility) *ttlRig {
	clock := NewVirtualClock(0)
	h := newHarness(t, clock, func(k *KeyedStream) *DataStream {
		return k.Process(ProcessFunction{ProcessElement: func(*Context, any, Collector) {}})
	})
	d := kind.desc(State("ttl-" + kind.name))
	d.TTL = TTLConfig{TTL: ttl, Update: upd, Visibility: vis}
	r := &ttlRig{t: t, clock: clock, b: h.h.head.base(), d: d, kind: kind}
	r.key("defaultKey")
	return r
}

func (r *ttlRig) key(k string) {
	r.b.key, r.b.kg, r.b.hasKey = k, keygroup.Of(k, r.b.task.job.cfg.MaxParallelism), true
}
func (r *ttlRig) namespace(n int64) { r.b.ns = Window{Start: n, End: n + 1} }
func (r *ttlRig) at(ms int64)       { r.clock.Set(ms) }
func (r *ttlRig) update(v any)      { r.kind.update(&r.b.ctx, r.d, v) }
func (r *ttlRig) get() string       { return r.kind.get(&r.b.ctx, r.d) }
func (r *ttlRig) expect(want, why string) {
	r.t.Helper()
	if got := r.get(); got != want {
		r.t.Fatalf("%s at %d: got %s, want %s", why, r.clock.NowMillis(), got, want)
	}
}

// originalCleared reports whether nothing is stored for the current key and namespace any more (Flink's
// isOriginalEmptyValue: expired state is removed from the backend, not only hidden).
func (r *ttlRig) originalCleared() bool {
	h := r.b.handles[r.d.Name]
	x, ok := h.table.Get(r.b.kg, r.b.key, state.Namespace(r.b.ns))
	if !ok {
		return true
	}
	if m, isMap := x.(map[any]any); isMap && r.kind.name == "map-per-element" {
		_, has := m[1]
		return !has
	}
	return false
}

func (r *ttlRig) expectCleared() {
	r.t.Helper()
	if !r.originalCleared() {
		r.t.Fatalf("at %d: expired state is still stored, want it cleared on access", r.clock.NowMillis())
	}
}

// TestTTLEveryKind runs Flink's TtlStateTestBase cases over every state kind: each case fixes an update type
// and a visibility, so together they cover every kind x update type x visibility on a virtual clock.
func TestTTLEveryKind(t *testing.T) {
	for _, kind := range ttlKinds {
		t.Run(kind.name, func(t *testing.T) {
			// Flink: TtlStateTestBase#testNonExistentValue
			t.Run("NonExistentValue", func(t *testing.T) {
				r := newTTLRig(t, kind, ttlMillis*time.Millisecond, UpdateOnCreateAndWrite, NeverReturnExpired)
				r.expect(kind.empty, "non-existent state should be empty")
			})
			// Flink: TtlStateTestBase#testExactExpirationOnWrite (OnCreateAndWrite, NeverReturnExpired)
			t.Run("ExactExpirationOnWrite", func(t *testing.T) {
				r := newTTLRig(t, kind, ttlMillis*time.Millisecond, UpdateOnCreateAndWrite, NeverReturnExpired)
				r.at(0)
				r.update(kind.updateEmpty)
				r.at(20)
				r.expect(kind.getUpdateEmpty, "unexpired state should be available")
				r.at(50)
				r.update(kind.updateUnexpired)
				r.at(120)
				r.expect(kind.getUnexpired, "unexpired state should be available after update")
				r.at(170)
				r.update(kind.updateExpired) // the reducing/aggregating value of 50 has expired: not folded in
				r.at(220)
				r.expect(kind.getUpdateExpired, "unexpired state should be available after update")
				r.at(300)
				r.expect(kind.empty, "expired state should be unavailable")
				r.expectCleared()
			})
			// Flink: TtlStateTestBase#testRelaxedExpirationOnWrite (OnCreateAndWrite, ReturnExpiredIfNotCleanedUp)
			t.Run("RelaxedExpirationOnWrite", func(t *testing.T) {
				r := newTTLRig(t, kind, ttlMillis*time.Millisecond, UpdateOnCreateAndWrite, ReturnExpiredIfNotCleanedUp)
				r.at(0)
				r.update(kind.updateEmpty)
				r.at(120)
				r.expect(kind.getUpdateEmpty, "expired state should be available")
				r.expectCleared()
				r.expect(kind.empty, "expired state should be cleared on access")
			})
			// Flink: TtlStateTestBase#testExactExpirationOnRead (OnReadAndWrite, NeverReturnExpired)
			t.Run("ExactExpirationOnRead", func(t *testing.T) {
				r := newTTLRig(t, kind, ttlMillis*time.Millisecond, UpdateOnReadAndWrite, NeverReturnExpired)
				r.at(0)
				r.update(kind.updateEmpty)
				r.at(50)
				r.expect(kind.getUpdateEmpty, "unexpired state should be available")
				r.at(120)
				r.expect(kind.getUpdateEmpty, "unexpired state should be available after read")
				r.at(250)
				r.expect(kind.empty, "expired state should be unavailable")
				r.expectCleared()
			})
			// Flink: TtlStateTestBase#testRelaxedExpirationOnRead (OnReadAndWrite, ReturnExpiredIfNotCleanedUp)
			t.Run("RelaxedExpirationOnRead", func(t *testing.T) {
				r := newTTLRig(t, kind, ttlMillis*time.Millisecond, UpdateOnReadAndWrite, ReturnExpiredIfNotCleanedUp)
				r.at(0)
				r.update(kind.updateEmpty)
				r.at(50)
				r.expect(kind.getUpdateEmpty, "unexpired state should be available")
				r.at(170)
				r.expect(kind.getUpdateEmpty, "expired state should be available")
				r.expect(kind.empty, "expired state should be cleared on access")
			})
			// Flink: TtlStateTestBase#testExpirationTimestampOverflow (TTL Long.MAX_VALUE)
			t.Run("ExpirationTimestampOverflow", func(t *testing.T) {
				r := newTTLRig(t, kind, time.Duration(math.MaxInt64), UpdateOnCreateAndWrite, NeverReturnExpired)
				r.get()                                   // creates the state
				r.b.handles[r.d.Name].ttl = math.MaxInt64 // a Duration caps at 292 years; Flink's TTL is Long.MAX_VALUE ms
				r.at(10)
				r.update(kind.updateEmpty)
				r.at(50)
				r.expect(kind.getUpdateEmpty, "unexpired state should be available")
			})
			// Flink: TtlStateTestBase#testMultipleKeys and #testMultipleNamespaces (testMultipleStateIds)
			for _, ids := range []string{"keys", "namespaces"} {
				t.Run("Multiple_"+ids, func(t *testing.T) {
					r := newTTLRig(t, kind, ttlMillis*time.Millisecond, UpdateOnCreateAndWrite, NeverReturnExpired)
					id := func(s string) {
						if ids == "keys" {
							r.key(s)
						} else {
							r.namespace(int64(s[2]))
						}
					}
					r.at(0)
					id("id2")
					r.update(kind.updateEmpty)
					r.at(50)
					id("id1")
					r.update(kind.updateEmpty)
					id("id2")
					r.update(kind.updateUnexpired)
					r.at(120)
					id("id1")
					r.expect(kind.getUpdateEmpty, "unexpired state should be available")
					id("id2")
					r.expect(kind.getUnexpired, "unexpired state should be available after update")
					r.at(170)
					id("id2")
					r.update(kind.updateExpired)
					r.at(230)
					id("id1")
					r.expect(kind.empty, "expired state should be unavailable")
					id("id2")
					r.expect(kind.getUpdateExpired, "unexpired state should be available after update")
					r.at(300)
					id("id1")
					r.expect(kind.empty, "expired state should be unavailable")
					id("id2")
					r.expect(kind.empty, "expired state should be unavailable")
				})
			}
		})
	}
}

// Flink: TtlStateTestBase#testValueSetNull: updating a ValueState to null clears it.
func TestTTLValueSetNull(t *testing.T) {
	r := newTTLRig(t, ttlKinds[0], ttlMillis*time.Millisecond, UpdateOnCreateAndWrite, ReturnExpiredIfNotCleanedUp)
	r.update("10")
	r.expect("10", "unexpired state should be available after update")
	r.update(nil)
	r.expect("<nil>", "state updated to nil should be empty")
	if _, ok := r.b.ctx.ValueState(r.d).Get(); ok {
		t.Fatal("Get reports a value after Update(nil)")
	}
}

// A ListState with a TTL reads as Flink's TtlListState.get: expired elements are hidden (NeverReturnExpired)
// or returned (ReturnExpiredIfNotCleanedUp) and the stored list is removed only once none of its elements is
// live (IteratorWithCleanup#cleanupIfEmpty); OnReadAndWrite renews the live elements and keeps only them
// (TtlListState#updateTs).
func TestTTLListReadsPerElement(t *testing.T) {
	cases := []struct {
		upd                TTLUpdate
		vis                TTLVisibility
		first, again, late string
	}{
		{UpdateOnCreateAndWrite, NeverReturnExpired, "[2]", "[2]", "[]"},
		// Partially expired, nothing is cleaned on read: the expired element stays readable until the
		// whole list has expired, which the read at 200 returns once and clears.
		{UpdateOnCreateAndWrite, ReturnExpiredIfNotCleanedUp, "[1 2]", "[1 2]", "[1 2]"},
		{UpdateOnReadAndWrite, NeverReturnExpired, "[2]", "[2]", "[2]"},
		// The first read still sees the expired element; updateTs then keeps only the live one.
		{UpdateOnReadAndWrite, ReturnExpiredIfNotCleanedUp, "[1 2]", "[2]", "[2]"},
	}
	for _, c := range cases {
		r := newTTLRig(t, ttlKinds[1], ttlMillis*time.Millisecond, c.upd, c.vis)
		r.at(0)
		r.update([]any{1})
		r.at(50)
		r.update([]any{2})
		r.at(120)
		r.expect(c.first, fmt.Sprintf("update %d visibility %d, first read", c.upd, c.vis))
		r.expect(c.again, fmt.Sprintf("update %d visibility %d, second read", c.upd, c.vis))
		r.at(200) // 2 was written at 50: alive until 150 unless a read at 120 renewed it
		r.expect(c.late, fmt.Sprintf("update %d visibility %d, at 200", c.upd, c.vis))
	}
}

// With OnReadAndWrite every read of a map entry renews that entry only: Get and Contains renew the entry
// they read, Range, Keys and Len every entry they visit (Flink: TtlMapState#get, #contains and its
// EntriesIterator, which go through getWrappedWithTtlCheckAndUpdate entry by entry).
func TestTTLMapRenewsPerEntryOnRead(t *testing.T) {
	reads := map[string]func(m *MapState){
		"Get":      func(m *MapState) { m.Get("a") },
		"Contains": func(m *MapState) { m.Contains("a") },
		"Range":    func(m *MapState) { m.Range(func(_, _ any) bool { return true }) },
		"Keys":     func(m *MapState) { m.Keys() },
		"Len":      func(m *MapState) { m.Len() },
	}
	for name, read := range reads {
		for _, upd := range []TTLUpdate{UpdateOnCreateAndWrite, UpdateOnReadAndWrite} {
			r := newTTLRig(t, ttlKinds[3], ttlMillis*time.Millisecond, upd, NeverReturnExpired)
			m := r.b.ctx.MapState(r.d)
			r.at(0)
			m.Put("a", 1)
			r.at(30)
			m.Put("b", 2)
			r.at(90)
			read(m)
			// At 135 a (written at 0) and b (written at 30) are past their TTL unless the read at 90 renewed
			// them: Get and Contains of a renew a only, Range, Keys and Len renew both.
			r.at(135)
			want := "{}"
			switch {
			case upd == UpdateOnCreateAndWrite:
			case name == "Get" || name == "Contains":
				want = "{a=1}"
			default:
				want = "{a=1 b=2}"
			}
			r.expect(want, fmt.Sprintf("%s with update %d", name, upd))
		}
	}
}

// NeverReturnExpired: Get of an expired value returns nothing, not the stale value with ok=false, for
// ValueState and MapState; Contains is false.
func TestTTLGetNeverLeaksExpired(t *testing.T) {
	r := newTTLRig(t, ttlKinds[0], ttlMillis*time.Millisecond, UpdateOnCreateAndWrite, NeverReturnExpired)
	r.b.ctx.ValueState(r.d).Update("x")
	m := r.b.ctx.MapState(State("m").WithTTL(ttlMillis * time.Millisecond))
	m.Put("k", "y")
	r.at(100) // expiry is last+ttl <= now (Flink's TtlUtils.expired)
	if v, ok := r.b.ctx.ValueState(r.d).Get(); v != nil || ok {
		t.Fatalf("ValueState.Get of an expired value = %v, %v", v, ok)
	}
	if m.Contains("k") {
		t.Fatal("MapState.Contains of an expired entry")
	}
	m.Put("k", "y")
	r.at(200)
	if v, ok := m.Get("k"); v != nil || ok {
		t.Fatalf("MapState.Get of an expired entry = %v, %v", v, ok)
	}
}

// The incremental sweep removes expired list elements and map entries, not only whole values (Flink's
// incremental cleanup through getUnexpiredOrNull). Every 1000th write sweeps one key group.
func TestTTLSweepCleansListsAndMaps(t *testing.T) {
	r := newTTLRig(t, ttlKinds[1], ttlMillis*time.Millisecond, UpdateOnCreateAndWrite, NeverReturnExpired)
	l := r.b.ctx.ListState(r.d)
	m := r.b.ctx.MapState(State("m").WithTTL(ttlMillis * time.Millisecond))
	l.Add(1)
	m.Put("old", 1)
	r.at(60)
	l.Add(2)
	m.Put("new", 2)
	r.at(120)
	hl, hm := r.b.handles[r.d.Name], r.b.handles["m"]
	hl.sweep, hm.sweep = r.b.kg-r.b.backend.KeyGroups().Start, r.b.kg-r.b.backend.KeyGroups().Start
	hl.sweepOne()
	hm.sweepOne()
	x, _ := hl.table.Get(r.b.kg, r.b.key, state.Namespace(r.b.ns))
	y, _ := hm.table.Get(r.b.kg, r.b.key, state.Namespace(r.b.ns))
	if items := x.([]any); len(items) != 1 || items[0].(ttlValue).V != 2 {
		t.Fatalf("list after sweep: %v", items)
	}
	if entries := y.(map[any]any); len(entries) != 1 || entries["new"] == nil {
		t.Fatalf("map after sweep: %v", entries)
	}
	r.at(200)
	hl.sweep, hm.sweep = hl.sweep-1, hm.sweep-1
	hl.sweepOne()
	hm.sweepOne()
	if _, ok := hl.table.Get(r.b.kg, r.b.key, state.Namespace(r.b.ns)); ok {
		t.Fatal("a list with no live element is still stored after the sweep")
	}
	if _, ok := hm.table.Get(r.b.kg, r.b.key, state.Namespace(r.b.ns)); ok {
		t.Fatal("a map with no live entry is still stored after the sweep")
	}
}

// A Range callback may change the map it ranges over: the entries it removes are not visited any more nor
// brought back, what it puts stays, and the renewal of the visited entries still applies.
func TestTTLMapRangeWhileChanging(t *testing.T) {
	r := newTTLRig(t, ttlKinds[3], ttlMillis*time.Millisecond, UpdateOnReadAndWrite, NeverReturnExpired)
	m := r.b.ctx.MapState(r.d)
	m.Put("a", 1)
	m.Put("b", 2)
	r.at(50)
	visits := 0
	m.Range(func(k, _ any) bool {
		visits++
		other := map[any]string{"a": "b", "b": "a"}[k]
		m.Remove(other)
		m.Put("c", 3)
		return true
	})
	if visits != 1 {
		t.Fatalf("visited %d entries, want 1 (the other was removed)", visits)
	}
	r.at(140) // the visited entry was renewed at 50, c put at 50
	if got := mapEntries(&r.b.ctx, r.d); got != "{a=1 c=3}" && got != "{b=2 c=3}" {
		t.Fatalf("after Range: %s", got)
	}
}
