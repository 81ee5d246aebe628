package state

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// The body of a key group's block in a heap snapshot. Format 1 (files without a header) is a gob-encoded
// []snapEntry. Format 2 (files that start with heapMagicV2) holds, after the number of tables (uvarint),
// per table: its name (uvarint length, bytes), the number of its entries stored in binary (uvarint) and
// their bytes (uvarint length, then per entry the namespace's Start and End as varints and the key and the
// value each as a uvarint length and appendValue's encoding, which writes a []int64, such as a key's saved
// timers, as tagInt64s and the varint of each element), then the entries whose key or value is not a
// scalar, gob-encoded as a []snapEntry (uvarint length, bytes; length 0 when there are none).
var heapMagicV2 = [8]byte{'W', 'E', 'I', 'R', 'H', 'S', 0, 2}

// errBlock is wrapped by the errors of a block body that does not decode.
var errBlock = errors.New("malformed block")

// tagInt64s marks a []int64 in appendValue's encoding, in Pebble and in a format 2 block.
const tagInt64s = 'L'

// scalar reports whether a format 2 block stores v in binary rather than with gob.
func scalar(v any) bool {
	switch v.(type) {
	case nil, string, int, int64, int32, uint64, float64, bool, []byte, []int64:
		return true
	}
	return false
}

// snapPart is one table's entries of a key group, as a snapshot captured them: each calls f for every entry,
// each key once, until f returns false, and reports whether f always returned true.
type snapPart struct {
	table string
	each  func(f func(k entryKey, v any) bool) bool
}

// layeredPart is the part of a plain table's key group: its frozen layers.
func layeredPart(table string, layers []map[entryKey]any) snapPart {
	return snapPart{table, func(f func(k entryKey, v any) bool) bool { return forEachLayered(layers, f) }}
}

// windowPart is the part of a WindowTable's key group: its entries copied by capture, boxed by codec.
func windowPart(table string, codec SlotCodec, rows []windowRow) snapPart {
	return snapPart{table, func(f func(k entryKey, v any) bool) bool {
		for i := range rows {
			if !f(entryKey{rows[i].key, rows[i].ns}, codec.box(&rows[i].Slot)) {
				return false
			}
		}
		return true
	}}
}

// extraPart is the part of an extra table's key group kg.
func extraPart(x ExtraTable, kg int) snapPart {
	return snapPart{x.Name, func(f func(k entryKey, v any) bool) bool {
		ok := true
		x.Each(kg, func(key any, ns Namespace, v any) {
			ok = ok && f(entryKey{key, ns}, v)
		})
		return ok
	}}
}

// encodeBlock appends the format 2 body of one key group's parts to b and returns it with the number of
// entries it holds. bin is scratch space for a table's binary entries, returned grown for the next call.
func encodeBlock(b, bin []byte, parts []snapPart) ([]byte, []byte, int64, error) {
	b = binary.AppendUvarint(b, uint64(len(parts)))
	var entries int64
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p.table)))
		b = append(b, p.table...)
		bin = bin[:0]
		var n uint64
		var rest []snapEntry
		p.each(func(k entryKey, v any) bool {
			if !scalar(k.key) || !scalar(v) {
				rest = append(rest, snapEntry{Key: k.key, NS: k.ns, V: v})
				return true
			}
			bin = binary.AppendVarint(bin, k.ns.Start)
			bin = binary.AppendVarint(bin, k.ns.End)
			bin = appendFramed(bin, k.key)
			bin = appendFramed(bin, v)
			n++
			return true
		})
		b = binary.AppendUvarint(b, n)
		b = binary.AppendUvarint(b, uint64(len(bin)))
		b = append(b, bin...)
		entries += int64(n) + int64(len(rest))
		if len(rest) == 0 {
			b = binary.AppendUvarint(b, 0)
			continue
		}
		for _, e := range rest {
			registerDeep(e.Key, 0)
			registerDeep(e.V, 0)
		}
		var g bytes.Buffer
		if err := gob.NewEncoder(&g).Encode(rest); err != nil {
			return b, bin, 0, fmt.Errorf("table %s: %w", p.table, err)
		}
		b = binary.AppendUvarint(b, uint64(g.Len()))
		b = append(b, g.Bytes()...)
	}
	return b, bin, entries, nil
}

