package state

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// The state codec encodes the keys and values of state, for Pebble (each key and value on its own) and for
// the blocks of heap snapshots (every entry of a key group in one buffer). A value is a one-byte tag and a
// body. It writes in binary the scalars (nil, strings, integers, floats, booleans, byte slices, []int64),
// the containers the engine keeps in state ([]any, map[any]any, map[string]any, []string, []float64,
// [2]int64, [3]int64) and time.Time, with their elements encoded the same way, and the types given a codec
// with RegisterCodec: the engine's accumulators, envelopes and windows, the SQL planner's rows and
// accumulators. Only values of other types (user structs) go through encoding/gob: on their own with a
// gob encoder each (tagGob, Pebble), or, in a heap snapshot block, as a reference (tagRef) into the
// block's one gob stream, so that gob writes a type's descriptor once per key group. A Pebble key of a type
// the codec knows is therefore the same bytes in every process (gob's bytes depend on the types a process
// encoded before).
//
// A value stored on its own (AppendValue, a Pebble key or value) keeps the scalar encodings of the first
// codec, unframed (a string runs to the end of the buffer, an integer is 8 bytes big-endian with its sign
// flipped, so that keys sort as numbers). Inside other values, and in a heap snapshot block, values are
// self-delimiting: strings, byte slices and lists carry their length, and integers are varints.
const (
	tagNil    = 0
	tagString = 's' // on its own: the bytes to the end
	tagInt    = 'i' // on its own: 8 bytes
	tagInt64  = 'l' // on its own: 8 bytes
	tagInt32  = 'w' // 4 bytes, sign flipped
	tagUint64 = 'u' // 8 bytes
	tagFloat  = 'f' // 8 bytes, IEEE 754
	tagBool   = 'b' // 1 byte
	tagBytes  = 'y' // on its own: the bytes to the end
	tagGob    = 'g' // on its own: a gob stream of the value as an interface, to the end
	tagInt64s = 'L' // on its own: the varint of each element, to the end (a key's saved timers)

	tagVarint   = 'v' // int64: varint
	tagVarInt   = 'V' // int: varint
	tagStr      = 'S' // string: uvarint length, bytes
	tagBin      = 'Y' // []byte: length+1 (0: nil), bytes
	tagVarints  = 'K' // []int64: length+1 (0: nil), varints
	tagList     = 'A' // []any: length+1 (0: nil), values
	tagMap      = 'M' // map[any]any: length+1 (0: nil), key and value pairs
	tagStrMap   = 'N' // map[string]any: length+1 (0: nil), uvarint-length keys and values
	tagStrs     = 'T' // []string: length+1 (0: nil), uvarint-length strings
	tagFloats   = 'F' // []float64: length+1 (0: nil), 8 bytes each
	tagPair     = '2' // [2]int64: two varints
	tagTriple   = '3' // [3]int64: three varints
	tagTime     = 't' // time.Time: one byte of length, its MarshalBinary form (as gob writes it)
	tagCodec    = 'R' // a type of RegisterCodec: uvarint tag, the codec's fields
	tagRef      = 'r' // in a block: uvarint index into the block's gob-encoded values
	tagGobValue = 'G' // inside a value stored on its own: uvarint length, a gob stream of the value
)

// AppendValue appends the encoding of v to b with the codec the Pebble backend stores values with (see the
// tags above): gob only for types the codec does not know (their dynamic types registered as RegisterDeep
// does). The encoding carries no length: a caller storing several values in one buffer frames them itself.
// A value gob cannot encode (a func, a chan, an unregistered type behind an interface) is an error naming
// its type.
func AppendValue(b []byte, v any) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = b, fmt.Errorf("%v", r)
		}
	}()
	return appendValue(b, v), nil
}

// DecodeValue decodes one value written by AppendValue; b must hold exactly that value.
func DecodeValue(b []byte) (any, error) { return decodeValue(b) }

