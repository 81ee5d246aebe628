package planner

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
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
func (j *joinRows) setAssoc(off int, n int64) {
	binary.LittleEndian.PutUint64(j.Data[off+8:], uint64(n))
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

// each calls f with the offset of every live row, in order of arrival, until f returns an error.
func (j *joinRows) each(f func(off int) error) error {
	for off := 0; off < len(j.Data); off = j.next(off) {
		if j.copies(off) > 0 {
			if err := f(off); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendRow appends a row of the given copies and fields (its values' encodings) to Data, and returns its
// offset; on an error Data is as it was.
func (j *joinRows) appendRow(copies int64, fields []any) (int, error) {
	off := len(j.Data)
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

// add adds a copy of the row of fields and returns its offset. With search, a row already held gains a
// copy; without (an input that never retracts), the row is added as a new one.
func (j *joinRows) add(fields []any, search bool) (int, error) {
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

// joinRowDecoder reads a join input's rows back from joinRows into rows of one allocation each (rowBlock),
// with a typed slot for each column of an integer, floating-point or time type.
type joinRowDecoder struct{ block *rowBlock }

func newJoinRowDecoder(cols []Column) *joinRowDecoder {
	slots := make([]slotKind, len(cols))
	for i, c := range cols {
		switch {
		case c.Type.isInteger():
			slots[i] = int64Slot
		case c.Type.isNumeric():
			slots[i] = float64Slot
		case c.Type.isTime():
			slots[i] = timeSlot
		}
	}
	return &joinRowDecoder{block: newRowBlock(len(cols), slots)}
}

// decode returns the fields encoded in enc (by joinRows.appendRow).
func (d *joinRowDecoder) decode(enc []byte) []any {
	b := d.block
	p, fields := b.newRow()
	for i := range fields {
		tag := enc[0]
		enc = enc[1:]
		switch tag {
		case tagNull:
		case tagInt:
			x := int64(binary.LittleEndian.Uint64(enc))
			enc = enc[8:]
			if b.slotType[i] == int64Slot {
				b.setInt64(p, fields, i, x)
			} else {
				fields[i] = x
			}
		case tagFloat:
			x := math.Float64frombits(binary.LittleEndian.Uint64(enc))
			enc = enc[8:]
			if b.slotType[i] == float64Slot {
				b.setFloat64(p, fields, i, x)
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
			if b.slotType[i] == timeSlot {
				b.setTime(p, fields, i, x)
			} else {
				fields[i] = x
			}
		}
	}
	return fields
}
