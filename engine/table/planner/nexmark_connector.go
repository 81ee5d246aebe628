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
var nexmarkColumns = map[string]map[string]func(e sources.NexmarkEvent) any{
	"bid": {
		"auction":  func(e sources.NexmarkEvent) any { return e.Auction },
		"bidder":   func(e sources.NexmarkEvent) any { return e.Bidder },
		"price":    func(e sources.NexmarkEvent) any { return e.Price },
		"datetime": func(e sources.NexmarkEvent) any { return time.UnixMilli(e.TS).UTC() },
		"channel":  nil, "url": nil, "extra": nil,
	},
	"auction": {
		"id":       func(e sources.NexmarkEvent) any { return e.ID },
		"seller":   func(e sources.NexmarkEvent) any { return e.Seller },
		"category": func(e sources.NexmarkEvent) any { return e.Category },
		"datetime": func(e sources.NexmarkEvent) any { return time.UnixMilli(e.TS).UTC() },
		"expires":  func(e sources.NexmarkEvent) any { return time.UnixMilli(e.Expires).UTC() },
		"itemname": nil, "description": nil, "initialbid": nil, "reserve": nil, "extra": nil,
	},
	"person": {
		"id":       func(e sources.NexmarkEvent) any { return e.ID },
		"state":    func(e sources.NexmarkEvent) any { return e.State },
		"datetime": func(e sources.NexmarkEvent) any { return time.UnixMilli(e.TS).UTC() },
		"name":     nil, "emailaddress": nil, "creditcard": nil, "city": nil, "extra": nil,
	},
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
	src := nexmarkTableSource{count: n, table: t.Options["table"], kind: nexmarkKinds[t.Options["table"]], cols: cols}
	src.get = make([]func(sources.NexmarkEvent) any, len(cols))
	for i, c := range cols {
		src.get[i] = nexmarkColumns[src.table][strings.ToLower(c.Name)]
	}
	return env.FromSource(src, wm, t.Name)
}

// nexmarkTableSource is the source of one Nexmark table: like engine.GeneratorSource over
// sources.NexmarkEventAt, reader k of p visits the events i = k, k+p, k+2p, ... below count (all of them if
// count is 0), and it returns the rows of the events of its table.
type nexmarkTableSource struct {
	count int64
	table string
	kind  uint8
	get   []func(sources.NexmarkEvent) any // per column; nil for a column that is NULL
	cols  []Column
}

// Reader returns reader ctx.Subtask of the table's events.
func (s nexmarkTableSource) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	return &nexmarkTableReader{s: s, next: int64(ctx.Subtask), step: int64(ctx.Parallelism), setTime: ctx.SetTime}, nil
}

type nexmarkTableReader struct {
	s          nexmarkTableSource
	next, step int64 // next: the index of the next event to visit
	// setTime is engine.SourceContext.SetTime: the generator emits each event at its dateTime, so that is
	// its arrival time, the processing time PROCTIME() reads with a virtual clock (Nexmark q12). When a
	// bounded stream ends the clock moves to the end of the last event's millisecond (its dateTime + 1), so
	// that a processing-time window ending there fires with all of its rows.
	setTime func(int64)
	last    int64 // the dateTime of the last event returned
}

// Read returns the row of the next event of the reader's table, skipping the other tables' events.
func (r *nexmarkTableReader) Read() (engine.SourceElement, error) {
	for r.s.count <= 0 || r.next < r.s.count {
		i := r.next
		r.next += r.step
		if sources.NexmarkKind(i) != r.s.table {
			continue
		}
		e := sources.NexmarkEventAt(i)
		if e.Kind != r.s.kind {
			continue
		}
		if r.setTime != nil {
			r.setTime(e.TS)
		}
		r.last = e.TS
		return engine.SourceElement{Value: nexmarkRow(e, r.s.get, r.s.cols), Timestamp: e.TS}, nil
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

// nexmarkRow is the row of event e's physical columns cols, read by get (nil for a column that is NULL).
func nexmarkRow(e sources.NexmarkEvent, get []func(sources.NexmarkEvent) any, cols []Column) Row {
	row := make([]any, len(cols))
	for i, g := range get {
		if g == nil {
			continue
		}
		v := g(e)
		// The generator's values are already in the runtime form of BIGINT, STRING and TIMESTAMP(3).
		t := cols[i].Type
		switch v.(type) {
		case int64:
			if t.Kind != KindBigInt {
				v = ensure(fromGo(v, t), t)
			}
		case string:
			if !t.isString() {
				v = ensure(fromGo(v, t), t)
			}
		default: // a time.Time of millisecond precision
			if t.Kind != KindTimestamp || t.Precision < 3 {
				v = ensure(fromGo(v, t), t)
			}
		}
		row[i] = v
	}
	return Row{Kind: Insert, Fields: row}
}

func init() { engine.RegisterType(sources.NexmarkEvent{}) }