// EncodedByCodec reports whether b, as AppendValue wrote it, holds a value of a type of RegisterCodec.
func EncodedByCodec(b []byte) bool { return len(b) > 0 && b[0] == tagCodec }

// appendValue encodes v on its own: the first codec's scalars as they were, the types the codec knows
// self-delimited, anything else with gob. It panics if gob cannot encode v.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, tagNil)
	case string:
		return append(append(b, tagString), x...)
	case int:
		return binary.BigEndian.AppendUint64(append(b, tagInt), uint64(x)^(1<<63))
	case int64:
		return binary.BigEndian.AppendUint64(append(b, tagInt64), uint64(x)^(1<<63))
	case int32:
		return binary.BigEndian.AppendUint32(append(b, tagInt32), uint32(x)^(1<<31))
	case uint64:
		return binary.BigEndian.AppendUint64(append(b, tagUint64), x)
	case float64:
		return binary.BigEndian.AppendUint64(append(b, tagFloat), math.Float64bits(x))
	case bool:
		if x {
			return append(b, tagBool, 1)
		}
		return append(b, tagBool, 0)
	case []byte:
		return append(append(b, tagBytes), x...)
	case []int64: // the timestamps of a key's timers saved in a checkpoint
		b = append(b, tagInt64s)
		for _, n := range x {
			b = binary.AppendVarint(b, n)
		}
		return b
	}
	if known(v) {
		e := Encoder{b: b}
		e.Value(v)
		if e.err != nil {
			panic(fmt.Errorf("state: encoding a %T: %w (register the type with engine.RegisterType)", v, e.err))
		}
		return e.b
	}
	g, err := gobValue(v)
	if err != nil {
		panic(fmt.Errorf("state: encoding a %T: %w (register the type with engine.RegisterType)", v, err))
	}
	return append(append(b, tagGob), g...)
}

// decodeValue decodes what appendValue wrote.
func decodeValue(b []byte) (any, error) {
	if len(b) == 0 {
		return nil, errors.New("empty value")
	}
	p := b[1:]
	need := func(n int) error {
		if len(p) != n {
			return fmt.Errorf("value of tag %q has %d bytes, want %d", b[0], len(p), n)
		}
		return nil
	}
	switch b[0] {
	case tagNil:
		return nil, need(0)
	case tagString:
		return string(p), nil
	case tagInt:
		if err := need(8); err != nil {
			return nil, err
		}
		return int(binary.BigEndian.Uint64(p) ^ (1 << 63)), nil
	case tagInt64:
		if err := need(8); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint64(p) ^ (1 << 63)), nil
	case tagBytes:
		return append([]byte(nil), p...), nil
	case tagInt64s:
		var xs []int64
		for len(p) > 0 {
			x, n := binary.Varint(p)
			if n <= 0 {
				return nil, errors.New("a malformed []int64")
			}
			xs, p = append(xs, x), p[n:]
		}
		return xs, nil
	case tagGob:
		return ungobValue(p)
	}
	d := Decoder{b: b}
	v := d.Value()
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes after a value of tag %q", len(d.b), b[0])
	}
	return v, d.err
}

