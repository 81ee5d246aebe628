package state

import "fmt"

// AppendValue appends the encoding of v to b with the codec the Pebble backend stores values with: strings,
// integers, floats, booleans and byte slices directly, anything else with gob (its dynamic types registered
// as RegisterDeep does). The encoding carries no length: a caller storing several values in one buffer
// frames them itself. A value gob cannot encode (a func, a chan, an unregistered type behind an interface)
// is an error naming its type.
func AppendValue(b []byte, v any) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = b, fmt.Errorf("%v", r)
		}
	}()
	return appendValue(b, v), nil
}

// DecodeValue decodes one value written by AppendValue; b must hold exactly that value.
func DecodeValue(b []byte) (any, error) { return decodeValue(b) }
