package live

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// stripMarks are the window strip's cells: a fired window's, an open window's, the last cell of a window
// fired again late, and that of a purged one.
const (
	stripFired  = '■'
	stripOpen   = '□'
	stripLate   = '▲'
	stripPurged = '×'
	stripEmpty  = '·'
	stripStart  = '['
)

// hasWindows reports whether the History's job has windows to draw as a strip: a firing or purge among its
// events, or an open window in its latest snapshot.
func hasWindows(h *History) bool {
	for _, e := range h.Events() {
		switch e.Kind {
		case engine.EventWindowFired, engine.EventWindowLateFired, engine.EventWindowPurged:
			return true
		}
	}
	for _, v := range h.latestOrZero().Vertices {
		for _, st := range v.Subtasks {
			if len(st.Windows) > 0 {
				return true
			}
		}
	}
	return false
}

// WindowStrip draws the windows as a strip of intervals over event time, a row per key (the keys of the
// latest firings, as many as height leaves after the title, the axis, the row of open windows and the
// legend): each window the key fired is filled with ■ from its start ([) to its end, a late firing marks its
// end ▲ and a purge ×; the windows still open (the engine counts their keys rather than naming them) share a
// row of □. The axis runs from the earliest window shown to the latest end, labelled with both.
func WindowStrip(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	type span struct {
		w    engine.Window
		mark rune
	}
	byKey := map[string][]span{}
	var keys []string // most recent first
	lo, hi := int64(1<<62), int64(-1<<62)
	for _, e := range h.Events() {
		var mark rune
		switch e.Kind {
		case engine.EventWindowFired:
			mark = stripFired
		case engine.EventWindowLateFired:
			mark = stripLate
		case engine.EventWindowPurged:
			mark = stripPurged
		default:
			continue
		}
		k := fmt.Sprint(e.Key)
		if _, seen := byKey[k]; !seen {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], span{e.Window, mark})
		lo, hi = min(lo, e.Window.Start), max(hi, e.Window.End)
	}
	var open []engine.Window
	for _, v := range s.Vertices {
		for _, st := range v.Subtasks {
			for _, w := range st.Windows {
				open = append(open, engine.Window{Start: w.Start, End: w.End})
				lo, hi = min(lo, w.Start), max(hi, w.End)
			}
		}
	}
	ls := []string{title(lang.T("win.strip"), "", width)}
	if hi <= lo {
		return limit(append(ls, dimStyle.Render(" "+lang.T("win.none"))), height)
	}
	sort.Strings(keys)
	labelW := lipgloss.Width(lang.T("win.open"))
	for _, k := range keys {
		labelW = max(labelW, min(lipgloss.Width(k), 14))
	}
	cells := max(10, width-labelW-3)
	at := func(t int64) int { return int(float64(t-lo) / float64(hi-lo) * float64(cells)) }
	row := func(label string, fill func(r []rune)) string {
		r := []rune(strings.Repeat(string(stripEmpty), cells))
		fill(r)
		return fit(" "+fit(label, labelW)+" "+string(r), width)
	}
	draw := func(r []rune, w engine.Window, body, end rune) {
		a, b := at(w.Start), max(at(w.Start)+1, at(w.End))
		for i := a; i < b && i < cells; i++ {
			if r[i] == stripEmpty || body != stripFired || r[i] == stripOpen || r[i] == stripStart {
				r[i] = body
			}
		}
		if b-a >= 3 && a < cells {
			r[a] = stripStart // where one window ends and the next starts shows
		}
		if end != 0 && b-1 < cells {
			r[b-1] = end
		}
	}
	ls = append(ls, dimStyle.Render(fit(" "+fit("", labelW)+" "+fit(Millis(lo), cells-len(Millis(hi)))+Millis(hi), width)))
	reserve := 1 // the legend, and the row of open windows if any
	if len(open) > 0 {
		reserve++
	}
	for _, k := range keys {
		if len(ls) >= height-reserve {
			break
		}
		ls = append(ls, row(k, func(r []rune) {
			for _, sp := range byKey[k] {
				switch sp.mark {
				case stripFired:
					draw(r, sp.w, stripFired, 0)
				default:
					draw(r, sp.w, stripFired, sp.mark)
				}
			}
		}))
	}
	if len(open) > 0 {
		ls = append(ls, row(lang.T("win.open"), func(r []rune) {
			for _, w := range open {
				draw(r, w, stripOpen, 0)
			}
		}))
	}
	ls = append(ls, dimStyle.Render(fit(" "+lang.T("win.legend"), width)))
	return limit(ls, height)
}
