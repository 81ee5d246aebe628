package state

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// The body of a key group's block in a heap snapshot. Format 1 (files without a header) is a gob-encoded
// []snapEntry. Format 2 (files that start with heapMagicV2) holds, after the number of tables (uvarint),
// per table: its name (uvarint length, bytes), the number of its entries stored in binary (uvarint) and
// their bytes (uvarint length, then per entry the namespace's Start and End as varints and the key and the
// value each as a uvarint length and its encoding on its own, see appendValue), then the entries whose key
// or value is not a scalar, gob-encoded as a []snapEntry (uvarint length, bytes; length 0 when there are
// none). Format 3 (heapMagicV3, what SnapshotSync writes) holds the number of tables (uvarint), per table
// its name (uvarint length, bytes), the number of its entries and their length in bytes (uint32 each,
// big-endian), then per entry the namespace's Start and End as varints and the key and the value in the
// state codec's self-delimiting encoding (Encoder.Value); and, to the end of the body, one gob stream of a
// []any holding the values of the block the codec does not know, which the entries refer to by index
// (tagRef); none when there are no such values.
var (
	heapMagicV2 = [8]byte{'W', 'E', 'I', 'R', 'H', 'S', 0, 2}
	heapMagicV3 = [8]byte{'W', 'E', 'I', 'R', 'H', 'S', 0, 3}
)

// errBlock is wrapped by the errors of a block body that does not decode.
var errBlock = errors.New("malformed block")

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

// encodeBlock appends the format 3 body of one key group's parts to b and returns it with the number of
// entries it holds. refs is scratch space for the values gob encodes, returned for the next call.
func encodeBlock(b []byte, refs []any, parts []snapPart) ([]byte, []any, int64, error) {
	e := Encoder{b: binary.AppendUvarint(b, uint64(len(parts))), refs: &refs}
	var entries int64
	for _, p := range parts {
		e.Str(p.table)
		at := len(e.b)
		e.b = append(e.b, make([]byte, 8)...) // the count and the length, once known
		var n uint32
		p.each(func(k entryKey, v any) bool {
			e.Int64(k.ns.Start)
			e.Int64(k.ns.End)
			e.Value(k.key)
			e.Value(v)
			n++
			return true
		})
		if len(e.b)-at-8 > math.MaxUint32 {
			return e.b, refs, 0, fmt.Errorf("table %s: %d bytes in one key group", p.table, len(e.b)-at-8)
		}
		binary.BigEndian.PutUint32(e.b[at:], n)
		binary.BigEndian.PutUint32(e.b[at+4:], uint32(len(e.b)-at-8))
		entries += int64(n)
	}
	if e.err != nil {
		return e.b, refs, 0, e.err
	}
	if len(refs) > 0 {
		w := sliceWriter{e.b}
		if err := gob.NewEncoder(&w).Encode(refs); err != nil {
			return w.b, refs[:0], 0, err
		}
		e.b = w.b
	}
	clear(refs)
	return e.b, refs[:0], entries, nil
}

// sliceWriter appends what is written to b.
type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// decodedPart is one table's entries of a key group, read from a block.
type decodedPart struct {
	table string
	m     map[entryKey]any
}

// framedValue reads a value of a format 2 block: its length, then its encoding on its own (appendValue).
func framedValue(d *Decoder) any { return d.framed(decodeValue) }

// decodeBlock decodes a block body of format 1, 2 or 3 into one map per table, each sized for its entries.
func decodeBlock(body []byte, format int) ([]decodedPart, error) {
	if format == 3 {
		return decodeBlockV3(body)
	}
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
	r := &Decoder{b: body}
	parts := make([]decodedPart, r.Len())
	for i := range parts {
		parts[i].table = string(r.bytes())
		n := r.Uint64()
		bin := &Decoder{b: r.bytes()}
		if r.err != nil {
			return nil, fmt.Errorf("%w: %v", errBlock, r.err)
		}
		m := make(map[entryKey]any, min(n, uint64(len(bin.b))))
		for range n {
			ns := Namespace{Start: bin.Int64(), End: bin.Int64()}
			k := framedValue(bin)
			v := framedValue(bin)
			if bin.err != nil {
				return nil, fmt.Errorf("%w: table %s: %v", errBlock, parts[i].table, bin.err)
			}
			m[entryKey{k, ns}] = v
		}
		if len(bin.b) != 0 {
			return nil, fmt.Errorf("%w: table %s: %d bytes after its entries", errBlock, parts[i].table, len(bin.b))
		}
		if g := r.bytes(); len(g) > 0 {
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
		return nil, fmt.Errorf("%w: %v", errBlock, r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after its tables", errBlock, len(r.b))
	}
	return parts, nil
}

// decodeBlockV3 decodes a format 3 block body.
func decodeBlockV3(body []byte) ([]decodedPart, error) {
	d := &Decoder{b: body}
	parts := make([]decodedPart, d.Len())
	if d.err != nil {
		return nil, fmt.Errorf("%w: %v", errBlock, d.err)
	}
	entries := make([]struct {
		n uint32
		b []byte
	}, len(parts))
	for i := range parts {
		parts[i].table = d.Str()
		if d.err != nil || len(d.b) < 8 {
			return nil, fmt.Errorf("%w: table %d of %d runs past the block's end", errBlock, i+1, len(parts))
		}
		n, size := binary.BigEndian.Uint32(d.b), binary.BigEndian.Uint32(d.b[4:])
		if uint64(size) > uint64(len(d.b)-8) {
			return nil, fmt.Errorf("%w: table %s: %d bytes of entries, %d left in the block", errBlock, parts[i].table, size, len(d.b)-8)
		}
		entries[i].n, entries[i].b = n, d.b[8:8+size]
		d.b = d.b[8+size:]
	}
	var refs []any
	if len(d.b) > 0 {
		r := bytes.NewReader(d.b)
		if err := gob.NewDecoder(r).Decode(&refs); err != nil {
			return nil, fmt.Errorf("the gob-encoded values: %w", err)
		}
		if r.Len() != 0 {
			return nil, fmt.Errorf("%w: %d bytes after its gob-encoded values", errBlock, r.Len())
		}
	}
	for i := range parts {
		e := &Decoder{b: entries[i].b, refs: refs}
		n := entries[i].n
		m := make(map[entryKey]any, min(int(n), len(e.b)/4)) // an entry takes 4 bytes at least
		for range n {
			ns := Namespace{Start: e.Int64(), End: e.Int64()}
			k := e.Value()
			v := e.Value()
			if e.err == nil && !hashable(k) {
				e.Fail("a key of the uncomparable type %T", k)
			}
			if e.err != nil {
				return nil, fmt.Errorf("%w: table %s: %v", errBlock, parts[i].table, e.err)
			}
			m[entryKey{k, ns}] = v
		}
		if len(e.b) != 0 {
			return nil, fmt.Errorf("%w: table %s: %d bytes after its entries", errBlock, parts[i].table, len(e.b))
		}
		parts[i].m = m
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
