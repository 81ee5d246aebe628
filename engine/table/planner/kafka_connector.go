package planner

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
	"github.com/de4e/weir/sources"
	"github.com/de4e/weir/sources/kafka"
)

// The connectors 'kafka' and 'upsert-kafka' read and write a Kafka topic with package sources/kafka
// (franz-go), by Flink's option names.
//
// 'kafka' is an append-only table: each record's value is a row, in 'format' (or 'value.format') 'json' (an
// object keyed by column name; timestamps as '2020-01-01 00:00:00.000') or 'csv' (the columns in order); a
// record without a value is skipped. 'key.format' with 'key.fields' = 'a;b' also writes those columns as
// the record's key, and with 'value.fields-include' = 'EXCEPT_KEY' reads them from the key and leaves them
// out of the value (default 'ALL'). 'scan.startup.mode' is 'earliest-offset' (the default here and in
// Flink's SQL client's examples; Flink's own default is 'group-offsets'), 'latest-offset' or
// 'group-offsets' (with 'properties.group.id'); 'scan.bounded.mode' = 'latest-offset' stops at the end
// offsets the source saw when it started (default 'unbounded'). A malformed value fails the job, naming
// its topic, partition and offset, unless 'json.ignore-parse-errors' (or 'csv.ignore-parse-errors') is
// 'true'. As a sink it takes only insert-only queries; 'sink.delivery-guarantee' = 'exactly-once' writes
// in Kafka transactions committed with the job's checkpoints (ids prefixed by
// 'sink.transactional-id-prefix', which Flink requires then), 'at-least-once' (the default) and 'none'
// produce at once and wait for the brokers at each checkpoint. 'properties.isolation.level' =
// 'read_uncommitted' also reads open and aborted transactions (default 'read_committed'). 'none' differs
// from 'at-least-once' as in Flink: a checkpoint does not wait for the brokers to acknowledge the records
// produced before it (kafka.Sink.NoFlush), so records in flight when the job fails after a checkpoint may
// be lost, not written again; the end of a bounded job still waits for them.
//
// Metadata columns ("name TYPE METADATA [FROM 'key'] [VIRTUAL]") read, by Flink's keys and types, the
// record's 'topic' (STRING NOT NULL), 'partition' (INT NOT NULL), 'offset' (BIGINT NOT NULL), 'timestamp'
// (TIMESTAMP_LTZ(3) NOT NULL), 'timestamp-type' ('NoTimestampType', 'CreateTime' or 'LogAppendTime') and
// 'leader-epoch' (INT, NULL when unknown); a column may be declared as another type of the same family
// (an integer, a string, a TIMESTAMP or TIMESTAMP_LTZ). A WATERMARK FOR such a column (typically the
// record's 'timestamp') is emitted per partition by the source as for a physical column. Written, a
// 'timestamp' column that is not VIRTUAL sets the record's timestamp (NULL: the producer's time); the
// other keys are read-only and must be VIRTUAL in a table that is written to, as Flink requires. Flink's
// 'headers' (MAP<STRING, BYTES>) is refused: Weir's SQL has no MAP or BYTES type.
//
// 'upsert-kafka' is a table with a PRIMARY KEY whose topic holds the latest row of each key: 'key.format'
// and 'value.format' are required, the key holds the primary key columns. Read, a record with a value is
// an upsert of its key's row and one without a value (a tombstone) deletes it; as Flink's
// ChangelogNormalize, the source keeps each key's last row in keyed state and emits +I for a new key, -U
// and +U for a changed row (nothing for an unchanged one) and -D for a deletion, so the table is updating.
// Written, it takes any query: +I and +U rows are written as the key's new value, -D as a tombstone, and
// -U rows are dropped.
var kafkaConnectorOptions = map[string][]string{
	"kafka": {"topic", "properties.bootstrap.servers", "properties.group.id", "properties.isolation.level",
		"format", "value.format", "key.format", "key.fields", "value.fields-include", "scan.startup.mode",
		"scan.bounded.mode", "sink.delivery-guarantee", "sink.transactional-id-prefix", "json.ignore-parse-errors",
		"csv.ignore-parse-errors"},
	"upsert-kafka": {"topic", "properties.bootstrap.servers", "properties.group.id", "properties.isolation.level",
		"key.format", "value.format", "value.fields-include", "scan.bounded.mode", "sink.delivery-guarantee",
		"sink.transactional-id-prefix", "json.ignore-parse-errors", "csv.ignore-parse-errors"},
}

