package engine

// WindowContext is what a ProcessWindowFunction sees of the window it is called for (Flink's
// ProcessWindowFunction.Context): the window, the key, both clocks, per-window and per-key state, and side
// outputs. It has no timers: a window's firings are its trigger's business. It is valid only during the call
// it is passed to.
type WindowContext struct {
	op     *windowOp
	window Window
}

// Window returns the window being fired or cleared.
func (c *WindowContext) Window() Window { return c.window }

// CurrentKey returns the key of the window.
func (c *WindowContext) CurrentKey() any { return c.op.key }

// CurrentWatermark returns the operator's current event-time watermark.
func (c *WindowContext) CurrentWatermark() int64 { return c.op.wm }

// CurrentProcessingTime returns the job clock's time in milliseconds.
func (c *WindowContext) CurrentProcessingTime() int64 { return c.op.processingTime() }

// Output emits v to the side output tag, with the window's max timestamp, the timestamp of every output of a
// firing (as in Flink).
func (c *WindowContext) Output(tag *OutputTag, v any) {
	c.op.out.side(tag, record{v: v, ts: c.window.MaxTimestamp()})
}

// WindowState returns the keyed state of the current key and window (Flink's windowState()). The window
// operator does not drop it by itself: clear it in the function's Clear, which runs when the window is
// cleaned up (at its end plus the allowed lateness). Merging (session) windows have no per-window state, as
// in Flink: calling it there panics.
func (c *WindowContext) WindowState() *KeyedStateStore {
	if c.op.mergingW {
		panic("engine: WindowContext.WindowState: per-window state is not allowed when using merging windows")
	}
	return &KeyedStateStore{&c.op.ctx}
}

// GlobalState returns the keyed state of the current key shared by all its windows (Flink's globalState()).
func (c *WindowContext) GlobalState() *KeyedStateStore {
	o := c.op
	g := &o.global
	if g.backend != o.backend { // first use, or state restored into a new backend
		g.init(o.name)
		g.task, g.backend = o.task, o.backend
	}
	g.key, g.kg, g.hasKey, g.wm, g.ns = o.key, o.kg, true, o.wm, Window{}
	return &KeyedStateStore{&g.ctx}
}

// KeyedStateStore gives the keyed state of one scope, the current key's and, for WindowContext.WindowState,
// the current window's (Flink's KeyedStateStore). States of the same name in different scopes are distinct.
type KeyedStateStore struct{ ctx *Context }

// ValueState returns the ValueState described by d.
func (s *KeyedStateStore) ValueState(d StateDescriptor) *ValueState { return s.ctx.ValueState(d) }

// ListState returns the ListState described by d.
func (s *KeyedStateStore) ListState(d StateDescriptor) *ListState { return s.ctx.ListState(d) }

// MapState returns the MapState described by d.
func (s *KeyedStateStore) MapState(d StateDescriptor) *MapState { return s.ctx.MapState(d) }

// ReducingState returns the ReducingState described by d, which must have Reduce set.
func (s *KeyedStateStore) ReducingState(d StateDescriptor) *ReducingState {
	return s.ctx.ReducingState(d)
}

// AggregatingState returns the AggregatingState described by d, which must have Aggregate set.
func (s *KeyedStateStore) AggregatingState(d StateDescriptor) *AggregatingState {
	return s.ctx.AggregatingState(d)
}
