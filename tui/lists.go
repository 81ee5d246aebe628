package tui

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// listItem matches a Markdown list item's first line: its indentation, its marker ("-", "*", "+", "1." or
// "1)") and its text.
var listItem = regexp.MustCompile(`^( *)([-*+]|\d{1,9}[.)]) +(\S.*)$`)

// hangLists prepares a Markdown text's lists for glamour, which keeps a list item's source line breaks and
// starts its continuation lines under the marker: each item's lines are joined and wrapped again for width
// (the width glamour draws in), and its continuation lines are indented under the item's text with
// no-break spaces, which Markdown keeps. Lines in code fences are left alone, as are lines that are not
// plain text (a nested list, a fence, a quote, a table, a heading, an HTML comment).
func hangLists(text string, width int) string {
	lines := strings.Split(text, "\n")
	var out []string
	fence := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if t := strings.TrimSpace(l); fence != "" || strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			switch {
			case fence == "" && len(t) >= 3:
				fence = t[:3]
			case fence != "" && strings.HasPrefix(t, fence):
				fence = ""
			}
			out = append(out, l)
			continue
		}
		m := listItem.FindStringSubmatch(l)
		if m == nil {
			out = append(out, l)
			continue
		}
		indent, marker, body := m[1], m[2], m[3]
		for i+1 < len(lines) && isContinuation(lines[i+1]) {
			i++
			body += " " + strings.TrimSpace(lines[i])
		}
		// glamour draws a level-n item's text 2 (margin) + 2n + the marker's width + 1 cells in, and wraps at
		// width-2.
		level := len(indent) / 2
		textCol := 2 + 2*level + len(marker) + 1
		if marker == "-" || marker == "*" || marker == "+" {
			textCol = 2 + 2*level + 2 // "• "
		}
		avail := max(10, width-4-textCol)
		wrapped := strings.Split(ansi.Wordwrap(body, avail, ""), "\n")
		out = append(out, indent+marker+" "+wrapped[0])
		// glamour starts a continuation line at the item's level (2 + 2n); the no-break spaces bring it under
		// the text.
		hang := strings.Repeat("\u00a0", max(0, textCol-2-2*level))
		for _, w := range wrapped[1:] {
			out = append(out, indent+"  "+hang+strings.TrimSpace(w))
		}
	}
	return strings.Join(out, "\n")
}

// isContinuation reports whether l continues a list item's paragraph: non-blank plain text, not a new item
// or another block.
func isContinuation(l string) bool {
	t := strings.TrimSpace(l)
	if t == "" || listItem.MatchString(l) {
		return false
	}
	for _, p := range []string{"```", "~~~", ">", "|", "#", "<!--", "<"} {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	return true
}
