package live

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// SetIteration records the progress of the iteration whose superstep the History's job is (from
// Job.Iteration().Snapshot()); the dashboard then shows the Iteration view.
func (h *History) SetIteration(s engine.IterationSnapshot) { h.iter = &s }

// Iteration returns the iteration progress last recorded; ok is false when the job is no superstep's.
func (h *History) Iteration() (s engine.IterationSnapshot, ok bool) {
	if h == nil || h.iter == nil {
		return engine.IterationSnapshot{}, false
	}
	return *h.iter, true
}

// iterationDashboard is the dashboard of a superstep's job: the iteration's progress beside the superstep's
// job graph, state and throughput (a superstep's job is bounded, so its watermarks say nothing).
// A graph iteration's superstep (engine/graph) adds the GraphIteration view under the iteration's, and a
// batch fit's (engine/ml's KMeans and regressions) the Model view, with each iteration's centroid shift or
// loss.
func iterationDashboard(h *History, width, height int, lang i18n.Lang) string {
	var detail view
	switch {
	case hasGraph(h):
		detail = GraphIteration
	case hasModel(h):
		detail = Model
	}
	left, weights := []view{IterationView}, []int{1}
	if detail != nil {
		left, weights = []view{IterationView, detail}, []int{1, 1}
	}
	if width >= 100 {
		lw := width / 2
		rw := width - lw - 1
		l := stack(left, weights, h, lw, height, lang)
		right := stack([]view{Graph, State, Throughput}, []int{4, 2, 2}, h, rw, height, lang)
		return lipgloss.JoinHorizontal(lipgloss.Top, l, " ", right)
	}
	if detail != nil {
		return stack([]view{IterationView, detail, Graph, Throughput}, []int{4, 4, 2, 2}, h, width, height, lang)
	}
	return stack([]view{IterationView, Graph, State, Throughput}, []int{5, 3, 2, 2}, h, width, height, lang)
}

// IterationView draws the History's iteration: which superstep of how many runs (or why the iteration
// ended), a sparkline per superstep of the workset (or partial solution), of a delta iteration's solution
// set and of every aggregator (the convergence criterion's marked ◎), and a table of the newest supersteps:
// input and output sizes, a delta iteration's delta and solution set, a bulk iteration's termination
// criterion, the time each took and each aggregator's value.
func IterationView(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Iteration()
	if !ok {
		return ""
	}
	return Iteration(s, width, height, lang)
}