// gobValue gob-encodes v as an interface value, so that it decodes to its own type (registered as
// RegisterDeep does).
func gobValue(v any) ([]byte, error) {
	registerDeep(v, 0)
	var buf bytes.Buffer
	w := v // a copy, so that only this path moves it to the heap
	if err := gob.NewEncoder(&buf).Encode(&w); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func ungobValue(p []byte) (any, error) {
	var v any
	if err := gob.NewDecoder(bytes.NewReader(p)).Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// known reports whether the codec writes v without gob: v's type is one it knows, or registered with
// RegisterCodec (the values inside a known container may still need gob).
func known(v any) bool {
	switch v.(type) {
	case nil, string, int, int64, int32, uint64, float64, bool, []byte, []int64, []any, map[any]any,
		map[string]any, []string, []float64, [2]int64, [3]int64, time.Time:
		return true
	}
	return codecOf(v) != nil
}

// Encoder appends values in the state codec's binary encoding: each method appends one field. A codec
// registered with RegisterCodec writes its type's fields with it, and the values inside them with Value.
type Encoder struct {
	b []byte
	// refs, if set, collects the values the codec does not know, for the block's one gob stream; nil
	// gob-encodes each in place.
	refs *[]any
	err  error
}

// Int64 appends x as a varint.
func (e *Encoder) Int64(x int64) { e.b = binary.AppendVarint(e.b, x) }

// Uint64 appends x as a uvarint.
func (e *Encoder) Uint64(x uint64) { e.b = binary.AppendUvarint(e.b, x) }

// Len appends a length or count n (n >= 0), for Decoder.Len.
func (e *Encoder) Len(n int) { e.b = binary.AppendUvarint(e.b, uint64(n)) }

// Float64 appends x's 8 bytes.
func (e *Encoder) Float64(x float64) { e.b = binary.BigEndian.AppendUint64(e.b, math.Float64bits(x)) }

// Bool appends x as one byte.
func (e *Encoder) Bool(x bool) {
	if x {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// Str appends s after its length.
func (e *Encoder) Str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

// Values appends a []any: its length (telling nil from empty) and each element with Value.
func (e *Encoder) Values(xs []any) {
	e.nilOrLen(xs == nil, len(xs))
	for _, x := range xs {
		e.Value(x)
	}
}

// nilOrLen appends 0 for a nil slice or map, else its length + 1.
func (e *Encoder) nilOrLen(isNil bool, n int) {
	if isNil {
		e.b = append(e.b, 0)
		return
	}
	e.b = binary.AppendUvarint(e.b, uint64(n)+1)
}

// Value appends v with its tag: in binary if the codec knows its type, else with gob.
func (e *Encoder) Value(v any) {
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, tagNil)
	case int64:
		e.b = binary.AppendVarint(append(e.b, tagVarint), x)
	case string:
		e.b = append(e.b, tagStr)
		e.Str(x)
	case float64:
		e.b = append(e.b, tagFloat)
		e.Float64(x)
	case bool:
		e.b = append(e.b, tagBool)
		e.Bool(x)
	case int:
		e.b = binary.AppendVarint(append(e.b, tagVarInt), int64(x))
	case int32:
		e.b = binary.BigEndian.AppendUint32(append(e.b, tagInt32), uint32(x)^(1<<31))
	case uint64:
		e.b = binary.BigEndian.AppendUint64(append(e.b, tagUint64), x)
	case []byte:
		e.b = append(e.b, tagBin)
		e.nilOrLen(x == nil, len(x))
		e.b = append(e.b, x...)
	case []int64:
		e.b = append(e.b, tagVarints)
		e.nilOrLen(x == nil, len(x))
		for _, n := range x {
			e.Int64(n)
		}
	case [2]int64:
		e.b = append(e.b, tagPair)
		e.Int64(x[0])
		e.Int64(x[1])
	case [3]int64:
		e.b = append(e.b, tagTriple)
		e.Int64(x[0])
		e.Int64(x[1])
		e.Int64(x[2])
	case []any:
		e.b = append(e.b, tagList)
		e.Values(x)
	case map[any]any:
		e.b = append(e.b, tagMap)
		e.nilOrLen(x == nil, len(x))
		for k, y := range x {
			e.Value(k)
			e.Value(y)
		}
	case map[string]any:
		e.b = append(e.b, tagStrMap)
		e.nilOrLen(x == nil, len(x))
		for k, y := range x {
			e.Str(k)
			e.Value(y)
		}
	case []string:
		e.b = append(e.b, tagStrs)
		e.nilOrLen(x == nil, len(x))
		for _, s := range x {
			e.Str(s)
		}
	case []float64:
		e.b = append(e.b, tagFloats)
		e.nilOrLen(x == nil, len(x))
		for _, f := range x {
			e.Float64(f)
		}
	case time.Time:
		at := len(e.b)
		b, err := x.AppendBinary(append(e.b, tagTime, 0)) // 15 or 16 bytes: the length fits its byte
		if err != nil {                                   // a zone offset gob cannot encode either
			e.b = e.b[:at]
			e.fail(err)
			return
		}
		e.b = b
		e.b[at+1] = byte(len(b) - at - 2)
	default:
		if c := codecOf(v); c != nil {
			e.b = binary.AppendUvarint(append(e.b, tagCodec), c.tag)
			c.enc(e, v)
			return
		}
		e.foreign(v)
	}
}

// foreign appends a value of a type the codec does not know: a reference into the block's gob stream, or
// the value gob-encoded in place.
func (e *Encoder) foreign(v any) {
	if e.refs != nil {
		registerDeep(v, 0)
		e.b = binary.AppendUvarint(append(e.b, tagRef), uint64(len(*e.refs)))
		*e.refs = append(*e.refs, v)
		return
	}
	g, err := gobValue(v)
	if err != nil {
		e.fail(fmt.Errorf("a %T: %w", v, err))
		return
	}
	e.b = binary.AppendUvarint(append(e.b, tagGobValue), uint64(len(g)))
	e.b = append(e.b, g...)
}

func (e *Encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// Decoder reads what an Encoder wrote, field by field. After the first malformed field every read returns
// a zero value and Err reports the problem.
type Decoder struct {
	b    []byte
	refs []any // the block's gob-encoded values, for tagRef
	err  error
}

// Err returns the first problem met, or nil.
func (d *Decoder) Err() error { return d.err }

// Fail records a problem a codec found in what it read (a count out of range), unless one is recorded.
func (d *Decoder) Fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *Decoder) short(what string) {
	d.Fail("%s runs past the end of the value", what)
	d.b = nil
}

// Int64 reads a varint.
func (d *Decoder) Int64() int64 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.short("an integer")
		return 0
	}
	d.b = d.b[n:]
	return x
}

