package sqlparse

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pos is a position in the statement text: Line and Column count from 1, Column in characters.
type Pos struct {
	Line, Column int
}

// String formats the position as Flink's parser does: "line 1, column 8".
func (p Pos) String() string { return fmt.Sprintf("line %d, column %d", p.Line, p.Column) }

// Error is a syntax error at a position of the statement.
type Error struct {
	Pos Pos
	Msg string
}

// Error formats the error as "SQL parse failed at line L, column C: message".
func (e *Error) Error() string { return fmt.Sprintf("SQL parse failed at %s: %s", e.Pos, e.Msg) }

type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // a word: keyword or unquoted identifier
	tQuoted         // a `back-quoted` identifier
	tString         // 'a string literal'
	tNumber         // 12, 1.5, 1e3
	tOp             // punctuation and operators
)

type token struct {
	kind tokKind
	text string // identifier/keyword text, string contents (unescaped), number text, or operator
	pos  Pos
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "<EOF>"
	case tString:
		return "'" + t.text + "'"
	case tQuoted:
		return "`" + t.text + "`"
	}
	return `"` + t.text + `"`
}

// lex splits src into tokens, skipping whitespace and -- and /* */ comments.
func lex(src string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	i := 0
	advance := func(n int) {
		for k := 0; k < n && i < len(src); {
			r, w := utf8.DecodeRuneInString(src[i:])
			if r == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			i += w
			k += w
		}
	}
	for i < len(src) {
		c := src[i]
		pos := Pos{line, col}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			advance(1)
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			for i < len(src) && src[i] != '\n' {
				advance(1)
			}
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, &Error{pos, "unterminated comment"}
			}
			advance(end + 4)
		case c == '\'':
			var sb strings.Builder
			advance(1)
			for {
				if i >= len(src) {
					return nil, &Error{pos, "unterminated string literal"}
				}
				if src[i] == '\'' {
					if i+1 < len(src) && src[i+1] == '\'' {
						sb.WriteByte('\'')
						advance(2)
						continue
					}
					advance(1)
					break
				}
				sb.WriteByte(src[i])
				advance(1)
			}
			toks = append(toks, token{tString, sb.String(), pos})
		case c == '`':
			var sb strings.Builder
			advance(1)
			for {
				if i >= len(src) {
					return nil, &Error{pos, "unterminated quoted identifier"}
				}
				if src[i] == '`' {
					if i+1 < len(src) && src[i+1] == '`' {
						sb.WriteByte('`')
						advance(2)
						continue
					}
					advance(1)
					break
				}
				sb.WriteByte(src[i])
				advance(1)
			}
			if sb.Len() == 0 {
				return nil, &Error{pos, "empty quoted identifier"}
			}
			toks = append(toks, token{tQuoted, sb.String(), pos})
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			if j < len(src) && src[j] == '.' {
				j++
				for j < len(src) && src[j] >= '0' && src[j] <= '9' {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					for k < len(src) && src[k] >= '0' && src[k] <= '9' {
						k++
					}
					j = k
				}
			}
			toks = append(toks, token{tNumber, src[i:j], pos})
			advance(j - i)
		case isIdentStart(src[i:]):
			j := i
			for j < len(src) {
				r, w := utf8.DecodeRuneInString(src[j:])
				if !(r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
					break
				}
				j += w
			}
			toks = append(toks, token{tIdent, src[i:j], pos})
			advance(j - i)
		default:
			op := ""
			for _, o := range []string{"<>", "!=", "<=", ">=", "||", "=>"} {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" && strings.ContainsRune("()[],;.=<>+-*/%{}?|", rune(c)) {
				op = string(c)
			}
			if op == "" {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, &Error{pos, fmt.Sprintf("unexpected character %q", r)}
			}
			toks = append(toks, token{tOp, op, pos})
			advance(len(op))
		}
	}
	toks = append(toks, token{tEOF, "", Pos{line, col}})
	return toks, nil
}

func isIdentStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}
