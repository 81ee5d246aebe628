package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// Node is a node of a logical plan: a relational operator whose output is a dynamic table. Updating
// says whether it emits updates (-U, +U, -D) or only inserts (+I), Flink's changelog mode.
type Node interface {
	// Columns returns the node's output columns.
	Columns() []Column
	// Updating reports whether the output is an updating changelog rather than insert-only.
	Updating() bool
	// Inputs returns the nodes it reads.
	Inputs() []Node
	// Describe returns the node in one line, as Flink's EXPLAIN prints a physical node.
	Describe() string
}

// ScanNode reads a catalog table: a connector's source, a DataStream's table, with its computed columns
// and watermark.
type ScanNode struct {
	Table *Table
}

// ValuesNode is a VALUES clause: a bounded, insert-only table of constant rows.
type ValuesNode struct {
	Rows [][]any
	Cols []Column
}

// CalcNode filters its input (Filter, nil for none) and then projects each row to Exprs (Flink's Calc).
type CalcNode struct {
	Input  Node
	Filter *cexpr
	Exprs  []*cexpr
	Cols   []Column
}

// AggregateNode is a GROUP BY without a window (Flink's GroupAggregate): its output is updating; each
// group's row is inserted, updated with -U/+U as rows arrive, and deleted when its last row is retracted.
type AggregateNode struct {
	Input Node
	Keys  []*cexpr
	Aggs  []*aggCall
	Cols  []Column
	// WindowStart and WindowEnd are the keys that are window_start and window_end of a windowed input
	// (a window aggregation or TVF), -1 if not: such a GROUP BY is a window aggregation over the input's
	// windows (see windowedGroup).
	WindowStart, WindowEnd int
}

// WindowKind is a window table-valued function.
type WindowKind string

// The window TVFs.
const (
	Tumble   WindowKind = "TUMBLE"
	Hop      WindowKind = "HOP"
	Cumulate WindowKind = "CUMULATE"
	Session  WindowKind = "SESSION"
)

// WindowSpec is a window TVF's arguments: the time attribute column of its input and the sizes in
// milliseconds (Size for TUMBLE, HOP and CUMULATE; Slide for HOP; Step for CUMULATE; Gap for SESSION;
// Offset for TUMBLE and HOP).
type WindowSpec struct {
	Kind                           WindowKind
	TimeCol                        int
	Size, Slide, Step, Gap, Offset int64
	PartitionBy                    []int
	// Proctime says TimeCol is a processing-time attribute (PROCTIME()): rows are assigned to windows by the
	// processing time of the window operator, and windows fire when processing time passes their end.
	Proctime bool
}

func (w WindowSpec) String() string {
	d := func(ms int64) string { return (time.Duration(ms) * time.Millisecond).String() }
	switch w.Kind {
	case Tumble:
		return fmt.Sprintf("TUMBLE(size=[%s])", d(w.Size))
	case Hop:
		return fmt.Sprintf("HOP(slide=[%s], size=[%s])", d(w.Slide), d(w.Size))
	case Cumulate:
		return fmt.Sprintf("CUMULATE(max_size=[%s], step=[%s])", d(w.Size), d(w.Step))
	}
	return fmt.Sprintf("SESSION(gap=[%s])", d(w.Gap))
}

// WindowTVFNode assigns each row of its insert-only input to its windows, adding the columns
// window_start, window_end and window_time (Flink's WindowTableFunction).
type WindowTVFNode struct {
	Input  Node
	Window WindowSpec
	Cols   []Column
}

// windowProp marks a grouping key of a window aggregation that is a window property.
const (
	propNone = iota
	propStart
	propEnd
	propTime
)

// WindowAggregateNode is a GROUP BY window_start, window_end over a window TVF (Flink's
// WindowAggregate): insert-only, one row per window and group when the watermark passes the window's end.
type WindowAggregateNode struct {
	Input  Node // the window TVF's input
	Window WindowSpec
	Keys   []*cexpr // nil where Props says the key is a window property
	Props  []int
	Aggs   []*aggCall
	Cols   []Column
}

// UnionNode is UNION ALL.
type UnionNode struct {
	Ins  []Node
	Cols []Column
}

func (n *ScanNode) Columns() []Column            { return n.Table.Columns }
func (n *ValuesNode) Columns() []Column          { return n.Cols }
func (n *CalcNode) Columns() []Column            { return n.Cols }
func (n *AggregateNode) Columns() []Column       { return n.Cols }
func (n *WindowTVFNode) Columns() []Column       { return n.Cols }
func (n *WindowAggregateNode) Columns() []Column { return n.Cols }
func (n *UnionNode) Columns() []Column           { return n.Cols }

