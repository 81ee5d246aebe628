package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// chunk is a run of a cell's top-level declarations, or one top-level statement, evaluated by one Eval:
// yaegi reads a source as all declarations or all statements, so a cell that mixes them is cut into chunks,
// and it places a panic in top-level code at the start of the Eval, so each statement gets its own.
type chunk struct {
	decl bool
	text string
	line int  // 1-based line of the cell where text starts
	col  int  // 1-based column of that line where text starts
	show bool // the chunk ends with an expression whose value the cell shows
	// callee is the function a chunk that shows its value calls last, written as a name or a selector
	// (sort.Strings, r.Add); "" when the chunk does not end with such a call. The kernel shows the call's
	// value only if the function has results: yaegi v0.16.1 returns a stale value for a call of a compiled
	// function without results.
	callee string
}

// SyntaxError is a cell that cannot be parsed or uses Go the interpreter does not support.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d:%d: %s", e.Line, e.Col, e.Msg) }

// split cuts a cell into chunks. It reports the first syntax error with the cell's own line and column.
// declared tells which functions the kernel already has, which shadow builtins of the same name.
func split(src string, declared func(name string) bool) ([]chunk, error) {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(src))
	var errs scanner.ErrorList
	var s scanner.Scanner
	s.Init(file, []byte(src), func(pos token.Position, msg string) { errs.Add(pos, msg) }, 0)

	type item struct {
		decl  bool
		start int
	}
	var items []item
	depth := 0
	atStart := true
	var toks []token.Token // the first tokens of the current top-level item
	startOff := 0
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if atStart && depth == 0 && tok != token.SEMICOLON {
			atStart = false
			startOff = off
			toks = toks[:0]
		}
		if len(toks) < 64 && depth >= 0 {
			toks = append(toks, tok)
		}
		switch tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		case token.SEMICOLON:
			// Items end at the end of a line; a ; written on the line (if x := f(); x > 0 {) does not end one.
			if depth == 0 && !atStart && lit == "\n" {
				items = append(items, item{decl: isDecl(toks), start: startOff})
				atStart = true
			}
		}
	}
	if !atStart {
		items = append(items, item{decl: isDecl(toks), start: startOff})
	}
	if len(errs) > 0 {
		p := errs[0].Pos
		return nil, &SyntaxError{Line: p.Line, Col: p.Column, Msg: errs[0].Msg}
	}
	var out []chunk
	for i, it := range items {
		end := len(src)
		if i+1 < len(items) {
			end = items[i+1].start
		}
		if n := len(out); n > 0 && out[n-1].decl && it.decl {
			out[n-1].text += src[it.start:end]
			continue
		}
		p := file.Position(file.Pos(it.start))
		out = append(out, chunk{decl: it.decl, text: src[it.start:end], line: p.Line, col: p.Column})
	}
	own := map[string]bool{}
	for _, c := range out {
		if c.decl {
			for _, name := range funcNames(c) {
				own[name] = true
			}
		}
	}
	shadowed := func(name string) bool { return own[name] || (declared != nil && declared(name)) }
	for i := range out {
		if err := checkSyntax(&out[i], shadowed); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// isDecl reports whether a top-level item starting with toks is a declaration (import, type, func or
// method) rather than a statement (which includes a call of a function literal). var and const are
// evaluated as statements: yaegi v0.16.1 reports a "variable definition loop" for a declaration whose value
// refers to a variable an earlier statement defined.
func isDecl(toks []token.Token) bool {
	if len(toks) == 0 {
		return false
	}
	switch toks[0] {
	case token.IMPORT, token.TYPE:
		return true
	case token.FUNC:
		if len(toks) > 1 && toks[1] == token.IDENT {
			return true
		}
		// func (r T) Name(...) is a method; func (x int) int { ... }(...) is a literal.
		depth := 0
		for i := 1; i < len(toks); i++ {
			switch toks[i] {
			case token.LPAREN:
				depth++
			case token.RPAREN:
				depth--
				if depth == 0 {
					return i+2 < len(toks) && toks[i+1] == token.IDENT && (toks[i+2] == token.LPAREN || toks[i+2] == token.LBRACK)
				}
			}
		}
	}
	return false
}

const (
	declPrefix = "package main;"
	stmtPrefix = "package main;func _(){"
)

// parseChunk parses a chunk as Go, wrapping statements in a function. Positions in the result are those of
// the chunk's text with prefix on its first line.
func parseChunk(c chunk) (*token.FileSet, *ast.File, string, error) {
	prefix, suffix := declPrefix, ""
	if !c.decl {
		prefix, suffix = stmtPrefix, "\n}"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell", prefix+c.text+suffix, parser.SkipObjectResolution)
	return fset, f, prefix, err
}

// cellPos converts a position in a parsed chunk to the cell's line and column.
func cellPos(c chunk, prefix string, p token.Position) (line, col int) {
	line, col = c.line+p.Line-1, p.Column
	if p.Line == 1 {
		col = c.col + p.Column - 1 - len(prefix)
	}
	return line, col
}

// checkSyntax parses a chunk and refuses the Go the interpreter does not support, saying what to write.
// It also decides whether the chunk's value is shown: when it ends with an expression that is not a call
// of fmt, log, check or print (whose results are byte counts and pass marks, not answers).
func checkSyntax(c *chunk, shadowed func(string) bool) error {
	fset, f, prefix, err := parseChunk(*c)
	if err != nil {
		if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
			p := list[0].Pos
			msg := list[0].Msg
			if p.Offset > len(prefix)+len(strings.TrimRight(c.text, " \t\r\n")) {
				// In the closing brace the statements were wrapped in, or the blank lines before it: the
				// cell ended too soon. Point at the end of its last line, not at a brace the learner never
				// typed on a line after it.
				p = endPos(prefix + strings.TrimRight(c.text, " \t\r\n"))
				msg = strings.Replace(msg, "found '}'", "found the end of the cell", 1)
				msg = strings.Replace(msg, "found newline", "found the end of the cell", 1)
			}
			line, col := cellPos(*c, prefix, p)
			if strings.Contains(msg, "expected '}', found 'EOF'") {
				msg = "unexpected end of the cell: a brace or parenthesis is not closed"
			}
			return &SyntaxError{Line: line, Col: col, Msg: msg}
		}
		return err
	}
	var first error
	for _, is := range f.Imports {
		path, _ := strconv.Unquote(is.Path.Value)
		if why, withheld := withheldPackages[path]; withheld {
			line, col := cellPos(*c, prefix, fset.Position(is.Pos()))
			return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf("%s cannot be imported in a cell: %s (the README says what cells can touch)", path, why)}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if first != nil {
			return false
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		id, ok := call.Fun.(*ast.Ident)
		if !ok {
			return true
		}
		if why, unsupported := unsupportedBuiltins[id.Name]; unsupported && !shadowed(id.Name) {
			line, col := cellPos(*c, prefix, fset.Position(id.Pos()))
			first = &SyntaxError{Line: line, Col: col, Msg: why}
		}
		return true
	})
	if !c.decl && len(f.Decls) == 1 {
		if body := f.Decls[0].(*ast.FuncDecl).Body; len(body.List) > 0 {
			switch st := body.List[len(body.List)-1].(type) {
			case *ast.ExprStmt:
				c.show = !isPrintCall(st.X)
				if call, ok := st.X.(*ast.CallExpr); ok && c.show {
					c.callee = calleeName(call.Fun)
				}
			case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.BlockStmt:
				if at := definesSeveral(bodyOf(st)); at != nil && first == nil {
					line, col := cellPos(*c, prefix, fset.Position(at.Pos()))
					first = &SyntaxError{Line: line, Col: col, Msg: "the interpreter (yaegi v0.16.1) loses variables defined together (x, y := f()) inside an if, for or switch written at the top of a cell: put the loop in a function and call it, or assign to variables declared before the loop"}
				}
			}
		}
	}
	return first
}

// bodyOf returns the blocks of a compound statement, without its header (where yaegi defines variables
// correctly), also for the headers of else-if chains.
func bodyOf(st ast.Stmt) ast.Node {
	switch st := st.(type) {
	case *ast.IfStmt:
		if st.Else != nil {
			return &ast.BlockStmt{List: []ast.Stmt{st.Body, bodyOf(st.Else).(ast.Stmt)}}
		}
		return st.Body
	case *ast.ForStmt:
		return st.Body
	case *ast.RangeStmt:
		return st.Body
	case *ast.SwitchStmt:
		return st.Body
	case *ast.TypeSwitchStmt:
		return st.Body
	case *ast.SelectStmt:
		return st.Body
	}
	return st
}

// definesSeveral returns the first multi-value definition (x, y := f(), var x, y = f()) in n outside
// function literals, or nil.
func definesSeveral(n ast.Node) ast.Node {
	var found ast.Node
	ast.Inspect(n, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its own scope: not affected
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE && len(n.Lhs) > 1 && len(n.Rhs) == 1 {
				found = n
			}
		case *ast.ValueSpec:
			if len(n.Names) > 1 && len(n.Values) == 1 {
				found = n
			}
		}
		return found == nil
	})
	return found
}

