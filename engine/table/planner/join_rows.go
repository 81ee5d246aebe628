package planner

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
	"unsafe"
)

// joinRows is one join input's rows for one join key, as a regular join keeps them without a state TTL: a
// multiset of rows (Flink's JoinRecordStateViews for an input without a unique key: each distinct row with
// its number of copies and, on an outer side, the number of rows of the other side it is joined with), all
// in one byte slice. The slice holds no pointers, so the garbage collector does not scan the rows a join
// keeps for good (most of a long-running join's heap), and a disk backend writes it as it is.
//
// Each row is a header (copies and associations, int64 each, and the length of the fields, uint32, little
// endian) followed by its fields (appendJoinValue). A row retracted to no copies stays in Data, as dead, until
// the dead rows outnumber the live ones; rows keep their order of arrival. An input that never retracts (an
// insert-only one) adds each row as a new one without looking for an equal row first, so its duplicates
// are rows of one copy each; they join exactly as one row of several copies does.
type joinRows struct {
	Data []byte
	Live int // rows with copies
	Dead int // rows retracted to no copies, still in Data
	// index is the offset of each live row by its encoded fields, built when a search meets more than
	// joinRowsIndexed rows and dropped when Data is compacted (it is not part of the state).
	index map[string]int
	// search and changed are set while a row is joined (not part of the state): search marks an input
	// that retracts, whose added rows are looked for among the rows held; changed marks rows that must be
	// written back.
	search, changed bool
}

// joinRowsIndexed is the number of live rows up to which a joinRows is searched without its index.
const joinRowsIndexed = 8

// joinRowHeader is the size of a row's header in joinRows.Data.
const joinRowHeader = 20

// ErrJoinValue is returned when a join input's row holds a value of a Go type no SQL type has at run time
// (see TypeKind), which a regular join cannot keep in its state.
var ErrJoinValue = errors.New("join: a value of no SQL type")

// CopyState returns a copy of the rows that shares no memory with them.
func (j *joinRows) CopyState() any {
	return &joinRows{Data: slices.Clone(j.Data), Live: j.Live, Dead: j.Dead}
}

func (j *joinRows) copies(off int) int64 { return int64(binary.LittleEndian.Uint64(j.Data[off:])) }
func (j *joinRows) assoc(off int) int64  { return int64(binary.LittleEndian.Uint64(j.Data[off+8:])) }
func (j *joinRows) setCopies(off int, n int64) {
	binary.LittleEndian.PutUint64(j.Data[off:], uint64(n))
}

// setAssoc sets the associations of the row at off (a joinSide's handle).
func (j *joinRows) setAssoc(off int, n int64) {
	binary.LittleEndian.PutUint64(j.Data[off+8:], uint64(n))
	j.changed = true
}

// fields returns the encoded fields of the row at off.
func (j *joinRows) fields(off int) []byte {
	n := int(binary.LittleEndian.Uint32(j.Data[off+16:]))
	return j.Data[off+joinRowHeader : off+joinRowHeader+n]
}

// next returns the offset of the row after the row at off.
func (j *joinRows) next(off int) int {
	return off + joinRowHeader + int(binary.LittleEndian.Uint32(j.Data[off+16:]))
}

// appendRows appends the live rows, in order of arrival, to dst, each joined with the input row's fields in
// (a joinSide's rows, with their offsets as handles). The rows of a nil joinRows (a side that holds none)
// are none.
func (j *joinRows) appendRows(dst []joinMatch, in []any, b *pairBlock) []joinMatch {
	if j == nil {
		return dst
	}
	for off := 0; off < len(j.Data); off = j.next(off) {
		if n := j.copies(off); n > 0 {
			m := joinMatch{h: off, copies: n, assoc: j.assoc(off)}
			m.p, m.pair, m.fields = b.decode(in, j.fields(off))
			dst = append(dst, m)
		}
	}
	return dst
}

// add adds a copy of a row (a joinSide's add).
func (j *joinRows) add(fields []any, outer bool, assoc int64) error {
	off, err := j.addRow(fields, j.search)
	if err != nil {
		return err
	}
	if outer {
		j.setAssoc(off, assoc)
	}
	j.changed = true
	return nil
}