func (n *ScanNode) Updating() bool            { return n.Table.Updating }
func (n *ValuesNode) Updating() bool          { return false }
func (n *CalcNode) Updating() bool            { return n.Input.Updating() }
func (n *AggregateNode) Updating() bool       { return n.WindowEnd < 0 }
func (n *WindowTVFNode) Updating() bool       { return false }
func (n *WindowAggregateNode) Updating() bool { return false }
func (n *UnionNode) Updating() bool {
	for _, in := range n.Ins {
		if in.Updating() {
			return true
		}
	}
	return false
}

func (n *ScanNode) Inputs() []Node            { return nil }
func (n *ValuesNode) Inputs() []Node          { return nil }
func (n *CalcNode) Inputs() []Node            { return []Node{n.Input} }
func (n *AggregateNode) Inputs() []Node       { return []Node{n.Input} }
func (n *WindowTVFNode) Inputs() []Node       { return []Node{n.Input} }
func (n *WindowAggregateNode) Inputs() []Node { return []Node{n.Input} }
func (n *UnionNode) Inputs() []Node           { return n.Ins }

func names(cols []Column) string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = c.Name
	}
	return strings.Join(s, ", ")
}

func exprTexts(es []*cexpr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.text
	}
	return strings.Join(s, ", ")
}

func aggTexts(as []*aggCall, cols []Column) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.text
		if c := cols[len(cols)-len(as)+i]; c.Name != a.text {
			s[i] += " AS " + c.Name
		}
	}
	return strings.Join(s, ", ")
}

func (n *ScanNode) Describe() string {
	s := fmt.Sprintf("TableSourceScan(table=[[default_catalog, default_database, %s]], fields=[%s])", n.Table.Name, names(n.Table.physical()))
	if n.Table.Watermark != nil {
		s += fmt.Sprintf(" -> WatermarkAssigner(rowtime=[%s], watermark=[%s])", n.Table.Watermark.Column, ExprString(n.Table.Watermark.Expr))
	}
	return s
}
func (n *ValuesNode) Describe() string {
	return fmt.Sprintf("Values(tuples=[%d rows], fields=[%s])", len(n.Rows), names(n.Cols))
}
func (n *CalcNode) Describe() string {
	s := fmt.Sprintf("Calc(select=[%s]", exprTexts(n.Exprs))
	if n.Filter != nil {
		s += fmt.Sprintf(", where=[%s]", n.Filter.text)
	}
	return s + ")"
}
func (n *AggregateNode) Describe() string {
	if n.WindowEnd >= 0 {
		w, _ := windowOf(n.Input)
		return fmt.Sprintf("WindowAggregate(groupBy=[%s], window=[%s], select=[%s])", exprTexts(n.Keys), w.spec, aggTexts(n.Aggs, n.Cols))
	}
	return fmt.Sprintf("GroupAggregate(groupBy=[%s], select=[%s])", exprTexts(n.Keys), aggTexts(n.Aggs, n.Cols))
}
func (n *WindowTVFNode) Describe() string {
	return fmt.Sprintf("WindowTableFunction(window=[%s], time_col=[%s])", n.Window, n.Input.Columns()[n.Window.TimeCol].Name)
}
func (n *WindowAggregateNode) Describe() string {
	var keys []string
	for i, k := range n.Keys {
		if k != nil {
			keys = append(keys, k.text)
		} else {
			keys = append(keys, n.Cols[i].Name)
		}
	}
	return fmt.Sprintf("WindowAggregate(groupBy=[%s], window=[%s], time_col=[%s], select=[%s])", strings.Join(keys, ", "), n.Window,
		n.Input.Columns()[n.Window.TimeCol].Name, aggTexts(n.Aggs, n.Cols))
}
func (n *UnionNode) Describe() string {
	return fmt.Sprintf("Union(all=[true], union=[%s])", names(n.Cols))
}

// Explain prints a plan as a tree, as Flink's EXPLAIN prints its optimized plan, with each node's
// changelog mode.
func Explain(n Node) string {
	var sb strings.Builder
	var rec func(n Node, prefix string, first bool)
	rec = func(n Node, prefix string, first bool) {
		mode := "I"
		if n.Updating() {
			mode = "I,UB,UA,D"
		}
		if first {
			sb.WriteString(n.Describe())
		} else {
			sb.WriteString(prefix + "+- " + n.Describe())
		}
		sb.WriteString(", changelogMode=[" + mode + "]\n")
		for _, in := range n.Inputs() {
			p := prefix
			if !first {
				p += "   "
			}
			rec(in, p, false)
		}
	}
	rec(n, "", true)
	return sb.String()
}

