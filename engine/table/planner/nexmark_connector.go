package planner

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
	"github.com/de4e/weir/sources"
)

// The connector 'weir-nexmark' reads one table of Weir's typed Nexmark stream (sources.NexmarkEventAt):
// 'table' = 'bid', 'auction' or 'person' selects the events, 'number-of-events' (default unbounded) bounds
// the whole stream, of which bids are 46 in 50 events, auctions 3 and persons 1. Columns are matched by
// their Nexmark names, as the Nexmark benchmark's DDL declares them; the columns Weir's generator does not
// produce (the strings name, city, channel, url, extra, ...) are NULL.
var nexmarkColumns = map[string]map[string]nexmarkColumn{
	"bid": {
		"auction":  {bigint: func(e *sources.NexmarkEvent) int64 { return e.Auction }},
		"bidder":   {bigint: func(e *sources.NexmarkEvent) int64 { return e.Bidder }},
		"price":    {bigint: func(e *sources.NexmarkEvent) int64 { return e.Price }},
		"datetime": {millis: func(e *sources.NexmarkEvent) int64 { return e.TS }},
		"channel":  {}, "url": {}, "extra": {},
	},
	"auction": {
		"id":       {bigint: func(e *sources.NexmarkEvent) int64 { return e.ID }},
		"seller":   {bigint: func(e *sources.NexmarkEvent) int64 { return e.Seller }},
		"category": {bigint: func(e *sources.NexmarkEvent) int64 { return e.Category }},
		"datetime": {millis: func(e *sources.NexmarkEvent) int64 { return e.TS }},
		"expires":  {millis: func(e *sources.NexmarkEvent) int64 { return e.Expires }},
		"itemname": {}, "description": {}, "initialbid": {}, "reserve": {}, "extra": {},
	},
	"person": {
		"id":       {bigint: func(e *sources.NexmarkEvent) int64 { return e.ID }},
		"state":    {str: func(e *sources.NexmarkEvent) string { return e.State }},
		"datetime": {millis: func(e *sources.NexmarkEvent) int64 { return e.TS }},
		"name":     {}, "emailaddress": {}, "creditcard": {}, "city": {}, "extra": {},
	},
}

// nexmarkColumn reads one column of a Nexmark table from an event: a BIGINT (bigint), a TIMESTAMP(3) in
// epoch milliseconds (millis) or a STRING (str); none set for a column the generator does not produce.
// proctime marks the column of a PROCTIME() pushed into the source (Compiler.projectedScan).
type nexmarkColumn struct {
	bigint, millis func(*sources.NexmarkEvent) int64
	str            func(*sources.NexmarkEvent) string
	proctime       bool
}

// value returns the column's value in the generator's form (int64, time.Time or string; nil for NULL).
func (c nexmarkColumn) value(e *sources.NexmarkEvent) any {
	switch {
	case c.bigint != nil:
		return c.bigint(e)
	case c.millis != nil:
		return time.UnixMilli(c.millis(e)).UTC()
	case c.str != nil:
		return c.str(e)
	}
	return nil
}

// slot returns the slot of the column's values in a row block when its declared type t is the generator's
// (BIGINT, TIMESTAMP(3) and more precise), so that the value is stored as it is; noSlot otherwise.
func (c nexmarkColumn) slot(t DataType) slotKind {
	switch {
	case c.bigint != nil && t.Kind == KindBigInt:
		return int64Slot
	case c.millis != nil && t.Kind == KindTimestamp && t.Precision >= 3:
		return timeSlot
	}
	return noSlot
}

var nexmarkKinds = map[string]uint8{"bid": sources.NexmarkBidKind, "auction": sources.NexmarkAuctionKind, "person": sources.NexmarkPersonKind}

func checkNexmark(t *Table, pos sqlparse.Pos) error {
	table := t.Options["table"]
	cols, ok := nexmarkColumns[table]
	if !ok {
		return errAt(pos, ErrValidation, "the weir-nexmark connector needs 'table' = 'bid', 'auction' or 'person', not '%s'", table)
	}
	if v, ok := t.Options["number-of-events"]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
			return errAt(pos, ErrValidation, "option 'number-of-events' must be a positive number, not '%s'", v)
		}
	}
	for _, c := range t.physical() {
		if c.Type.Proctime {
			continue // a PROCTIME() a projection pushed into the source (Compiler.projectedScan)
		}
		if _, ok := cols[strings.ToLower(c.Name)]; !ok {
			var names []string
			for n := range cols {
				names = append(names, n)
			}
			return errAt(pos, ErrValidation, "the Nexmark %s table has no column %s%s", table, c.Name, suggest(strings.ToLower(c.Name), names))
		}
	}
	return nil
}

// nexmarkSource generates the events and keeps those of the table's kind, as rows of its physical columns.
// Its readers build each row themselves and skip the other tables' events, so an event is never boxed and
// no operator between the source and the query has to drop anything. wm, if not nil, is the table's
// watermark strategy, which the source operator assigns to the rows as they are read.
func nexmarkSource(env *engine.Environment, t *Table, cols []Column, wm *engine.WatermarkStrategy) *engine.DataStream {
	n, _ := strconv.ParseInt(t.Options["number-of-events"], 10, 64)
	return env.FromSource(newNexmarkTableSource(t.Options["table"], n, cols), wm, t.Name)
}

