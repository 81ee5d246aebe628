package ml

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoColumn is wrapped by errors about a column a row does not have; the message names the column.
var ErrNoColumn = errors.New("ml: no such column")

// ErrColumnType is wrapped by errors about a column value of the wrong type.
var ErrColumnType = errors.New("ml: wrong column type")

// Row is one row of a table: values under named columns, Flink's org.apache.flink.types.Row with field names.
// Names and Values have the same length; rows of one table share their Names. Until Weir has a Table API, a
// Table here is a bounded stream or slice of Rows; when the Table API lands, a Row maps onto its rows one to
// one (the names are the schema's column names, in order).
type Row struct {
	Names  []string
	Values []any
}

// NewRow makes a row from alternating column names and values, NewRow("features", Dense(0, 0), "label", 1.0).
// It panics if a name is not a string, is repeated, or lacks its value.
func NewRow(namesAndValues ...any) Row {
	if len(namesAndValues)%2 != 0 {
		panic(fmt.Sprintf("ml: NewRow: %d arguments, want name and value pairs", len(namesAndValues)))
	}
	r := Row{}
	for i := 0; i < len(namesAndValues); i += 2 {
		name, ok := namesAndValues[i].(string)
		if !ok {
			panic(fmt.Sprintf("ml: NewRow: argument %d must be a column name, got %T", i, namesAndValues[i]))
		}
		if r.Index(name) >= 0 {
			panic(fmt.Sprintf("ml: NewRow: column %q given twice", name))
		}
		r.Names = append(r.Names, name)
		r.Values = append(r.Values, namesAndValues[i+1])
	}
	return r
}

// Index returns the position of column name, or -1.
func (r Row) Index(name string) int {
	for i, n := range r.Names {
		if n == name {
			return i
		}
	}
	return -1
}

// Get returns the value of column name, or nil if the row has no such column.
func (r Row) Get(name string) any {
	if i := r.Index(name); i >= 0 {
		return r.Values[i]
	}
	return nil
}

// Field returns the value of column name, or an error wrapping ErrNoColumn.
func (r Row) Field(name string) (any, error) {
	if i := r.Index(name); i >= 0 {
		return r.Values[i], nil
	}
	return nil, fmt.Errorf("%w: %q (the row has %v)", ErrNoColumn, name, r.Names)
}

// Vector returns column name as a Vector (see AsVector).
func (r Row) Vector(name string) (Vector, error) {
	v, err := r.Field(name)
	if err != nil {
		return nil, err
	}
	vec, err := AsVector(v)
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", name, err)
	}
	return vec, nil
}

// Float returns column name as a float64; any Go integer or float type is accepted.
func (r Row) Float(name string) (float64, error) {
	v, err := r.Field(name)
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("column %q: %w: got %T, want a number", name, ErrColumnType, v)
}

// With returns a copy of the row with column name set to v: replaced where the row has it, appended
// otherwise. The receiver is not changed.
func (r Row) With(name string, v any) Row {
	out := Row{Names: r.Names, Values: append([]any(nil), r.Values...)}
	if i := r.Index(name); i >= 0 {
		out.Values[i] = v
		return out
	}
	out.Names = append(append([]string(nil), r.Names...), name)
	out.Values = append(out.Values, v)
	return out
}

// String formats the row as "(features=[0.0, 0.3], prediction=0)".
func (r Row) String() string {
	parts := make([]string, len(r.Names))
	for i, n := range r.Names {
		parts[i] = fmt.Sprintf("%s=%v", n, r.Values[i])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
