package tutorials

import (
	"go/scanner"
	"go/token"
	"path"
	"strings"
	"testing"
)

// codeTokens returns the Go tokens of src without its comments, with every string literal as "" (the twins
// differ in their comments and in the names of their checks, never in their code).
func codeTokens(src string) string {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, 0)
	var b strings.Builder
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return b.String()
		}
		switch {
		case tok == token.STRING || tok == token.CHAR:
			lit = `""`
		case lit == "" || tok == token.SEMICOLON:
			lit = tok.String()
		}
		b.WriteString(lit)
		b.WriteByte(' ')
	}
}

// An English lesson and its Korean twin have the same cells, in the same order, with the same roles, and
// their exercise, solution and check cells the same code: the same exercises, checked the same way (issue 20).
func TestTwinLessonsHaveTheSameCellsAndChecks(t *testing.T) {
	en, _ := Lessons("en")
	for _, l := range en {
		ko := "ko/" + path.Base(l.Path)
		a, err := Open(l.Path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Open(ko)
		if err != nil {
			t.Fatal(err)
		}
		ca, cb := a.Cells(), b.Cells()
		if len(ca) != len(cb) {
			t.Errorf("%s has %d cells, %s %d", l.Path, len(ca), ko, len(cb))
			continue
		}
		for i := range ca {
			ma, mb := ca[i].Meta, cb[i].Meta
			if ma.ID != mb.ID || ma.Exercise != mb.Exercise || ma.Solution != mb.Solution || ma.Check != mb.Check || ma.Mode != mb.Mode {
				t.Errorf("%s cell %d is %+v, in %s %+v", l.Path, i+1, ma, ko, mb)
				continue
			}
			if (ma.Exercise != "" || ma.Solution != "" || ma.Check != "") && codeTokens(ca[i].Text) != codeTokens(cb[i].Text) {
				t.Errorf("%s: the code of cell %s differs between the languages", l.Path, ma.ID)
			}
		}
	}
}
