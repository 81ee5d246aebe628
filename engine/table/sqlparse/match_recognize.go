package sqlparse

import "strconv"

// MatchRecognize is FROM input MATCH_RECOGNIZE ( [PARTITION BY ...] ORDER BY ... MEASURES ... [ONE ROW PER
// MATCH | ALL ROWS PER MATCH] [AFTER MATCH SKIP ...] PATTERN (...) [WITHIN interval] DEFINE ... ) [AS alias],
// Flink's row pattern recognition (SQL:2016, Calcite's grammar).
type MatchRecognize struct {
	Pos         Pos
	Input       TableRef
	PartitionBy []Expr
	OrderBy     []OrderItem
	Measures    []SelectItem
	AllRows     bool   // ALL ROWS PER MATCH (default: ONE ROW PER MATCH)
	Skip        string // "PAST LAST ROW" (the default), "TO NEXT ROW", "TO FIRST" or "TO LAST" (SkipVar)
	SkipVar     string
	Pattern     []PatternTerm
	Within      Expr // an INTERVAL, or nil
	Define      []PatternDefine
	Alias       string
}

// PatternTerm is a pattern variable with its quantifier: Min to Max rows (Max -1: unbounded), both 1 without
// one; Reluctant marks a quantifier followed by ?.
type PatternTerm struct {
	Pos       Pos
	Var       string
	Min, Max  int
	Reluctant bool
}

// PatternDefine is DEFINE var AS condition.
type PatternDefine struct {
	Pos  Pos
	Var  string
	Cond Expr
}

func (m *MatchRecognize) RefPos() Pos { return m.Pos }

// matchRecognize parses a MATCH_RECOGNIZE clause applied to in, if one follows.
func (p *parser) matchRecognize(in TableRef) TableRef {
	if !p.isKw("MATCH_RECOGNIZE") {
		return in
	}
	m := &MatchRecognize{Pos: p.next().pos, Input: in, Skip: "PAST LAST ROW"}
	p.expectOp("(")
	if p.acceptKw("PARTITION") {
		p.expectKw("BY")
		for {
			m.PartitionBy = append(m.PartitionBy, p.expr())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	p.expectKw("ORDER", "BY")
	m.OrderBy = p.orderItems()
	if p.acceptKw("MEASURES") {
		for {
			pos := p.peek().pos
			it := SelectItem{Pos: pos, Expr: p.expr()}
			p.expectKw("AS")
			it.Alias, _ = p.ident()
			m.Measures = append(m.Measures, it)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	switch {
	case p.acceptKw("ONE"):
		p.expectKw("ROW", "PER", "MATCH")
	case p.acceptKw("ALL"):
		p.expectKw("ROWS", "PER", "MATCH")
		m.AllRows = true
	}
	if p.acceptKw("AFTER") {
		p.expectKw("MATCH", "SKIP")
		switch {
		case p.acceptKw("PAST"):
			p.expectKw("LAST", "ROW")
		case p.acceptKw("TO"):
			switch {
			case p.acceptKw("NEXT"):
				p.expectKw("ROW")
				m.Skip = "TO NEXT ROW"
			case p.acceptKw("FIRST"):
				m.Skip = "TO FIRST"
				m.SkipVar, _ = p.ident()
			default:
				p.acceptKw("LAST")
				m.Skip = "TO LAST"
				m.SkipVar, _ = p.ident()
			}
		default:
			p.fail("expected PAST LAST ROW, TO NEXT ROW, TO FIRST var or TO LAST var after AFTER MATCH SKIP")
		}
	}
	p.expectKw("PATTERN")
	p.expectOp("(")
	for !p.isOp(")") {
		if p.isOp("(") || p.isOp("|") {
			p.fail("Weir's MATCH_RECOGNIZE takes a sequence of pattern variables with quantifiers: groups and alternatives are not supported")
		}
		t := PatternTerm{Pos: p.peek().pos, Min: 1, Max: 1}
		t.Var, _ = p.ident()
		quantified := true
		switch {
		case p.acceptOp("*"):
			t.Min, t.Max = 0, -1
		case p.acceptOp("+"):
			t.Min, t.Max = 1, -1
		case p.acceptOp("?"):
			t.Min, t.Max = 0, 1
		case p.acceptOp("{"):
			t.Min, t.Max = 0, -1
			if !p.isOp(",") {
				t.Min = p.count()
				t.Max = t.Min
			}
			if p.acceptOp(",") {
				t.Max = -1
				if !p.isOp("}") {
					t.Max = p.count()
				}
			}
			p.expectOp("}")
		default:
			quantified = false
		}
		if quantified && p.acceptOp("?") {
			t.Reluctant = true
		}
		m.Pattern = append(m.Pattern, t)
	}
	p.expectOp(")")
	if p.acceptKw("WITHIN") {
		m.Within = p.expr()
	}
	p.expectKw("DEFINE")
	for {
		d := PatternDefine{Pos: p.peek().pos}
		d.Var, _ = p.ident()
		p.expectKw("AS")
		d.Cond = p.expr()
		m.Define = append(m.Define, d)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	m.Alias = p.alias()
	return m
}

// count reads a non-negative integer of a quantifier.
func (p *parser) count() int {
	t := p.peek()
	n, err := strconv.Atoi(t.text)
	if t.kind != tNumber || err != nil || n < 0 {
		p.fail("expected a non-negative integer in a pattern quantifier")
		return 0
	}
	p.next()
	return n
}