// calleeName returns the text of a called function that is a name or a chain of selectors on a name
// (f, sort.Strings, a.b.Method), which can be evaluated again without side effects; "" for anything else.
func calleeName(e ast.Expr) string {
	switch f := e.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x := calleeName(f.X); x != "" {
			return x + "." + f.Sel.Name
		}
	case *ast.ParenExpr:
		return calleeName(f.X)
	}
	return ""
}

// resultlessBuiltins are the builtins a cell can call that have no result (print, println and panic are
// print calls, clear is refused).
var resultlessBuiltins = map[string]bool{"delete": true, "close": true}

func isPrintCall(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name == "print" || f.Name == "println" || f.Name == "panic"
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name == "fmt" || x.Name == "log" || x.Name == "check"
		}
	}
	return false
}

// endPos returns the position just after the last byte of s.
func endPos(s string) token.Position {
	line := 1 + strings.Count(s, "\n")
	return token.Position{Offset: len(s), Line: line, Column: len(s) - strings.LastIndex(s, "\n")}
}

// unsupportedBuiltins are the builtins yaegi v0.16.1 lacks, with what to write instead.
var unsupportedBuiltins = map[string]string{
	"min":   "the min builtin (Go 1.21) is not supported by the interpreter: write math.Min(a, b) for float64 values, or an if statement",
	"max":   "the max builtin (Go 1.21) is not supported by the interpreter: write math.Max(a, b) for float64 values, or an if statement",
	"clear": "the clear builtin (Go 1.21) is not supported by the interpreter: for a map write for k := range m { delete(m, k) }; for a slice, s = s[:0]",
}