// appendRow appends a row of the given copies and fields (its values' encodings) to Data, and returns its
// offset; on an error Data is as it was.
func (j *joinRows) appendRow(copies int64, fields []any) (int, error) {
	off := len(j.Data)
	// Room for the header and fields of 8 bytes each (most are), in one growth rather than several.
	j.Data = slices.Grow(j.Data, joinRowHeader+9*len(fields))
	j.Data = binary.LittleEndian.AppendUint64(j.Data, uint64(copies))
	j.Data = binary.LittleEndian.AppendUint64(j.Data, 0)
	j.Data = binary.LittleEndian.AppendUint32(j.Data, 0)
	for _, v := range fields {
		var err error
		if j.Data, err = appendJoinValue(j.Data, v); err != nil {
			j.Data = j.Data[:off]
			return 0, err
		}
	}
	binary.LittleEndian.PutUint32(j.Data[off+16:], uint32(len(j.Data)-off-joinRowHeader))
	return off, nil
}

// find returns the offset of the live row before end whose encoded fields are enc, or -1.
func (j *joinRows) find(enc []byte, end int) int {
	if j.index == nil && j.Live > joinRowsIndexed {
		j.index = make(map[string]int, j.Live)
		for off := 0; off < end; off = j.next(off) {
			if j.copies(off) > 0 {
				j.index[string(j.fields(off))] = off
			}
		}
	}
	if j.index != nil {
		if off, ok := j.index[string(enc)]; ok {
			return off
		}
		return -1
	}
	for off := 0; off < end; off = j.next(off) {
		if j.copies(off) > 0 && bytes.Equal(j.fields(off), enc) {
			return off
		}
	}
	return -1
}

// addRow adds a copy of the row of fields and returns its offset. With search, a row already held gains a
// copy; without (an input that never retracts), the row is added as a new one.
func (j *joinRows) addRow(fields []any, search bool) (int, error) {
	end := len(j.Data)
	off, err := j.appendRow(1, fields)
	if err != nil {
		return 0, err
	}
	if search {
		if at := j.find(j.fields(off), end); at >= 0 {
			j.Data = j.Data[:end]
			j.setCopies(at, j.copies(at)+1)
			return at, nil
		}
	}
	j.Live++
	if j.index != nil {
		j.index[string(j.fields(off))] = off
	}
	return off, nil
}

// retract removes a copy of the row of fields, if it is held.
func (j *joinRows) retract(fields []any) error {
	j.changed = true
	end := len(j.Data)
	off, err := j.appendRow(0, fields)
	if err != nil {
		return err
	}
	at := j.find(j.fields(off), end)
	j.Data = j.Data[:end]
	if at < 0 {
		return nil
	}
	n := j.copies(at) - 1
	j.setCopies(at, n)
	if n > 0 {
		return nil
	}
	j.Live--
	j.Dead++
	if j.index != nil {
		delete(j.index, string(j.fields(at)))
	}
	if j.Dead > j.Live {
		j.compact()
	}
	return nil
}

// compact drops the dead rows from Data, keeping the live ones in order.
func (j *joinRows) compact() {
	w := 0
	for off := 0; off < len(j.Data); {
		next := j.next(off)
		if j.copies(off) > 0 {
			w += copy(j.Data[w:], j.Data[off:next])
		}
		off = next
	}
	j.Data, j.Dead, j.index = j.Data[:w], 0, nil
	if w == 0 {
		j.Data = nil
	}
}

// The tags of the encodings of values in joinRows.
const (
	tagNull  = 'n'
	tagInt   = 'i' // 8 bytes
	tagFloat = 'f' // 8 bytes: the IEEE 754 bits
	tagFalse = 'F'
	tagTrue  = 'T'
	tagStr   = 's' // uvarint length, bytes
	tagTime  = 't' // Unix seconds, 8 bytes, and nanoseconds, 4 bytes (the instant; read back in UTC)
)

