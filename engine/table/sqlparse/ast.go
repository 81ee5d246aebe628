package sqlparse

// Statement is one parsed SQL statement: *CreateTable, *CreateView, *Drop, *ShowTables, *Describe, *Set,
// *Reset, *Explain, *Insert or *QueryStatement.
type Statement interface{ StmtPos() Pos }

// Expr is an expression: *Ident, *Literal, *Interval, *Unary, *Binary, *Call, *Case, *Cast, *IsNull,
// *IsBool, *Between, *In, *Like, *Star or *Descriptor.
type Expr interface{ ExprPos() Pos }

// Query is a query: *Select, *SetOp or *Values.
type Query interface{ QueryPos() Pos }

// TableRef is what a FROM clause reads: *TableName, *SubqueryRef, *WindowTVF or *Join.
type TableRef interface{ RefPos() Pos }

// Name is a possibly qualified name (catalog.db.table), with its position.
type Name struct {
	Pos   Pos
	Parts []string
}

// String joins the parts with dots.
func (n Name) String() string {
	s := ""
	for i, p := range n.Parts {
		if i > 0 {
			s += "."
		}
		s += p
	}
	return s
}

// Last returns the last part of the name: the table or column itself.
func (n Name) Last() string { return n.Parts[len(n.Parts)-1] }

// DataType is a SQL type as written: Name in upper case ("BIGINT", "TIMESTAMP", "VARCHAR", "DECIMAL",
// "TIMESTAMP_LTZ", ...), with its parameters (precision and scale) and nullability.
type DataType struct {
	Pos     Pos
	Name    string
	Params  []int
	NotNull bool
}

// ColumnDef is a column of CREATE TABLE: physical (Type), computed (Expr, "name AS expr") or a metadata
// column (Type with Metadata set, "name TYPE METADATA [FROM 'key'] [VIRTUAL]").
type ColumnDef struct {
	Pos         Pos
	Name        string
	Type        *DataType
	Expr        Expr
	Metadata    bool
	MetadataKey string
	Virtual     bool
	Comment     string
}

// Watermark is WATERMARK FOR Column AS Expr.
type Watermark struct {
	Pos    Pos
	Column string
	Expr   Expr
}

// Option is one 'key' = 'value' of a WITH clause or of SET.
type Option struct {
	Pos        Pos
	Key, Value string
}

// CreateTable is CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (columns, WATERMARK, PRIMARY KEY) WITH (...).
type CreateTable struct {
	Pos         Pos
	Name        Name
	Temporary   bool
	IfNotExists bool
	Columns     []ColumnDef
	Watermark   *Watermark
	PrimaryKey  []string
	Options     []Option
}

// CreateView is CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(columns)] AS query.
type CreateView struct {
	Pos         Pos
	Name        Name
	Temporary   bool
	IfNotExists bool
	Columns     []string
	Query       Query
}

// Drop is DROP [TEMPORARY] TABLE|VIEW [IF EXISTS] name.
type Drop struct {
	Pos       Pos
	View      bool
	Temporary bool
	IfExists  bool
	Name      Name
}

// ShowTables is SHOW TABLES (or SHOW VIEWS when Views is set).
type ShowTables struct {
	Pos   Pos
	Views bool
}

// Describe is DESCRIBE name or DESC name.
type Describe struct {
	Pos  Pos
	Name Name
}

// Set is SET 'key' = 'value', or SET alone (Option nil), which lists the options set.
type Set struct {
	Pos    Pos
	Option *Option
}

// Reset is RESET 'key', or RESET alone (Key empty), which resets every option.
type Reset struct {
	Pos Pos
	Key string
}

// Explain is EXPLAIN [PLAN FOR] statement.
type Explain struct {
	Pos       Pos
	Statement Statement
}

// Insert is INSERT INTO table [(columns)] query.
type Insert struct {
	Pos     Pos
	Table   Name
	Columns []string
	Query   Query
}

// QueryStatement is a query run as a statement.
type QueryStatement struct {
	Pos   Pos
	Query Query
}

// SelectItem is an item of a SELECT list: an expression with an optional alias, or a star (Expr is *Star).
type SelectItem struct {
	Pos   Pos
	Expr  Expr
	Alias string
}

// OrderItem is an item of ORDER BY.
type OrderItem struct {
	Expr Expr
	Desc bool
}

// Select is SELECT [DISTINCT] items [FROM from] [WHERE] [GROUP BY] [HAVING] [WINDOW] [ORDER BY] [LIMIT]
// [OFFSET].
type Select struct {
	Pos      Pos
	Distinct bool
	Items    []SelectItem
	From     TableRef
	Where    Expr
	GroupBy  []Expr
	Having   Expr
	Windows  []NamedWindow
	OrderBy  []OrderItem
	Limit    Expr
	Offset   Expr
}

