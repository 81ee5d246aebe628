package planner

import (
	"strings"

	"github.com/de4e/weir/engine/table/sqlparse"
)

// field is a column visible to expressions: its name, the table alias that qualifies it, and its type.
type field struct {
	name, qualifier string
	typ             DataType
}

// scope is the row type an expression is bound against: column i of the input row is fields[i].
type scope struct {
	fields []field
}

func newScope(cols []Column, qualifier string) *scope {
	s := &scope{}
	for _, c := range cols {
		s.fields = append(s.fields, field{c.Name, qualifier, c.Type})
	}
	return s
}

func (s *scope) columns() []Column {
	out := make([]Column, len(s.fields))
	for i, f := range s.fields {
		out[i] = Column{Name: f.name, Type: f.typ}
	}
	return out
}

func (s *scope) names() []string {
	out := make([]string, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.name
	}
	return out
}

// resolve finds the column an identifier names: "col" or "alias.col".
func (s *scope) resolve(id *sqlparse.Ident) (int, error) {
	var qual, name string
	switch len(id.Parts) {
	case 1:
		name = id.Parts[0]
	case 2:
		qual, name = id.Parts[0], id.Parts[1]
	default:
		return -1, errAt(id.Pos, ErrValidation, "column reference '%s' has too many parts", strings.Join(id.Parts, "."))
	}
	found := -1
	for i, f := range s.fields {
		if f.name == name && (qual == "" || f.qualifier == qual) {
			if found >= 0 {
				return -1, errAt(id.Pos, ErrValidation, "Column '%s' is ambiguous", name)
			}
			found = i
		}
	}
	if found < 0 {
		if qual != "" {
			known := false
			for _, f := range s.fields {
				known = known || f.qualifier == qual
			}
			if !known {
				return -1, errAt(id.Pos, ErrValidation, "Table '%s' not found", qual)
			}
		}
		return -1, errAt(id.Pos, ErrValidation, "Column '%s' not found in any table%s", name, suggest(name, s.names()))
	}
	return found, nil
}
