package engine

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"reflect"

	"github.com/de4e/weir/engine/internal/state"
)

// batchCodec encodes the records a batch operator puts into managed pages and spill files, which live only
// as long as the operator. Strings, numbers, booleans, byte slices and nil are encoded as the state codec
// does. Any other value whose type holds no interface is one value of a gob stream of the operator's own, so
// that the type's definition is written once instead of with every record, and decoding compiles it once:
// the state codec's gob encoding of each value on its own costs more than the join itself. Values whose
// type holds an interface (a map[string]any, a struct with an any field) use the state codec, since gob
// defines the types met inside them in the middle of the stream.
//
// Records are decoded in another order than they were encoded (sorted, or by hash partition), so every frame
// must decode with what the decoder learnt before it: the first value of each type, which carries the type's
// definition, goes into prefix, which the decoder reads (and discards) before the next frame, and the value
// is encoded a second time, without the definition, as its frame.
//
// A frame is a tag byte (frameState, or frameGob and the uvarint index of the record's type in types) and
// the encoding. A batchCodec is used by one goroutine.
type batchCodec struct {
	enc     *gob.Encoder
	out     bytes.Buffer
	types   []reflect.Type
	typeIdx map[reflect.Type]int // -1: the type holds an interface
	prefix  []byte               // what the decoder must read before the next frame
	values  int                  // values in prefix the decoder has not read yet
	dec     *gob.Decoder
	in      bytes.Buffer
	fed     int // how much of prefix the decoder has read
}

const (
	frameState byte = iota
	frameGob
)

func newBatchCodec() *batchCodec {
	c := &batchCodec{typeIdx: map[reflect.Type]int{}}
	c.enc = gob.NewEncoder(&c.out)
	c.dec = gob.NewDecoder(&c.in)
	return c
}

// errBatchCodec wraps a frame the codec cannot decode.
var errBatchCodec = errors.New("engine: batch record codec")

// appendRecord appends the frame of v to b.
func (c *batchCodec) appendRecord(b []byte, v any) ([]byte, error) {
	switch v.(type) {
	case nil, string, int, int64, int32, uint64, float64, bool, []byte:
		return state.AppendValue(append(b, frameState), v)
	}
	t := reflect.TypeOf(v)
	idx, ok := c.typeIdx[t]
	if !ok {
		idx = -1
		if !holdsInterface(t, map[reflect.Type]bool{}) {
			state.RegisterDeep(v)
			first, err := c.encode(v)
			if err != nil {
				return b, err
			}
			c.prefix = append(c.prefix, first...)
			c.values++
			idx = len(c.types)
			c.types = append(c.types, t)
		}
		c.typeIdx[t] = idx
	}
	if idx < 0 {
		b, err := state.AppendValue(append(b, frameState), v)
		if err != nil {
			return b, fmt.Errorf("encoding a %T: %w", v, err)
		}
		return b, nil
	}
	msg, err := c.encode(v)
	if err != nil {
		return b, err
	}
	b = binary.AppendUvarint(append(b, frameGob), uint64(idx))
	return append(b, msg...), nil
}

// encode encodes v on the stream and returns what the encoder wrote.
func (c *batchCodec) encode(v any) ([]byte, error) {
	c.out.Reset()
	if err := c.enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding a %T: %w (register the type with engine.RegisterType)", v, err)
	}
	return c.out.Bytes(), nil
}

// holdsInterface reports whether values of t can hold an interface value.
func holdsInterface(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsInterface(t.Elem(), seen)
	case reflect.Map:
		return holdsInterface(t.Key(), seen) || holdsInterface(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsInterface(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// decodeRecord decodes a frame appendRecord wrote.
func (c *batchCodec) decodeRecord(f []byte) (any, error) {
	if len(f) == 0 {
		return nil, fmt.Errorf("%w: empty frame", errBatchCodec)
	}
	if f[0] == frameState {
		return state.DecodeValue(f[1:])
	}
	idx, n := binary.Uvarint(f[1:])
	if n <= 0 || idx >= uint64(len(c.types)) {
		return nil, fmt.Errorf("%w: bad type index in a frame", errBatchCodec)
	}
	if c.fed < len(c.prefix) {
		c.in.Write(c.prefix[c.fed:])
		c.fed = len(c.prefix)
		for ; c.values > 0; c.values-- {
			if err := c.dec.DecodeValue(reflect.Value{}); err != nil { // reads a type's definition, discards its value
				return nil, fmt.Errorf("%w: reading a type definition: %v", errBatchCodec, err)
			}
		}
	}
	c.in.Write(f[1+n:])
	p := reflect.New(c.types[idx])
	if err := c.dec.DecodeValue(p); err != nil {
		c.in.Reset()
		return nil, fmt.Errorf("%w: decoding a %v: %v", errBatchCodec, c.types[idx], err)
	}
	return p.Elem().Interface(), nil
}

// joinFrame is a record of a batch join as it goes into a sorter or a hash join: the length of the key's
// encoding (a uvarint), the key encoded as the state codec does, and the record's batchCodec frame.
type joinFrame []byte

func (c *batchCodec) appendJoinFrame(b []byte, key, v any) ([]byte, error) {
	kb, err := state.AppendValue(nil, key)
	if err != nil {
		return b, fmt.Errorf("encoding a key %T: %w", key, err)
	}
	b = binary.AppendUvarint(b, uint64(len(kb)))
	b = append(b, kb...)
	return c.appendRecord(b, v)
}

// split returns the frame's key encoding and record frame.
func (f joinFrame) split() (key, rec []byte) {
	n, k := binary.Uvarint(f)
	return f[k : k+int(n)], f[k+int(n):]
}

// orderedKeyTags are the state codec's tags whose encodings sort as compareValues orders two values of that
// type: integers (big-endian with the sign bit flipped), strings and booleans.
var orderedKeyTags = func() (tags [256]bool) {
	for _, v := range []any{int(0), int64(0), int32(0), uint64(0), "", false} {
		b, _ := state.AppendValue(nil, v)
		tags[b[0]] = true
	}
	return tags
}()

// compareKeyBytes orders two keys encoded by the state codec as compareKeys orders the keys: by their bytes
// when both are of one ordered type, else decoded.
func compareKeyBytes(a, b []byte) int {
	if len(a) > 0 && len(b) > 0 && a[0] == b[0] && orderedKeyTags[a[0]] {
		return bytes.Compare(a, b)
	}
	ka, errA := state.DecodeValue(a)
	kb, errB := state.DecodeValue(b)
	if errA != nil || errB != nil {
		return bytes.Compare(a, b)
	}
	return compareKeys(ka, kb)
}
