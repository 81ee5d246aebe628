package planner

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
	"github.com/de4e/weir/sources"
)

// Connectors are named by Flink's 'connector' option: 'datagen' (a source), 'filesystem' (a source and
// an insert-only sink of 'json' or 'csv' lines), 'print' and 'blackhole' (sinks).
type connector struct {
	name    string
	options map[string]string
	// newReplay makes the controller of a recording or generator table's replay (Compiler.NewReplayControl).
	newReplay func() *sources.Controller
}

// connectorOptions lists each connector's options; others are refused, as Flink's factories do.
var connectorOptions = map[string][]string{
	"datagen":    {"number-of-rows", "rows-per-second"},
	"filesystem": {"path", "format"},
	"print":      {"print-identifier", "standard-error"},
	"blackhole":  {},
	// Weir's own: one table of its Nexmark generator (see nexmark_connector.go).
	"weir-nexmark": {"table", "number-of-events"},
}

func init() {
	for _, m := range []map[string][]string{recordingConnectorOptions, kafkaConnectorOptions} {
		for name, opts := range m {
			connectorOptions[name] = opts
		}
	}
}

// connectorNames lists the connectors, quoted and sorted, for errors.
func connectorNames() string {
	var names []string
	for n := range connectorOptions {
		names = append(names, "'"+n+"'")
	}
	sort.Strings(names)
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func connectorFor(t *Table, pos sqlparse.Pos) (*connector, error) {
	name, ok := t.Options["connector"]
	if !ok {
		return nil, errAt(pos, ErrValidation, "table %s needs the option 'connector' (Weir has %s)", t.Name, connectorNames())
	}
	allowed, ok := connectorOptions[name]
	if !ok {
		var names []string
		for n := range connectorOptions {
			names = append(names, n)
		}
		return nil, errAt(pos, ErrValidation, "Could not find any factory for identifier '%s'%s (Weir has %s)", name, suggest(name, names), connectorNames())
	}
	for k := range t.Options {
		if k == "connector" || contains(allowed, k) {
			continue
		}
		if strings.HasPrefix(k, "fields.") {
			parts := strings.Split(k, ".")
			perColumn := map[string][]string{"datagen": {"kind", "min", "max", "start", "end", "length", "max-past"},
				"weir-recording": {"field"}, "weir-generator": {"field"}}[name]
			if len(parts) == 3 && t.columnIndex(parts[1]) >= 0 && contains(perColumn, parts[2]) {
				continue
			}
		}
		return nil, errAt(pos, ErrValidation, "Unsupported options found for '%s': %s%s", name, k, suggest(k, allowed))
	}
	if m := t.metadata(); len(m) > 0 && name != "kafka" && name != "upsert-kafka" {
		return nil, errAt(pos, ErrValidation, "Table 'default_catalog.default_database.%s' declares metadata columns (%s), but the '%s' connector doesn't implement the SupportsReadingMetadata interface. Therefore, metadata cannot be declared (Weir's kafka and upsert-kafka connectors offer metadata)", t.Name, m[0].Name, name)
	}
	switch name {
	case "weir-nexmark":
		if err := checkNexmark(t, pos); err != nil {
			return nil, err
		}
	case "weir-recording", "weir-generator":
		if _, _, err := checkRecording(t, pos); err != nil {
			return nil, err
		}
	case "kafka", "upsert-kafka":
		if _, err := checkKafka(t, pos); err != nil {
			return nil, err
		}
	case "filesystem":
		if t.Options["path"] == "" {
			return nil, errAt(pos, ErrValidation, "the filesystem connector needs the option 'path'")
		}
		if f := t.Options["format"]; f != "json" && f != "csv" {
			return nil, errAt(pos, ErrValidation, "the filesystem connector needs 'format' = 'json' or 'csv', not '%s'", f)
		}
	case "datagen":
		for _, k := range []string{"number-of-rows", "rows-per-second"} {
			if v, ok := t.Options[k]; ok {
				if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
					return nil, errAt(pos, ErrValidation, "option '%s' must be a positive number, not '%s'", k, v)
				}
			}
		}
		for _, c := range t.physical() {
			kind := t.Options["fields."+c.Name+".kind"]
			if kind != "" && kind != "random" && kind != "sequence" {
				return nil, errAt(pos, ErrValidation, "fields.%s.kind must be 'random' or 'sequence', not '%s'", c.Name, kind)
			}
			if kind == "sequence" {
				if !c.Type.isInteger() {
					return nil, errAt(pos, ErrValidation, "a sequence generator needs an integer column, and %s is %s", c.Name, c.Type)
				}
				for _, b := range []string{"start", "end"} {
					if _, err := strconv.ParseInt(t.Options["fields."+c.Name+"."+b], 10, 64); err != nil {
						return nil, errAt(pos, ErrValidation, "fields.%s.%s must be a number for a sequence", c.Name, b)
					}
				}
			}
		}
	}
	return &connector{name: name, options: t.Options}, nil
}