// appendFramed appends v's encoding after its length. The encoding is appended in place after a one-byte
// length, which is widened afterwards in the rare case of 128 bytes or more.
func appendFramed(b []byte, v any) []byte {
	at := len(b)
	b = append(b, 0)
	b = appendValue(b, v)
	n := len(b) - at - 1
	if n < 0x80 {
		b[at] = byte(n)
		return b
	}
	var hdr [binary.MaxVarintLen64]byte
	h := binary.PutUvarint(hdr[:], uint64(n))
	b = append(b, hdr[:h-1]...) // room for the longer length
	copy(b[at+h:], b[at+1:at+1+n])
	copy(b[at:], hdr[:h])
	return b
}

// decodedPart is one table's entries of a key group, read from a block.
type decodedPart struct {
	table string
	m     map[entryKey]any
}

// blockReader reads the fields of a format 2 block body.
type blockReader struct {
	b   []byte
	err error
}

func (r *blockReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("a length")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *blockReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("a namespace")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *blockReader) bytes(what string) []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail(what)
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *blockReader) value(what string) any {
	p := r.bytes(what)
	if r.err != nil {
		return nil
	}
	v, err := decodeValue(p)
	if err != nil {
		r.err = fmt.Errorf("%w: %s: %v", errBlock, what, err)
	}
	return v
}

func (r *blockReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s runs past the block's end", errBlock, what)
	}
}

// decodeBlock decodes a block body of format 1 or 2 into one map per table, each sized for its entries.
func decodeBlock(body []byte, format int) ([]decodedPart, error) {
	if format == 1 {
		var entries []snapEntry
		if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&entries); err != nil {
			return nil, err
		}
		var parts []decodedPart
		at := map[string]int{}
		for _, e := range entries {
			i, ok := at[e.Table]
			if !ok {
				i = len(parts)
				at[e.Table] = i
				parts = append(parts, decodedPart{table: e.Table, m: map[entryKey]any{}})
			}
			parts[i].m[entryKey{e.Key, e.NS}] = e.V
		}
		return parts, nil
	}
	r := &blockReader{b: body}
	parts := make([]decodedPart, r.uvarint())
	for i := range parts {
		if r.err != nil {
			return nil, r.err
		}
		parts[i].table = string(r.bytes("a table name"))
		n := r.uvarint()
		bin := &blockReader{b: r.bytes("the binary entries")}
		if r.err != nil {
			return nil, r.err
		}
		m := make(map[entryKey]any, min(n, uint64(len(bin.b))))
		for range n {
			ns := Namespace{Start: bin.varint(), End: bin.varint()}
			k := bin.value("a key")
			v := bin.value("a value")
			if bin.err != nil {
				return nil, fmt.Errorf("table %s: %w", parts[i].table, bin.err)
			}
			m[entryKey{k, ns}] = v
		}
		if len(bin.b) != 0 {
			return nil, fmt.Errorf("%w: table %s: %d bytes after its entries", errBlock, parts[i].table, len(bin.b))
		}
		if g := r.bytes("the gob-encoded entries"); len(g) > 0 {
			var rest []snapEntry
			if err := gob.NewDecoder(bytes.NewReader(g)).Decode(&rest); err != nil {
				return nil, fmt.Errorf("table %s: %w", parts[i].table, err)
			}
			for _, e := range rest {
				m[entryKey{e.Key, e.NS}] = e.V
			}
		}
		parts[i].m = m
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after its tables", errBlock, len(r.b))
	}
	return parts, nil
}

// inOrder runs work for 0..n-1 on GOMAXPROCS goroutines, at most twice as many ahead of the slowest, and
// hands each result to emit in index order on the calling goroutine. It stops at the first error.
func inOrder[T any](n int, work func(i int) (T, error), emit func(i int, v T) error) error {
	workers := min(runtime.GOMAXPROCS(0), max(n, 1))
	type result struct {
		v   T
		err error
	}
	slots := make([]chan result, n)
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	next, stop := make(chan int), make(chan struct{})
	ahead := make(chan struct{}, 2*workers)
	go func() {
		defer close(next)
		for i := range n {
			select {
			case ahead <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				v, err := work(i)
				slots[i] <- result{v, err}
			}
		})
	}
	var err error
	for i := range n {
		r := <-slots[i]
		<-ahead
		if err = r.err; err == nil {
			err = emit(i, r.v)
		}
		if err != nil {
			close(stop)
			break
		}
	}
	wg.Wait()
	return err
}
