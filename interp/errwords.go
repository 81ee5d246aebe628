package interp

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// reflectWords are the reflect package's panics that the interpreter raises where compiled Go panics with a
// runtime error, and Go's words for them. (The index and the length of an index error are not in reflect's
// message, so they cannot be given.)
var reflectWords = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`reflect: (?:slice|array|string) index out of range`), "runtime error: index out of range"},
	{regexp.MustCompile(`reflect\.Value\.Slice3?: (?:slice|string) index out of bounds`), "runtime error: slice bounds out of range"},
	{regexp.MustCompile(`reflect: call of reflect\.Value\.\w+ on zero Value`), "runtime error: invalid memory address or nil pointer dereference"},
	{regexp.MustCompile(`reflect\.Value\.Call: call of nil function`), "runtime error: invalid memory address or nil pointer dereference"},
}

// goWords rewrites msg's reflect panics in Go's words.
func goWords(msg string) string {
	for _, w := range reflectWords {
		msg = w.re.ReplaceAllString(msg, w.repl)
	}
	return msg
}

// undefinedRE matches the interpreter's message for a name it does not know.
var undefinedRE = regexp.MustCompile(`^undefined: ([\pL_][\pL\pN_]*)`)

// identRE matches an identifier.
var identRE = regexp.MustCompile(`[\pL_][\pL\pN_]*`)

// explainUndefined adds to a compile error about a name the cells above define: "undefined: total" gets
// "cell sums above defines total: run the cells above first". The interpreter's "constant definition loop",
// which is what it says when a constant uses a name it does not know, names that name first. line is the
// error's line in the cell (1-based), above the cells above the one that ran.
func explainUndefined(msg string, src string, line int, above []Cell) string {
	if strings.HasPrefix(msg, "constant definition loop") && line > 0 {
		lines := strings.Split(src, "\n")
		if line <= len(lines) {
			for _, name := range identRE.FindAllString(lines[line-1], -1) {
				if cells := definers(name, above); len(cells) > 0 {
					return fmt.Sprintf("undefined: %s (the interpreter says %q); %s", name, msg, runAbove(name, cells))
				}
			}
		}
		return msg
	}
	if m := undefinedRE.FindStringSubmatch(msg); m != nil {
		if cells := definers(m[1], above); len(cells) > 0 {
			return msg + "; " + runAbove(m[1], cells)
		}
	}
	return msg
}

func runAbove(name string, cells []string) string {
	return fmt.Sprintf("%s defined in cell %s above: run the cells above first", name, strings.Join(cells, ", "))
}

// definers returns the ids of the cells of above that declare name at their top level (var, const, type,
// func, or := and = of a statement that starts a line).
func definers(name string, above []Cell) []string {
	q := regexp.QuoteMeta(name)
	re := regexp.MustCompile(`(?m)^(?:(?:var|const|type)\s+` + q + `\b|func\s+` + q + `\s*[(\[]|(?:[\pL_][\pL\pN_]*\s*,\s*)*` + q + `\s*(?:,\s*[\pL_][\pL\pN_]*\s*)*:=)` +
		`|(?m)^(?:var|const)\s*\(\s*\n(?:[^)]*\n)*?\s*` + q + `\b`)
	var out []string
	for _, c := range above {
		if re.MatchString(c.Source) {
			out = append(out, c.ID)
		}
	}
	return out
}

// internalPosRE matches a position of the interpreter in a cell's slot (a line of slotLines or more), as an
// error's text carries it: "1002:9: ".
var internalPosRE = regexp.MustCompile(`\b(\d{4,}):(\d+): `)

// relabelInternal rewrites the interpreter's positions of known cells in s as cell:line:col, as relabel does,
// leaving any other number pair alone: it is used on what cells print.
func (k *Kernel) relabelInternal(s string) string {
	if !strings.Contains(s, ": ") {
		return s
	}
	return internalPosRE.ReplaceAllStringFunc(s, func(p string) string {
		m := internalPosRE.FindStringSubmatch(p)
		l, err := strconv.Atoi(m[1])
		if err != nil || l < slotLines {
			return p
		}
		id, line := k.cellOf(l)
		if id == "" {
			return p
		}
		return fmt.Sprintf("%s:%d:%s: ", id, line, m[2])
	})
}
