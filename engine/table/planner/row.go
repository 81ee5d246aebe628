package planner

import (
	"strings"
	"time"
)

// RowKind is the kind of change a row is in a changelog, Flink's RowKind.
type RowKind uint8

// The row kinds, printed +I, -U, +U and -D as Flink does.
const (
	Insert       RowKind = iota // +I: a new row
	UpdateBefore                // -U: the previous content of an updated row (retracted)
	UpdateAfter                 // +U: the new content of an updated row
	Delete                      // -D: a deleted row
)

// String returns the short form: +I, -U, +U or -D.
func (k RowKind) String() string {
	switch k {
	case Insert:
		return "+I"
	case UpdateBefore:
		return "-U"
	case UpdateAfter:
		return "+U"
	case Delete:
		return "-D"
	}
	return "?"
}

// IsAccumulate reports whether the row adds to a result (+I, +U) rather than retracting (-U, -D).
func (k RowKind) IsAccumulate() bool { return k == Insert || k == UpdateAfter }

// Row is one row of a dynamic table as it flows through a job: its kind and its fields, in the order of
// the table's columns. It is the record type of every DataStream the planner builds.
type Row struct {
	Kind   RowKind
	Fields []any
}

// String formats the row as Flink's Row.toString does: +I[1, a, <NULL>] (fields untyped: see
// FormatValue for typed formatting).
func (r Row) String() string {
	var sb strings.Builder
	sb.WriteString(r.Kind.String())
	sb.WriteByte('[')
	for i, f := range r.Fields {
		if i > 0 {
			sb.WriteString(", ")
		}
		t := DataType{}
		switch f.(type) {
		case time.Time:
			t = TypeTimestamp
		case float64:
			t = TypeDouble
		}
		sb.WriteString(FormatValue(f, t))
	}
	sb.WriteByte(']')
	return sb.String()
}
