package sqlparse

import (
	"fmt"
	"strconv"
	"strings"
)

// reserved are the keywords that cannot be bare identifiers (Calcite reserves these too).
var reserved = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "GROUP": true, "BY": true, "HAVING": true, "UNION": true,
	"INTERSECT": true, "EXCEPT": true, "ORDER": true, "LIMIT": true, "AS": true, "ON": true, "JOIN": true,
	"INNER": true, "LEFT": true, "RIGHT": true, "FULL": true, "OUTER": true, "CROSS": true, "AND": true,
	"OR": true, "NOT": true, "CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true, "IS": true,
	"NULL": true, "TRUE": true, "FALSE": true, "IN": true, "BETWEEN": true, "LIKE": true, "DISTINCT": true,
	"ALL": true, "CREATE": true, "TABLE": true, "VIEW": true, "DROP": true, "INSERT": true, "INTO": true,
	"VALUES": true, "WITH": true, "CAST": true, "INTERVAL": true, "DESCRIPTOR": true, "EXISTS": true,
	"PARTITION": true, "WINDOW": true, "OVER": true,
}

// maxDepth bounds the nesting of expressions and queries, so that no input overflows the stack.
const maxDepth = 200

type parser struct {
	toks  []token
	i     int
	depth int
}

// Parse parses one statement; a trailing semicolon is allowed.
func Parse(sql string) (Statement, error) {
	stmts, err := ParseScript(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, &Error{Pos{1, 1}, fmt.Sprintf("expected one statement, found %d", len(stmts))}
	}
	return stmts[0], nil
}

// ParseScript parses statements separated by semicolons.
func ParseScript(sql string) (stmts []Statement, err error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			stmts, err = nil, pe
		}
	}()
	for {
		for p.acceptOp(";") {
		}
		if p.peek().kind == tEOF {
			return stmts, nil
		}
		stmts = append(stmts, p.statement())
		if p.peek().kind != tEOF && !p.isOp(";") {
			p.fail("expected \";\" or the end of the statement")
		}
	}
}

// ParseExpr parses one expression (as the Table API's string expressions are written).
func ParseExpr(s string) (e Expr, err error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			e, err = nil, pe
		}
	}()
	e = p.expr()
	if p.peek().kind != tEOF {
		p.fail("expected the end of the expression")
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) fail(msg string) {
	t := p.peek()
	panic(&Error{t.pos, fmt.Sprintf("encountered %s: %s", t.describe(), msg)})
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail("nested too deeply")
	}
}
func (p *parser) leave() { p.depth-- }

func (p *parser) isKw(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}
func (p *parser) isKwAt(k int, kw string) bool {
	t := p.peekAt(k)
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}
func (p *parser) acceptKw(kws ...string) bool {
	for k, kw := range kws {
		if !p.isKwAt(k, kw) {
			return false
		}
	}
	p.i += len(kws)
	return true
}
func (p *parser) expectKw(kws ...string) {
	if !p.acceptKw(kws...) {
		p.fail("expected " + strings.Join(kws, " "))
	}
}
func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == op
}
func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.i++
		return true
	}
	return false
}
func (p *parser) expectOp(op string) {
	if !p.acceptOp(op) {
		p.fail(fmt.Sprintf("expected %q", op))
	}
}

// ident reads an identifier: a quoted one or an unreserved word.
func (p *parser) ident() (string, Pos) {
	t := p.peek()
	if t.kind == tQuoted || t.kind == tIdent && !reserved[strings.ToUpper(t.text)] {
		p.i++
		return t.text, t.pos
	}
	p.fail("expected an identifier")
	return "", Pos{}
}

func (p *parser) isIdent() bool {
	t := p.peek()
	return t.kind == tQuoted || t.kind == tIdent && !reserved[strings.ToUpper(t.text)]
}

func (p *parser) name() Name {
	s, pos := p.ident()
	n := Name{Pos: pos, Parts: []string{s}}
	for p.acceptOp(".") {
		s, _ = p.ident()
		n.Parts = append(n.Parts, s)
	}
	return n
}

func (p *parser) stringLit() (string, Pos) {
	t := p.peek()
	if t.kind != tString {
		p.fail("expected a string literal")
	}
	p.i++
	return t.text, t.pos
}

