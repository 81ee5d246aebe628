package planner

import (
	"reflect"
	"strconv"
	"time"
	"unsafe"
)

// A rowBlock builds rows in one allocation each: the Row value a record carries, the array of its fields
// and the values of the fields that would otherwise be boxed one by one (an int64, a float64 or a
// time.Time put in an interface is an allocation of its own). Boxing a Row value into the record's
// interface is one more, so a source row of five fields took six or seven allocations and takes one.
//
// The block is a struct made at plan time (reflect.StructOf: the Row, then the fields, then one typed slot
// per slotted field), so the garbage collector knows its pointers; an interface that holds a slot's value
// (or the Row) points into the block, as Go's own boxing points to a copy of its own. Such an interface is
// read-only like any other: a slot is written once, before its interface exists, and never again, so the
// values are as immutable as boxed ones, compare and hash the same, and keep the whole block alive.
type rowBlock struct {
	typ       reflect.Type
	n         int
	fieldsOff uintptr
	slot      []uintptr // per field: the offset of its typed slot, or 0 if it has none (boxed as usual)
	slotType  []slotKind
}

// slotKind is the Go type of a field's slot in a rowBlock.
type slotKind uint8

const (
	noSlot slotKind = iota
	int64Slot
	float64Slot
	timeSlot
)

// The interfaces' type words of the types a rowBlock places in a block: an interface is a type word and a
// pointer to its value (for these types, which are not pointer-shaped).
var (
	rowTypeWord     = typeWord(Row{})
	int64TypeWord   = typeWord(int64(0))
	float64TypeWord = typeWord(float64(0))
	timeTypeWord    = typeWord(time.Time{})
)

type eface struct{ typ, data unsafe.Pointer }

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

// boxAt returns the interface of type typ (a type word above) whose value is at p.
func boxAt(typ, p unsafe.Pointer) (v any) {
	*(*eface)(unsafe.Pointer(&v)) = eface{typ: typ, data: p}
	return v
}

// newRowBlock returns the block of rows of n fields in which field i has a slot of kind slots[i] (slots may
// be shorter than n or nil: no slot).
func newRowBlock(n int, slots []slotKind) *rowBlock {
	sf := []reflect.StructField{
		{Name: "R", Type: reflect.TypeFor[Row]()},
		{Name: "F", Type: reflect.ArrayOf(n, reflect.TypeFor[any]())},
	}
	goType := map[slotKind]reflect.Type{int64Slot: reflect.TypeFor[int64](), float64Slot: reflect.TypeFor[float64](),
		timeSlot: reflect.TypeFor[time.Time]()}
	for i, k := range slots {
		if k != noSlot {
			sf = append(sf, reflect.StructField{Name: "V" + strconv.Itoa(i), Type: goType[k]})
		}
	}
	b := &rowBlock{typ: reflect.StructOf(sf), n: n, slot: make([]uintptr, n), slotType: make([]slotKind, n)}
	b.fieldsOff = b.typ.Field(1).Offset
	f := 2
	for i, k := range slots {
		if k != noSlot {
			b.slot[i], b.slotType[i] = b.typ.Field(f).Offset, k
			f++
		}
	}
	return b
}

// newRow allocates a block: it returns the block and its row's fields, all nil.
func (b *rowBlock) newRow() (unsafe.Pointer, []any) {
	p := reflect.New(b.typ).UnsafePointer()
	return p, unsafe.Slice((*any)(unsafe.Add(p, b.fieldsOff)), b.n)
}

// setInt64 sets field i, which has an int64Slot, of the row of block p to v.
func (b *rowBlock) setInt64(p unsafe.Pointer, fields []any, i int, v int64) {
	s := unsafe.Add(p, b.slot[i])
	*(*int64)(s) = v
	fields[i] = boxAt(int64TypeWord, s)
}

// setFloat64 sets field i, which has a float64Slot, of the row of block p to v.
func (b *rowBlock) setFloat64(p unsafe.Pointer, fields []any, i int, v float64) {
	s := unsafe.Add(p, b.slot[i])
	*(*float64)(s) = v
	fields[i] = boxAt(float64TypeWord, s)
}

// setTime sets field i, which has a timeSlot, of the row of block p to v.
func (b *rowBlock) setTime(p unsafe.Pointer, fields []any, i int, v time.Time) {
	s := unsafe.Add(p, b.slot[i])
	*(*time.Time)(s) = v
	fields[i] = boxAt(timeTypeWord, s)
}

// row returns the record of the row of block p, of kind k and with the fields newRow returned: a Row in
// an interface that points into the block.
func (b *rowBlock) row(p unsafe.Pointer, k RowKind, fields []any) any {
	r := (*Row)(p)
	r.Kind, r.Fields = k, fields
	return boxAt(rowTypeWord, p)
}

// An updateBlock allocates the two rows of an update, -U and +U, in one block: the two Row values, then
// the fields of both (the same key columns, then each row's values), as a rowBlock does for one row.
type updateBlock struct {
	typ       reflect.Type
	n         int // fields a row
	fieldsOff uintptr
}

// newUpdateBlock returns the block of the updates of rows of n fields.
func newUpdateBlock(n int) *updateBlock {
	b := &updateBlock{n: n, typ: reflect.StructOf([]reflect.StructField{
		{Name: "R", Type: reflect.ArrayOf(2, reflect.TypeFor[Row]())},
		{Name: "F", Type: reflect.ArrayOf(2*n, reflect.TypeFor[any]())},
	})}
	b.fieldsOff = b.typ.Field(1).Offset
	return b
}

// rows returns the -U and +U records of an update of the row of keys and before to the row of keys and
// after (len(keys)+len(before) and len(keys)+len(after) are the block's n).
func (b *updateBlock) rows(keys, before, after []any) (any, any) {
	p := reflect.New(b.typ).UnsafePointer()
	f := unsafe.Slice((*any)(unsafe.Add(p, b.fieldsOff)), 2*b.n)
	fb, fa := f[:b.n:b.n], f[b.n:]
	copy(fb[copy(fb, keys):], before)
	copy(fa[copy(fa, keys):], after)
	rs := (*[2]Row)(p)
	rs[0], rs[1] = Row{Kind: UpdateBefore, Fields: fb}, Row{Kind: UpdateAfter, Fields: fa}
	return boxAt(rowTypeWord, p), boxAt(rowTypeWord, unsafe.Pointer(&rs[1]))
}

// detached returns v boxed on its own when it may point into a row's block (an int64, a float64 or a
// time.Time): held in state that outlives the row (a group's key, a MIN or MAX), such a value would keep the
// whole block, the row's other fields included, alive. Other values are returned as they are.
func detached(v any) any {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return x
	case time.Time:
		return x
	}
	return v
}
