package engine

// endOfInputOp in Batch mode (Config.RuntimeMode): its input arrives sorted by key, one key after another
// (batchKeyedOp), so it keeps only the current key's records (ReduceGroup, CoGroupBounded, Cross) or
// accumulator (Aggregate, FirstN) and emits that key's result as soon as the next key begins, and the last
// key's at the end of input, as Flink's GroupReduceDriver and ReduceDriver do over sorted input: no keyed
// state per record, and memory for one key at a time.

// batchGroup is the key group an endOfInputOp is collecting in Batch mode.
type batchGroup struct {
	has    bool
	key    any
	kg     int
	values []any // fold == nil
	acc    any   // fold != nil
	hasAcc bool
}

// addBatch adds r to the current key group, first emitting the group if r starts a new key.
func (o *endOfInputOp) addBatch(r record) {
	g := o.group
	if g.has && r.key != g.key {
		o.emitGroup()
	}
	if !g.has {
		g.has, g.key, g.kg = true, r.key, int(r.kg)
	}
	if o.fold == nil {
		g.values = append(g.values, r.v)
		return
	}
	g.acc, g.hasAcc = o.fold(g.acc, g.hasAcc, r.v), true
}

// emitGroup emits the current key group's result with its key as the current key, and starts an empty
// group. emit may keep the values slice: the next group gets a new one.
func (o *endOfInputOp) emitGroup() {
	g := o.group
	if !g.has {
		return
	}
	o.key, o.kg, o.hasKey = g.key, g.kg, true
	if o.fold == nil {
		o.emit(g.key, g.values, &o.col)
	} else {
		o.emit(g.key, g.acc, &o.col)
	}
	*g = batchGroup{}
	o.hasKey = false
}