// Planner turns parsed queries into logical plans against a catalog.
type Planner struct {
	Catalog *Catalog
	// Bound are plans named for this planning only, found before the catalog's tables: the Table API's
	// operations plan a query over the table they are called on this way.
	Bound map[string]Node
	views map[string]bool // views being expanded, to refuse a cycle
}

// PlanQuery plans a query.
func (p *Planner) PlanQuery(q sqlparse.Query) (Node, error) {
	n, _, err := p.query(q)
	return n, err
}

func (p *Planner) query(q sqlparse.Query) (Node, *scope, error) {
	switch x := q.(type) {
	case *sqlparse.Select:
		return p.selectQuery(x)
	case *sqlparse.Values:
		n, err := p.values(x)
		if err != nil {
			return nil, nil, err
		}
		return n, newScope(n.Cols, ""), nil
	case *sqlparse.SetOp:
		if x.Op != "UNION" || !x.All {
			return nil, nil, errAt(x.Pos, ErrUnsupported, "%s is not supported by Weir yet: only UNION ALL", strings.TrimSpace(x.Op+map[bool]string{true: " ALL"}[x.All]))
		}
		l, _, err := p.query(x.Left)
		if err != nil {
			return nil, nil, err
		}
		r, _, err := p.query(x.Right)
		if err != nil {
			return nil, nil, err
		}
		lc, rc := l.Columns(), r.Columns()
		if len(lc) != len(rc) {
			return nil, nil, errAt(x.Pos, ErrValidation, "Column count mismatch in UNION ALL: %d and %d", len(lc), len(rc))
		}
		cols := make([]Column, len(lc))
		for i := range lc {
			t, ok := commonType(lc[i].Type, rc[i].Type)
			if !ok {
				return nil, nil, errAt(x.Pos, ErrValidation, "Type mismatch in UNION ALL column %d: %s and %s", i+1, lc[i].Type, rc[i].Type)
			}
			t.NotNull = lc[i].Type.NotNull && rc[i].Type.NotNull
			cols[i] = Column{Name: lc[i].Name, Type: t}
		}
		var ins []Node
		for _, side := range []Node{l, r} {
			if u, ok := side.(*UnionNode); ok {
				ins = append(ins, u.Ins...)
			} else {
				ins = append(ins, side)
			}
		}
		n := &UnionNode{Ins: ins, Cols: cols}
		return n, newScope(cols, ""), nil
	}
	return nil, nil, errAt(q.QueryPos(), ErrUnsupported, "query %T", q)
}

func (p *Planner) values(v *sqlparse.Values) (*ValuesNode, error) {
	n := &ValuesNode{}
	b := &binder{scope: &scope{}}
	for ri, row := range v.Rows {
		if ri > 0 && len(row) != len(n.Cols) {
			return nil, errAt(v.Pos, ErrValidation, "VALUES rows have %d and %d columns", len(n.Cols), len(row))
		}
		vals := make([]any, len(row))
		for i, e := range row {
			c, err := b.bind(e)
			if err != nil {
				return nil, err
			}
			if vals[i], err = c.eval(nil); err != nil {
				return nil, err
			}
			if ri == 0 {
				n.Cols = append(n.Cols, Column{Name: fmt.Sprintf("EXPR$%d", i), Type: c.typ})
				continue
			}
			t, ok := commonType(n.Cols[i].Type, c.typ)
			if !ok {
				return nil, errAt(e.ExprPos(), ErrValidation, "VALUES column %d mixes %s and %s", i+1, n.Cols[i].Type, c.typ)
			}
			t.NotNull = n.Cols[i].Type.NotNull && c.typ.NotNull
			n.Cols[i].Type = t
		}
		n.Rows = append(n.Rows, vals)
	}
	for _, r := range n.Rows {
		for i := range r {
			r[i] = coerce(r[i], n.Cols[i].Type)
		}
	}
	return n, nil
}