// Uint64 reads a uvarint.
func (d *Decoder) Uint64() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.short("an integer")
		return 0
	}
	d.b = d.b[n:]
	return x
}

// Len reads a length or count written by Encoder.Len. A count larger than the bytes left (every element
// takes one at least) is an error, so that a damaged count allocates nothing.
func (d *Decoder) Len() int {
	n := d.Uint64()
	if n > uint64(len(d.b)) {
		d.short("a list")
		return 0
	}
	return int(n)
}

// nilOrLen reads what Encoder.nilOrLen wrote: whether the slice or map was nil, and its length. The length
// is at most the bytes left divided by min, the fewest bytes an element takes.
func (d *Decoder) nilOrLen(min int) (bool, int) {
	n := d.Uint64()
	if d.err != nil {
		return true, 0
	}
	if n == 0 {
		return true, 0
	}
	if n-1 > uint64(len(d.b)/min) {
		d.short("a list")
		return true, 0
	}
	return false, int(n - 1)
}

// Float64 reads 8 bytes.
func (d *Decoder) Float64() float64 {
	if len(d.b) < 8 {
		d.short("a float")
		return 0
	}
	x := math.Float64frombits(binary.BigEndian.Uint64(d.b))
	d.b = d.b[8:]
	return x
}

// Bool reads one byte.
func (d *Decoder) Bool() bool {
	if len(d.b) < 1 {
		d.short("a boolean")
		return false
	}
	x := d.b[0]
	d.b = d.b[1:]
	if x > 1 {
		d.Fail("a boolean of %d", x)
	}
	return x == 1
}