// newNexmarkTableSource returns the source of the rows of columns cols of Nexmark table ("bid", "auction"
// or "person") among the first count events (all if count is 0).
func newNexmarkTableSource(table string, count int64, cols []Column) nexmarkTableSource {
	src := nexmarkTableSource{count: count, table: table, kind: nexmarkKinds[table], cols: cols}
	src.get = make([]nexmarkColumn, len(cols))
	slots := make([]slotKind, len(cols))
	for i, c := range cols {
		if c.Type.Proctime { // a PROCTIME() pushed into the source, read at processing time (no DDL declares one)
			src.get[i], slots[i], src.proctime = nexmarkColumn{proctime: true}, timeSlot, true
			continue
		}
		src.get[i] = nexmarkColumns[table][strings.ToLower(c.Name)]
		slots[i] = src.get[i].slot(c.Type)
	}
	src.block = newRowBlock(len(cols), slots)
	return src
}

// nexmarkTableSource is the source of one Nexmark table: like engine.GeneratorSource over
// sources.NexmarkEventAt, reader k of p visits the events i = k, k+p, k+2p, ... below count (all of them if
// count is 0), and it returns the rows of the events of its table.
type nexmarkTableSource struct {
	count int64
	table string
	kind  uint8
	get   []nexmarkColumn // per column
	cols  []Column
	block *rowBlock // the rows' layout: a slot for each column whose type is the generator's
	// proctime says that a column is a PROCTIME() (its type is a processing-time attribute), which the
	// readers stamp with their subtask's processing time as they read the row: the value a Calc chained
	// to the source would give.
	proctime bool
}

// Reader returns reader ctx.Subtask of the table's events.
func (s nexmarkTableSource) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	return &nexmarkTableReader{s: s, next: int64(ctx.Subtask), step: int64(ctx.Parallelism), setTime: ctx.SetTime,
		now: ctx.Now}, nil
}

type nexmarkTableReader struct {
	s          nexmarkTableSource
	next, step int64 // next: the index of the next event to visit
	// setTime is engine.SourceContext.SetTime: the generator emits each event at its dateTime, so that is
	// its arrival time, the processing time PROCTIME() reads with a virtual clock (Nexmark q12). When a
	// bounded stream ends the clock moves to the end of the last event's millisecond (its dateTime + 1), so
	// that a processing-time window ending there fires with all of its rows.
	setTime func(int64)
	now     func() int64         // engine.SourceContext.Now: the processing time a PROCTIME() column reads
	last    int64                // the dateTime of the last event returned
	event   sources.NexmarkEvent // the event being read (the columns' readers take its address)
}

// Read returns the row of the next event of the reader's table, skipping the other tables' events.
func (r *nexmarkTableReader) Read() (engine.SourceElement, error) {
	for r.s.count <= 0 || r.next < r.s.count {
		i := r.next
		r.next += r.step
		if sources.NexmarkKind(i) != r.s.table {
			continue
		}
		e := &r.event
		*e = sources.NexmarkEventAt(i)
		if e.Kind != r.s.kind {
			continue
		}
		if r.setTime != nil {
			r.setTime(e.TS)
		}
		r.last = e.TS
		var now int64
		if r.s.proctime && r.now != nil {
			now = r.now()
		}
		return engine.SourceElement{Value: r.s.row(e, now), Timestamp: e.TS}, nil
	}
	if r.setTime != nil && r.last > 0 {
		r.setTime(r.last + 1)
	}
	return engine.SourceElement{}, engine.ErrEndOfInput
}

func (r *nexmarkTableReader) Close() error { return nil }
func (r *nexmarkTableReader) Offset() ([]byte, error) {
	return []byte(strconv.FormatInt(r.next, 10)), nil
}
func (r *nexmarkTableReader) Seek(off []byte) error {
	n, err := strconv.ParseInt(string(off), 10, 64)
	if err != nil {
		return fmt.Errorf("weir-nexmark: bad reader offset %q: %w", off, err)
	}
	r.next = n
	return nil
}

// row is the row of event e's physical columns, in one allocation (see rowBlock), read at processing time
// now (milliseconds; the value of a PROCTIME() column).
func (s *nexmarkTableSource) row(e *sources.NexmarkEvent, now int64) any {
	p, fields := s.block.newRow()
	for i, g := range s.get {
		switch s.block.slotType[i] {
		case int64Slot:
			s.block.setInt64(p, fields, i, g.bigint(e))
		case timeSlot:
			ms := now
			if !g.proctime {
				ms = g.millis(e)
			}
			s.block.setTime(p, fields, i, time.UnixMilli(ms).UTC())
		default:
			v := g.value(e)
			switch x := v.(type) {
			case nil:
			case string:
				if !s.cols[i].Type.isString() {
					v = ensure(fromGo(x, s.cols[i].Type), s.cols[i].Type)
				}
			default: // an int64 or a time.Time in a column of another type
				v = ensure(fromGo(x, s.cols[i].Type), s.cols[i].Type)
			}
			fields[i] = v
		}
	}
	return s.block.row(p, Insert, fields)
}

func init() { engine.RegisterType(sources.NexmarkEvent{}) }