// funcNames returns the names of the functions (not methods) a declaration chunk declares.
func funcNames(c chunk) []string {
	_, f, _, err := parseChunk(c)
	if err != nil {
		return nil
	}
	var names []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			names = append(names, fd.Name.Name)
		}
	}
	return names
}

// edit replaces the bytes from to to of a source with text.
type edit struct {
	from, to int
	text     string
}

// lower rewrites the Go that yaegi v0.16.1 does not run but that has a direct equivalent: a range over an
// integer becomes a three-clause for loop, a top-level x, y := f() defines x and y one by one, and the
// values returned or assigned that yaegi stores wrongly into interfaces are put in parentheses
// (parenthesizeFragile). isInt tells whether a top-level identifier of the interpreter holds an integer.
// Lines keep their numbers, so positions in errors stay right.
func lower(c chunk, isInt func(name string) bool) chunk {
	c = parenthesizeFragile(c)
	fset, f, prefix, err := parseChunk(c)
	if err != nil {
		return c
	}
	ints := intNames(f)
	var edits []edit
	src := prefix + c.text
	ast.Inspect(f, func(n ast.Node) bool {
		r, ok := n.(*ast.RangeStmt)
		if !ok || r.Value != nil || !isIntExpr(r.X, ints, isInt) {
			return true
		}
		x := src[fset.Position(r.X.Pos()).Offset:fset.Position(r.X.End()).Offset]
		if strings.Contains(x, "\n") {
			return true
		}
		v, tok := "_wi", ":="
		if id, ok := r.Key.(*ast.Ident); ok && id.Name != "_" {
			v = id.Name
			tok = r.Tok.String()
		} else if r.Key != nil && r.Tok == token.ASSIGN {
			return true // for f().x = range n: rare, left to the interpreter
		}
		text := fmt.Sprintf(" %s %s 0; %s < %s; %s++", v, tok, v, x, v)
		edits = append(edits, edit{fset.Position(r.For).Offset + 3, fset.Position(r.X.End()).Offset, text})
		return true
	})
	// A top-level x, y := f() gives x and y a type that functions called from other functions cannot
	// read (a yaegi v0.16.1 bug); defining each from a temporary is read correctly.
	if !c.decl {
		body := f.Decls[0].(*ast.FuncDecl).Body
		for _, st := range body.List {
			as, ok := st.(*ast.AssignStmt)
			if !ok || as.Tok != token.DEFINE || len(as.Lhs) < 2 || len(as.Rhs) != 1 {
				continue
			}
			p := fset.Position(as.Pos())
			var tmps, defs []string
			for i, l := range as.Lhs {
				tmp := fmt.Sprintf("_wv%d_%d_%d", p.Line+c.line, p.Column, i)
				tmps = append(tmps, tmp)
				if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
					defs = append(defs, fmt.Sprintf("%s := %s", id.Name, tmp))
				} else {
					defs = append(defs, "_ = "+tmp)
				}
			}
			rhs := src[fset.Position(as.Rhs[0].Pos()).Offset:fset.Position(as.Rhs[0].End()).Offset]
			text := strings.Join(tmps, ", ") + " := " + rhs + "; " + strings.Join(defs, "; ")
			edits = append(edits, edit{p.Offset, fset.Position(as.End()).Offset, text})
		}
	}
	if len(edits) == 0 {
		return c
	}
	c.text = applyEdits(src, edits)[len(prefix):]
	return c
}

