package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/de4e/weir/engine/table"
	"github.com/de4e/weir/engine/table/sqlparse"
	"github.com/de4e/weir/notebook"
)

// flinkConnectors are the connectors a Flink cluster has (bundled with Flink or released as Flink's own SQL
// connectors); a table with any other connector is one of Weir's and is exported as a Kafka table.
var flinkConnectors = []string{"blackhole", "datagen", "dynamodb", "elasticsearch-6", "elasticsearch-7", "filesystem",
	"firehose", "hbase-1.4", "hbase-2.2", "hive", "jdbc", "kafka", "kinesis", "mongodb", "opensearch", "print",
	"pulsar", "upsert-kafka"}

// kafkaMetadata are the metadata keys of Flink's Kafka connector.
var kafkaMetadata = []string{"topic", "partition", "headers", "leader-epoch", "offset", "timestamp", "timestamp-type"}

// runSQLExport is weir sql export: it writes the notebook's SQL cells as a script for Flink's SQL client.
func runSQLExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sql export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the script to this file (default: standard output)")
	servers := fs.String("bootstrap-servers", "localhost:9092", "the Kafka brokers of the tables that replace Weir's connectors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("usage: weir sql export [-o FILE.sql] [--bootstrap-servers HOST:PORT] NOTEBOOK.md")
	}
	nb, err := notebook.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	script, err := exportSQL(nb, filepath.Base(fs.Arg(0)), *servers)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = io.WriteString(stdout, script)
		return err
	}
	return os.WriteFile(*out, []byte(script), 0o644)
}

// exportSQL returns the SQL cells of nb, in order, as one script for Flink's SQL client (sql-client.sh -f):
// each cell's text unchanged (comments included), except that the WITH clause of every CREATE TABLE whose
// connector is Weir's own becomes that of a Kafka table ('upsert-kafka' for a table with a primary key)
// on a topic named after the table, in JSON. A header comment says what was replaced and what to check.
// A cell that does not parse is an error naming the cell, line and column.
func exportSQL(nb *notebook.Notebook, name, servers string) (string, error) {
	var body strings.Builder
	var replaced, notes []string
	goTables, queries := false, false
	n := 0
	for _, c := range nb.Cells() {
		if !c.IsSQL() {
			goTables = goTables || registersTables(c.Text)
			continue
		}
		if c.Meta.Solution != "" {
			continue // the exercise's cell is exported, as the learner wrote it
		}
		text, rep, note, query, err := exportCell(c, servers)
		if err != nil {
			return "", err
		}
		queries = queries || query
		replaced, notes = append(replaced, rep...), append(notes, note...)
		if strings.TrimSpace(text) == "" {
			continue
		}
		n++
		fmt.Fprintf(&body, "\n-- cell %s\n%s", c.Meta.ID, text)
	}
	var h strings.Builder
	fmt.Fprintf(&h, "-- Flink SQL client script written by `weir sql export %s`: the notebook's %d SQL cells, in order.\n", name, n)
	h.WriteString("-- Run it with: ./bin/sql-client.sh -f THIS_FILE.sql\n")
	if len(replaced) == 0 {
		h.WriteString("--\n-- No table uses a connector of Weir's own: the statements are the notebook's, unchanged.\n")
	} else {
		fmt.Fprintf(&h, "--\n-- Weir's own connectors were replaced by Kafka tables (JSON values, one topic per table, brokers\n"+
			"-- '%s': change 'properties.bootstrap.servers' to yours). Put Flink's Kafka SQL connector\n"+
			"-- (flink-sql-connector-kafka) in the SQL client's lib/ directory, and fill each source topic with the\n"+
			"-- table's rows as JSON objects keyed by column name: any Kafka producer, or Weir itself, with\n"+
			"-- INSERT INTO a table of the same columns and Kafka options SELECT * FROM the Weir table. A table\n"+
			"-- replacing a bounded Weir source (a recording, a generator, a number of events) reads the topic up to\n"+
			"-- its end when the query starts ('scan.bounded.mode' = 'latest-offset'), so its queries end. Replaced:\n", servers)
		for _, r := range replaced {
			h.WriteString("--   " + r + "\n")
		}
	}
	if queries {
		notes = append(notes, "Flink's SQL client shows the queries of a script (-f) in tableau mode only: the script sets it first,\n"+
			"--   and a SET of another result mode is left as a comment. A query over an unbounded Kafka table runs\n"+
			"--   until it is canceled (ctrl+c), as a query over an unbounded source does in Weir.")
	}
	if goTables {
		notes = append(notes, "Go cells are not exported: tables and views they register (weir/sqlcells) must be created in SQL.")
	}
	if len(notes) > 0 {
		h.WriteString("--\n-- To check:\n")
		for _, n := range notes {
			h.WriteString("--   " + n + "\n")
		}
	}
	if queries {
		fmt.Fprintf(&h, "\nSET '%s' = 'tableau';\n", table.OptionResultMode)
	}
	return h.String() + body.String(), nil
}

