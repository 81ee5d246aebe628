package live

import (
	"fmt"
	"math"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// The timeline's marks: a record on time, a late one (at or behind the operator's watermark when it
// arrived), and the watermark's line.
const (
	tlOnTime    = '•'
	tlLate      = '×'
	tlWatermark = '─'
)

// hasTimeline reports whether the latest snapshot has an operator with sampled records (engine's
// OperatorSnapshot.Recent): a streaming job whose records carry event time.
func hasTimeline(h *History) bool {
	_, _, ok := timelineOperator(h.latestOrZero())
	return ok
}

// timelineOperator picks the operator whose records the timeline draws: the one with the most late
// samples, on a tie the first that is not a source (where event time is used: a window, a process
// function), else the first with samples.
func timelineOperator(s engine.JobSnapshot) (string, []engine.RecordSample, bool) {
	var name string
	var best []engine.RecordSample
	bestLate, bestIn, found := -1, false, false
	for _, v := range s.Vertices {
		in := len(v.Inputs) > 0
		for _, op := range v.Operators {
			if len(op.Recent) == 0 {
				continue
			}
			late := lateCount(op.Recent)
			if late > bestLate || (late == bestLate && in && !bestIn) {
				name, best, bestLate, bestIn, found = op.Name, op.Recent, late, in, true
			}
		}
	}
	return name, best, found
}

// lateCount counts the late samples.
func lateCount(rs []engine.RecordSample) int {
	n := 0
	for _, r := range rs {
		if r.Late {
			n++
		}
	}
	return n
}

// Timeline draws event time against the watermark for one operator (timelineOperator's choice): its
// recently sampled records in the order they arrived, left to right (the newest at the right, as many as the
// width holds), each a dot at the height of its event time, • on time and × late, and the operator's
// watermark when each arrived as a line ─ across, so a late record is one at or under the line. The
// event-time axis is labelled with the lowest and highest time shown, the arrival axis with the first and
// last record's processing time.
func Timeline(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	name, rs, ok := timelineOperator(s)
	if !ok {
		return limit([]string{title(lang.T("tl.title"), "", width), dimStyle.Render(" " + lang.T("tl.none"))}, height)
	}
	head := strings.Split(title(lang.T("tl.title"), fmt.Sprintf(lang.T("tl.note"), name, lateCount(rs), len(rs)), width), "\n")
	legend := dimStyle.Render(fit(" "+lang.T("tl.legend"), width))
	rows := height - len(head) - 2 // the axis and the legend under the plot
	if rows < 3 {
		legend, rows = "", height-len(head)-1
	}
	if rows < 1 {
		return limit(head, height)
	}

	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, r := range rs {
		lo, hi = min(lo, r.Timestamp), max(hi, r.Timestamp)
		if wmShown(r.Watermark) {
			lo, hi = min(lo, r.Watermark), max(hi, r.Watermark)
		}
	}
	hiL, loL := Millis(hi), Millis(lo)
	labelW := max(lipgloss.Width(hiL), lipgloss.Width(loL))
	cols := max(1, width-labelW-2)
	if len(rs) > cols {
		rs = rs[len(rs)-cols:]
	}
	row := func(t int64) int { // 0 is the bottom row
		if hi == lo {
			return 0
		}
		return int(math.Round(float64(t-lo) / float64(hi-lo) * float64(rows-1)))
	}
	col := func(i int) int { return i * cols / len(rs) } // spread over the width when they are fewer

	grid := make([][]rune, rows)
	for i := range grid {
		grid[i] = []rune(strings.Repeat(" ", cols))
	}
	for i, r := range rs { // the watermark first: a record's mark covers it
		if !wmShown(r.Watermark) {
			continue
		}
		end := cols
		if i+1 < len(rs) {
			end = col(i + 1)
		}
		for c := col(i); c < end; c++ {
			grid[rows-1-row(r.Watermark)][c] = tlWatermark
		}
	}
	for i, r := range rs {
		mark := tlOnTime
		if r.Late {
			mark = tlLate
		}
		grid[rows-1-row(r.Timestamp)][col(i)] = mark
	}

	ls := head
	for i, g := range grid {
		label, axis := "", "│"
		switch i {
		case 0:
			label, axis = hiL, "┤"
		case rows - 1:
			label, axis = loL, "┤"
		}
		var b strings.Builder
		for _, c := range g {
			switch c {
			case tlOnTime:
				b.WriteString(okStyle.Render(string(c)))
			case tlLate:
				b.WriteString(badStyle.Render(string(c)))
			case tlWatermark:
				b.WriteString(warnStyle.Render(string(c)))
			default:
				b.WriteRune(c)
			}
		}
		ls = append(ls, fit(" "+padLeft(label, labelW)+dimStyle.Render(axis)+b.String(), width))
	}
	ls = append(ls, dimStyle.Render(fit(" "+strings.Repeat(" ", labelW)+"└"+arrivalAxis(rs, cols, lang), width)))
	if legend != "" {
		ls = append(ls, legend)
	}
	return limit(ls, height)
}

// wmShown reports whether a watermark is drawn: not before the first, nor the final one.
func wmShown(wm int64) bool { return wm != math.MinInt64 && wm != math.MaxInt64 }

// arrivalAxis labels the arrival axis in cols cells: the first record's processing time at the left, the
// last one's at the right (how long after the first, +12ms, when the two read the same) and, if it fits,
// what the axis is between them.
func arrivalAxis(rs []engine.RecordSample, cols int, lang i18n.Lang) string {
	first, last := Millis(rs[0].Arrived), Millis(rs[len(rs)-1].Arrived)
	if d := rs[len(rs)-1].Arrived - rs[0].Arrived; last == first { // a fast job: how long after the first the last arrived
		last = "+" + fmt.Sprintf("%dms", d)
	}
	mid := " " + lang.T("tl.arrival") + " "
	gap := cols - lipgloss.Width(first) - lipgloss.Width(last)
	if gap < lipgloss.Width(mid)+2 {
		return first + strings.Repeat(" ", max(1, gap)) + last
	}
	left := (gap - lipgloss.Width(mid)) / 2
	return first + strings.Repeat("─", left) + mid + strings.Repeat("─", gap-lipgloss.Width(mid)-left) + last
}