// applyEdits makes edits on src, which do not overlap.
func applyEdits(src string, edits []edit) string {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].from > edits[j].from })
	for _, e := range edits {
		src = src[:e.from] + e.text + src[e.to:]
	}
	return src
}

var intTypes = map[string]bool{"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true, "byte": true, "rune": true}

// isIntExpr reports whether e is an integer expression as far as the syntax shows: a literal, len or cap,
// a conversion to an integer type, arithmetic on integers, or a name known to hold one.
func isIntExpr(e ast.Expr, ints map[string]bool, isInt func(string) bool) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.INT
	case *ast.ParenExpr:
		return isIntExpr(e.X, ints, isInt)
	case *ast.CallExpr:
		if id, ok := e.Fun.(*ast.Ident); ok {
			return id.Name == "len" || id.Name == "cap" || intTypes[id.Name]
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			return isIntExpr(e.X, ints, isInt) || isIntExpr(e.Y, ints, isInt)
		}
	case *ast.Ident:
		return ints[e.Name] || (isInt != nil && isInt(e.Name))
	}
	return false
}

// intNames collects the names a chunk gives integer values: parameters and variables of integer type,
// constants and variables initialised with integer expressions.
func intNames(f *ast.File) map[string]bool {
	ints := map[string]bool{}
	for changed := true; changed; {
		changed = false
		mark := func(name string) {
			if name != "_" && !ints[name] {
				ints[name] = true
				changed = true
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Field:
				if t, ok := n.Type.(*ast.Ident); ok && intTypes[t.Name] {
					for _, name := range n.Names {
						mark(name.Name)
					}
				}
			case *ast.ValueSpec:
				t, _ := n.Type.(*ast.Ident)
				for i, name := range n.Names {
					if (t != nil && intTypes[t.Name]) || (t == nil && i < len(n.Values) && isIntExpr(n.Values[i], ints, nil)) {
						mark(name.Name)
					}
				}
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE && len(n.Lhs) == len(n.Rhs) {
					for i, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok && isIntExpr(n.Rhs[i], ints, nil) {
							mark(id.Name)
						}
					}
				}
			}
			return true
		})
	}
	return ints
}

