package state

// RegisterDeep registers the concrete type of v and the dynamic types gob will meet inside it (behind
// interfaces in slices, maps and struct fields, sampled as heap snapshots do), for state the engine encodes
// outside a Backend, such as broadcast state.
func RegisterDeep(v any) { registerDeep(v, 0) }
