package planner

import (
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
// The generator builds each row itself, so an event is never boxed on its way to the row: the events of
// the other tables come out as nil values, which the filter after the source drops.
func nexmarkSource(env *engine.Environment, t *Table, cols []Column) *engine.DataStream {
	n, _ := strconv.ParseInt(t.Options["number-of-events"], 10, 64)
	kind := nexmarkKinds[t.Options["table"]]
	get := make([]func(sources.NexmarkEvent) any, len(cols))
	for i, c := range cols {
		get[i] = nexmarkColumns[t.Options["table"]][strings.ToLower(c.Name)]
	}
	table := t.Options["table"]
	gen := engine.GeneratorSource{Count: n, Gen: func(i int64) engine.SourceElement {
		if sources.NexmarkKind(i) != table {
			return engine.SourceElement{Timestamp: engine.NoTimestamp} // another table's event: not generated
		}
		e := sources.NexmarkEventAt(i)
		if e.Kind != kind {
			return engine.SourceElement{Timestamp: engine.NoTimestamp}
		}
		return engine.SourceElement{Value: nexmarkRow(e, get, cols), Timestamp: e.TS}
	}}
	return env.FromSource(gen, nil, t.Name).Filter(func(v any) bool {
		_, ok := v.(Row)
		return ok
	}).Name("Nexmark " + t.Options["table"] + " rows")
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
