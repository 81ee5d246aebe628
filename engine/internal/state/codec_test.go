package state

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// codecAcc is a type with a codec of its own, as the engine's and the planner's accumulators have.
type codecAcc struct {
	N    int64
	Vals []any
	By   map[string]int64
}

// codecBox is a pointer type with a codec (the planner keeps its group states by pointer).
type codecBox struct{ Acc codecAcc }

func encodeCodecAcc(e *Encoder, a codecAcc) {
	e.Int64(a.N)
	e.Values(a.Vals)
	e.Len(len(a.By))
	for k, v := range a.By {
		e.Str(k)
		e.Int64(v)
	}
}

func decodeCodecAcc(d *Decoder) codecAcc {
	a := codecAcc{N: d.Int64(), Vals: d.Values()}
	if n := d.Len(); n > 0 {
		a.By = make(map[string]int64, n)
		for range n {
			k := d.Str()
			a.By[k] = d.Int64()
		}
	}
	return a
}

func init() {
	// Tags from 10000 on are the tests' own.
	RegisterCodec(10000, encodeCodecAcc, decodeCodecAcc)
	RegisterCodec(10001, func(e *Encoder, b *codecBox) { encodeCodecAcc(e, b.Acc) },
		func(d *Decoder) *codecBox { return &codecBox{decodeCodecAcc(d)} })
}

// codecCases are values of every type the codec writes in binary, and user types it hands to gob.
func codecCases() []struct {
	name string
	v    any
	want any // what a value on its own reads back as, if not v (the first codec's []int64 loses nil)
} {
	zone := time.Date(2026, 12, 2, 15, 4, 5, 123456789, time.FixedZone("", 9*3600))
	return []struct {
		name string
		v    any
		want any
	}{
		{"nil", nil, nil},
		{"string", "héllo", nil},
		{"empty string", "", nil},
		{"int", -7, nil},
		{"int64", int64(math.MinInt64), nil},
		{"int64 max", int64(math.MaxInt64), nil},
		{"int32", int32(-3), nil},
		{"uint64", uint64(math.MaxUint64), nil},
		{"float64", -0.25, nil},
		{"infinity", math.Inf(1), nil},
		{"true", true, nil},
		{"false", false, nil},
		{"bytes", []byte{0, 1, 2}, nil},
		{"nil bytes", []byte(nil), nil},
		{"[]int64", []int64{-1, 1 << 40, 0}, nil},
		{"empty []int64", []int64{}, []int64(nil)},
		{"[2]int64", [2]int64{-1, math.MaxInt64}, nil},
		{"[3]int64", [3]int64{1, 2, math.MinInt64}, nil},
		{"[]any", []any{int64(1), "a", nil, 2.5, true, []any{int32(4)}, [2]int64{5, 6}}, nil},
		{"empty []any", []any{}, nil},
		{"nil []any", []any(nil), nil},
		{"map[any]any", map[any]any{"a": int64(1), int64(2): []any{"b"}, [2]int64{3, 4}: nil, true: 1.5}, nil},
		{"nil map[any]any", map[any]any(nil), nil},
		{"map[string]any", map[string]any{"x": int64(1), "y": map[string]any{}, "": nil}, nil},
		{"[]string", []string{"a", "", "ccc"}, nil},
		{"[]float64", []float64{1, -2.5, math.MaxFloat64}, nil},
		{"time in UTC", time.UnixMilli(1_700_000_000_123).UTC(), nil},
		{"time with a zone", zone, nil},
		{"registered type", codecAcc{N: 3, Vals: []any{"v", int64(9)}, By: map[string]int64{"k": 4}}, nil},
		{"registered pointer type", &codecBox{codecAcc{N: -1, Vals: []any{}}}, nil},
		{"registered types inside containers", []any{codecAcc{N: 1}, map[any]any{int64(1): &codecBox{}}}, nil},
		{"user type", point{1, 2}, nil},
		{"user types inside containers", []any{point{3, 4}, map[any]any{point{5, 6}: point{7, 8}}, codecAcc{Vals: []any{point{9, 10}}}}, nil},
	}
}