// kafkaTable is a kafka or upsert-kafka table's options, checked.
type kafkaTable struct {
	upsert      bool
	brokers     []string
	topic       string
	group       string
	start       kafka.StartOffsets
	bounded     bool
	uncommitted bool
	keyFormat   string // "" (no key), "json" or "csv"
	valueFormat string
	keyCols     []int // indexes into the physical columns of the key's columns
	valueCols   []int // ... and of the value's
	skipBad     bool
	exactlyOnce bool
	txnPrefix   string
	noFlush     bool     // 'sink.delivery-guarantee' = 'none'
	cols        []Column // the physical columns
	meta        []Column // the metadata columns, whose values follow the physical ones in a row read
}

// kafkaReadable is the metadata a kafka or upsert-kafka table reads, by key, with its type (Flink's
// KafkaDynamicSource.ReadableMetadata, less 'headers'); kafkaWritable the keys it writes.
var (
	kafkaReadable = map[string]DataType{
		"topic":          {Kind: KindVarchar, Precision: math.MaxInt32, NotNull: true},
		"partition":      {Kind: KindInt, NotNull: true},
		"offset":         {Kind: KindBigInt, NotNull: true},
		"timestamp":      {Kind: KindTimestampLTZ, Precision: 3, NotNull: true},
		"timestamp-type": {Kind: KindVarchar, Precision: math.MaxInt32, NotNull: true},
		"leader-epoch":   {Kind: KindInt},
	}
	kafkaWritable = map[string]bool{"timestamp": true}
)

// metadataFits reports whether a metadata column declared as t can hold metadata of type m: the same
// family (integers, strings, timestamps), as Flink's cast check allows.
func metadataFits(t, m DataType) bool {
	switch {
	case m.isInteger():
		return t.isInteger()
	case m.isString():
		return t.isString()
	}
	return t.Kind == KindTimestamp || t.Kind == KindTimestampLTZ
}

