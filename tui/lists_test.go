package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Bullet lists kept the source's line breaks and started continuation lines under the bullet. An item's
// text reflows to the pane's width and its continuation lines hang under its text; code fences are left
// alone.
func TestListItemsReflowWithHangingIndent(t *testing.T) {
	src := "Intro.\n\n- first item that is long and\n  continues on a second source line with more words to wrap around the width\n" +
		"- second\n  - nested item that is also long enough to wrap around\n    the width of the pane\n\n" +
		"```go\n- not a list\n  x\n```\n"
	for _, w := range []int{50, 80} {
		out := strings.ReplaceAll(ansi.Strip((&markdown{}).render(src, w)), "\u00a0", " ")
		lines := strings.Split(out, "\n")
		var item []string
		for i, l := range lines {
			if strings.Contains(l, "• first item") {
				for _, c := range lines[i:] {
					if strings.Contains(c, "• second") {
						break
					}
					item = append(item, strings.TrimRight(c, " "))
				}
			}
			if lw := ansi.StringWidth(l); lw > w {
				t.Errorf("width %d: a line is %d cells wide: %q", w, lw, l)
			}
		}
		joined := strings.Join(item, " ")
		if !strings.Contains(strings.Join(strings.Fields(joined), " "), "long and continues on a second source line with more words to wrap around the width") {
			t.Errorf("width %d: the first item is not whole:\n%s", w, out)
		}
		if len(item) < 2 && w == 50 {
			t.Fatalf("width %d: the first item did not wrap:\n%s", w, out)
		}
		if w == 50 && !strings.HasPrefix(item[0], "  • first item that is long and continues on a") {
			t.Errorf("width %d: the source's line break is kept: %q", w, item[0])
		}
		for _, c := range item[1:] {
			if !strings.HasPrefix(c, "    ") || strings.HasPrefix(c, "     ") {
				t.Errorf("width %d: a continuation line does not hang under the item's text: %q", w, c)
			}
		}
		if !strings.Contains(out, "    - not a list\n      x") && !strings.Contains(out, "- not a list") {
			t.Errorf("width %d: the code fence changed:\n%s", w, out)
		}
	}
}