// sameValue compares a value read back with the one written: deeply, with the same dynamic types, and times
// by instant and zone offset (a zone's name is not stored, as with gob).
func sameValue(got, want any) bool {
	if gt, ok := got.(time.Time); ok {
		wt, ok := want.(time.Time)
		_, goff := gt.Zone()
		_, woff := wt.Zone()
		return ok && gt.Equal(wt) && goff == woff
	}
	return reflect.TypeOf(got) == reflect.TypeOf(want) && reflect.DeepEqual(got, want)
}

// Every value round-trips with its type on its own (AppendValue, as Pebble stores keys and values), inside
// another value (Encoder.Value, gob-encoding unknown types in place) and in a heap snapshot block (where
// unknown types go to the block's gob stream).
func TestCodecRoundTrip(t *testing.T) {
	Register(point{})
	for _, tt := range codecCases() {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == nil {
				want = tt.v
			}
			b, err := AppendValue([]byte("prefix"), tt.v)
			if err != nil || !bytes.HasPrefix(b, []byte("prefix")) {
				t.Fatalf("AppendValue: %v", err)
			}
			got, err := DecodeValue(b[len("prefix"):])
			if err != nil || !sameValue(got, want) {
				t.Errorf("on its own: got %#v (%T), %v; want %#v (%T)", got, got, err, want, want)
			}

			e := Encoder{}
			e.Value(tt.v)
			e.Value("after")
			d := Decoder{b: e.b}
			got, after := d.Value(), d.Value()
			if e.err != nil || d.err != nil || len(d.b) != 0 || !sameValue(got, tt.v) || after != "after" {
				t.Errorf("inside a value: got %#v (%T) then %v, errors %v, %v, %d bytes left", got, got, after, e.err, d.err, len(d.b))
			}

			key := any(int64(1))
			if tt.v != nil && hashable(tt.v) && reflect.TypeOf(tt.v).Kind() != reflect.Pointer { // a pointer reads back as another
				key = tt.v
			}
			part := snapPart{"t", func(f func(k entryKey, v any) bool) bool {
				return f(entryKey{key, Namespace{Start: -1, End: 2}}, tt.v) && f(entryKey{"other", Namespace{}}, tt.v)
			}}
			body, _, n, err := encodeBlock(nil, nil, []snapPart{part})
			if err != nil || n != 2 {
				t.Fatalf("encodeBlock: %d entries, %v", n, err)
			}
			parts, err := decodeBlock(body, 3)
			if err != nil || len(parts) != 1 || parts[0].table != "t" || len(parts[0].m) != 2 {
				t.Fatalf("decodeBlock: %+v, %v", parts, err)
			}
			got, ok := parts[0].m[entryKey{key, Namespace{Start: -1, End: 2}}]
			if !ok || !sameValue(got, tt.v) {
				t.Errorf("in a block: got %#v (%T), found %v", got, got, ok)
			}
		})
	}
}

// The codec's encodings are fixed: what a snapshot or a Pebble database holds reads back in a later
// process and version. A Pebble key of two BIGINTs (the SQL planner's state keys) was gob-encoded before,
// whose bytes depend on the types the process had gob-encoded earlier, so that a restored database could
// miss it.
func TestCodecPinnedEncodings(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{int64(-2), "6c7ffffffffffffffe"},
		{"ab", "736162"},
		{[2]int64{1, -1}, "320201"},
		{[3]int64{0, 64, -65}, "3300800181 01"},
		{[]any{int64(1), "x", nil}, "4104760253017800"},
		{map[string]any{"k": false}, "4e02016b6200"},
		{time.UnixMilli(1000).UTC(), "740f01 0000000e7791f701 00000000 ffff"},
		{codecAcc{N: 1, Vals: []any{}}, "52904e020100"},
	}
	for _, tt := range tests {
		got, err := AppendValue(nil, tt.v)
		if want := strings.ReplaceAll(tt.want, " ", ""); err != nil || fmt.Sprintf("%x", got) != want {
			t.Errorf("%#v: %x, %v; want %s", tt.v, got, err, want)
		}
	}
}

