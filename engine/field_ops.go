package engine

import (
	"cmp"
	"fmt"
	"reflect"
	"strings"
)

// Declarative field helpers: filters that compare a field with a constant and projections that keep or
// rename fields. They are compiled Go that the engine runs with no call into a notebook cell per record, so
// a cell-written job that uses them runs at compiled speed. Flink has no exact equivalent (its Table API
// and SQL do this declaratively; the DataStream API takes a function); the names say what they do. Fields
// are resolved as Field resolves them: a Fielder, an exported struct field or a map[string]any entry.
//
// A comparison is numeric when both sides are numbers of any integer or float kind (exact for two integers;
// a NaN is less than every number and equal to NaN, as cmp.Compare orders them),
// lexical for two strings, and plain equality for other values of one type. A record without the field, or
// a field whose value cannot be compared with the constant, fails the job at that record with an error that
// names the field and the operator (for example `engine.FieldLess("fare"): field is string, constant is
// float64`).

// FieldEquals returns a FilterFunc that keeps the records whose field name equals value.
func FieldEquals(name string, value any) FilterFunc {
	return fieldFilter("FieldEquals", name, value, false, func(c int) bool { return c == 0 })
}

// FieldNotEquals returns a FilterFunc that keeps the records whose field name differs from value.
func FieldNotEquals(name string, value any) FilterFunc {
	return fieldFilter("FieldNotEquals", name, value, false, func(c int) bool { return c != 0 })
}

// FieldLess returns a FilterFunc that keeps the records whose field name is less than value (numbers and
// strings only).
func FieldLess(name string, value any) FilterFunc {
	return fieldFilter("FieldLess", name, value, true, func(c int) bool { return c < 0 })
}

// FieldGreater returns a FilterFunc that keeps the records whose field name is greater than value (numbers
// and strings only).
func FieldGreater(name string, value any) FilterFunc {
	return fieldFilter("FieldGreater", name, value, true, func(c int) bool { return c > 0 })
}

// FieldIn returns a FilterFunc that keeps the records whose field name equals one of values; with no values
// it keeps nothing.
func FieldIn(name string, values ...any) FilterFunc {
	op := fmt.Sprintf("engine.FieldIn(%q)", name)
	set := append([]any(nil), values...)
	return func(v any) bool {
		f := fieldFor(op, v, name)
		for _, c := range set {
			if compareField(op, f, c, false) == 0 {
				return true
			}
		}
		return false
	}
}

// fieldFilter is the FilterFunc of a comparison of field name with value; keep maps the comparison's sign
// to the decision. ordered comparisons reject values that have no order (bools, structs).
func fieldFilter(fn, name string, value any, ordered bool, keep func(int) bool) FilterFunc {
	op := fmt.Sprintf("engine.%s(%q)", fn, name)
	return func(v any) bool { return keep(compareField(op, fieldFor(op, v, name), value, ordered)) }
}

// fieldFor is Field with op named in the error of a missing field.
func fieldFor(op string, v any, name string) (f any) {
	defer func() {
		if p := recover(); p != nil {
			panic(fmt.Sprintf("%s: %v", op, p))
		}
	}()
	return Field(v, name)
}

// compareField compares field value f with constant c: -1, 0 or 1; when !ordered, any nonzero result means
// unequal. It panics, naming op, when the two cannot be compared.
func compareField(op string, f, c any, ordered bool) int {
	switch a := f.(type) {
	case string:
		if b, ok := c.(string); ok {
			return strings.Compare(a, b)
		}
	case int64:
		if b, ok := c.(int64); ok {
			return cmp.Compare(a, b)
		}
	case float64:
		if b, ok := c.(float64); ok {
			return cmp.Compare(a, b)
		}
	}
	fi, fa, fint, fok := number(f)
	ci, ca, cint, cok := number(c)
	switch {
	case fok && cok && fint && cint:
		return cmp.Compare(fi, ci)
	case fok && cok:
		return cmp.Compare(fa, ca)
	case !ordered && f != nil && c != nil && reflect.TypeOf(f) == reflect.TypeOf(c) && reflect.TypeOf(f).Comparable():
		if f == c {
			return 0
		}
		return 1
	}
	what := "cannot compare"
	if ordered && reflect.TypeOf(f) == reflect.TypeOf(c) {
		what = "has no order"
	}
	panic(fmt.Sprintf("%s: field is %T, constant is %T: %s", op, f, c, what))
}

// number returns v as a number: as an int64 (i, isInt) when it is an integer, always as a float64 (x), and
// false when it is not a number. Unsigned integers above the largest int64 compare as floats.
func number(v any) (i int64, x float64, isInt, ok bool) {
	switch n := v.(type) {
	case int:
		return int64(n), float64(n), true, true
	case int64:
		return n, float64(n), true, true
	case int32:
		return int64(n), float64(n), true, true
	case float64:
		return 0, n, false, true
	case float32:
		return 0, float64(n), false, true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), float64(rv.Int()), true, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u := rv.Uint()
		return int64(u), float64(u), u <= 1<<63-1, true
	case reflect.Float32, reflect.Float64:
		return 0, rv.Float(), false, true
	}
	return 0, 0, false, false
}

// KeepFields returns a MapFunc that projects each record onto the named fields: a map[string]any holding
// just those fields. A name "from:to" keeps field from under the name to. With no names the result is an
// empty map.
func KeepFields(names ...string) MapFunc {
	type pick struct{ from, to string }
	picks := make([]pick, len(names))
	for i, n := range names {
		from, to, ok := strings.Cut(n, ":")
		if !ok {
			to = from
		}
		picks[i] = pick{from, to}
	}
	op := fmt.Sprintf("engine.KeepFields(%q)", names)
	return func(v any) any {
		m := make(map[string]any, len(picks))
		for _, p := range picks {
			m[p.to] = fieldFor(op, v, p.from)
		}
		return m
	}
}

// RenameField returns a MapFunc that renames field from to to and keeps every other field: the result is a
// map[string]any of all the record's fields (a map's entries, a struct's exported fields). A record without
// the field, or a Fielder that is neither (it cannot list its fields), fails the job naming the field.
func RenameField(from, to string) MapFunc {
	op := fmt.Sprintf("engine.RenameField(%q, %q)", from, to)
	return func(v any) any {
		var m map[string]any
		switch r := v.(type) {
		case map[string]any:
			m = make(map[string]any, len(r))
			for k, x := range r {
				m[k] = x
			}
		default:
			rv := reflect.ValueOf(v)
			for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
				rv = rv.Elem()
			}
			if rv.Kind() != reflect.Struct {
				panic(fmt.Sprintf("%s: record %v (%T) is not a struct or map, so its fields cannot be listed", op, v, v))
			}
			t := rv.Type()
			m = make(map[string]any, t.NumField())
			for i := range t.NumField() {
				if t.Field(i).IsExported() {
					m[t.Field(i).Name] = rv.Field(i).Interface()
				}
			}
		}
		x, ok := m[from]
		if !ok {
			panic(fmt.Sprintf("%s: %T has no field %q", op, v, from))
		}
		delete(m, from)
		m[to] = x
		return m
	}
}
