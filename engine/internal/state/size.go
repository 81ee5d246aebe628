package state

import (
	"fmt"
	"reflect"
)

// SizeOf estimates the bytes a value occupies: its own size plus what its strings, slices and maps hold.
// It is an estimate for the live state-size view, not an exact accounting.
func SizeOf(v any) int64 {
	if v == nil {
		return 0
	}
	return sizeOf(reflect.ValueOf(v), 3)
}

func sizeOf(v reflect.Value, depth int) int64 {
	switch v.Kind() {
	case reflect.String:
		return 16 + int64(v.Len())
	case reflect.Slice:
		n := int64(24)
		if depth > 0 {
			for i := 0; i < min(v.Len(), 16); i++ {
				n += sizeOf(v.Index(i), depth-1)
			}
			if v.Len() > 16 {
				n = n * int64(v.Len()) / 16
			}
		}
		return n
	case reflect.Map:
		n := int64(48)
		if depth > 0 {
			i := 0
			it := v.MapRange()
			for it.Next() && i < 16 {
				n += sizeOf(it.Key(), depth-1) + sizeOf(it.Value(), depth-1) + 16
				i++
			}
			if v.Len() > 16 {
				n = n * int64(v.Len()) / 16
			}
		}
		return n
	case reflect.Struct:
		var n int64
		for i := 0; i < v.NumField(); i++ {
			n += sizeOf(v.Field(i), depth)
		}
		return n
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() || depth == 0 {
			return 8
		}
		return 8 + sizeOf(v.Elem(), depth-1)
	case reflect.Invalid:
		return 0
	default:
		return int64(v.Type().Size())
	}
}

func errKeyGroup(kg, base, n int) error {
	return fmt.Errorf("state: key group %d is outside this backend's range [%d..%d]", kg, base, base+n-1)
}
