package sqlparse

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Offset returns the byte offset in src of the position p (lines and columns counted from 1, a column
// being a character), or len(src) if src is shorter.
func (p Pos) Offset(src string) int {
	i := 0
	for line := 1; line < p.Line; line++ {
		j := strings.IndexByte(src[i:], '\n')
		if j < 0 {
			return len(src)
		}
		i += j + 1
	}
	for col := 1; col < p.Column && i < len(src); col++ {
		_, w := utf8.DecodeRuneInString(src[i:])
		i += w
	}
	return i
}

// Span is a statement of a script, as SplitScript finds it: the byte offsets of its first token (Start)
// and of the semicolon that ends it (End; len(script) for a last statement without one), and the position
// of its first token.
type Span struct {
	Start, End int
	Pos        Pos
}

// SplitScript returns the statements of a script, split at the semicolons outside string literals,
// quoted identifiers and comments, as ParseScript splits them; empty statements are left out. It fails only
// where the lexer does (an unterminated string or comment).
func SplitScript(script string) ([]Span, error) {
	toks, err := lex(script)
	if err != nil {
		return nil, err
	}
	var out []Span
	open := -1
	for i, t := range toks {
		switch {
		case t.kind == tEOF || t.kind == tOp && t.text == ";":
			if open >= 0 {
				end := len(script)
				if t.kind != tEOF {
					end = t.pos.Offset(script)
				}
				out = append(out, Span{Start: toks[open].pos.Offset(script), End: end, Pos: toks[open].pos})
				open = -1
			}
		case open < 0:
			open = i
		}
	}
	return out, nil
}

// WithClause returns the byte offsets [start, end) in script of the WITH ('key' = 'value', ...) clause of
// a CREATE TABLE statement that ParseScript read from script: from the word WITH to its closing
// parenthesis, comments inside it included.
func WithClause(script string, ct *CreateTable) (start, end int, err error) {
	if len(ct.Options) == 0 {
		return 0, 0, fmt.Errorf("sqlparse: table %s at %s has no WITH options", ct.Name, ct.Pos)
	}
	toks, err := lex(script)
	if err != nil {
		return 0, 0, err
	}
	first, last := -1, -1
	for i, t := range toks {
		if t.pos == ct.Options[0].Pos {
			first = i
		}
		if t.pos == ct.Options[len(ct.Options)-1].Pos {
			last = i
		}
	}
	isOp := func(i int, op string) bool {
		return i >= 0 && i < len(toks) && toks[i].kind == tOp && toks[i].text == op
	}
	if first < 2 || last < 0 || !isOp(first-1, "(") || toks[first-2].kind != tIdent || !strings.EqualFold(toks[first-2].text, "WITH") ||
		!isOp(last+1, "=") || !isOp(last+3, ")") {
		return 0, 0, fmt.Errorf("sqlparse: the options of table %s at %s are not those of this script", ct.Name, ct.Pos)
	}
	return toks[first-2].pos.Offset(script), toks[last+3].pos.Offset(script) + 1, nil
}