// SetOp is Left UNION [ALL] Right (also INTERSECT and EXCEPT, which the planner refuses).
type SetOp struct {
	Pos         Pos
	Op          string // "UNION", "INTERSECT" or "EXCEPT"
	All         bool
	Left, Right Query
}

// Values is VALUES (row), (row), ...
type Values struct {
	Pos  Pos
	Rows [][]Expr
}

// TableName is a table or view named in FROM, with an optional alias. SystemTime is the time of
// FOR SYSTEM_TIME AS OF time (a temporal join's version), nil without one.
type TableName struct {
	Pos        Pos
	Name       Name
	Alias      string
	SystemTime Expr
}

// SubqueryRef is (query) [AS] alias [(column aliases)] in FROM.
type SubqueryRef struct {
	Pos           Pos
	Query         Query
	Alias         string
	ColumnAliases []string
}

// TVFArg is one argument of a window table-valued function: Table (TABLE t), Descriptor (DESCRIPTOR(c,
// ...)) or Expr, with its parameter name when it is passed by name (DATA => TABLE t).
type TVFArg struct {
	Pos        Pos
	Name       string
	Table      *Name
	Descriptor []string
	Expr       Expr
}

// WindowTVF is FROM TABLE(FUNC(args)) [AS alias]: TUMBLE, HOP, CUMULATE or SESSION. PartitionBy holds
// the columns of SESSION(TABLE t PARTITION BY k, ...).
type WindowTVF struct {
	Pos         Pos
	Func        string
	Args        []TVFArg
	PartitionBy []string
	Alias       string
}

// Join is Left [INNER|LEFT|RIGHT|FULL] JOIN Right ON cond (Kind "INNER", "LEFT", "RIGHT", "FULL" or
// "CROSS" for a comma or CROSS JOIN).
type Join struct {
	Pos         Pos
	Kind        string
	Left, Right TableRef
	On          Expr
}

// Ident is a column reference, possibly qualified (t.col).
type Ident struct {
	Pos   Pos
	Parts []string
}

// LiteralKind tells what a Literal is.
type LiteralKind uint8

// The literal kinds.
const (
	LitNumber LiteralKind = iota
	LitString
	LitBool
	LitNull
	LitTimestamp // TIMESTAMP '2020-10-10 00:00:01'
	LitDate      // DATE '2020-10-10'
	LitTime      // TIME '12:00:00'
)

// Literal is a number, string, TRUE/FALSE, NULL, or a TIMESTAMP/DATE/TIME literal; Text is as written
// (string contents unescaped, TRUE/FALSE in upper case).
type Literal struct {
	Pos  Pos
	Kind LiteralKind
	Text string
}

// Interval is INTERVAL 'Value' Unit [TO ToUnit], with Negative for INTERVAL -'n' or '-n'. Unit is
// singular and upper case (SECOND, MINUTE, HOUR, DAY, MONTH, YEAR, MILLISECOND).
type Interval struct {
	Pos    Pos
	Value  string
	Unit   string
	ToUnit string
}

// Unary is -X, +X or NOT X.
type Unary struct {
	Pos Pos
	Op  string
	X   Expr
}

// Binary is L Op R with Op one of OR AND = <> < <= > >= + - * / % ||.
type Binary struct {
	Pos  Pos
	Op   string
	L, R Expr
}

// Call is a function call; Name is upper case. Star marks COUNT(*), Distinct AGG(DISTINCT x). Over is
// the window of a function called OVER (...), such as ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts).
type Call struct {
	Pos      Pos
	Name     string
	Args     []Expr
	Distinct bool
	Star     bool
	Over     *Over
}

// Over is the window of OVER ([PARTITION BY exprs] [ORDER BY items] [frame]), or of OVER name, a window
// of the query's WINDOW clause (Ref; the planner looks it up).
type Over struct {
	Pos         Pos
	Ref         string
	PartitionBy []Expr
	OrderBy     []OrderItem
	Frame       *Frame
}

// Frame is an OVER window's frame: ROWS (Rows) or RANGE BETWEEN Lower AND Upper. The short form ROWS
// lower (RANGE lower) has Upper CURRENT ROW.
type Frame struct {
	Pos          Pos
	Rows         bool
	Lower, Upper FrameBound
}

