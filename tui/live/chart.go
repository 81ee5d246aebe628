package live

import (
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The colours of the views. They are plain ANSI-256 indexes so that they read on dark and light backgrounds
// and downsample cleanly.
var (
	colOK    = lipgloss.Color("2")
	colWarn  = lipgloss.Color("3")
	colBad   = lipgloss.Color("1")
	colDim   = lipgloss.Color("8")
	colAccen = lipgloss.Color("6")
	colLate  = lipgloss.Color("5")

	titleStyle = lipgloss.NewStyle().Bold(true).Foreground(colAccen)
	dimStyle   = lipgloss.NewStyle().Foreground(colDim)
	okStyle    = lipgloss.NewStyle().Foreground(colOK)
	warnStyle  = lipgloss.NewStyle().Foreground(colWarn)
	badStyle   = lipgloss.NewStyle().Foreground(colBad)
	lateStyle  = lipgloss.NewStyle().Foreground(colLate)
	idleStyle  = lipgloss.NewStyle().Foreground(colAccen) // idle inputs and outputs (WatermarkStatus.IDLE)
)

// sparkRunes are the eight block heights of a sparkline, lowest first.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as a one-line block chart of exactly width cells, the newest value at the right.
// Values are scaled from zero to their maximum; missing columns on the left are blank.
func Sparkline(values []float64, width int) string {
	if len(values) > width {
		values = values[len(values)-max(width, 0):]
	}
	maxV := 0.0
	for _, v := range values {
		if v > maxV && !math.IsInf(v, 0) {
			maxV = v
		}
	}
	return SparklineTo(values, maxV, width)
}

// SparklineTo draws values as Sparkline does, scaled from zero to top instead of their maximum (a ratio's
// 1, so that a little backpressure draws low).
func SparklineTo(values []float64, maxV float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(values)))
	for _, v := range values {
		i := 0
		if maxV > 0 && v > 0 {
			i = int(math.Round(v / maxV * float64(len(sparkRunes)-1)))
			i = max(0, min(i, len(sparkRunes)-1))
		}
		b.WriteRune(sparkRunes[i])
	}
	return b.String()
}

// series is one labelled figure per step (superstep, iteration, model version), drawn by seriesLines.
type series struct {
	label string
	last  string // the newest value as shown; "-" before the first
	vals  []float64
}

// seriesLines draws each series as one line of width cells: its label, its newest value right-aligned and a
// sparkline of its values filling the rest, the labels and values aligned in columns (a label is cut to half
// the width). The Iteration, GraphIteration and Model views draw their figures per step with it.
func seriesLines(ss []series, width int) []string {
	labelW, valW := 0, 1
	for _, sr := range ss {
		labelW = max(labelW, lipgloss.Width(sr.label))
		valW = max(valW, lipgloss.Width(sr.last))
	}
	labelW = min(labelW, max(8, width/2))
	sparkW := max(5, width-labelW-valW-4)
	out := make([]string, len(ss))
	for i, sr := range ss {
		out[i] = fit(fmt.Sprintf(" %s %s %s", fit(sr.label, labelW), padLeft(sr.last, valW), Sparkline(sr.vals, sparkW)), width)
	}
	return out
}

// Bar draws a horizontal bar of width cells filled to frac (0 to 1).
func Bar(frac float64, width int) string {
	if width <= 0 {
		return ""
	}
	frac = max(0, min(frac, 1))
	full := int(math.Round(frac * float64(width)))
	return strings.Repeat("█", full) + dimStyle.Render(strings.Repeat("░", width-full))
}

// fit truncates s to width cells (with an ellipsis) and pads it with spaces to exactly width cells.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) > width {
		s = ansi.Truncate(s, width, "…")
	}
	if w := lipgloss.Width(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// title renders a view's heading, with an optional dim note after it.
func title(s, note string, width int) string {
	t := titleStyle.Render(s)
	if note == "" {
		return fit(t, width)
	}
	if lipgloss.Width(t)+1+lipgloss.Width(note) > width {
		// The key facts go on a line of their own rather than being cut.
		return fit(t, width) + "\n" + fit(" "+dimStyle.Render(note), width)
	}
	return fit(t+" "+dimStyle.Render(note), width)
}

// Bytes formats n bytes with binary units: 512 B, 1.5 KiB, 3.2 MiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Rate formats a per-second rate compactly: 950, 12.3k, 4.1M.
func Rate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM", r/1e6)
	case r >= 1e4:
		return fmt.Sprintf("%.0fk", r/1e3)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}

// Millis formats an event or processing time in milliseconds as a clock time of day (UTC), or "-" for the
// engine's minimum and "+∞" for its maximum.
func Millis(ms int64) string {
	switch {
	case ms == math.MinInt64:
		return "-"
	case ms == math.MaxInt64:
		return "+∞"
	}
	t := time.UnixMilli(ms).UTC()
	if t.Year() < 1971 { // small demo timestamps: show seconds since zero
		return fmt.Sprintf("%.1fs", float64(ms)/1000)
	}
	return t.Format("15:04:05.0")
}

// Dur formats a duration with two significant figures: 850ms, 1.2s, 3m5s.
func Dur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// backpressureStyle colours a backpressure ratio as Flink's web UI does: OK below 10%, LOW below 50%, HIGH.
func backpressureStyle(bp float64) (lipgloss.Style, string) {
	switch {
	case bp >= 0.5:
		return badStyle, "HIGH"
	case bp >= 0.1:
		return warnStyle, "LOW"
	}
	return okStyle, "OK"
}

// msDur converts milliseconds to a Duration.
func msDur(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
