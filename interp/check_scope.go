package interp

import (
	"go/scanner"
	"go/token"
)

// checkName is the name under which cells of checks see the check package.
const checkName = "check"

// usesCheck returns the 1-based line and column of the first use of the name check in src that is not a
// selector's field (x.check), or 0, 0 if there is none. A cell that is not one of the lesson's check cells
// may not use the name at all: calling check.Equal would record a check of its own and check.Answer would
// read the answer, and declaring check (a variable, a function, a type) would shadow the package so that the
// check cells after it record nothing.
func usesCheck(src string) (line, col int) {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, 0)
	prev := token.ILLEGAL
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return 0, 0
		}
		if tok == token.IDENT && lit == checkName && prev != token.PERIOD {
			p := fset.Position(pos)
			return p.Line, p.Column
		}
		prev = tok
	}
}