// watermarksInSource reports whether the connector's source emits table t's watermarks itself, so that the
// planner assigns none after it.
func (c *connector) watermarksInSource(t *Table) bool {
	if c.name != "kafka" && c.name != "upsert-kafka" {
		return false
	}
	_, _, ok := kafkaWatermarkBound(t)
	return ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// takesWatermarks reports whether the connector's source assigns a watermark strategy given to source: its
// readers build rows of the table's physical columns, so a strategy over them can run in the source
// operator, as Flink pushes a watermark into a source that supports it (SupportsWatermarkPushDown).
func (c *connector) takesWatermarks() bool { return c.name == "weir-nexmark" }

// orderedBy reports whether each reader of the connector's source returns its rows in the order of
// column col (see sqlWatermarkStrategy): a weir-nexmark reader returns its events in the order of dateTime.
func (c *connector) orderedBy(col string) bool {
	return c.name == "weir-nexmark" && strings.EqualFold(col, "dateTime")
}

// source builds the connector's source stream: records are Row values (+I) of the table's physical
// columns. It returns the source's parallelism too (0: the job's), which the operators that read it
// (computed columns, the watermark assigner) take, so that they chain to it as in Flink. wm, if not nil,
// is the table's watermark strategy, for a connector that takesWatermarks; the source assigns it.
func (c *connector) source(env *engine.Environment, t *Table, wm *engine.WatermarkStrategy) (*engine.DataStream, int, error) {
	cols := t.physical()
	switch c.name {
	case "datagen":
		return datagen(env, t, cols), 0, nil
	case "weir-nexmark":
		return nexmarkSource(env, t, cols, wm), 0, nil
	case "weir-recording", "weir-generator":
		s, err := recordingSource(env, t, cols, c.newReplay)
		return s, 1, err
	case "kafka", "upsert-kafka":
		s, err := kafkaSource(env, t)
		return s, 0, err
	case "filesystem":
		fs := sources.FileSource{Paths: []string{c.options["path"]}}
		if c.options["format"] == "csv" {
			fs.Format, fs.NoHeader = sources.CSV, true
			for _, col := range cols {
				fs.Columns = append(fs.Columns, col.Name)
			}
		}
		files, err := fs.Files()
		if err != nil {
			return nil, 0, fmt.Errorf("%w: table %s: %v", ErrValidation, t.Name, err)
		}
		par := min(max(len(files), 1), env.Config().Parallelism)
		return env.FromSource(fs, nil, t.Name).Map(func(v any) any {
			m, _ := v.(map[string]any)
			row := make([]any, len(cols))
			for i, col := range cols {
				row[i] = ensure(fromExternal(m[col.Name], col.Type), col.Type)
			}
			return Row{Kind: Insert, Fields: row}
		}).Name("Map to rows").SetParallelism(par), par, nil
	}
	return nil, 0, fmt.Errorf("%w: the %s connector can only be written to (INSERT INTO %s)", ErrValidation, c.name, t.Name)
}

// fromExternal converts a value read from JSON or CSV to the runtime form of type t; what does not fit is
// NULL (Flink's json format with 'json.ignore-parse-errors' behaves so; without it Flink fails the job).
func fromExternal(v any, t DataType) any {
	if v == nil {
		return nil
	}
	if s, ok := v.(string); ok && !t.isString() {
		if s == "" {
			return nil
		}
		out, err := castValue(s, TypeString, t)
		if err != nil {
			return nil
		}
		return out
	}
	switch x := v.(type) {
	case float64:
		switch {
		case t.isInteger():
			return wrapInt(int64(x), t.Kind)
		case t.isNumeric():
			return x
		case t.isString():
			return javaDouble(x)
		}
	case bool:
		if t.Kind == KindBoolean {
			return x
		}
	case string:
		return x
	}
	out, err := castValue(v, TypeString, t)
	if err != nil {
		return nil
	}
	return out
}

// splitmix is a counter-based random generator: the same column and row index give the same value at any
// parallelism.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func datagen(env *engine.Environment, t *Table, cols []Column) *engine.DataStream {
	opt := func(col, k string) (int64, bool) {
		v, ok := t.Options["fields."+col+"."+k]
		if !ok {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	count, _ := strconv.ParseInt(t.Options["number-of-rows"], 10, 64)
	for _, c := range cols {
		if t.Options["fields."+c.Name+".kind"] == "sequence" {
			s, _ := opt(c.Name, "start")
			e, _ := opt(c.Name, "end")
			if n := e - s + 1; count == 0 || n < count {
				count = max(n, 0) // a sequence ends the source when it is exhausted, as in Flink
			}
		}
	}
	clock := env.Config().Clock
	gen := func(i int64) engine.SourceElement {
		row := make([]any, len(cols))
		for ci, c := range cols {
			r := splitmix(uint64(i)*1315423911 + uint64(ci)*2654435761)
			if t.Options["fields."+c.Name+".kind"] == "sequence" {
				s, _ := opt(c.Name, "start")
				row[ci] = s + i
				continue
			}
			switch {
			case c.Type.isInteger():
				lo, hi := intRange(c.Type.Kind)
				if v, ok := opt(c.Name, "min"); ok {
					lo = v
				}
				if v, ok := opt(c.Name, "max"); ok {
					hi = v
				}
				span := uint64(hi - lo + 1)
				if span == 0 {
					row[ci] = int64(r)
				} else {
					row[ci] = lo + int64(r%span)
				}
			case c.Type.isNumeric():
				lo, hi := 0.0, 1.0
				if v, ok := opt(c.Name, "min"); ok {
					lo = float64(v)
				}
				if v, ok := opt(c.Name, "max"); ok {
					hi = float64(v)
				}
				f := lo + (hi-lo)*float64(r>>11)/float64(1<<53)
				if c.Type.Kind == KindDecimal {
					f = roundScale(f, c.Type.Scale)
				}
				row[ci] = f
			case c.Type.Kind == KindBoolean:
				row[ci] = r&1 == 1
			case c.Type.isString():
				n, ok := opt(c.Name, "length")
				if !ok {
					n = 100
				}
				if c.Type.Precision < math.MaxInt32 {
					n = min(n, int64(c.Type.Precision))
				}
				b := make([]byte, n)
				for k := range b {
					b[k] = "0123456789abcdef"[splitmix(r+uint64(k))&15]
				}
				row[ci] = string(b)
			case c.Type.isTime():
				past, _ := opt(c.Name, "max-past")
				now := clock.NowMillis()
				if past > 0 {
					now -= int64(r % uint64(past+1))
				}
				row[ci] = time.UnixMilli(now).UTC()
			}
		}
		return engine.SourceElement{Value: Row{Kind: Insert, Fields: row}, Timestamp: engine.NoTimestamp}
	}
	var src engine.Source = engine.GeneratorSource{Gen: gen, Count: count}
	if rate, err := strconv.ParseInt(t.Options["rows-per-second"], 10, 64); err == nil || count == 0 {
		if err != nil {
			rate = 10000 // Flink's default
		}
		src = throttled{inner: engine.GeneratorSource{Gen: gen, Count: count}, rate: rate}
	}
	return env.FromSource(src, nil, t.Name)
}

func intRange(k TypeKind) (int64, int64) {
	switch k {
	case KindTinyInt:
		return math.MinInt8, math.MaxInt8
	case KindSmallInt:
		return math.MinInt16, math.MaxInt16
	case KindInt:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// throttled limits a generator to rate rows per second over all its readers, on the job's clock (Flink's
// datagen 'rows-per-second'). A VirtualClock that nobody advances would stall it, so with one the
// generator is not throttled.
type throttled struct {
	inner engine.GeneratorSource
	rate  int64
}

func (s throttled) Boundedness() engine.Boundedness { return s.inner.Boundedness() }

func (s throttled) Reader(ctx engine.SourceContext) (engine.SourceReader, error) {
	r, err := s.inner.Reader(ctx)
	if err != nil {
		return nil, err
	}
	if _, virtual := ctx.Clock.(*engine.VirtualClock); virtual {
		return r, nil
	}
	per := float64(s.rate) / float64(max(ctx.Parallelism, 1))
	return &throttledReader{inner: r, clock: ctx.Clock, per: per, start: ctx.Clock.NowMillis()}, nil
}

type throttledReader struct {
	inner engine.SourceReader
	clock engine.Clock
	per   float64
	start int64
	n     int64
}

func (r *throttledReader) Read() (engine.SourceElement, error) {
	allowed := int64(float64(r.clock.NowMillis()-r.start)*r.per/1000) + 1
	if r.n >= allowed {
		return engine.SourceElement{}, engine.ErrNoData
	}
	e, err := r.inner.Read()
	if err == nil {
		r.n++
	}
	return e, err
}

func (r *throttledReader) Close() error { return r.inner.Close() }

// printMu serializes the lines of every 'print' sink: their subtasks, and several print sinks of one job
// (a statement set), may share one writer (Config.Stdout), which need not be safe for concurrent use.
var printMu sync.Mutex

// sink ends a stream of rows in the connector; the Closer, if not nil, is to be closed when the job ends.
func (c *connector) sink(stream *engine.DataStream, t *Table, cols []Column, updating bool, cfg engine.Config) (*engine.DataStream, io.Closer, error) {
	stdout := cfg.Stdout
	switch c.name {
	case "kafka", "upsert-kafka":
		return kafkaSink(stream, t, cols, updating)
	case "print":
		id := c.options["print-identifier"]
		out := stdout
		if c.options["standard-error"] == "true" {
			out = os.Stderr
		}
		return stream.AddSink("Sink: "+t.Name, func() engine.SinkFunction {
			prefix := ""
			return engine.SinkFunction{
				Open: func(subtask, parallelism int) error {
					// Flink's PrintSinkOutputWriter: "identifier:subtask> " or "subtask> " above parallelism 1.
					switch {
					case id != "" && parallelism > 1:
						prefix = fmt.Sprintf("%s:%d> ", id, subtask+1)
					case id != "":
						prefix = id + "> "
					case parallelism > 1:
						prefix = fmt.Sprintf("%d> ", subtask+1)
					}
					return nil
				},
				Invoke: func(v any, _ int64) error {
					if e, ok := v.(errorRow); ok {
						return e
					}
					line := prefix + FormatRow(v.(Row), cols) + "\n"
					printMu.Lock()
					defer printMu.Unlock()
					_, err := io.WriteString(out, line)
					return err
				},
			}
		}), nil, nil
	case "blackhole":
		return stream.SinkTo("Sink: "+t.Name, func(v any, _ int64) error {
			if e, ok := v.(errorRow); ok {
				return e
			}
			return nil
		}), nil, nil
	case "filesystem":
		if updating {
			return nil, nil, fmt.Errorf("%w: Table sink 'default_catalog.default_database.%s' doesn't support consuming update changes (the filesystem connector is insert-only)", ErrUnsupported, t.Name)
		}
		// As Flink's filesystem sink, whose part files become visible when a checkpoint completes, a job that
		// checkpoints writes exactly once, into part files in the directory path.
		fs := sources.FileSink{Path: c.options["path"], ExactlyOnce: checkpointed(cfg)}
		if c.options["format"] == "csv" {
			fs.Format, fs.NoHeader = sources.CSV, true
			for _, col := range cols {
				fs.Columns = append(fs.Columns, col.Name)
			}
		}
		recs := stream.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
			if e, ok := v.(errorRow); ok {
				out.Collect(e)
				return
			}
			row := v.(Row)
			m := make(map[string]any, len(cols))
			for i, col := range cols {
				m[col.Name] = toExternal(row.Fields[i], col.Type)
			}
			out.Collect(m)
		}}).Name("Map to " + c.options["format"])
		return fs.Sink(recs), nil, nil
	}
	return nil, nil, fmt.Errorf("%w: the %s connector cannot be written to", ErrValidation, c.name)
}

// checkpointed reports whether a job of cfg checkpoints: periodically (Checkpointing.Interval), into a
// directory it keeps (Checkpointing.Dir) or from a restored checkpoint (Checkpointing.RestoreFrom), with the
// exactly-once guarantee. A 'filesystem' sink of such a job is exactly-once.
func checkpointed(cfg engine.Config) bool {
	ck := cfg.Checkpointing
	return (ck.Interval > 0 || ck.Dir != "" || ck.RestoreFrom != "") && ck.Guarantee != engine.AtLeastOnce
}

// toExternal converts a value to what the json and csv formats write: timestamps in SQL form.
func toExternal(v any, t DataType) any {
	switch x := v.(type) {
	case time.Time:
		return FormatValue(x, t)
	case float64:
		if t.Kind == KindDecimal {
			return json.Number(FormatValue(x, t))
		}
	}
	return v
}

// FormatRow formats a row with its columns' types: +I[1, a, 2020-10-10 00:00:05.000].
func FormatRow(r Row, cols []Column) string {
	var sb strings.Builder
	sb.WriteString(r.Kind.String())
	sb.WriteByte('[')
	for i, f := range r.Fields {
		if i > 0 {
			sb.WriteString(", ")
		}
		var t DataType
		if i < len(cols) {
			t = cols[i].Type
		}
		sb.WriteString(FormatValue(f, t))
	}
	sb.WriteByte(']')
	return sb.String()
}

// FromGo converts a Go value from a DataStream record to the runtime form of type t: any integer to
// int64, floats to float64, a time.Time or epoch milliseconds to a TIMESTAMP, strings parsed when the
// type is not a string.
func FromGo(v any, t DataType) any {
	return ensure(fromGo(v, t), t)
}

func fromGo(v any, t DataType) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int:
		return conform(int64(x), t)
	case int8:
		return conform(int64(x), t)
	case int16:
		return conform(int64(x), t)
	case int32:
		return conform(int64(x), t)
	case int64:
		if t.isTime() {
			return time.UnixMilli(x).UTC()
		}
		return conform(x, t)
	case uint:
		return conform(int64(x), t)
	case uint32:
		return conform(int64(x), t)
	case uint64:
		return conform(int64(x), t)
	case float32:
		return conform(float64(x), t)
	case float64:
		return conform(x, t)
	case time.Time:
		return x.UTC()
	case time.Duration:
		return conform(x.Milliseconds(), t)
	}
	return fromExternal(v, t)
}

// ensure returns v in the runtime form of type t (see TypeKind), or NULL when it cannot be: the values of a
// table's columns always have their type's Go type, so expressions can rely on it.
func ensure(v any, t DataType) any {
	if v == nil {
		return nil
	}
	switch {
	case t.Kind == KindBoolean:
		if b, ok := v.(bool); ok {
			return b
		}
	case t.isInteger():
		switch x := v.(type) {
		case int64:
			return wrapInt(x, t.Kind)
		case float64:
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				return wrapInt(int64(x), t.Kind)
			}
		}
	case t.isNumeric():
		switch x := v.(type) {
		case float64:
			return x
		case int64:
			return float64(x)
		}
	case t.isString():
		if s, ok := v.(string); ok {
			return s
		}
		switch v.(type) {
		case int64, float64, bool, time.Time:
			return FormatValue(v, DataType{})
		}
		return fmt.Sprint(v)
	case t.isTime():
		if x, ok := v.(time.Time); ok {
			return x.UTC()
		}
	}
	return nil
}