func (p *parser) statement() Statement {
	pos := p.peek().pos
	switch {
	case p.isKw("CREATE"):
		p.next()
		temporary := p.acceptKw("TEMPORARY")
		switch {
		case p.acceptKw("TABLE"):
			return p.createTable(pos, temporary)
		case p.acceptKw("VIEW"):
			return p.createView(pos, temporary)
		}
		p.fail("expected TABLE or VIEW")
	case p.isKw("DROP"):
		p.next()
		d := &Drop{Pos: pos, Temporary: p.acceptKw("TEMPORARY")}
		switch {
		case p.acceptKw("TABLE"):
		case p.acceptKw("VIEW"):
			d.View = true
		default:
			p.fail("expected TABLE or VIEW")
		}
		d.IfExists = p.acceptKw("IF", "EXISTS")
		d.Name = p.name()
		return d
	case p.isKw("SHOW"):
		p.next()
		switch {
		case p.acceptKw("TABLES"):
			return &ShowTables{Pos: pos}
		case p.acceptKw("VIEWS"):
			return &ShowTables{Pos: pos, Views: true}
		}
		p.fail("expected TABLES or VIEWS")
	case p.isKw("DESCRIBE") || p.isKw("DESC"):
		p.next()
		return &Describe{Pos: pos, Name: p.name()}
	case p.isKw("SET"):
		p.next()
		if p.peek().kind == tEOF || p.isOp(";") {
			return &Set{Pos: pos}
		}
		k, kpos := p.stringLit()
		p.expectOp("=")
		v, _ := p.stringLit()
		return &Set{Pos: pos, Option: &Option{Pos: kpos, Key: k, Value: v}}
	case p.isKw("RESET"):
		p.next()
		r := &Reset{Pos: pos}
		if p.peek().kind == tString {
			r.Key, _ = p.stringLit()
		}
		return r
	case p.isKw("EXPLAIN"):
		p.next()
		p.acceptKw("PLAN", "FOR")
		return &Explain{Pos: pos, Statement: p.statement()}
	case p.isKw("INSERT"):
		return p.insert()
	case p.isKw("EXECUTE"):
		p.next()
		if p.isKw("INSERT") {
			return p.insert()
		}
		p.expectKw("STATEMENT", "SET")
		p.expectKw("BEGIN")
		return p.statementSet(pos)
	case p.isKw("BEGIN"):
		// The SQL client's form: BEGIN STATEMENT SET; insert; ... END.
		p.next()
		p.expectKw("STATEMENT", "SET")
		p.acceptOp(";")
		return p.statementSet(pos)
	case p.isKw("SELECT") || p.isKw("VALUES") || p.isOp("("):
		return &QueryStatement{Pos: pos, Query: p.query()}
	}
	p.fail("expected a statement (CREATE, DROP, SHOW, DESCRIBE, SET, RESET, EXPLAIN, INSERT, EXECUTE STATEMENT SET or SELECT)")
	return nil
}

func (p *parser) insert() *Insert {
	pos := p.next().pos
	p.expectKw("INTO")
	ins := &Insert{Pos: pos, Table: p.name()}
	if p.isOp("(") && !p.isKwAt(1, "SELECT") && !p.isKwAt(1, "VALUES") {
		ins.Columns = p.identList()
	}
	ins.Query = p.query()
	return ins
}

// statementSet parses the INSERT statements of a statement set, each ended by ";", up to END.
func (p *parser) statementSet(pos Pos) *StatementSet {
	set := &StatementSet{Pos: pos}
	for {
		for p.acceptOp(";") {
		}
		if p.acceptKw("END") {
			if len(set.Inserts) == 0 {
				p.fail("a statement set needs at least one INSERT INTO")
			}
			return set
		}
		if !p.isKw("INSERT") {
			p.fail("expected INSERT INTO or END: a statement set holds only INSERT statements")
		}
		set.Inserts = append(set.Inserts, p.insert())
		if !p.isOp(";") {
			p.fail("expected \";\" after the INSERT statement")
		}
	}
}