// fragileBinary and fragileUnary are the operators whose result yaegi v0.16.1 cannot store straight into
// an interface: a return or = of such an expression into an interface (any, the result of a key selector
// or a Map function) panics with "reflect: call of reflect.Value.SetInt on interface Value" (%, <<, >>) or
// "...SetBool..." (comparisons, !), or stores nil (unary - and ^). +, -, *, /, &, |, ^, &^, && and || are
// stored right, and so is any expression in parentheses.
var (
	fragileBinary = map[token.Token]bool{token.REM: true, token.SHL: true, token.SHR: true,
		token.EQL: true, token.NEQ: true, token.LSS: true, token.LEQ: true, token.GTR: true, token.GEQ: true}
	fragileUnary = map[token.Token]bool{token.NOT: true, token.SUB: true, token.XOR: true}
)

// isFragile reports whether e's outermost operator is one of fragileBinary or fragileUnary.
func isFragile(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BinaryExpr:
		return fragileBinary[e.Op]
	case *ast.UnaryExpr:
		return fragileUnary[e.Op]
	}
	return false
}

// parenthesizeFragile puts in parentheses every returned value, and every value of a plain = assignment,
// whose outermost operator is fragile (return v.(int64) % 1000 becomes return(v.(int64) % 1000)).
// Parentheses change neither the type nor the value, whatever the destination, so the types need not be
// known. Each parenthesis takes the place of a blank next to the value where there is one (also the blank
// after a following comma, when the next value stays as written), so that the columns of the text after
// it, which errors name, stay those of the cell. It runs before lower's other rewrites, which then see
// the parentheses.
func parenthesizeFragile(c chunk) chunk {
	fset, f, prefix, err := parseChunk(c)
	if err != nil {
		return c
	}
	src := prefix + c.text
	var edits []edit
	used := map[int]bool{} // blanks already taken by a parenthesis
	blank := func(i int) bool { return i >= 0 && i < len(src) && (src[i] == ' ' || src[i] == '\t') && !used[i] }
	wrap := func(values []ast.Expr) {
		for i, v := range values {
			if !isFragile(v) {
				continue
			}
			from, to := fset.Position(v.Pos()).Offset, fset.Position(v.End()).Offset
			if blank(from - 1) {
				used[from-1] = true
				edits = append(edits, edit{from - 1, from, "("})
			} else {
				edits = append(edits, edit{from, from, "("})
			}
			nextKept := i+1 < len(values) && !isFragile(values[i+1])
			switch {
			case blank(to):
				used[to] = true
				edits = append(edits, edit{to, to + 1, ")"})
			case nextKept && to < len(src) && src[to] == ',' && blank(to+1):
				used[to+1] = true
				edits = append(edits, edit{to, to + 2, "),"})
			default:
				edits = append(edits, edit{to, to, ")"})
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ReturnStmt:
			wrap(n.Results)
		case *ast.AssignStmt:
			if n.Tok == token.ASSIGN && len(n.Lhs) == len(n.Rhs) {
				wrap(n.Rhs)
			}
		}
		return true
	})
	if len(edits) == 0 {
		return c
	}
	c.text = applyEdits(src, edits)[len(prefix):]
	return c
}
