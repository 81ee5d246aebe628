package table

import (
	"fmt"
	"strings"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/planner"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// Table is a table of the Table API: a planned query over the Environment's catalog, Flink's Table.
// Convert it to a DataStream (ToDataStream, ToChangelogStream), register it as a view, or run it.
type Table struct {
	tenv *Environment
	node planner.Node
	err  error
}

// Columns returns the table's columns (none if it has an error).
func (t *Table) Columns() []Column {
	if t.err != nil {
		return nil
	}
	return t.node.Columns()
}

// IsUpdating reports whether the table's changelog has updates (-U, +U, -D), not only inserts.
func (t *Table) IsUpdating() bool { return t.err == nil && t.node.Updating() }

// Explain returns the table's plan, as EXPLAIN prints it (without the job graph), or its error.
func (t *Table) Explain() string {
	if t.err != nil {
		return t.err.Error()
	}
	return planner.Explain(t.node)
}

// Execute runs the table as a query, as ExecuteSQL runs a SELECT.
func (t *Table) Execute() (*TableResult, error) {
	if t.err != nil {
		return nil, t.err
	}
	return t.tenv.collect(t.node, "collect")
}

// From returns a table of the catalog (a table or a view) for the Table API: Flink's from.
func (t *Environment) From(name string) *Table {
	st, err := sqlparse.Parse("SELECT * FROM " + name)
	if err != nil {
		return &Table{tenv: t, err: fmt.Errorf("From(%q): %w", name, err)}
	}
	n, err := (&planner.Planner{Catalog: t.catalog}).PlanQuery(st.(*sqlparse.QueryStatement).Query)
	if err != nil {
		return &Table{tenv: t, err: fmt.Errorf("From(%q): %w", name, err)}
	}
	return &Table{tenv: t, node: n}
}

// SQLQuery plans a query (Flink's sqlQuery) without running it.
func (t *Environment) SQLQuery(query string) (*Table, error) {
	st, err := sqlparse.Parse(query)
	if err != nil {
		return nil, err
	}
	q, ok := st.(*sqlparse.QueryStatement)
	if !ok {
		return nil, fmt.Errorf("%w: SQLQuery takes a query (SELECT, VALUES, UNION ALL); use ExecuteSQL for other statements", ErrStatement)
	}
	n, err := (&planner.Planner{Catalog: t.catalog}).PlanQuery(q.Query)
	if err != nil {
		return nil, err
	}
	return &Table{tenv: t, node: n}, nil
}

// CreateTemporaryView registers a table under a name, so that SQL can read it.
func (t *Environment) CreateTemporaryView(name string, table *Table) error {
	if table == nil || table.tenv != t {
		return fmt.Errorf("%w: CreateTemporaryView needs a table of this Environment", ErrStatement)
	}
	if table.err != nil {
		return table.err
	}
	v := &viewTable{node: table.node}
	return t.catalog.Register(v.asTable(name), false)
}

// viewTable wraps a planned node as a catalog entry: a DataStream-free view whose query is already
// planned is replanned by name, so it is kept as the node's stream when compiled.
type viewTable struct{ node planner.Node }

func (v *viewTable) asTable(name string) *planner.Table {
	return &planner.Table{Name: name, Columns: v.node.Columns(), Temporary: true, Planned: v.node}
}

// Schema describes the columns of a table made from a DataStream: each column's name and SQL type, read
// from the record's field of that name (engine.Field: a struct field, a Fielder or a map entry); Rowtime
// names the column, of type TIMESTAMP(3), that is the table's event-time attribute, with the watermark
// expression Watermark (default: the rowtime column itself, for an ordered stream). Watermark
// "SOURCE_WATERMARK()" keeps the stream's own timestamps and watermarks, as Flink's SOURCE_WATERMARK()
// does: the rowtime column must then hold each record's timestamp.
type Schema struct {
	Columns   []SchemaColumn
	Rowtime   string
	Watermark string
}

// SchemaColumn is a column of a Schema: its name, its SQL type ("BIGINT", "STRING", "TIMESTAMP(3)",
// "DOUBLE", "DECIMAL(10, 2)", ...) and the record field it reads (default: Name).
type SchemaColumn struct {
	Name  string
	Type  string
	Field string
}

// FromDataStream makes a table of a DataStream on the Environment's engine Environment: each record
// becomes a +I row of the schema's columns, converted to their SQL types (Go integers to BIGINT/INT, a
// time.Time or epoch milliseconds to TIMESTAMP, ...) by an operator with the stream's parallelism, so that
// rows keep the stream's order. Queries that read it run on that Environment.
func (t *Environment) FromDataStream(stream *engine.DataStream, schema Schema) (*Table, error) {
	if len(schema.Columns) == 0 {
		return nil, fmt.Errorf("%w: FromDataStream needs at least one column in the schema", ErrStatement)
	}
	var ddl strings.Builder
	ddl.WriteString("CREATE TABLE t (")
	for i, c := range schema.Columns {
		if i > 0 {
			ddl.WriteString(", ")
		}
		fmt.Fprintf(&ddl, "`%s` %s", strings.ReplaceAll(c.Name, "`", "``"), c.Type)
	}
	if schema.Rowtime != "" {
		wm := schema.Watermark
		if wm == "" {
			wm = "`" + schema.Rowtime + "`"
		}
		fmt.Fprintf(&ddl, ", WATERMARK FOR `%s` AS %s", schema.Rowtime, wm)
	}
	ddl.WriteString(") WITH ('connector' = 'datagen')")
	st, err := sqlparse.Parse(ddl.String())
	if err != nil {
		return nil, fmt.Errorf("%w: schema: %v", ErrStatement, err)
	}
	tab, err := planner.TableFromDDL(st.(*sqlparse.CreateTable))
	if err != nil {
		return nil, fmt.Errorf("%w: schema: %v", ErrStatement, err)
	}
	tab.Options = nil
	cols := tab.Columns
	fields := make([]string, len(cols))
	for i, c := range schema.Columns {
		fields[i] = c.Field
		if fields[i] == "" {
			fields[i] = c.Name
		}
	}
	tab.Stream = stream.Map(func(v any) any {
		if r, ok := v.(Row); ok {
			return r
		}
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = planner.FromGo(engine.Field(v, fields[i]), c.Type)
		}
		return Row{Kind: Insert, Fields: row}
	}).Name("From DataStream").InheritParallelism(stream)
	n := &planner.ScanNode{Table: tab}
	tab.Name = "DataStream"
	return &Table{tenv: t, node: n}, nil
}

// ToDataStream returns a table's rows as a DataStream of Row values on the engine Environment, for an
// insert-only table (Flink's toDataStream refuses an updating one: use ToChangelogStream). The table's
// DataStream program runs when that Environment executes.
func (t *Environment) ToDataStream(table *Table) (*engine.DataStream, error) {
	if table.err != nil {
		return nil, table.err
	}
	if table.node.Updating() {
		return nil, fmt.Errorf("%w: Table sink 'default_catalog.default_database.Unregistered_DataStream_Sink' doesn't support consuming update changes: use ToChangelogStream", planner.ErrUnsupported)
	}
	return t.ToChangelogStream(table)
}

// ToChangelogStream returns a table's changelog as a DataStream of Row values (each with its RowKind) on
// the engine Environment.
func (t *Environment) ToChangelogStream(table *Table) (*engine.DataStream, error) {
	if table.err != nil {
		return nil, table.err
	}
	c := t.compiler(t.env)
	s, err := c.Build(table.node)
	if err != nil {
		return nil, err
	}
	return c.Checked(s), nil
}