// A user type the codec does not know goes through gob: on its own and inside a value stored on its own as
// a gob stream of its own; in a block as a reference into the block's one gob stream, which holds each of
// the block's values of such types once, whichever entry they are in.
func TestCodecUnknownTypeUsesGob(t *testing.T) {
	type local struct{ A, B string } // registered automatically, as the engine does while snapshotting
	v := local{"a", "b"}
	b, err := AppendValue(nil, v)
	if err != nil || b[0] != tagGob {
		t.Fatalf("on its own: % x, %v", b, err)
	}
	if got, err := DecodeValue(b); err != nil || got != v {
		t.Fatalf("on its own: read back %#v, %v", got, err)
	}
	b, err = AppendValue(nil, []any{v})
	if err != nil || b[0] != tagList || b[2] != tagGobValue {
		t.Fatalf("inside a list: % x, %v", b, err)
	}
	if got, err := DecodeValue(b); err != nil || !reflect.DeepEqual(got, []any{v}) {
		t.Fatalf("inside a list: read back %#v, %v", got, err)
	}
	var refs []any
	e := Encoder{refs: &refs}
	e.Value([]any{v, int64(1), v})
	if e.err != nil || len(refs) != 2 || !bytes.Contains(e.b, []byte{tagRef, 1}) {
		t.Fatalf("in a block: % x, refs %v, %v", e.b, refs, e.err)
	}
	if _, err := AppendValue(nil, func() {}); err == nil || !strings.Contains(err.Error(), "func()") {
		t.Errorf("a func: %v, want an error naming its type", err)
	}
	if _, err := AppendValue(nil, []any{make(chan int)}); err == nil || !strings.Contains(err.Error(), "chan int") {
		t.Errorf("a chan in a list: %v, want an error naming its type", err)
	}
}

// A value cut anywhere, or with an unknown tag, a codec tag no type has, or a reference past the block's
// values, is an error, never a panic.
func TestCodecRejectsDamage(t *testing.T) {
	v := []any{map[any]any{"k": []string{"a"}}, codecAcc{N: 2, Vals: []any{1.5}, By: map[string]int64{"x": 1}},
		time.UnixMilli(5).UTC(), [3]int64{1, 2, 3}, []float64{1}, []byte("b"), map[string]any{"s": int32(1)}}
	b, err := AppendValue(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(b); i++ {
		if got, err := DecodeValue(b[:i]); err == nil {
			t.Fatalf("cut at %d of %d bytes: read %#v", i, len(b), got)
		}
	}
	for name, bad := range map[string][]byte{
		"unknown tag":            {'?'},
		"unregistered codec tag": {tagCodec, 0x7f},
		"reference":              {tagRef, 0},
		"huge list":              {tagList, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"uncomparable map key":   {tagMap, 2, tagList, 0, tagNil},
		"boolean of 2":           {tagBool, 2},
		"trailing byte":          {tagPair, 2, 2, 0},
	} {
		if got, err := DecodeValue(bad); err == nil {
			t.Errorf("%s: read %#v", name, got)
		}
	}
}

// A tag or a type registered twice is a programming error, caught at init.
func TestRegisterCodecTwicePanics(t *testing.T) {
	type other struct{}
	for name, register := range map[string]func(){
		"tag":  func() { RegisterCodec(10000, func(*Encoder, other) {}, func(*Decoder) other { return other{} }) },
		"type": func() { RegisterCodec(10002, encodeCodecAcc, decodeCodecAcc) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("registering a %s twice did not panic", name)
				}
			}()
			register()
		}()
	}
}