// from plans a FROM item; the scope qualifies its columns with the alias or table name.
func (p *Planner) from(r sqlparse.TableRef) (Node, *scope, error) {
	switch x := r.(type) {
	case *sqlparse.TableName:
		if x.SystemTime != nil {
			return nil, nil, errAt(x.SystemTime.ExprPos(), ErrValidation, "FOR SYSTEM_TIME AS OF is supported only on the right side of a JOIN (a temporal join)")
		}
		if n, ok := p.Bound[x.Name.String()]; ok {
			n = unwrapIdentity(n)
			q := x.Alias
			if q == "" {
				q = x.Name.String()
			}
			return n, newScope(n.Columns(), q), nil
		}
		t, err := p.Catalog.lookupName(x.Name)
		if err != nil {
			return nil, nil, err
		}
		q := x.Alias
		if q == "" {
			q = t.Name
		}
		if t.Planned != nil {
			return t.Planned, newScope(t.Columns, q), nil
		}
		if t.View != nil {
			if p.views[t.Name] {
				return nil, nil, errAt(x.Pos, ErrValidation, "view %s refers to itself", t.Name)
			}
			if p.views == nil {
				p.views = map[string]bool{}
			}
			p.views[t.Name] = true
			n, _, err := p.query(t.View)
			delete(p.views, t.Name)
			if err != nil {
				return nil, nil, fmt.Errorf("in view %s: %w", t.Name, err)
			}
			if len(t.Columns) == 0 || sameNames(t.Columns, n.Columns()) {
				n = unwrapIdentity(n)
			}
			cols := append([]Column(nil), n.Columns()...)
			for i := range cols {
				if i < len(t.Columns) {
					cols[i].Name = t.Columns[i].Name
				}
			}
			return n, newScope(cols, q), nil
		}
		return &ScanNode{Table: t}, newScope(t.Columns, q), nil
	case *sqlparse.SubqueryRef:
		n, s, err := p.query(x.Query)
		if err != nil {
			return nil, nil, err
		}
		n = unwrapIdentity(n)
		cols := s.columns()
		if len(x.ColumnAliases) > 0 {
			if len(x.ColumnAliases) != len(cols) {
				return nil, nil, errAt(x.Pos, ErrValidation, "List of column aliases must have same degree as table; table has %d columns, whereas alias list has %d columns", len(cols), len(x.ColumnAliases))
			}
			for i := range cols {
				cols[i].Name = x.ColumnAliases[i]
			}
			if v, ok := n.(*ValuesNode); ok {
				v.Cols = cols
			} else {
				n = identityCalc(n, cols)
			}
		}
		return n, newScope(cols, x.Alias), nil
	case *sqlparse.WindowTVF:
		return p.windowTVF(x)
	case *sqlparse.Join:
		return p.join(x, nil)
	case *sqlparse.MatchRecognize:
		return p.matchRecognize(x)
	}
	return nil, nil, errAt(r.RefPos(), ErrUnsupported, "FROM item %T", r)
}

// unwrapIdentity returns the input of a Calc that neither filters nor changes its input's columns (SELECT *
// of a subquery, a view or a Table API operation), so that a window aggregation sees the window TVF below it.
func unwrapIdentity(n Node) Node {
	c, ok := n.(*CalcNode)
	if !ok || c.Filter != nil {
		return n
	}
	in := c.Input.Columns()
	if len(in) != len(c.Exprs) {
		return n
	}
	for i, e := range c.Exprs {
		if e.ref != i+1 || c.Cols[i].Name != in[i].Name {
			return n
		}
	}
	return unwrapIdentity(c.Input)
}

// identityCalc renames the columns of n.
func identityCalc(n Node, cols []Column) Node {
	exprs := make([]*cexpr, len(cols))
	for i, c := range cols {
		exprs[i] = colRef(i, c.Type, n.Columns()[i].Name)
	}
	return &CalcNode{Input: n, Exprs: exprs, Cols: cols}
}