// bytes reads a length and that many bytes, which stay d's.
func (d *Decoder) bytes() []byte {
	n := d.Uint64()
	if d.err != nil || n > uint64(len(d.b)) {
		d.short("a string")
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

// framed reads a length and that many bytes, and returns what decode makes of them.
func (d *Decoder) framed(decode func([]byte) (any, error)) any {
	p := d.bytes()
	if d.err != nil {
		return nil
	}
	v, err := decode(p)
	if err != nil {
		d.Fail("%v", err)
	}
	return v
}

// Str reads a string written by Encoder.Str.
func (d *Decoder) Str() string { return string(d.bytes()) }

// Values reads a []any written by Encoder.Values.
func (d *Decoder) Values() []any {
	isNil, n := d.nilOrLen(1)
	if isNil {
		return nil
	}
	xs := make([]any, n)
	for i := range xs {
		xs[i] = d.Value()
	}
	return xs
}

// Value reads a value written by Encoder.Value.
func (d *Decoder) Value() any {
	if len(d.b) == 0 {
		d.short("a value")
		return nil
	}
	tag := d.b[0]
	d.b = d.b[1:]
	switch tag {
	case tagNil:
		return nil
	case tagVarint:
		return d.Int64()
	case tagStr:
		return d.Str()
	case tagFloat:
		return d.Float64()
	case tagBool:
		return d.Bool()
	case tagVarInt:
		return int(d.Int64())
	case tagInt32:
		if len(d.b) < 4 {
			d.short("an int32")
			return nil
		}
		x := int32(binary.BigEndian.Uint32(d.b) ^ (1 << 31))
		d.b = d.b[4:]
		return x
	case tagUint64:
		if len(d.b) < 8 {
			d.short("a uint64")
			return nil
		}
		x := binary.BigEndian.Uint64(d.b)
		d.b = d.b[8:]
		return x
	case tagBin:
		isNil, n := d.nilOrLen(1)
		if isNil {
			return []byte(nil)
		}
		x := append([]byte{}, d.b[:n]...)
		d.b = d.b[n:]
		return x
	case tagVarints:
		isNil, n := d.nilOrLen(1)
		if isNil {
			return []int64(nil)
		}
		x := make([]int64, n)
		for i := range x {
			x[i] = d.Int64()
		}
		return x
	case tagPair:
		return [2]int64{d.Int64(), d.Int64()}
	case tagTriple:
		return [3]int64{d.Int64(), d.Int64(), d.Int64()}
	case tagList:
		return d.Values()
	case tagMap:
		isNil, n := d.nilOrLen(2)
		if isNil {
			return map[any]any(nil)
		}
		m := make(map[any]any, n)
		for range n {
			k := d.Value()
			v := d.Value()
			if d.err != nil {
				break
			}
			if !hashable(k) {
				d.Fail("a map key of the uncomparable type %T", k)
				break
			}
			m[k] = v
		}
		return m
	case tagStrMap:
		isNil, n := d.nilOrLen(2)
		if isNil {
			return map[string]any(nil)
		}
		m := make(map[string]any, n)
		for range n {
			k := d.Str()
			m[k] = d.Value()
		}
		return m
	case tagStrs:
		isNil, n := d.nilOrLen(1)
		if isNil {
			return []string(nil)
		}
		x := make([]string, n)
		for i := range x {
			x[i] = d.Str()
		}
		return x
	case tagFloats:
		isNil, n := d.nilOrLen(8)
		if isNil {
			return []float64(nil)
		}
		x := make([]float64, n)
		for i := range x {
			x[i] = d.Float64()
		}
		return x
	case tagTime:
		var t time.Time
		if p := d.bytes(); d.err == nil {
			if err := t.UnmarshalBinary(p); err != nil {
				d.Fail("a time: %v", err)
			}
		}
		return t
	case tagCodec:
		t := d.Uint64()
		if d.err != nil {
			return nil
		}
		c := codecs.Load().byTag[t]
		if c == nil {
			d.Fail("no codec is registered for tag %d (a type of a newer version?)", t)
			return nil
		}
		return c.dec(d)
	case tagRef:
		i := d.Uint64()
		if d.err == nil && i >= uint64(len(d.refs)) {
			d.Fail("reference %d to one of %d gob-encoded values", i, len(d.refs))
		}
		if d.err != nil {
			return nil
		}
		return d.refs[i]
	case tagGobValue:
		return d.framed(ungobValue)
	}
	d.Fail("unknown value tag %q", tag)
	d.b = nil
	return nil
}

// hashable reports whether k can be a map key: a decoded key from a damaged value may not be.
func hashable(k any) bool {
	switch k.(type) {
	case nil, int64, string, [2]int64, [3]int64, int, bool, float64:
		return true
	}
	return reflect.TypeOf(k).Comparable()
}

// valueCodec is a type's registered codec.
type valueCodec struct {
	tag uint64
	typ reflect.Type
	enc func(*Encoder, any)
	dec func(*Decoder) any
}

// codecTable holds the registered codecs; registering replaces it whole, so readers take no lock.
type codecTable struct {
	byType map[reflect.Type]*valueCodec
	byTag  map[uint64]*valueCodec
}

var (
	codecs     atomic.Pointer[codecTable]
	codecsLock sync.Mutex
)

func init() {
	codecs.Store(&codecTable{byType: map[reflect.Type]*valueCodec{}, byTag: map[uint64]*valueCodec{}})
	// Snapshots written before the codec knew these types hold them gob-encoded behind interfaces, which
	// gob decodes only by their registered names.
	for _, v := range []any{[]any(nil), map[any]any(nil), map[string]any(nil), []string(nil), []float64(nil),
		[]int64(nil), [2]int64{}, [3]int64{}, time.Time{}} {
		Register(v)
	}
}

// codecOf returns the codec registered for v's dynamic type, or nil.
func codecOf(v any) *valueCodec { return codecs.Load().byType[reflect.TypeOf(v)] }

// RegisterCodec makes the state codec write the values whose dynamic type is T with enc and read them back
// with dec, in binary instead of with gob, under tag: a number that snapshots store with each value, so it
// must stay the type's for good and never be reused (the engine's types use 1-63, its SQL planner's
// 64-127). enc writes the value's fields with the Encoder's methods (the values inside with Value) and dec
// reads them back in the same order; dec returns the zero value, or anything, when the Decoder reports an
// error, which the caller checks. T is also registered with gob (Register), for snapshots written before it
// had a codec. Registering a tag or a type twice panics.
func RegisterCodec[T any](tag uint64, enc func(e *Encoder, v T), dec func(d *Decoder) T) {
	var zero T
	typ := reflect.TypeFor[T]()
	if typ.Kind() == reflect.Interface {
		panic(fmt.Sprintf("state: RegisterCodec of the interface type %v", typ))
	}
	codecsLock.Lock()
	defer codecsLock.Unlock()
	old := codecs.Load()
	if c := old.byTag[tag]; c != nil {
		panic(fmt.Sprintf("state: codec tag %d of %v is taken by %v", tag, typ, c.typ))
	}
	if c := old.byType[typ]; c != nil {
		panic(fmt.Sprintf("state: %v has a codec already, tag %d", typ, c.tag))
	}
	c := &valueCodec{tag: tag, typ: typ,
		enc: func(e *Encoder, v any) { enc(e, v.(T)) },
		dec: func(d *Decoder) any { return dec(d) }}
	next := &codecTable{byType: make(map[reflect.Type]*valueCodec, len(old.byType)+1), byTag: make(map[uint64]*valueCodec, len(old.byTag)+1)}
	for k, v := range old.byType {
		next.byType[k] = v
	}
	for k, v := range old.byTag {
		next.byTag[k] = v
	}
	next.byType[typ], next.byTag[tag] = c, c
	codecs.Store(next)
	Register(any(zero))
}