// Iteration draws s in width × height cells; see IterationView.
func Iteration(s engine.IterationSnapshot, width, height int, lang i18n.Lang) string {
	kind := lang.T("it.bulk")
	if s.Kind == engine.IterationDelta {
		kind = lang.T("it.delta")
	}
	note := fmt.Sprintf("%s · "+lang.T("it.of"), kind, s.Superstep, s.MaxIterations)
	switch s.State {
	case engine.IterationRunning:
		note += " · " + warnStyle.Render(lang.T("it.running")+" "+Dur(s.Running))
	case engine.IterationFinished:
		note += " · " + okStyle.Render(lang.T("it.finished"))
	case engine.IterationFailed:
		note += " · " + badStyle.Render(lang.T("it.failed"))
	}
	ls := []string{title(lang.T("it.title")+" "+s.Name, note, width)}
	done := len(s.Supersteps)
	frac := 0.0
	if s.MaxIterations > 0 {
		frac = float64(done) / float64(s.MaxIterations)
	}
	ls = append(ls, fit(fmt.Sprintf(" %s %d/%d", Bar(frac, min(30, max(5, width/3))), done, s.MaxIterations), width))
	switch s.State {
	case engine.IterationFinished:
		ls = append(ls, fit(" "+okStyle.Render(fmt.Sprintf(lang.T("it.ended"), endReason(s, lang), done)), width))
	case engine.IterationFailed:
		ls = append(ls, fit(" "+badStyle.Render(s.Err), width))
	}

	// One sparkline per series, over the supersteps that have ended.
	outLabel := lang.T("it.partial")
	if s.Kind == engine.IterationDelta {
		outLabel = lang.T("it.workset")
	}
	var ss []series
	sizes := func(label string, f func(engine.SuperstepInfo) int) {
		sr := series{label: label, last: "-"}
		for _, st := range s.Supersteps {
			sr.vals = append(sr.vals, float64(f(st)))
			sr.last = fmt.Sprint(f(st))
		}
		ss = append(ss, sr)
	}
	sizes(outLabel, func(st engine.SuperstepInfo) int { return st.Output })
	if s.Kind == engine.IterationDelta {
		sizes(lang.T("it.solution"), func(st engine.SuperstepInfo) int { return st.SolutionSet })
	}
	for _, name := range s.Aggregators {
		label := name
		if name == s.Convergence {
			label = "◎ " + name
		}
		sr := series{label: label, last: "-"}
		for _, st := range s.Supersteps {
			v := st.Aggregates[name]
			sr.vals = append(sr.vals, numeric(v))
			sr.last = aggregateText(v)
		}
		ss = append(ss, sr)
	}
	ls = append(ls, seriesLines(ss, width)...)

	// The table of supersteps, the newest that fit, and the running one.
	cols := []string{"#", lang.T("it.in"), lang.T("it.out")}
	switch {
	case s.Kind == engine.IterationDelta:
		cols = append(cols, "Δ", lang.T("it.solution"))
	case s.Termination:
		cols = append(cols, lang.T("it.criterion"))
	}
	cols = append(cols, lang.T("it.time"))
	cols = append(cols, s.Aggregators...)
	rows := [][]string{}
	for _, st := range s.Supersteps {
		r := []string{fmt.Sprint(st.Superstep), fmt.Sprint(st.Input), fmt.Sprint(st.Output)}
		switch {
		case s.Kind == engine.IterationDelta:
			r = append(r, fmt.Sprint(st.Delta), fmt.Sprint(st.SolutionSet))
		case s.Termination:
			r = append(r, fmt.Sprint(st.Criterion))
		}
		r = append(r, Dur(st.Duration))
		for _, name := range s.Aggregators {
			r = append(r, aggregateText(st.Aggregates[name]))
		}
		rows = append(rows, r)
	}
	running := s.State == engine.IterationRunning && s.Superstep > done
	room := height - len(ls) - 1 // the header
	if running {
		room--
	}
	if room <= 0 {
		return limit(ls, height)
	}
	if len(rows) > room {
		rows = rows[len(rows)-room:]
	}
	colW := make([]int, len(cols))
	for i, c := range cols {
		colW[i] = lipgloss.Width(c)
		for _, r := range rows {
			colW[i] = max(colW[i], lipgloss.Width(r[i]))
		}
	}
	line := func(cells []string) string {
		parts := make([]string, len(cells))
		for i, c := range cells {
			parts[i] = padLeft(c, colW[i])
		}
		return " " + strings.Join(parts, "  ")
	}
	ls = append(ls, dimStyle.Render(fit(line(cols), width)))
	for _, r := range rows {
		ls = append(ls, fit(line(r), width))
	}
	if running {
		colW[0] = max(colW[0], len(fmt.Sprint(s.Superstep)))
		ls = append(ls, fit(" "+padLeft(fmt.Sprint(s.Superstep), colW[0])+"  "+padLeft(fmt.Sprint(s.Input), colW[1])+"  "+
			warnStyle.Render("▶ "+lang.T("it.running")), width))
	}
	return limit(ls, height)
}

// endReason says why the iteration of s ended, in lang.
func endReason(s engine.IterationSnapshot, lang i18n.Lang) string {
	r := lang.T("it.end." + s.Ended.String())
	if s.Ended == engine.EndedConvergence {
		r = fmt.Sprintf(r, s.Convergence)
	}
	return r
}

// numeric returns v as a float64 for a sparkline; values that are not numbers give 0.
func numeric(v any) float64 {
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := r.Float(); !math.IsNaN(f) {
			return f
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(r.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(r.Uint())
	}
	return 0
}

// aggregateText formats an aggregate compactly: integers in full, floating-point numbers to four
// significant figures, nil as "-", anything else as fmt prints it, cut to 12 cells.
func aggregateText(v any) string {
	if v == nil {
		return "-"
	}
	r := reflect.ValueOf(v)
	if r.Kind() == reflect.Float32 || r.Kind() == reflect.Float64 {
		return fmt.Sprintf("%.4g", r.Float())
	}
	t := fmt.Sprint(v)
	if lipgloss.Width(t) > 12 {
		t = fit(t, 12)
	}
	return t
}

// padLeft right-aligns s in width cells.
func padLeft(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return strings.Repeat(" ", width-w) + s
	}
	return s
}