// appendJoinValue appends the encoding of a field's value (one of the run-time forms of TypeKind) to b.
// Equal values of one type have equal encodings.
func appendJoinValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, tagNull), nil
	case int64:
		return binary.LittleEndian.AppendUint64(append(b, tagInt), uint64(x)), nil
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, tagFloat), math.Float64bits(x)), nil
	case bool:
		if x {
			return append(b, tagTrue), nil
		}
		return append(b, tagFalse), nil
	case string:
		return append(binary.AppendUvarint(append(b, tagStr), uint64(len(x))), x...), nil
	case time.Time:
		b = binary.LittleEndian.AppendUint64(append(b, tagTime), uint64(x.Unix()))
		return binary.LittleEndian.AppendUint32(b, uint32(x.Nanosecond())), nil
	}
	return b, fmt.Errorf("%w: %v (%T)", ErrJoinValue, v, v)
}

// pairBlock builds the joined rows of one input's rows with the other input's, one allocation each
// (rowBlock): the Row, its fields, and a typed slot for each of the other input's columns of an integer,
// floating-point or time type, which the other input's rows are read back into from joinRows.
type pairBlock struct {
	block       *rowBlock
	in, other   int // where the input's fields and the other input's start in a joined row
	nIn, nOther int
}

// newPairBlock returns the pairBlock of the rows of the left input (inLeft) or of the right one.
func newPairBlock(left, right []Column, inLeft bool) *pairBlock {
	b := &pairBlock{nIn: len(left), nOther: len(right), other: len(left)}
	others := right
	if !inLeft {
		b.nIn, b.nOther, b.in, b.other = len(right), len(left), len(left), 0
		others = left
	}
	slots := make([]slotKind, len(left)+len(right))
	for i, c := range others {
		switch {
		case c.Type.isInteger():
			slots[b.other+i] = int64Slot
		case c.Type.isNumeric():
			slots[b.other+i] = float64Slot
		case c.Type.isTime():
			slots[b.other+i] = timeSlot
		}
	}
	b.block = newRowBlock(len(slots), slots)
	return b
}

// pair returns a new joined row of the input's fields in and the other input's fields other (nil: nulls).
func (b *pairBlock) pair(in, other []any) (unsafe.Pointer, []any) {
	p, fields := b.block.newRow()
	copy(fields[b.in:b.in+b.nIn], in)
	copy(fields[b.other:b.other+b.nOther], other)
	return p, fields
}

// decode returns a new joined row of the input's fields in and the other input's row encoded in enc (by
// joinRows.appendRow), and the other input's fields within it.
func (b *pairBlock) decode(in []any, enc []byte) (unsafe.Pointer, []any, []any) {
	p, fields := b.pair(in, nil)
	rb := b.block
	for i := b.other; i < b.other+b.nOther; i++ {
		tag := enc[0]
		enc = enc[1:]
		switch tag {
		case tagNull:
		case tagInt:
			x := int64(binary.LittleEndian.Uint64(enc))
			enc = enc[8:]
			if rb.slotType[i] == int64Slot {
				rb.setInt64(p, fields, i, x)
			} else {
				fields[i] = x
			}
		case tagFloat:
			x := math.Float64frombits(binary.LittleEndian.Uint64(enc))
			enc = enc[8:]
			if rb.slotType[i] == float64Slot {
				rb.setFloat64(p, fields, i, x)
			} else {
				fields[i] = x
			}
		case tagFalse, tagTrue:
			fields[i] = tag == tagTrue
		case tagStr:
			n, k := binary.Uvarint(enc)
			fields[i] = string(enc[k : k+int(n)])
			enc = enc[k+int(n):]
		case tagTime:
			x := time.Unix(int64(binary.LittleEndian.Uint64(enc)), int64(binary.LittleEndian.Uint32(enc[8:]))).UTC()
			enc = enc[12:]
			if rb.slotType[i] == timeSlot {
				rb.setTime(p, fields, i, x)
			} else {
				fields[i] = x
			}
		}
	}
	return p, fields, fields[b.other : b.other+b.nOther]
}
