package sqlparse

import (
	"fmt"
	"strconv"
	"strings"
)

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
	Skip        string // "PAST LAST ROW", "TO NEXT ROW" (the default, as Calcite's SqlToRelConverter sets it), "TO FIRST" or "TO LAST" (SkipVar)
	SkipVar     string
	Pattern     []PatternTerm
	// Construct is the first part of the pattern that is more than a sequence of quantified variables (an
	// alternation, a quantified group, PERMUTE or an exclusion), nil for none: Calcite's grammar parses
	// them, and the planner refuses them as Flink's does. Pattern then holds the variables in the order
	// written.
	Construct *PatternConstruct
	Within    Expr // an INTERVAL, or nil
	Define    []PatternDefine
	Alias     string
}

// PatternTerm is a pattern variable with its quantifier: Min to Max rows (Max -1: unbounded), both 1 without
// one; Reluctant marks a quantifier followed by ?.
type PatternTerm struct {
	Pos       Pos
	Var       string
	Min, Max  int
	Reluctant bool
}

// PatternConstruct is a part of a row pattern beyond a sequence of quantified variables.
type PatternConstruct struct {
	Pos  Pos
	Kind string // "alternation" (A | B), "group" (a quantified group, (A B)+), "permute" (PERMUTE(A, B)) or "exclusion" ({- A -})
	Text string // the construct as written, normalized
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
	m := &MatchRecognize{Pos: p.next().pos, Input: in, Skip: "TO NEXT ROW"}
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
			m.Skip = "PAST LAST ROW"
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
	m.Pattern, _ = p.patternAlternation(m)
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

// patternAlternation parses alternatives separated by |, Calcite's grammar of a row pattern, and returns
// the variables it names with its text; a construct beyond a sequence of quantified variables is recorded
// in m.Construct (the first one found).
func (p *parser) patternAlternation(m *MatchRecognize) ([]PatternTerm, string) {
	p.enter()
	defer p.leave()
	pos := p.peek().pos
	terms, text := p.patternSequence(m)
	if !p.isOp("|") {
		return terms, text
	}
	texts := []string{text}
	for p.acceptOp("|") {
		more, t := p.patternSequence(m)
		terms = append(terms, more...)
		texts = append(texts, t)
	}
	text = strings.Join(texts, " | ")
	m.construct(pos, "alternation", text)
	return terms, text
}

// patternSequence parses a concatenation of quantified pattern factors.
func (p *parser) patternSequence(m *MatchRecognize) ([]PatternTerm, string) {
	var terms []PatternTerm
	var texts []string
	for !p.isOp(")") && !p.isOp("|") && !p.isOp("-") && !p.isOp(",") && p.peek().kind != tEOF {
		more, t := p.patternFactor(m)
		terms = append(terms, more...)
		texts = append(texts, t)
	}
	if len(texts) == 0 {
		p.fail("expected a pattern variable")
	}
	return terms, strings.Join(texts, " ")
}

// patternFactor parses a variable, a parenthesized pattern, PERMUTE(...) or {- ... -}, with an optional
// quantifier. A group without a quantifier is a part of the sequence around it, as in Calcite; a group of
// one variable takes the quantifier as that variable.
func (p *parser) patternFactor(m *MatchRecognize) ([]PatternTerm, string) {
	pos := p.peek().pos
	var terms []PatternTerm
	var text string
	kind := ""
	switch {
	case p.acceptOp("("):
		terms, text = p.patternAlternation(m)
		p.expectOp(")")
		text = "(" + text + ")"
		kind = "group"
	case p.isKw("PERMUTE") && p.peekAt(1).kind == tOp && p.peekAt(1).text == "(":
		p.i += 2
		var texts []string
		for {
			more, t := p.patternAlternation(m)
			terms = append(terms, more...)
			texts = append(texts, t)
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
		text = "PERMUTE(" + strings.Join(texts, ", ") + ")"
		m.construct(pos, "permute", text)
	case p.isOp("{") && p.peekAt(1).kind == tOp && p.peekAt(1).text == "-":
		p.i += 2
		terms, text = p.patternAlternation(m)
		p.expectOp("-")
		p.expectOp("}")
		text = "{- " + text + " -}"
		m.construct(pos, "exclusion", text)
	default:
		t := PatternTerm{Pos: pos, Min: 1, Max: 1}
		t.Var, _ = p.ident()
		terms, text = []PatternTerm{t}, t.Var
		kind = "variable"
	}
	q := PatternTerm{Min: 1, Max: 1}
	quantified := true
	switch {
	case p.acceptOp("*"):
		q.Min, q.Max = 0, -1
	case p.acceptOp("+"):
		q.Min, q.Max = 1, -1
	case p.acceptOp("?"):
		q.Min, q.Max = 0, 1
	case p.isOp("{") && !(p.peekAt(1).kind == tOp && p.peekAt(1).text == "-"):
		p.next()
		q.Min, q.Max = 0, -1
		if !p.isOp(",") {
			q.Min = p.count()
			q.Max = q.Min
		}
		if p.acceptOp(",") {
			q.Max = -1
			if !p.isOp("}") {
				q.Max = p.count()
			}
		}
		p.expectOp("}")
	default:
		quantified = false
	}
	if quantified && p.acceptOp("?") {
		q.Reluctant = true
	}
	if !quantified {
		return terms, text
	}
	if kind == "variable" || kind == "group" && len(terms) == 1 && text == "("+terms[0].Var+")" {
		terms[0].Min, terms[0].Max, terms[0].Reluctant = q.Min, q.Max, q.Reluctant
		return terms, terms[0].Var + q.Quantifier()
	}
	text += q.Quantifier()
	m.construct(pos, "group", text)
	return terms, text
}

// construct records the first construct beyond a sequence of quantified variables.
func (m *MatchRecognize) construct(pos Pos, kind, text string) {
	if m.Construct == nil {
		m.Construct = &PatternConstruct{Pos: pos, Kind: kind, Text: text}
	}
}

// Quantifier writes the term's quantifier as SQL: "" (exactly one row), *, +, ?, {n}, {n,}, {,m} or
// {n,m}, followed by ? if reluctant.
func (t PatternTerm) Quantifier() string {
	s := ""
	switch {
	case t.Min == 1 && t.Max == 1:
		return ""
	case t.Min == 0 && t.Max == -1:
		s = "*"
	case t.Min == 1 && t.Max == -1:
		s = "+"
	case t.Min == 0 && t.Max == 1:
		s = "?"
	case t.Max == -1:
		s = fmt.Sprintf("{%d,}", t.Min)
	case t.Min == t.Max:
		s = fmt.Sprintf("{%d}", t.Min)
	case t.Min == 0:
		s = fmt.Sprintf("{,%d}", t.Max)
	default:
		s = fmt.Sprintf("{%d,%d}", t.Min, t.Max)
	}
	if t.Reluctant {
		s += "?"
	}
	return s
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