func (p *parser) identList() []string {
	p.expectOp("(")
	var out []string
	for {
		s, _ := p.ident()
		out = append(out, s)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return out
}

func (p *parser) createTable(pos Pos, temporary bool) *CreateTable {
	ct := &CreateTable{Pos: pos, Temporary: temporary, IfNotExists: p.acceptKw("IF", "NOT", "EXISTS")}
	ct.Name = p.name()
	p.expectOp("(")
	for {
		switch {
		case p.isKw("WATERMARK"):
			wpos := p.next().pos
			if ct.Watermark != nil {
				panic(&Error{wpos, "a table has at most one WATERMARK"})
			}
			p.expectKw("FOR")
			col, _ := p.ident()
			p.expectKw("AS")
			ct.Watermark = &Watermark{Pos: wpos, Column: col, Expr: p.expr()}
		case p.isKw("PRIMARY") || p.isKw("CONSTRAINT"):
			if p.acceptKw("CONSTRAINT") {
				p.ident()
			}
			ppos := p.peek().pos
			p.expectKw("PRIMARY", "KEY")
			if ct.PrimaryKey != nil {
				panic(&Error{ppos, "a table has at most one PRIMARY KEY"})
			}
			ct.PrimaryKey = p.identList()
			if !p.acceptKw("NOT", "ENFORCED") {
				p.fail("Flink supports only PRIMARY KEY ... NOT ENFORCED")
			}
		default:
			ct.Columns = append(ct.Columns, p.columnDef())
		}
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	if p.acceptKw("COMMENT") {
		p.stringLit()
	}
	if p.acceptKw("WITH") {
		ct.Options = p.options()
	}
	return ct
}

func (p *parser) options() []Option {
	p.expectOp("(")
	var opts []Option
	if p.acceptOp(")") {
		return opts
	}
	for {
		k, kpos := p.stringLit()
		p.expectOp("=")
		v, _ := p.stringLit()
		opts = append(opts, Option{Pos: kpos, Key: k, Value: v})
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return opts
}

func (p *parser) columnDef() ColumnDef {
	name, pos := p.ident()
	c := ColumnDef{Pos: pos, Name: name}
	if p.acceptKw("AS") {
		c.Expr = p.expr()
	} else {
		t := p.dataType()
		c.Type = &t
		if p.acceptKw("METADATA") {
			c.Metadata = true
			if p.acceptKw("FROM") {
				c.MetadataKey, _ = p.stringLit()
			}
			c.Virtual = p.acceptKw("VIRTUAL")
		}
	}
	if p.acceptKw("COMMENT") {
		c.Comment, _ = p.stringLit()
	}
	return c
}

// typeNames are the type names the parser knows, with how many parameters each takes at most.
var typeNames = map[string]int{
	"CHAR": 1, "VARCHAR": 1, "STRING": 0, "BOOLEAN": 0, "BOOL": 0, "BINARY": 1, "VARBINARY": 1, "BYTES": 0,
	"DECIMAL": 2, "DEC": 2, "NUMERIC": 2, "TINYINT": 0, "SMALLINT": 0, "INT": 0, "INTEGER": 0, "BIGINT": 0,
	"FLOAT": 0, "REAL": 0, "DOUBLE": 0, "DATE": 0, "TIME": 1, "TIMESTAMP": 1, "TIMESTAMP_LTZ": 1,
}

func (p *parser) dataType() DataType {
	t := p.peek()
	if t.kind != tIdent {
		p.fail("expected a data type")
	}
	name := strings.ToUpper(t.text)
	maxParams, ok := typeNames[name]
	if !ok {
		p.fail("unknown data type")
	}
	p.next()
	dt := DataType{Pos: t.pos, Name: name}
	switch name {
	case "DOUBLE":
		p.acceptKw("PRECISION")
	case "INTEGER":
		dt.Name = "INT"
	case "BOOL":
		dt.Name = "BOOLEAN"
	case "DEC", "NUMERIC":
		dt.Name = "DECIMAL"
	}
	if maxParams > 0 && p.acceptOp("(") {
		for {
			nt := p.peek()
			if nt.kind != tNumber {
				p.fail("expected a number")
			}
			n, err := strconv.Atoi(nt.text)
			if err != nil || n < 0 || n > 1<<20 {
				p.fail("expected a small whole number")
			}
			p.next()
			dt.Params = append(dt.Params, n)
			if len(dt.Params) == maxParams || !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
	}
	if dt.Name == "TIMESTAMP" {
		if p.acceptKw("WITH", "LOCAL", "TIME", "ZONE") {
			dt.Name = "TIMESTAMP_LTZ"
		} else {
			p.acceptKw("WITHOUT", "TIME", "ZONE")
		}
	}
	if p.acceptKw("NOT", "NULL") {
		dt.NotNull = true
	} else {
		p.acceptKw("NULL")
	}
	return dt
}

func (p *parser) createView(pos Pos, temporary bool) *CreateView {
	cv := &CreateView{Pos: pos, Temporary: temporary, IfNotExists: p.acceptKw("IF", "NOT", "EXISTS")}
	cv.Name = p.name()
	if p.isOp("(") {
		cv.Columns = p.identList()
	}
	p.expectKw("AS")
	cv.Query = p.query()
	return cv
}

// query parses a query with UNION/INTERSECT/EXCEPT, ORDER BY and LIMIT.
func (p *parser) query() Query {
	p.enter()
	defer p.leave()
	q := p.queryTerm()
	for {
		pos := p.peek().pos
		var op string
		switch {
		case p.acceptKw("UNION"):
			op = "UNION"
		case p.acceptKw("INTERSECT"):
			op = "INTERSECT"
		case p.acceptKw("EXCEPT"):
			op = "EXCEPT"
		default:
			return q
		}
		all := p.acceptKw("ALL")
		if !all {
			p.acceptKw("DISTINCT")
		}
		q = &SetOp{Pos: pos, Op: op, All: all, Left: q, Right: p.queryTerm()}
	}
}

func (p *parser) queryTerm() Query {
	pos := p.peek().pos
	switch {
	case p.acceptOp("("):
		q := p.query()
		p.expectOp(")")
		return q
	case p.isKw("VALUES"):
		return p.values()
	case p.acceptKw("SELECT"):
		return p.selectBody(pos)
	}
	p.fail("expected SELECT, VALUES or \"(\"")
	return nil
}

func (p *parser) values() *Values {
	v := &Values{Pos: p.next().pos}
	for {
		p.expectOp("(")
		var row []Expr
		for {
			row = append(row, p.expr())
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
		v.Rows = append(v.Rows, row)
		if !p.acceptOp(",") {
			return v
		}
	}
}

func (p *parser) selectBody(pos Pos) *Select {
	s := &Select{Pos: pos}
	if p.acceptKw("DISTINCT") {
		s.Distinct = true
	} else {
		p.acceptKw("ALL")
	}
	for {
		s.Items = append(s.Items, p.selectItem())
		if !p.acceptOp(",") {
			break
		}
	}
	if p.acceptKw("FROM") {
		s.From = p.from()
	}
	if p.acceptKw("WHERE") {
		s.Where = p.expr()
	}
	if p.acceptKw("GROUP", "BY") {
		for {
			s.GroupBy = append(s.GroupBy, p.expr())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("HAVING") {
		s.Having = p.expr()
	}
	if p.acceptKw("WINDOW") {
		for {
			name, _ := p.ident()
			p.expectKw("AS")
			s.Windows = append(s.Windows, NamedWindow{Name: name, Over: p.windowSpec(p.peek().pos)})
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("ORDER", "BY") {
		s.OrderBy = p.orderItems()
	}
	// LIMIT n [OFFSET m [ROW|ROWS]], or OFFSET m [ROW|ROWS] [LIMIT n], as Calcite accepts them.
	for range 2 {
		switch {
		case s.Limit == nil && p.acceptKw("LIMIT"):
			s.Limit = p.expr()
		case s.Offset == nil && p.acceptKw("OFFSET"):
			s.Offset = p.expr()
			if !p.acceptKw("ROWS") {
				p.acceptKw("ROW")
			}
		}
	}
	return s
}

func (p *parser) selectItem() SelectItem {
	pos := p.peek().pos
	if p.acceptOp("*") {
		return SelectItem{Pos: pos, Expr: &Star{Pos: pos}}
	}
	if p.isIdent() && p.peekAt(1).kind == tOp && p.peekAt(1).text == "." && p.peekAt(2).kind == tOp && p.peekAt(2).text == "*" {
		q, _ := p.ident()
		p.i += 2
		return SelectItem{Pos: pos, Expr: &Star{Pos: pos, Qualifier: q}}
	}
	it := SelectItem{Pos: pos, Expr: p.expr()}
	if p.acceptKw("AS") {
		it.Alias, _ = p.ident()
	} else if p.isIdent() {
		it.Alias, _ = p.ident()
	}
	return it
}

func (p *parser) alias() string {
	if p.acceptKw("AS") {
		s, _ := p.ident()
		return s
	}
	// OFFSET after a table or select item starts the OFFSET clause (Calcite reserves it; Weir does not, so
	// that a window TVF's named argument OFFSET => ... still parses).
	if p.isIdent() && !(p.peek().kind == tIdent && (strings.EqualFold(p.peek().text, "OFFSET") || strings.EqualFold(p.peek().text, "MATCH_RECOGNIZE"))) {
		s, _ := p.ident()
		return s
	}
	return ""
}

func (p *parser) from() TableRef {
	left := p.tableRef()
	for {
		pos := p.peek().pos
		kind := ""
		switch {
		case p.acceptOp(","):
			kind = "CROSS"
		case p.acceptKw("CROSS", "JOIN"):
			kind = "CROSS"
		case p.acceptKw("JOIN"), p.acceptKw("INNER", "JOIN"):
			kind = "INNER"
		case p.acceptKw("LEFT", "OUTER", "JOIN"), p.acceptKw("LEFT", "JOIN"):
			kind = "LEFT"
		case p.acceptKw("RIGHT", "OUTER", "JOIN"), p.acceptKw("RIGHT", "JOIN"):
			kind = "RIGHT"
		case p.acceptKw("FULL", "OUTER", "JOIN"), p.acceptKw("FULL", "JOIN"):
			kind = "FULL"
		default:
			return left
		}
		j := &Join{Pos: pos, Kind: kind, Left: left, Right: p.tableRef()}
		if kind != "CROSS" {
			p.expectKw("ON")
			j.On = p.expr()
		}
		left = j
	}
}

func (p *parser) tableRef() TableRef {
	p.enter()
	defer p.leave()
	pos := p.peek().pos
	switch {
	case p.isKw("TABLE") && p.peekAt(1).kind == tOp && p.peekAt(1).text == "(":
		p.i += 2
		tvf := p.windowTVF()
		p.expectOp(")")
		tvf.Pos = pos
		tvf.Alias = p.alias()
		return tvf
	case p.isOp("("):
		if p.isKwAt(1, "SELECT") || p.isKwAt(1, "VALUES") || p.peekAt(1).kind == tOp && p.peekAt(1).text == "(" {
			p.next()
			sq := &SubqueryRef{Pos: pos, Query: p.query()}
			p.expectOp(")")
			sq.Alias = p.alias()
			if sq.Alias != "" && p.isOp("(") {
				sq.ColumnAliases = p.identList()
			}
			return p.matchRecognize(sq)
		}
		p.next()
		r := p.from()
		p.expectOp(")")
		return r
	}
	tn := &TableName{Pos: pos, Name: p.name()}
	if p.isKw("FOR") && p.isKwAt(1, "SYSTEM_TIME") {
		p.i += 2
		p.expectKw("AS", "OF")
		tn.SystemTime = p.expr()
	}
	tn.Alias = p.alias()
	return p.matchRecognize(tn)
}

func (p *parser) windowTVF() *WindowTVF {
	t := p.peek()
	if t.kind != tIdent {
		p.fail("expected a window function: TUMBLE, HOP, CUMULATE or SESSION")
	}
	tvf := &WindowTVF{Func: strings.ToUpper(t.text)}
	p.next()
	p.expectOp("(")
	for {
		apos := p.peek().pos
		arg := TVFArg{Pos: apos}
		if p.isIdent() && p.peekAt(1).kind == tOp && p.peekAt(1).text == "=>" {
			arg.Name, _ = p.ident()
			arg.Name = strings.ToUpper(arg.Name)
			p.next()
		}
		switch {
		case p.acceptKw("TABLE"):
			n := p.name()
			arg.Table = &n
			if p.acceptKw("PARTITION", "BY") {
				if p.isOp("(") {
					tvf.PartitionBy = p.identList()
				} else {
					for {
						s, _ := p.ident()
						tvf.PartitionBy = append(tvf.PartitionBy, s)
						if !p.isOp(",") || !p.isIdentAt(1) || p.isKwAt(1, "DESCRIPTOR") {
							break
						}
						p.next()
					}
				}
			}
		case p.isKw("DESCRIPTOR"):
			p.next()
			arg.Descriptor = p.identList()
		default:
			arg.Expr = p.expr()
		}
		tvf.Args = append(tvf.Args, arg)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return tvf
}

func (p *parser) isIdentAt(k int) bool {
	t := p.peekAt(k)
	return t.kind == tQuoted || t.kind == tIdent && !reserved[strings.ToUpper(t.text)]
}

// Expressions, lowest precedence first.

func (p *parser) expr() Expr {
	p.enter()
	defer p.leave()
	return p.orExpr()
}

func (p *parser) orExpr() Expr {
	l := p.andExpr()
	for p.isKw("OR") {
		pos := p.next().pos
		l = &Binary{Pos: pos, Op: "OR", L: l, R: p.andExpr()}
	}
	return l
}

func (p *parser) andExpr() Expr {
	l := p.notExpr()
	for p.isKw("AND") {
		pos := p.next().pos
		l = &Binary{Pos: pos, Op: "AND", L: l, R: p.notExpr()}
	}
	return l
}

func (p *parser) notExpr() Expr {
	if p.isKw("NOT") {
		pos := p.next().pos
		p.enter()
		defer p.leave()
		return &Unary{Pos: pos, Op: "NOT", X: p.notExpr()}
	}
	return p.comparison()
}

func (p *parser) comparison() Expr {
	l := p.concatExpr()
	for {
		t := p.peek()
		pos := t.pos
		if t.kind == tOp {
			switch t.text {
			case "=", "<>", "!=", "<", "<=", ">", ">=":
				p.next()
				op := t.text
				if op == "!=" {
					op = "<>"
				}
				l = &Binary{Pos: pos, Op: op, L: l, R: p.concatExpr()}
				continue
			}
		}
		switch {
		case p.acceptKw("IS"):
			not := p.acceptKw("NOT")
			switch {
			case p.acceptKw("NULL"):
				l = &IsNull{Pos: pos, X: l, Not: not}
			case p.acceptKw("TRUE"):
				l = &IsBool{Pos: pos, X: l, Value: true, Not: not}
			case p.acceptKw("FALSE"):
				l = &IsBool{Pos: pos, X: l, Value: false, Not: not}
			default:
				p.fail("expected NULL, TRUE or FALSE")
			}
			continue
		}
		not := false
		if p.isKw("NOT") && (p.isKwAt(1, "BETWEEN") || p.isKwAt(1, "IN") || p.isKwAt(1, "LIKE")) {
			p.next()
			not = true
		}
		switch {
		case p.acceptKw("BETWEEN"):
			p.acceptKw("ASYMMETRIC")
			lo := p.concatExpr()
			p.expectKw("AND")
			l = &Between{Pos: pos, X: l, Lo: lo, Hi: p.concatExpr(), Not: not}
		case p.acceptKw("IN"):
			in := &In{Pos: pos, X: l, Not: not}
			p.expectOp("(")
			if p.isKw("SELECT") || p.isKw("VALUES") {
				in.Subquery = p.query()
			} else {
				for {
					in.List = append(in.List, p.expr())
					if !p.acceptOp(",") {
						break
					}
				}
			}
			p.expectOp(")")
			l = in
		case p.acceptKw("LIKE"):
			l = &Like{Pos: pos, X: l, Pattern: p.concatExpr(), Not: not}
		default:
			return l
		}
	}
}

func (p *parser) concatExpr() Expr {
	l := p.additive()
	for p.isOp("||") {
		pos := p.next().pos
		l = &Binary{Pos: pos, Op: "||", L: l, R: p.additive()}
	}
	return l
}

func (p *parser) additive() Expr {
	l := p.multiplicative()
	for p.isOp("+") || p.isOp("-") {
		t := p.next()
		l = &Binary{Pos: t.pos, Op: t.text, L: l, R: p.multiplicative()}
	}
	return l
}

func (p *parser) multiplicative() Expr {
	l := p.unary()
	for p.isOp("*") || p.isOp("/") || p.isOp("%") {
		t := p.next()
		l = &Binary{Pos: t.pos, Op: t.text, L: l, R: p.unary()}
	}
	return l
}

func (p *parser) unary() Expr {
	if p.isOp("-") || p.isOp("+") {
		t := p.next()
		p.enter()
		defer p.leave()
		x := p.unary()
		if t.text == "+" {
			return x
		}
		if lit, ok := x.(*Literal); ok && lit.Kind == LitNumber && !strings.HasPrefix(lit.Text, "-") {
			return &Literal{Pos: t.pos, Kind: LitNumber, Text: "-" + lit.Text}
		}
		return &Unary{Pos: t.pos, Op: "-", X: x}
	}
	return p.primary()
}

// intervalUnits maps the unit words (singular or plural, as Flink accepts both) to their singular form.
var intervalUnits = map[string]string{
	"MILLISECOND": "MILLISECOND", "MILLISECONDS": "MILLISECOND", "SECOND": "SECOND", "SECONDS": "SECOND",
	"MINUTE": "MINUTE", "MINUTES": "MINUTE", "HOUR": "HOUR", "HOURS": "HOUR", "DAY": "DAY", "DAYS": "DAY",
	"MONTH": "MONTH", "MONTHS": "MONTH", "YEAR": "YEAR", "YEARS": "YEAR",
}

func (p *parser) primary() Expr {
	t := p.peek()
	pos := t.pos
	switch t.kind {
	case tNumber:
		p.next()
		return &Literal{Pos: pos, Kind: LitNumber, Text: t.text}
	case tString:
		p.next()
		return &Literal{Pos: pos, Kind: LitString, Text: t.text}
	case tOp:
		if t.text == "(" {
			p.next()
			if p.isKw("SELECT") {
				p.fail("scalar subqueries are not supported")
			}
			e := p.expr()
			p.expectOp(")")
			return e
		}
		p.fail("expected an expression")
	case tQuoted:
		return p.identExpr()
	}
	if t.kind != tIdent {
		p.fail("expected an expression")
	}
	kw := strings.ToUpper(t.text)
	switch kw {
	case "NULL":
		p.next()
		return &Literal{Pos: pos, Kind: LitNull, Text: "NULL"}
	case "TRUE", "FALSE":
		p.next()
		return &Literal{Pos: pos, Kind: LitBool, Text: kw}
	case "TIMESTAMP", "DATE", "TIME":
		if p.peekAt(1).kind == tString {
			p.next()
			s, _ := p.stringLit()
			k := map[string]LiteralKind{"TIMESTAMP": LitTimestamp, "DATE": LitDate, "TIME": LitTime}[kw]
			return &Literal{Pos: pos, Kind: k, Text: s}
		}
	case "INTERVAL":
		p.next()
		neg := p.acceptOp("-")
		v, _ := p.stringLit()
		if neg {
			v = "-" + v
		}
		ut := p.peek()
		unit, ok := intervalUnits[strings.ToUpper(ut.text)]
		if ut.kind != tIdent || !ok {
			p.fail("expected an interval unit (SECOND, MINUTE, HOUR, DAY, MONTH, YEAR)")
		}
		p.next()
		iv := &Interval{Pos: pos, Value: v, Unit: unit}
		if p.acceptKw("TO") {
			tt := p.peek()
			to, ok := intervalUnits[strings.ToUpper(tt.text)]
			if tt.kind != tIdent || !ok {
				p.fail("expected an interval unit")
			}
			p.next()
			iv.ToUnit = to
		}
		return iv
	case "CASE":
		return p.caseExpr()
	case "CAST", "TRY_CAST":
		p.next()
		p.expectOp("(")
		x := p.expr()
		p.expectKw("AS")
		c := &Cast{Pos: pos, X: x, Type: p.dataType(), Try: kw == "TRY_CAST"}
		p.expectOp(")")
		return c
	case "DESCRIPTOR":
		p.next()
		return &Descriptor{Pos: pos, Columns: p.identList()}
	case "EXISTS":
		p.next()
		p.expectOp("(")
		if !p.isKw("SELECT") && !p.isKw("VALUES") && !p.isOp("(") {
			p.fail("expected a query after EXISTS (")
		}
		e := &Exists{Pos: pos, Query: p.query()}
		p.expectOp(")")
		return e
	}
	if p.peekAt(1).kind == tOp && p.peekAt(1).text == "(" {
		return p.call()
	}
	if reserved[kw] {
		p.fail("expected an expression")
	}
	return p.identExpr()
}

func (p *parser) identExpr() Expr {
	s, pos := p.ident()
	id := &Ident{Pos: pos, Parts: []string{s}}
	for p.isOp(".") && p.isIdentAt(1) {
		p.next()
		s, _ = p.ident()
		id.Parts = append(id.Parts, s)
	}
	return id
}

func (p *parser) call() Expr {
	t := p.next()
	c := &Call{Pos: t.pos, Name: strings.ToUpper(t.text)}
	p.expectOp("(")
	if p.acceptOp(")") {
		p.over(c)
		return c
	}
	if p.isOp("*") && p.peekAt(1).kind == tOp && p.peekAt(1).text == ")" {
		p.i += 2
		c.Star = true
		p.over(c)
		return c
	}
	if p.acceptKw("DISTINCT") {
		c.Distinct = true
	} else {
		p.acceptKw("ALL")
	}
	for {
		c.Args = append(c.Args, p.expr())
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	p.over(c)
	return c
}

// over parses OVER (window) or OVER name after a call, if present.
func (p *parser) over(c *Call) {
	pos := p.peek().pos
	if !p.acceptKw("OVER") {
		return
	}
	if !p.isOp("(") {
		name, _ := p.ident()
		c.Over = &Over{Pos: pos, Ref: name}
		return
	}
	c.Over = p.windowSpec(pos)
}

// windowSpec parses ([PARTITION BY exprs] [ORDER BY items] [ROWS|RANGE frame]).
func (p *parser) windowSpec(pos Pos) *Over {
	o := &Over{Pos: pos}
	p.expectOp("(")
	if p.acceptKw("PARTITION", "BY") {
		for {
			o.PartitionBy = append(o.PartitionBy, p.expr())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("ORDER", "BY") {
		o.OrderBy = p.orderItems()
	}
	if fpos := p.peek().pos; p.isKw("ROWS") || p.isKw("RANGE") {
		f := &Frame{Pos: fpos, Rows: p.isKw("ROWS")}
		p.next()
		if p.acceptKw("BETWEEN") {
			f.Lower = p.frameBound()
			p.expectKw("AND")
			f.Upper = p.frameBound()
		} else {
			f.Lower = p.frameBound()
			f.Upper = FrameBound{Pos: fpos, Kind: "CURRENT ROW"}
		}
		o.Frame = f
	}
	p.expectOp(")")
	return o
}

// frameBound parses UNBOUNDED PRECEDING|FOLLOWING, CURRENT ROW, or offset PRECEDING|FOLLOWING.
func (p *parser) frameBound() FrameBound {
	b := FrameBound{Pos: p.peek().pos}
	switch {
	case p.acceptKw("UNBOUNDED", "PRECEDING"):
		b.Kind = "UNBOUNDED PRECEDING"
	case p.acceptKw("UNBOUNDED", "FOLLOWING"):
		b.Kind = "UNBOUNDED FOLLOWING"
	case p.acceptKw("CURRENT", "ROW"):
		b.Kind = "CURRENT ROW"
	default:
		b.Offset = p.additive()
		switch {
		case p.acceptKw("PRECEDING"):
			b.Kind = "PRECEDING"
		case p.acceptKw("FOLLOWING"):
			b.Kind = "FOLLOWING"
		default:
			p.fail("expected PRECEDING or FOLLOWING")
		}
	}
	return b
}

func (p *parser) caseExpr() Expr {
	c := &Case{Pos: p.next().pos}
	if !p.isKw("WHEN") {
		c.Operand = p.expr()
	}
	for p.acceptKw("WHEN") {
		w := When{Cond: p.expr()}
		p.expectKw("THEN")
		w.Result = p.expr()
		c.Whens = append(c.Whens, w)
	}
	if len(c.Whens) == 0 {
		p.fail("expected WHEN")
	}
	if p.acceptKw("ELSE") {
		c.Else = p.expr()
	}
	p.expectKw("END")
	return c
}

// orderItems reads the items of an ORDER BY: expr [ASC|DESC], ...
func (p *parser) orderItems() []OrderItem {
	var items []OrderItem
	for {
		it := OrderItem{Expr: p.expr()}
		if p.acceptKw("DESC") {
			it.Desc = true
		} else {
			p.acceptKw("ASC")
		}
		items = append(items, it)
		if !p.acceptOp(",") {
			return items
		}
	}
}
