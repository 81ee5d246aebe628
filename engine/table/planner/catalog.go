package planner

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/table/sqlparse"
)

// Sentinel errors of validation; every error wraps one of them, or a *sqlparse.Error for syntax, and names
// the line and column.
var (
	// ErrValidation is a statement that parses but is not valid: an unknown table or column, a type
	// mismatch, a clause Weir does not run.
	ErrValidation = errors.New("SQL validation failed")
	// ErrUnsupported is a query Flink's planner would reject, or one Weir does not run yet.
	ErrUnsupported = errors.New("unsupported SQL")
)

// Column is a column of a table's schema.
type Column struct {
	Name string
	Type DataType
	// Expr is the expression of a computed column ("name AS expr"), nil for a physical column.
	Expr sqlparse.Expr
	// Metadata is set for a metadata column ("name TYPE METADATA [FROM 'key'] [VIRTUAL]"), which only the
	// kafka and upsert-kafka connectors offer (see kafka_connector.go); MetadataKey is its key (FROM's, or
	// the column's name), and Virtual marks one that is only read, left out when the table is written.
	Metadata    bool
	MetadataKey string
	Virtual     bool
}

// Table is an entry of the catalog: a connector table (CREATE TABLE), a view (CREATE VIEW) or a table
// made from a DataStream (FromDataStream).
type Table struct {
	Name       string
	Columns    []Column
	Watermark  *sqlparse.Watermark // WATERMARK FOR, nil if none
	PrimaryKey []string
	Options    map[string]string // the WITH options
	Temporary  bool
	// View is the query of a view, nil otherwise.
	View sqlparse.Query
	// Stream is the DataStream of a table made from one; its records are Row values of the physical
	// columns (or, for a changelog stream, of any RowKind).
	Stream *engine.DataStream
	// Updating is set for a table whose Stream carries updates (FromChangelogStream).
	Updating bool
	// Planned is the plan of a Table API table registered as a view (CreateTemporaryView), nil otherwise.
	Planned Node
}