// FrameBound is a bound of a Frame: Kind "UNBOUNDED PRECEDING", "PRECEDING" (with Offset: a number of
// rows or an INTERVAL), "CURRENT ROW", "FOLLOWING" (with Offset) or "UNBOUNDED FOLLOWING".
type FrameBound struct {
	Pos    Pos
	Kind   string
	Offset Expr
}

// NamedWindow is name AS (window) of a SELECT's WINDOW clause.
type NamedWindow struct {
	Name string
	Over *Over
}

// When is one WHEN cond THEN result of a CASE.
type When struct {
	Cond, Result Expr
}

// Case is CASE [Operand] WHEN ... THEN ... [ELSE ...] END.
type Case struct {
	Pos     Pos
	Operand Expr
	Whens   []When
	Else    Expr
}

// Cast is CAST(X AS Type) or TRY_CAST.
type Cast struct {
	Pos  Pos
	X    Expr
	Type DataType
	Try  bool
}

// IsNull is X IS [NOT] NULL.
type IsNull struct {
	Pos Pos
	X   Expr
	Not bool
}

// IsBool is X IS [NOT] TRUE|FALSE.
type IsBool struct {
	Pos   Pos
	X     Expr
	Value bool
	Not   bool
}

// Between is X [NOT] BETWEEN Lo AND Hi.
type Between struct {
	Pos       Pos
	X, Lo, Hi Expr
	Not       bool
}

// In is X [NOT] IN (list) or X [NOT] IN (subquery).
type In struct {
	Pos      Pos
	X        Expr
	List     []Expr
	Subquery Query
	Not      bool
}

// Exists is EXISTS (Query); NOT EXISTS is a Unary NOT of it.
type Exists struct {
	Pos   Pos
	Query Query
}

// StatementSet is EXECUTE STATEMENT SET BEGIN insert; ... END (or the SQL client's BEGIN STATEMENT SET;
// insert; ... END): INSERT INTO statements that run as one job.
type StatementSet struct {
	Pos     Pos
	Inserts []*Insert
}

// Like is X [NOT] LIKE Pattern.
type Like struct {
	Pos        Pos
	X, Pattern Expr
	Not        bool
}

// Star is * or t.* in a SELECT list or COUNT(*).
type Star struct {
	Pos       Pos
	Qualifier string
}

// Descriptor is DESCRIPTOR(col, ...) where an expression is expected.
type Descriptor struct {
	Pos     Pos
	Columns []string
}

func (s *CreateTable) StmtPos() Pos    { return s.Pos }
func (s *CreateView) StmtPos() Pos     { return s.Pos }
func (s *Drop) StmtPos() Pos           { return s.Pos }
func (s *ShowTables) StmtPos() Pos     { return s.Pos }
func (s *Describe) StmtPos() Pos       { return s.Pos }
func (s *Set) StmtPos() Pos            { return s.Pos }
func (s *Reset) StmtPos() Pos          { return s.Pos }
func (s *Explain) StmtPos() Pos        { return s.Pos }
func (s *Insert) StmtPos() Pos         { return s.Pos }
func (s *StatementSet) StmtPos() Pos   { return s.Pos }
func (s *QueryStatement) StmtPos() Pos { return s.Pos }

func (q *Select) QueryPos() Pos { return q.Pos }
func (q *SetOp) QueryPos() Pos  { return q.Pos }
func (q *Values) QueryPos() Pos { return q.Pos }

func (r *TableName) RefPos() Pos   { return r.Pos }
func (r *SubqueryRef) RefPos() Pos { return r.Pos }
func (r *WindowTVF) RefPos() Pos   { return r.Pos }
func (r *Join) RefPos() Pos        { return r.Pos }

func (e *Ident) ExprPos() Pos      { return e.Pos }
func (e *Literal) ExprPos() Pos    { return e.Pos }
func (e *Interval) ExprPos() Pos   { return e.Pos }
func (e *Unary) ExprPos() Pos      { return e.Pos }
func (e *Binary) ExprPos() Pos     { return e.Pos }
func (e *Call) ExprPos() Pos       { return e.Pos }
func (e *Case) ExprPos() Pos       { return e.Pos }
func (e *Cast) ExprPos() Pos       { return e.Pos }
func (e *IsNull) ExprPos() Pos     { return e.Pos }
func (e *IsBool) ExprPos() Pos     { return e.Pos }
func (e *Between) ExprPos() Pos    { return e.Pos }
func (e *In) ExprPos() Pos         { return e.Pos }
func (e *Exists) ExprPos() Pos     { return e.Pos }
func (e *Like) ExprPos() Pos       { return e.Pos }
func (e *Star) ExprPos() Pos       { return e.Pos }
func (e *Descriptor) ExprPos() Pos { return e.Pos }