func (p *Planner) windowTVF(x *sqlparse.WindowTVF) (Node, *scope, error) {
	// Flink's parameter names, in order.
	params := map[string][]string{
		"TUMBLE":   {"DATA", "TIMECOL", "SIZE", "OFFSET"},
		"HOP":      {"DATA", "TIMECOL", "SLIDE", "SIZE", "OFFSET"},
		"CUMULATE": {"DATA", "TIMECOL", "STEP", "SIZE", "OFFSET"},
		"SESSION":  {"DATA", "TIMECOL", "GAP"},
	}[x.Func]
	if params == nil {
		return nil, nil, errAt(x.Pos, ErrValidation, "unknown window function %s: TUMBLE, HOP, CUMULATE or SESSION", x.Func)
	}
	args := map[string]sqlparse.TVFArg{}
	for i, a := range x.Args {
		name := a.Name
		if name == "" {
			if i >= len(params) {
				return nil, nil, errAt(a.Pos, ErrValidation, "too many arguments to %s", x.Func)
			}
			name = params[i]
		}
		if _, dup := args[name]; dup {
			return nil, nil, errAt(a.Pos, ErrValidation, "argument %s of %s given twice", name, x.Func)
		}
		args[name] = a
	}
	data, ok := args["DATA"]
	if !ok || data.Table == nil {
		return nil, nil, errAt(x.Pos, ErrValidation, "%s needs TABLE t as its first argument", x.Func)
	}
	in, inScope, err := p.from(&sqlparse.TableName{Pos: data.Pos, Name: *data.Table})
	if err != nil {
		return nil, nil, err
	}
	if in.Updating() {
		return nil, nil, errAt(x.Pos, ErrUnsupported, "StreamPhysicalWindowTableFunction doesn't support consuming update and delete changes")
	}
	tc, ok := args["TIMECOL"]
	if !ok || len(tc.Descriptor) != 1 {
		return nil, nil, errAt(x.Pos, ErrValidation, "%s needs DESCRIPTOR(time_col) as its second argument", x.Func)
	}
	col, err := inScope.resolve(&sqlparse.Ident{Pos: tc.Pos, Parts: tc.Descriptor})
	if err != nil {
		return nil, nil, err
	}
	if err := checkTimeAttribute(inScope.fields[col].typ, tc.Pos, tc.Descriptor[0]); err != nil {
		return nil, nil, err
	}
	proctime := inScope.fields[col].typ.Proctime
	interval := func(name string, required bool) (int64, error) {
		a, ok := args[name]
		if !ok {
			if required {
				return 0, errAt(x.Pos, ErrValidation, "%s needs its %s argument", x.Func, name)
			}
			return 0, nil
		}
		iv, ok := a.Expr.(*sqlparse.Interval)
		if !ok {
			return 0, errAt(a.Pos, ErrValidation, "argument %s of %s must be an INTERVAL literal", name, x.Func)
		}
		ms, err := intervalMillis(iv)
		if err != nil {
			return 0, err
		}
		if ms <= 0 && name != "OFFSET" {
			return 0, errAt(a.Pos, ErrValidation, "argument %s of %s must be positive", name, x.Func)
		}
		return ms, nil
	}
	w := WindowSpec{Kind: WindowKind(x.Func), TimeCol: col, Proctime: proctime}
	switch w.Kind {
	case Tumble:
		if w.Size, err = interval("SIZE", true); err == nil {
			w.Offset, err = interval("OFFSET", false)
		}
	case Hop:
		if w.Slide, err = interval("SLIDE", true); err == nil {
			if w.Size, err = interval("SIZE", true); err == nil {
				w.Offset, err = interval("OFFSET", false)
			}
		}
		if err == nil && w.Size%w.Slide != 0 {
			err = errAt(x.Pos, ErrValidation, "HOP table function based aggregate requires size must be an integral multiple of slide, but got size %dms and slide %dms", w.Size, w.Slide)
		}
	case Cumulate:
		if w.Step, err = interval("STEP", true); err == nil {
			if w.Size, err = interval("SIZE", true); err == nil {
				w.Offset, err = interval("OFFSET", false)
			}
		}
		if err == nil && w.Size%w.Step != 0 {
			err = errAt(x.Pos, ErrValidation, "CUMULATE table function based aggregate requires maxSize must be an integral multiple of step, but got maxSize %dms and step %dms", w.Size, w.Step)
		}
	case Session:
		w.Gap, err = interval("GAP", true)
		for _, pc := range x.PartitionBy {
			i, perr := inScope.resolve(&sqlparse.Ident{Pos: data.Pos, Parts: []string{pc}})
			if perr != nil {
				return nil, nil, perr
			}
			w.PartitionBy = append(w.PartitionBy, i)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if w.Offset != 0 && w.Kind == Cumulate {
		return nil, nil, errAt(x.Pos, ErrUnsupported, "CUMULATE with an OFFSET is not supported by Weir yet")
	}
	cols := windowColumns(inScope.columns(), "window_start", "window_end", "window_time", w.Proctime)
	q := x.Alias
	if q == "" {
		q = data.Table.Last()
	}
	n := &WindowTVFNode{Input: in, Window: w, Cols: cols}
	return n, newScope(cols, q), nil
}

func (p *Planner) selectQuery(s *sqlparse.Select) (Node, *scope, error) {
	if len(s.OrderBy) > 0 || s.Limit != nil || s.Offset != nil {
		return p.orderedSelect(s)
	}
	var in Node
	var sc *scope
	var err error
	// IN and EXISTS subqueries of WHERE become semi and anti joins of the FROM's rows.
	var subqueries []sqlparse.Expr
	if s.Where != nil && containsSubquery(s.Where) {
		s2 := *s
		if subqueries, s2.Where, err = splitSubqueries(s.Where); err != nil {
			return nil, nil, err
		}
		s = &s2
	}
	if s.From == nil {
		in, sc = &ValuesNode{Rows: [][]any{{}}}, &scope{}
	} else if j, ok := s.From.(*sqlparse.Join); ok && (j.Kind == "INNER" || j.Kind == "CROSS") && s.Where != nil && !containsAggregate(s.Where) {
		// As Flink's optimizer pushes a filter into an inner join, WHERE becomes part of the join
		// condition, so that its equalities key the join.
		if in, sc, err = p.join(j, s.Where); err != nil {
			return nil, nil, err
		}
		s2 := *s
		s2.Where = nil
		s = &s2
	} else if in, sc, err = p.from(s.From); err != nil {
		return nil, nil, err
	}
	if len(subqueries) > 0 {
		if s.From == nil {
			return nil, nil, errAt(subqueries[0].ExprPos(), ErrUnsupported, "a subquery in WHERE needs a FROM")
		}
		if in, err = p.semiJoins(subqueries, in, sc); err != nil {
			return nil, nil, err
		}
	}
	// A Top-N: the outer query's filter on the row number sets its rank end.
	var rank *RankNode
	if rk, ok := in.(*RankNode); ok && rk.N == 0 && s.Where != nil {
		end, rest, err := rankEnd(s.Where, sc, rk.RnPos)
		if err != nil {
			return nil, nil, err
		}
		if end > 0 {
			cp := *rk
			cp.N = end
			cp.Dedup = cp.Dedup && end == 1
			windowRank(&cp)
			rank, in = &cp, &cp
			s2 := *s
			s2.Where = rest
			s = &s2
		}
	}
	// Expand stars.
	var items []sqlparse.SelectItem
	for _, it := range s.Items {
		st, ok := it.Expr.(*sqlparse.Star)
		if !ok {
			items = append(items, it)
			continue
		}
		n := 0
		for _, f := range sc.fields {
			if st.Qualifier == "" || f.qualifier == st.Qualifier {
				items = append(items, sqlparse.SelectItem{Pos: it.Pos, Expr: &sqlparse.Ident{Pos: it.Pos, Parts: []string{f.name}}})
				if st.Qualifier != "" {
					items[len(items)-1].Expr = &sqlparse.Ident{Pos: it.Pos, Parts: []string{f.qualifier, f.name}}
				}
				n++
			}
		}
		if n == 0 {
			return nil, nil, errAt(st.Pos, ErrValidation, "Unknown identifier '%s'", ExprString(st))
		}
	}
	var filter *cexpr
	if s.Where != nil {
		if containsAggregate(s.Where) {
			return nil, nil, errAt(s.Where.ExprPos(), ErrValidation, "Aggregate expressions cannot be used in WHERE")
		}
		if filter, err = (&binder{scope: sc}).bind(s.Where); err != nil {
			return nil, nil, err
		}
		if filter.typ.Kind != KindBoolean && filter.typ.Kind != KindNull {
			return nil, nil, errAt(s.Where.ExprPos(), ErrValidation, "WHERE clause must be a condition, not %s", filter.typ)
		}
	}
	aggregated := len(s.GroupBy) > 0 || s.Having != nil
	for _, it := range items {
		aggregated = aggregated || containsAggregate(it.Expr)
	}
	if s.Distinct && !aggregated {
		// SELECT DISTINCT is a grouping on all selected columns without aggregates.
		var groups []sqlparse.Expr
		for _, it := range items {
			groups = append(groups, it.Expr)
		}
		s2 := *s
		s2.Distinct = false
		s2.GroupBy = groups
		return p.selectQuery(&s2)
	}
	if !aggregated && len(overCalls(items)) > 0 {
		return p.overAggregate(s, items, in, sc, filter)
	}
	if !aggregated {
		if rn, err := rowNumberItem(items); err != nil {
			return nil, nil, err
		} else if rn >= 0 {
			return p.rank(items, rn, in, sc, filter, s.Pos)
		}
		if rank != nil {
			// Whether the outer query reads the row number decides how the Top-N emits its changes.
			for _, e := range append(itemExprs(items), s.Where) {
				walk(e, func(x sqlparse.Expr) {
					if id, ok := x.(*sqlparse.Ident); ok {
						if i, err := sc.resolve(id); err == nil && i == rank.RnPos {
							rank.OutputRank = true
						}
					}
				})
			}
		}
		exprs := make([]*cexpr, len(items))
		cols := make([]Column, len(items))
		b := &binder{scope: sc}
		for i, it := range items {
			if exprs[i], err = b.bind(it.Expr); err != nil {
				return nil, nil, err
			}
			cols[i] = Column{Name: itemName(it, i), Type: exprs[i].typ}
		}
		if err := uniqueNames(cols, s.Pos); err != nil {
			return nil, nil, err
		}
		n := &CalcNode{Input: in, Filter: filter, Exprs: exprs, Cols: cols}
		return n, newScope(cols, ""), nil
	}
	return p.aggregate(s, items, in, sc, filter)
}

func itemName(it sqlparse.SelectItem, i int) string {
	if it.Alias != "" {
		return it.Alias
	}
	if id, ok := it.Expr.(*sqlparse.Ident); ok {
		return id.Parts[len(id.Parts)-1]
	}
	return fmt.Sprintf("EXPR$%d", i)
}

func uniqueNames(cols []Column, pos sqlparse.Pos) error {
	seen := map[string]bool{}
	for i, c := range cols {
		if seen[c.Name] {
			// Flink renames duplicates by appending a number (name0, name1, ...).
			for k := 0; ; k++ {
				n := fmt.Sprintf("%s%d", c.Name, k)
				if !seen[n] {
					cols[i].Name = n
					break
				}
			}
		}
		seen[cols[i].Name] = true
	}
	return nil
}

func (p *Planner) aggregate(s *sqlparse.Select, items []sqlparse.SelectItem, in Node, sc *scope, filter *cexpr) (Node, *scope, error) {
	if gi, err := groupWindowCall(s.GroupBy); err != nil {
		return nil, nil, err
	} else if gi >= 0 {
		if _, isTVF := in.(*WindowTVFNode); isTVF {
			return nil, nil, errAt(s.GroupBy[gi].ExprPos(), ErrValidation, "a group window function over a window TVF: group by window_start, window_end instead")
		}
		return p.groupWindowAggregate(s, items, gi, in, sc, filter)
	}
	ab := &aggBinding{input: &binder{scope: sc}}
	tvf, windowed := in.(*WindowTVFNode)
	var props []int
	hasStart, hasEnd := false, false
	for _, g := range s.GroupBy {
		if containsAggregate(g) {
			return nil, nil, errAt(g.ExprPos(), ErrValidation, "Aggregate functions are not allowed in GROUP BY")
		}
		c, err := ab.input.bind(g)
		if err != nil {
			return nil, nil, err
		}
		col := -1
		prop := propNone
		if id, ok := g.(*sqlparse.Ident); ok {
			col, _ = sc.resolve(id)
			if windowed && col >= len(tvf.Cols)-3 {
				prop = col - (len(tvf.Cols) - 3) + 1
				hasStart = hasStart || prop == propStart
				hasEnd = hasEnd || prop == propEnd
			}
		}
		ab.groupTexts = append(ab.groupTexts, ExprString(g))
		ab.groupCols = append(ab.groupCols, col)
		ab.groupTypes = append(ab.groupTypes, c.typ)
		name := c.text
		if col >= 0 {
			name = sc.fields[col].name
		}
		ab.groupNames = append(ab.groupNames, name)
		props = append(props, prop)
	}
	post := &binder{scope: &scope{}, agg: ab}
	exprs := make([]*cexpr, len(items))
	cols := make([]Column, len(items))
	var err error
	for i, it := range items {
		if exprs[i], err = post.bind(it.Expr); err != nil {
			return nil, nil, err
		}
		cols[i] = Column{Name: itemName(it, i), Type: exprs[i].typ}
	}
	var having *cexpr
	if s.Having != nil {
		if having, err = post.bind(s.Having); err != nil {
			return nil, nil, err
		}
		if having.typ.Kind != KindBoolean && having.typ.Kind != KindNull {
			return nil, nil, errAt(s.Having.ExprPos(), ErrValidation, "HAVING clause must be a condition, not %s", having.typ)
		}
	}
	if err := uniqueNames(cols, s.Pos); err != nil {
		return nil, nil, err
	}
	// The aggregation's own output: keys, then aggregates.
	var aggCols []Column
	for i, t := range ab.groupTypes {
		aggCols = append(aggCols, Column{Name: ab.groupNames[i], Type: t})
	}
	for _, a := range ab.aggs {
		aggCols = append(aggCols, Column{Name: a.text, Type: a.typ})
	}
	var agg Node
	if windowed && hasStart && hasEnd {
		// A window aggregation reads the TVF's input: the keys and aggregate arguments were bound against
		// the TVF's columns, which are the input's columns followed by the window columns.
		below := tvf.Input
		if filter != nil {
			if refsWindowColumns(s.Where, sc, len(tvf.Cols)-3) {
				return nil, nil, errAt(s.Where.ExprPos(), ErrUnsupported, "a WHERE on window_start, window_end or window_time before a window aggregation is not supported by Weir yet")
			}
			below = &CalcNode{Input: below, Filter: filter, Exprs: identityExprs(below.Columns()), Cols: below.Columns()}
		}
		// Keys and aggregate arguments are evaluated on the TVF's input rows, which have no window columns.
		first := len(tvf.Cols) - 3
		for i, g := range s.GroupBy {
			if props[i] == propNone && refsWindowColumns(g, sc, first) {
				return nil, nil, errAt(g.ExprPos(), ErrUnsupported, "a grouping expression over window_start, window_end or window_time is not supported by Weir yet: group by the column itself")
			}
		}
		var bad sqlparse.Expr
		for _, e := range append(itemExprs(items), s.Having) {
			walk(e, func(x sqlparse.Expr) {
				if c, ok := x.(*sqlparse.Call); ok && isAggregate(c.Name) {
					for _, a := range c.Args {
						if bad == nil && refsWindowColumns(a, sc, first) {
							bad = a
						}
					}
				}
			})
		}
		if bad != nil {
			return nil, nil, errAt(bad.ExprPos(), ErrUnsupported, "an aggregate of window_start, window_end or window_time is not supported by Weir yet")
		}
		wa := &WindowAggregateNode{Input: below, Window: tvf.Window, Aggs: ab.aggs, Props: props}
		for i, pr := range props {
			if pr == propNone {
				wa.Keys = append(wa.Keys, &cexpr{}) // replaced below
				c, _ := ab.input.bind(s.GroupBy[i])
				wa.Keys[i] = c
			} else {
				wa.Keys = append(wa.Keys, nil)
			}
		}
		for i, pr := range props {
			if pr == propTime {
				aggCols[i].Type = tvf.Cols[len(tvf.Cols)-1].Type
			}
		}
		wa.Cols = aggCols
		agg = wa
	} else {
		if filter != nil {
			in = &CalcNode{Input: in, Filter: filter, Exprs: identityExprs(in.Columns()), Cols: in.Columns()}
		}
		keys := make([]*cexpr, len(s.GroupBy))
		for i, g := range s.GroupBy {
			keys[i], _ = ab.input.bind(g)
		}
		for i := range aggCols {
			aggCols[i].Type = aggCols[i].Type.plain()
		}
		an := &AggregateNode{Input: in, Keys: keys, Aggs: ab.aggs, Cols: aggCols, WindowStart: -1, WindowEnd: -1}
		windowedGroup(an)
		agg = an
	}
	for i := range cols {
		cols[i].Type = exprs[i].typ
		if an, isGroup := agg.(*AggregateNode); isGroup && an.WindowEnd < 0 {
			cols[i].Type = cols[i].Type.plain()
		}
	}
	n := &CalcNode{Input: agg, Filter: having, Exprs: exprs, Cols: cols}
	return n, newScope(cols, ""), nil
}

func sameNames(a, b []Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name {
			return false
		}
	}
	return true
}

func itemExprs(items []sqlparse.SelectItem) []sqlparse.Expr {
	out := make([]sqlparse.Expr, len(items))
	for i, it := range items {
		out[i] = it.Expr
	}
	return out
}

func identityExprs(cols []Column) []*cexpr {
	out := make([]*cexpr, len(cols))
	for i, c := range cols {
		out[i] = colRef(i, c.Type, c.Name)
	}
	return out
}

// refsWindowColumns reports whether e reads a column at or after index first of sc.
func refsWindowColumns(e sqlparse.Expr, sc *scope, first int) bool {
	found := false
	walk(e, func(x sqlparse.Expr) {
		if id, ok := x.(*sqlparse.Ident); ok {
			if i, err := sc.resolve(id); err == nil && i >= first {
				found = true
			}
		}
	})
	return found
}

// checkTimeAttribute refuses a window on a column that is not a time attribute.
func checkTimeAttribute(t DataType, pos sqlparse.Pos, name string) error {
	if !t.isTimeAttribute() {
		return errAt(pos, ErrValidation, "The window function requires the timecol is a time attribute type, but is %s: declare WATERMARK FOR %s (event time) or a column AS PROCTIME() (processing time)", t, name)
	}
	return nil
}

// windowColumns are the columns of a window TVF: its input's, no longer time attributes, then the window
// start, end and time (end - 1 ms, the new time attribute: an event-time one, or with proctime a
// processing-time TIMESTAMP_LTZ(3), as in Flink) under the given names.
func windowColumns(in []Column, start, end, wtime string, proctime bool) []Column {
	cols := append([]Column{}, in...)
	for i := range cols {
		cols[i].Type = cols[i].Type.plain() // the window's time attribute is window_time
	}
	wt := TypeTimestamp
	wt.NotNull = true
	tt := wt
	tt.Rowtime = true
	if proctime {
		tt = DataType{Kind: KindTimestampLTZ, Precision: 3, NotNull: true, Proctime: true}
	}
	return append(cols, Column{Name: start, Type: wt}, Column{Name: end, Type: wt}, Column{Name: wtime, Type: tt})
}