// Catalog holds the tables and views by name (Flink's default_catalog.default_database).
type Catalog struct {
	tables map[string]*Table
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog { return &Catalog{tables: map[string]*Table{}} }

// Register adds a table; replace allows a name already registered to be replaced.
func (c *Catalog) Register(t *Table, replace bool) error {
	if _, ok := c.tables[t.Name]; ok && !replace {
		return fmt.Errorf("%w: table or view %s already exists", ErrValidation, t.Name)
	}
	c.tables[t.Name] = t
	return nil
}

// Drop removes a table; it reports whether it existed.
func (c *Catalog) Drop(name string) bool {
	_, ok := c.tables[name]
	delete(c.tables, name)
	return ok
}

// Lookup returns the table named name, or nil.
func (c *Catalog) Lookup(name string) *Table { return c.tables[name] }

// Names returns the names of the tables (views too, unless tablesOnly), sorted.
func (c *Catalog) Names(viewsOnly bool) []string {
	var out []string
	for n, t := range c.tables {
		if !viewsOnly || t.View != nil {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// lookupName resolves a table name at pos: the last part of a qualified name (the catalog and database
// parts must be Flink's defaults), with the nearest existing name in the error.
func (c *Catalog) lookupName(n sqlparse.Name) (*Table, error) {
	if len(n.Parts) > 1 {
		q := n.Parts[:len(n.Parts)-1]
		ok := len(q) == 1 && q[0] == "default_database" || len(q) == 2 && q[0] == "default_catalog" && q[1] == "default_database"
		if !ok {
			return nil, errAt(n.Pos, ErrValidation, "Object '%s' not found: Weir has only default_catalog.default_database", n)
		}
	}
	t := c.tables[n.Last()]
	if t == nil {
		return nil, errAt(n.Pos, ErrValidation, "Object '%s' not found%s", n.Last(), suggest(n.Last(), c.Names(false)))
	}
	return t, nil
}

// errAt makes an error at a position of the statement, wrapping kind.
func errAt(pos sqlparse.Pos, kind error, format string, args ...any) error {
	return fmt.Errorf("%w at %s: %s", kind, pos, fmt.Sprintf(format, args...))
}

// suggest returns ", did you mean 'x'?" for the candidate nearest to name (Levenshtein distance, case
// ignored), if one is near enough to be a likely typo, else "".
func suggest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(name), strings.ToLower(c))
		if d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, len(name)/2) {
		return ""
	}
	return fmt.Sprintf(", did you mean '%s'?", best)
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// TableFromDDL validates a CREATE TABLE and makes its catalog entry.
func TableFromDDL(ct *sqlparse.CreateTable) (*Table, error) {
	t := &Table{Name: ct.Name.Last(), Temporary: ct.Temporary, Options: map[string]string{}, PrimaryKey: ct.PrimaryKey}
	seen := map[string]bool{}
	for _, cd := range ct.Columns {
		if seen[cd.Name] {
			return nil, errAt(cd.Pos, ErrValidation, "column '%s' is defined twice", cd.Name)
		}
		seen[cd.Name] = true
		col := Column{Name: cd.Name, Expr: cd.Expr, Metadata: cd.Metadata, Virtual: cd.Virtual}
		if cd.Metadata {
			col.MetadataKey = cd.MetadataKey
			if col.MetadataKey == "" {
				col.MetadataKey = cd.Name
			}
		}
		if cd.Type != nil {
			dt, err := typeFromAST(*cd.Type)
			if err != nil {
				return nil, errAt(cd.Type.Pos, ErrValidation, "%v", err)
			}
			col.Type = dt
		}
		t.Columns = append(t.Columns, col)
	}
	// Computed columns are typed against the physical and metadata columns before them, as Flink's
	// SchemaResolver does.
	var scope []Column
	for i, col := range t.Columns {
		if col.Expr == nil {
			scope = append(scope, col)
			continue
		}
		b := &binder{scope: newScope(scope, "")}
		ce, err := b.bind(col.Expr)
		if err != nil {
			return nil, err
		}
		t.Columns[i].Type = ce.typ.plain()
		t.Columns[i].Type.Proctime = ce.proctime // p AS PROCTIME() declares a processing-time attribute
		scope = append(scope, t.Columns[i])
	}
	for _, k := range ct.PrimaryKey {
		i := t.columnIndex(k)
		if i < 0 {
			return nil, errAt(ct.Pos, ErrValidation, "primary key column '%s' is not a column of %s%s", k, t.Name, suggest(k, t.columnNames()))
		}
		if t.Columns[i].Expr != nil || t.Columns[i].Metadata {
			return nil, errAt(ct.Pos, ErrValidation, "primary key column '%s' must be a physical column", k)
		}
		t.Columns[i].Type.NotNull = true // Flink makes primary key columns NOT NULL
	}
	if wm := ct.Watermark; wm != nil {
		i := t.columnIndex(wm.Column)
		if i < 0 {
			return nil, errAt(wm.Pos, ErrValidation, "the rowtime attribute field '%s' is not defined in the table schema%s", wm.Column, suggest(wm.Column, t.columnNames()))
		}
		ty := t.Columns[i].Type
		if ty.Proctime {
			return nil, errAt(wm.Pos, ErrValidation, "A watermark can not be defined for a processing-time attribute: %s is PROCTIME()", wm.Column)
		}
		if ty.Kind != KindTimestamp && ty.Kind != KindTimestampLTZ || ty.Precision > 3 {
			return nil, errAt(wm.Pos, ErrValidation, "invalid data type of time field for watermark definition: the field must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p), p at most 3, but is %s", ty)
		}
		if !IsSourceWatermark(wm.Expr) {
			b := &binder{scope: newScope(t.Columns, "")}
			ce, err := b.bind(wm.Expr)
			if err != nil {
				return nil, err
			}
			if ce.typ.Kind != ty.Kind {
				return nil, errAt(wm.Expr.ExprPos(), ErrValidation, "the watermark expression must be of type %s, not %s", ty.plain(), ce.typ.plain())
			}
		}
		t.Watermark = wm
		t.Columns[i].Type.Rowtime = true
	}
	for _, o := range ct.Options {
		if _, dup := t.Options[o.Key]; dup {
			return nil, errAt(o.Pos, ErrValidation, "option '%s' is given twice", o.Key)
		}
		t.Options[o.Key] = o.Value
	}
	if _, err := connectorFor(t, ct.Pos); err != nil {
		return nil, err
	}
	t.Updating = t.Options["connector"] == "upsert-kafka" // its rows are upserts and deletions of its keys
	return t, nil
}

func (t *Table) columnIndex(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

func (t *Table) columnNames() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// physical returns the physical columns (neither computed nor metadata), which a connector reads.
func (t *Table) physical() []Column {
	var out []Column
	for _, c := range t.Columns {
		if c.Expr == nil && !c.Metadata {
			out = append(out, c)
		}
	}
	return out
}

// metadata returns the metadata columns, in order: a connector that offers metadata appends their values
// to the physical columns of the rows it reads.
func (t *Table) metadata() []Column {
	var out []Column
	for _, c := range t.Columns {
		if c.Metadata {
			out = append(out, c)
		}
	}
	return out
}

// sinkColumns returns the columns a sink writes: the physical columns, then the metadata columns that are
// not VIRTUAL (Flink's persisted columns). order gives, for each persisted column in the table's order
// (the order of an INSERT's query columns), its index in cols.
func (t *Table) sinkColumns() (cols []Column, order []int) {
	cols = t.physical()
	np := 0
	for _, c := range t.Columns {
		switch {
		case c.Expr != nil || c.Metadata && c.Virtual:
		case c.Metadata:
			order = append(order, len(cols))
			cols = append(cols, c)
		default:
			order = append(order, np)
			np++
		}
	}
	return cols, order
}

// Describe returns DESCRIBE's rows: name, type, null, key, extras, watermark, as Flink prints them.
func (t *Table) Describe() [][]string {
	var rows [][]string
	for _, c := range t.Columns {
		null := "TRUE"
		if c.Type.NotNull {
			null = "FALSE"
		}
		key := ""
		for _, k := range t.PrimaryKey {
			if k == c.Name {
				key = fmt.Sprintf("PRI(%s)", strings.Join(t.PrimaryKey, ", "))
			}
		}
		extras := ""
		switch {
		case c.Expr != nil:
			extras = "AS " + ExprString(c.Expr)
		case c.Metadata:
			extras = "METADATA"
			if c.MetadataKey != c.Name {
				extras += " FROM '" + c.MetadataKey + "'"
			}
			if c.Virtual {
				extras += " VIRTUAL"
			}
		}
		wm := ""
		if t.Watermark != nil && t.Watermark.Column == c.Name {
			wm = ExprString(t.Watermark.Expr)
		}
		ty := c.Type
		ty.NotNull = false
		rows = append(rows, []string{c.Name, ty.String(), null, key, extras, wm})
	}
	return rows
}

// IsSourceWatermark reports whether a WATERMARK FOR expression is SOURCE_WATERMARK(): the table keeps the
// timestamps and watermarks its source emits, as Flink's SOURCE_WATERMARK() does. Weir's connectors do
// not emit watermarks of their own; a table made from a DataStream (FromDataStream) keeps the stream's.
func IsSourceWatermark(e sqlparse.Expr) bool {
	c, ok := e.(*sqlparse.Call)
	return ok && c.Name == "SOURCE_WATERMARK" && len(c.Args) == 0 && !c.Star && c.Over == nil
}
