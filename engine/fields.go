package engine

import (
	"fmt"
	"reflect"
	"sync"
)

// Fielder is implemented by records that resolve their own field names, such as a recorded event whose
// payload entries are its fields.
type Fielder interface {
	Field(name string) (any, bool)
}

// FieldSetter is implemented by Fielder records whose fields the rolling aggregations (Sum, Min, Max, ...) and
// Aggregate may replace: WithField returns a copy of the record with the named field set to v, leaving the
// receiver unchanged, or false when the record has no such field.
type FieldSetter interface {
	WithField(name string, v any) (any, bool)
}

// Field returns the named field of a record: what a Fielder returns, an exported struct field (also of a
// pointer to a struct, and of the anonymous struct types that interpreted cells produce), or a map[string]any
// entry. An empty name returns v itself. A missing field panics with a message naming it, which fails the
// job at that record.
func Field(v any, name string) any {
	if name == "" {
		return v
	}
	if f, ok := v.(Fielder); ok {
		x, ok := f.Field(name)
		if !ok {
			panic(fmt.Sprintf("engine.Field: %T has no field %q", v, name))
		}
		return x
	}
	if m, ok := v.(map[string]any); ok {
		f, ok := m[name]
		if !ok {
			panic(fmt.Sprintf("engine.Field: record %v has no key %q", v, name))
		}
		return f
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		panic(fmt.Sprintf("engine.Field: record %v (%T) is not a struct or map, so has no field %q", v, v, name))
	}
	idx, ok := fieldIndex(rv.Type(), name)
	if !ok {
		panic(fmt.Sprintf("engine.Field: %T has no field %q", v, name))
	}
	return rv.Field(idx).Interface()
}

var fieldCache sync.Map // map[fieldKey]int

type fieldKey struct {
	t    reflect.Type
	name string
}

func fieldIndex(t reflect.Type, name string) (int, bool) {
	k := fieldKey{t, name}
	if i, ok := fieldCache.Load(k); ok {
		return i.(int), true
	}
	f, ok := t.FieldByName(name)
	if !ok || len(f.Index) != 1 {
		return 0, false
	}
	fieldCache.Store(k, f.Index[0])
	return f.Index[0], true
}

// Float returns Field(v, name) converted to float64; every integer and float kind converts.
func Float(v any, name string) float64 {
	switch f := Field(v, name).(type) {
	case float64:
		return f
	case int:
		return float64(f)
	case int64:
		return float64(f)
	case float32:
		return float64(f)
	case int32:
		return float64(f)
	default:
		rv := reflect.ValueOf(f)
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return float64(rv.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return float64(rv.Uint())
		case reflect.Float32, reflect.Float64:
			return rv.Float()
		}
		panic(fmt.Sprintf("engine.Float: field %q of %v is %T, not a number", name, v, f))
	}
}

// KeyByField returns a KeySelector that keys records by a field (see Field).
func KeyByField(name string) KeySelector { return func(v any) any { return Field(v, name) } }

// withField returns a copy of v with field name set to val (v's own value when name is ""). It serves the
// rolling aggregations, which, as in Flink, emit the first record of a key with the aggregated field replaced.
func withField(v any, name string, val any) any {
	if name == "" {
		return val
	}
	if s, ok := v.(FieldSetter); ok {
		c, ok := s.WithField(name, val)
		if !ok {
			panic(fmt.Sprintf("engine: %T has no field %q", v, name))
		}
		return c
	}
	if m, ok := v.(map[string]any); ok {
		c := make(map[string]any, len(m))
		for k, x := range m {
			c[k] = x
		}
		c[name] = val
		return c
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct {
		panic(fmt.Sprintf("engine: cannot set field %q of %T", name, v))
	}
	c := reflect.New(rv.Type()).Elem()
	c.Set(rv)
	idx, ok := fieldIndex(rv.Type(), name)
	if !ok {
		panic(fmt.Sprintf("engine: %T has no field %q", v, name))
	}
	f := c.Field(idx)
	nv := reflect.ValueOf(val)
	if nv.Type() != f.Type() {
		nv = nv.Convert(f.Type())
	}
	f.Set(nv)
	return c.Interface()
}