// exportCell rewrites one SQL cell: the WITH clauses of its tables on Weir's connectors, a SET of a result
// mode other than tableau (left as a comment), from the last statement to the first so that offsets stay
// valid, and a semicolon after its last statement. It returns the lines describing the replacements, the
// notes to check, and whether the cell has a query.
func exportCell(c *notebook.Block, servers string) (text string, replaced, notes []string, query bool, err error) {
	text = c.Text
	fail := func(err error) (string, []string, []string, bool, error) {
		return "", nil, nil, false, fmt.Errorf("cell %s: %w", c.Meta.ID, err)
	}
	stmts, err := sqlparse.ParseScript(text)
	if err != nil {
		return fail(err)
	}
	spans, err := sqlparse.SplitScript(text)
	if err != nil {
		return fail(err)
	}
	if len(spans) != len(stmts) {
		return fail(fmt.Errorf("%d statements split but %d parsed", len(spans), len(stmts)))
	}
	for i := len(stmts) - 1; i >= 0; i-- {
		switch st := stmts[i].(type) {
		case *sqlparse.QueryStatement:
			query = true
		case *sqlparse.Set:
			if st.Option == nil || !strings.EqualFold(st.Option.Key, table.OptionResultMode) || strings.EqualFold(st.Option.Value, string(table.ResultTableau)) {
				continue
			}
			start, end := spans[i].Start, spans[i].End
			if end < len(text) && text[end] == ';' {
				end++
			}
			lines := strings.Split(text[start:end], "\n")
			for j, l := range lines {
				lines[j] = "-- " + l
			}
			text = text[:start] + strings.Join(lines, "\n") + " (a script's queries are shown in tableau mode)" + text[end:]
		}
		ct, ok := stmts[i].(*sqlparse.CreateTable)
		if !ok {
			continue
		}
		opts := map[string]string{}
		for _, o := range ct.Options {
			opts[o.Key] = o.Value
		}
		conn := opts["connector"]
		if conn == "filesystem" && !filepath.IsAbs(opts["path"]) && !strings.Contains(opts["path"], "://") {
			notes = append(notes, fmt.Sprintf("table %s reads the relative path '%s': a path the cluster's TaskManagers can read is needed.", ct.Name.Last(), opts["path"]))
		}
		if conn == "" || slices.Contains(flinkConnectors, conn) {
			continue
		}
		start, end, err := sqlparse.WithClause(text, ct)
		if err != nil {
			return fail(err)
		}
		table := ct.Name.Last()
		kafka := "kafka"
		with := []string{"'connector' = 'kafka'", "'topic' = " + quote(table), "'properties.bootstrap.servers' = " + quote(servers),
			"'properties.group.id' = 'weir'", "'scan.startup.mode' = 'earliest-offset'", "'format' = 'json'"}
		if len(ct.PrimaryKey) > 0 { // Flink's 'kafka' connector refuses a primary key: an upsert topic keyed by it
			kafka = "upsert-kafka"
			with = []string{"'connector' = 'upsert-kafka'", "'topic' = " + quote(table), "'properties.bootstrap.servers' = " + quote(servers),
				"'key.format' = 'json'", "'value.format' = 'json'"}
		}
		if boundedWeirSource(opts) { // 'upsert-kafka' takes it too since FLINK-31740 (Kafka connector 3.0.1)
			with = append(with[:len(with)-1], "'scan.bounded.mode' = 'latest-offset'", with[len(with)-1])
		}
		text = text[:start] + "WITH (\n  " + strings.Join(with, ",\n  ") + "\n)" + text[end:]
		var was []string
		keys := make([]string, 0, len(opts))
		for k := range opts {
			if k != "connector" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			was = append(was, quote(k)+" = "+quote(opts[k]))
		}
		line := fmt.Sprintf("%s (cell %s, line %d): '%s'", table, c.Meta.ID, ct.Pos.Line, conn)
		if len(was) > 0 {
			line += " (" + strings.Join(was, ", ") + ")"
		}
		replaced = append([]string{line + fmt.Sprintf(" -> '%s', topic '%s'", kafka, table)}, replaced...)
		for _, col := range ct.Columns {
			key := col.MetadataKey
			if key == "" {
				key = col.Name
			}
			if col.Metadata && !slices.Contains(kafkaMetadata, key) {
				notes = append(notes, fmt.Sprintf("table %s has the metadata column %s ('%s'), which Flink's Kafka connector does not provide.", table, col.Name, key))
			}
		}
	}
	if spans, err = sqlparse.SplitScript(text); err != nil {
		return fail(err)
	}
	if len(spans) > 0 && spans[len(spans)-1].End == len(text) { // the last statement has no semicolon
		trimmed := strings.TrimRight(text, " \t\r\n")
		if lastLine := trimmed[strings.LastIndexByte(trimmed, '\n')+1:]; strings.Contains(lastLine, "--") {
			text = trimmed + "\n;\n" // the line may end in a comment, which would hide the semicolon
		} else {
			text = trimmed + ";\n"
		}
	}
	return text, replaced, notes, query, nil
}

// boundedWeirSource reports whether a table's options are those of a bounded source of Weir's own: a
// recording or a generator (which replay a fixed number of events), or Nexmark with 'number-of-events'.
func boundedWeirSource(opts map[string]string) bool {
	switch opts["connector"] {
	case "weir-recording", "weir-generator":
		return true
	case "weir-nexmark":
		return opts["number-of-events"] != ""
	}
	return false
}

// registersTables reports whether a Go cell registers a table or view in the SQL cells' catalog (through
// weir/sqlcells), which the exported script then lacks; a cell that only reads the catalog or a result does not.
func registersTables(goSource string) bool {
	for _, call := range []string{".CreateTemporaryView(", ".ExecuteSQL(", ".ExecuteScript(", ".CreateStatementSet("} {
		if strings.Contains(goSource, call) {
			return true
		}
	}
	return false
}

// quote writes s as a SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