// checkKafka validates a kafka or upsert-kafka table.
func checkKafka(t *Table, pos sqlparse.Pos) (*kafkaTable, error) {
	o := t.Options
	k := &kafkaTable{upsert: o["connector"] == "upsert-kafka", topic: o["topic"], group: o["properties.group.id"], cols: t.physical(), meta: t.metadata()}
	name := o["connector"]
	fail := func(format string, args ...any) (*kafkaTable, error) {
		return nil, errAt(pos, ErrValidation, "the %s connector: %s", name, fmt.Sprintf(format, args...))
	}
	for _, c := range k.meta {
		m, ok := kafkaReadable[c.MetadataKey]
		switch {
		case c.MetadataKey == "headers":
			return fail("metadata column '%s': the key 'headers' is MAP<STRING, BYTES> in Flink, and Weir's SQL has no MAP or BYTES type", c.Name)
		case !ok:
			var keys []string
			for key := range kafkaReadable {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			return fail("Invalid metadata key '%s' in column '%s' of table '%s'%s. The connector supports the following metadata keys for reading: %s",
				c.MetadataKey, c.Name, t.Name, suggest(c.MetadataKey, keys), strings.Join(keys, ", "))
		case !metadataFits(c.Type, m):
			return fail("Invalid data type for metadata column '%s' of table '%s'. The column cannot be declared as '%s' because the type must be castable from metadata type '%s'",
				c.Name, t.Name, c.Type, m)
		}
	}
	if k.topic == "" {
		return fail("the option 'topic' is required")
	}
	for _, b := range strings.Split(o["properties.bootstrap.servers"], ",") {
		if b = strings.TrimSpace(b); b != "" {
			k.brokers = append(k.brokers, b)
		}
	}
	if len(k.brokers) == 0 {
		return fail("the option 'properties.bootstrap.servers' is required (host:port, comma-separated)")
	}
	k.valueFormat = o["value.format"]
	if f, ok := o["format"]; ok {
		if k.valueFormat != "" {
			return fail("give 'format' or 'value.format', not both")
		}
		k.valueFormat = f
	}
	k.keyFormat = o["key.format"]
	for what, f := range map[string]string{"value.format": k.valueFormat, "key.format": k.keyFormat} {
		if f != "json" && f != "csv" && (f != "" || what == "value.format" || k.upsert) {
			return fail("'%s' must be 'json' or 'csv', not '%s'", what, f)
		}
	}
	switch v := strings.ToLower(o["properties.isolation.level"]); v {
	case "", "read_committed":
	case "read_uncommitted":
		k.uncommitted = true
	default:
		return fail("'properties.isolation.level' must be 'read_committed' or 'read_uncommitted', not '%s'", v)
	}
	// The key's columns: the primary key of an upsert table, 'key.fields' of a kafka table.
	var keyNames []string
	if k.upsert {
		if len(t.PrimaryKey) == 0 {
			return fail("'upsert-kafka' tables require to define a PRIMARY KEY constraint: the primary key is the record's key")
		}
		if _, ok := o["key.fields"]; ok {
			return fail("'key.fields' is the PRIMARY KEY's columns in an upsert-kafka table")
		}
		keyNames = t.PrimaryKey
	} else {
		if len(t.PrimaryKey) > 0 {
			return fail("The Kafka table '%s' with 'json' format doesn't support defining PRIMARY KEY constraint on the table, because it can't guarantee the semantic of primary key: use 'upsert-kafka'", t.Name)
		}
		if f := o["key.fields"]; f != "" {
			keyNames = strings.Split(f, ";")
		}
		if (len(keyNames) > 0) != (k.keyFormat != "") {
			return fail("'key.format' and 'key.fields' go together")
		}
	}
	inKey := map[int]bool{}
	for _, n := range keyNames {
		i := -1
		for j, c := range k.cols {
			if c.Name == strings.TrimSpace(n) {
				i = j
			}
		}
		if i < 0 {
			return fail("the key column '%s' is not a physical column of %s", n, t.Name)
		}
		k.keyCols = append(k.keyCols, i)
		inKey[i] = true
	}
	switch v := strings.ToUpper(o["value.fields-include"]); v {
	case "", "ALL":
		for i := range k.cols {
			k.valueCols = append(k.valueCols, i)
		}
	case "EXCEPT_KEY":
		for i := range k.cols {
			if !inKey[i] {
				k.valueCols = append(k.valueCols, i)
			}
		}
	default:
		return fail("'value.fields-include' must be 'ALL' or 'EXCEPT_KEY', not '%s'", v)
	}
	switch v := o["scan.startup.mode"]; v {
	case "", "earliest-offset":
	case "latest-offset":
		k.start = kafka.Latest
	case "group-offsets":
		if k.group == "" {
			return fail("'scan.startup.mode' = 'group-offsets' needs 'properties.group.id'")
		}
		k.start = kafka.Committed
	default:
		return fail("'scan.startup.mode' must be 'earliest-offset', 'latest-offset' or 'group-offsets' in Weir, not '%s'", v)
	}
	switch v := o["scan.bounded.mode"]; v {
	case "", "unbounded":
	case "latest-offset":
		k.bounded = true
	default:
		return fail("'scan.bounded.mode' must be 'unbounded' or 'latest-offset' in Weir, not '%s'", v)
	}
	for _, f := range []string{"json.ignore-parse-errors", "csv.ignore-parse-errors"} {
		switch v := o[f]; v {
		case "", "false":
		case "true":
			k.skipBad = true
		default:
			return fail("'%s' must be 'true' or 'false', not '%s'", f, v)
		}
	}
	switch v := strings.ToLower(o["sink.delivery-guarantee"]); v {
	case "", "at-least-once":
	case "none":
		k.noFlush = true
	case "exactly-once":
		k.exactlyOnce = true
		if k.txnPrefix = o["sink.transactional-id-prefix"]; k.txnPrefix == "" {
			return fail("'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'")
		}
	default:
		return fail("'sink.delivery-guarantee' must be 'none', 'at-least-once' or 'exactly-once', not '%s'", v)
	}
	return k, nil
}

// kafkaWatermarkBound returns the bound of the per-partition watermarks the Kafka source emits for the
// table, as Flink pushes a Kafka table's watermark into its source (a subtask reading several partitions
// interleaves them, so a watermark over its mixed rows would make the partition fetched later look late):
// for WATERMARK FOR ts AS ts - INTERVAL 'n' unit on a physical column ts, the source's partition watermark
// is its largest ts less n (kafka.Source subtracts the bound and 1 ms, so the bound is n less 1 ms). It
// reports false for other watermarks (and n under 2 ms), which the planner then assigns after the source.
func kafkaWatermarkBound(t *Table) (bound time.Duration, col int, ok bool) {
	wm := t.Watermark
	if wm == nil {
		return 0, 0, false
	}
	b, isBinary := wm.Expr.(*sqlparse.Binary)
	if !isBinary || b.Op != "-" {
		return 0, 0, false
	}
	id, isID := b.L.(*sqlparse.Ident)
	iv, isIv := b.R.(*sqlparse.Interval)
	if !isID || !isIv || len(id.Parts) != 1 || id.Parts[0] != wm.Column {
		return 0, 0, false
	}
	ms, err := intervalMillis(iv)
	if err != nil || ms < 2 {
		return 0, 0, false
	}
	for i, c := range append(t.physical(), t.metadata()...) { // the columns of a row the source reads
		if c.Name == wm.Column {
			return time.Duration(ms-1) * time.Millisecond, i, true
		}
	}
	return 0, 0, false
}

// kafkaSource reads the table's topic as rows of its physical columns; an upsert table's are normalized
// into a changelog.
func kafkaSource(env *engine.Environment, t *Table) (*engine.DataStream, error) {
	k, err := checkKafka(t, sqlparse.Pos{})
	if err != nil {
		return nil, err
	}
	src := kafka.Source{Brokers: k.brokers, Topic: k.topic, Group: k.group, StartOffsets: k.start, Bounded: k.bounded,
		ReadUncommitted: k.uncommitted, DecodeRecord: k.decode}
	if bound, col, ok := kafkaWatermarkBound(t); ok {
		src.PartitionOutOfOrderness = bound
		src.DecodeRecord = func(rec *kgo.Record) (any, error) {
			v, err := k.decode(rec)
			if v == nil || err != nil {
				return v, err
			}
			ts := engine.NoTimestamp
			if x, ok := v.(Row).Fields[col].(time.Time); ok {
				ts = x.UnixMilli()
			}
			return engine.SourceElement{Value: v, Timestamp: ts}, nil
		}
	}
	if k.skipBad {
		src.Policy = sources.Skip
	}
	s := env.FromSource(src, nil, t.Name)
	if !k.upsert {
		return s, nil
	}
	return s.KeyBy(func(v any) any {
		r := v.(Row)
		vals := make([]any, len(k.keyCols))
		for i, c := range k.keyCols {
			vals[i] = r.Fields[c]
		}
		return groupKey(vals)
	}).Process(engine.ProcessFunction{ProcessElement: normalizeUpserts}).Name("ChangelogNormalize"), nil
}

var upsertDesc = engine.State("upsert-kafka last row")

// normalizeUpserts is Flink's ChangelogNormalize of an upsert source: an upsert (+I) or a deletion (-D) of
// a key becomes the changes of the key's row.
func normalizeUpserts(ctx *engine.Context, v any, out engine.Collector) {
	r := v.(Row)
	st := ctx.ValueState(upsertDesc)
	prev, had := st.Get()
	if r.Kind == Delete {
		if had {
			st.Clear()
			out.Collect(Row{Kind: Delete, Fields: prev.(Row).Fields})
		}
		return
	}
	st.Update(Row{Kind: Insert, Fields: r.Fields})
	if !had {
		out.Collect(Row{Kind: Insert, Fields: r.Fields})
		return
	}
	old := prev.(Row).Fields
	if groupKey(old) == groupKey(r.Fields) {
		return // the same row again: no change
	}
	out.Collect(Row{Kind: UpdateBefore, Fields: old})
	out.Collect(Row{Kind: UpdateAfter, Fields: r.Fields})
}

// decode turns a record into a Row of the physical columns followed by the metadata columns: +I from a
// value, -D (of an upsert table's key) from a tombstone, nil (skipped) for a kafka table's record without a
// value.
func (k *kafkaTable) decode(rec *kgo.Record) (any, error) {
	row := make([]any, len(k.cols)+len(k.meta))
	for i, c := range k.meta {
		row[len(k.cols)+i] = ensure(fromGo(kafkaMetadata(rec, c.MetadataKey), c.Type), c.Type)
	}
	keyNeeded := k.upsert || len(k.valueCols) < len(k.cols)
	if keyNeeded {
		if err := k.read(rec.Key, k.keyFormat, k.keyCols, row, "key"); err != nil {
			return nil, err
		}
	}
	if rec.Value == nil {
		if !k.upsert {
			return nil, nil
		}
		return Row{Kind: Delete, Fields: row}, nil
	}
	if err := k.read(rec.Value, k.valueFormat, k.valueCols, row, "value"); err != nil {
		return nil, err
	}
	return Row{Kind: Insert, Fields: row}, nil
}

// kafkaMetadata returns a record's metadata of key (see kafkaReadable).
func kafkaMetadata(rec *kgo.Record, key string) any {
	switch key {
	case "topic":
		return rec.Topic
	case "partition":
		return rec.Partition
	case "offset":
		return rec.Offset
	case "timestamp":
		return rec.Timestamp
	case "timestamp-type":
		switch rec.Attrs.TimestampType() {
		case 0:
			return "CreateTime"
		case 1:
			return "LogAppendTime"
		}
		return "NoTimestampType"
	case "leader-epoch":
		if rec.LeaderEpoch < 0 {
			return nil
		}
		return rec.LeaderEpoch
	}
	return nil
}

// read fills row's columns idx from b in format.
func (k *kafkaTable) read(b []byte, format string, idx []int, row []any, what string) error {
	if format == "json" {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("the %s is not a JSON object: %v", what, err)
		}
		for _, i := range idx {
			c := k.cols[i]
			row[i] = ensure(fromExternal(m[c.Name], c.Type), c.Type)
		}
		return nil
	}
	rec, err := csv.NewReader(bytes.NewReader(b)).Read()
	if err != nil && err != io.EOF {
		return fmt.Errorf("the %s is not a CSV line: %v", what, err)
	}
	if len(rec) != len(idx) {
		return fmt.Errorf("the %s has %d CSV fields, want %d", what, len(rec), len(idx))
	}
	for j, i := range idx {
		c := k.cols[i]
		row[i] = ensure(fromExternal(rec[j], c.Type), c.Type)
	}
	return nil
}

// encode writes a row's columns idx in format.
func (k *kafkaTable) encode(row []any, cols []Column, format string, idx []int) ([]byte, error) {
	var b bytes.Buffer
	if format == "json" {
		b.WriteByte('{')
		for j, i := range idx {
			if j > 0 {
				b.WriteByte(',')
			}
			name, _ := json.Marshal(cols[i].Name)
			v, err := json.Marshal(toExternal(row[i], cols[i].Type))
			if err != nil {
				return nil, err
			}
			b.Write(name)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
		return b.Bytes(), nil
	}
	fields := make([]string, len(idx))
	for j, i := range idx {
		if row[i] != nil {
			fields[j] = FormatValue(row[i], cols[i].Type)
		}
	}
	w := csv.NewWriter(&b)
	if err := w.Write(fields); err != nil {
		return nil, err
	}
	w.Flush()
	return bytes.TrimRight(b.Bytes(), "\n"), w.Error()
}

// kafkaSink writes the rows of a query (of columns cols, the table's physical columns in order, then its
// persisted metadata columns) into the table's topic; the returned Closer closes the Kafka clients when the
// job is done.
func kafkaSink(stream *engine.DataStream, t *Table, cols []Column, updating bool) (*engine.DataStream, io.Closer, error) {
	k, err := checkKafka(t, sqlparse.Pos{})
	if err != nil {
		return nil, nil, err
	}
	tsCol := -1 // the persisted 'timestamp' metadata column
	for i, c := range cols[len(k.cols):] {
		if !kafkaWritable[c.MetadataKey] {
			return nil, nil, fmt.Errorf("%w: Invalid metadata key '%s' in column '%s' of table 'default_catalog.default_database.%s'. The %s sink supports the following metadata keys for writing: timestamp (declare the column VIRTUAL to only read it)",
				ErrValidation, c.MetadataKey, c.Name, t.Name, t.Options["connector"])
		}
		tsCol = len(k.cols) + i
	}
	if updating && !k.upsert {
		return nil, nil, fmt.Errorf("%w: Table sink 'default_catalog.default_database.%s' doesn't support consuming update changes (the kafka connector is append-only: use 'upsert-kafka' with a PRIMARY KEY)", ErrUnsupported, t.Name)
	}
	sink := &kafka.Sink{Brokers: k.brokers, Topic: k.topic, Transactional: k.exactlyOnce, TransactionalIDPrefix: k.txnPrefix, NoFlush: k.noFlush,
		ToRecord: func(v any) (*kgo.Record, error) {
			r := v.(Row)
			rec := &kgo.Record{}
			if tsCol >= 0 {
				if ts, ok := r.Fields[tsCol].(time.Time); ok {
					rec.Timestamp = ts
				}
			}
			var err error
			if k.keyFormat != "" {
				if rec.Key, err = k.encode(r.Fields, cols, k.keyFormat, k.keyCols); err != nil {
					return nil, err
				}
			}
			if r.Kind == Delete {
				return rec, nil // a tombstone
			}
			rec.Value, err = k.encode(r.Fields, cols, k.valueFormat, k.valueCols)
			return rec, err
		}}
	rows := stream.Process(engine.ProcessFunction{ProcessElement: func(ctx *engine.Context, v any, out engine.Collector) {
		if e, ok := v.(errorRow); ok {
			out.Collect(e)
			return
		}
		if r := v.(Row); r.Kind != UpdateBefore { // an upsert topic needs only each key's new row
			out.Collect(r)
		}
	}}).Name("Map to Kafka records")
	return rows.SinkToTransactional("Sink: "+t.Name, sink), sink, nil
}
