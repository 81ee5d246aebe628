package live

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// Dashboard lays the views out in width × height cells: two columns when width is at least 100, one
// otherwise, each view given a share of the lines. A Batch job (a snapshot with Stages) shows its stages
// where a streaming job shows its watermarks; a streaming job whose records carry event time shows them
// against the watermark (Timeline) under its watermarks, and a windowed job its windows as a strip per key
// over the list of windows (windowPanel). With no snapshot yet it says that no job runs.
func Dashboard(h *History, width, height int, lang i18n.Lang) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	s, ok := h.Latest()
	if !ok {
		return block(dimStyle.Width(width).Render(lang.T("job.none")), width, height) // wrapped, not cut
	}
	if _, ok := h.Iteration(); ok {
		return iterationDashboard(h, width, height, lang)
	}
	progress := []view{Watermarks}
	progressW := []int{3}
	if s.Stages != nil { // a Batch job: its stages instead of watermarks
		progress = []view{Stages}
	} else if hasTimeline(h) {
		progress, progressW = append(progress, Timeline), append(progressW, 5)
	}
	events, eventsW := view(windowPanel), 2 // a job with a CEP operator shows its partial matches instead of windows
	if hasCEP(h) {
		events, eventsW = Patterns, 3
	} else if hasModel(h) { // and one training an online model its model (model.go)
		events, eventsW = Model, 3
	} else if hasWindows(h) {
		eventsW = 5
	}
	if width >= 100 {
		lw := width / 2
		rw := width - lw - 1
		left := stack(append(append([]view{Graph}, progress...), Throughput), append(append([]int{4}, progressW...), 2), h, lw, height, lang)
		right := stack([]view{events, Checkpoints, State, Memory}, []int{eventsW, 3, 2, 2}, h, rw, height, lang)
		return lipgloss.JoinHorizontal(lipgloss.Top, left, " ", right)
	}
	views := append(append([]view{Graph}, progress...), events, Checkpoints, State, Memory, Throughput)
	weights := append(append([]int{4}, progressW...), eventsW, 3, 2, 2, 2)
	return stack(views, weights, h, width, height, lang)
}

// windowPanel draws a windowed job's windows: as a strip of intervals per key (WindowStrip) over the list
// of open windows, late counts and recent firings (Windows) when it has the lines for both (7 or more),
// the strip alone when fewer; a job without windows gets the list, which says so.
func windowPanel(h *History, width, height int, lang i18n.Lang) string {
	switch {
	case !hasWindows(h):
		return Windows(h, width, height, lang)
	case height < 7:
		return WindowStrip(h, width, height, lang)
	}
	listH := max(2, height/3)
	return block(WindowStrip(h, width, height-listH, lang), width, height-listH) + "\n" + Windows(h, width, listH, lang)
}

// view is the signature every view has.
type view func(h *History, width, height int, lang i18n.Lang) string

// stack splits height among views by weight (the lines left by rounding down go to the views that lost the
// most to it, the first on a tie) and joins them top to bottom.
func stack(views []view, weights []int, h *History, width, height int, lang i18n.Lang) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	if total <= 0 {
		return ""
	}
	ns, rem := make([]int, len(views)), make([]int, len(views))
	left := height
	for i, w := range weights {
		ns[i], rem[i] = height*w/total, height*w%total
		left -= ns[i]
	}
	for ; left > 0; left-- {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		ns[best]++
		rem[best] = -1
	}
	var parts []string
	for i, v := range views {
		if ns[i] <= 0 {
			continue
		}
		parts = append(parts, block(v(h, width, ns[i], lang), width, ns[i]))
	}
	return strings.Join(parts, "\n")
}

// block makes s exactly height lines of exactly width cells.
func block(s string, width, height int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i := range lines {
		lines[i] = fit(lines[i], width)
	}
	for len(lines) < height {
		lines = append(lines, strings.Repeat(" ", width))
	}
	return strings.Join(lines, "\n")
}

// limit keeps the first n lines of ls (n at least 1).
func limit(ls []string, n int) string {
	if len(ls) > n {
		ls = ls[:max(1, n)]
	}
	return strings.Join(ls, "\n")
}

// lastEvent returns the newest event of kind the History holds.
func lastEvent(h *History, kind engine.EventKind) (engine.Event, bool) {
	evs := h.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == kind {
			return evs[i], true
		}
	}
	return engine.Event{}, false
}

// Graph draws the job graph: the job's status and restarts, a warning when a recovery went back past
// output the sinks had committed (engine.EventRecoveryBehindCommit, with at-least-once recovery), each vertex with its chained operators,
// parallelism, input partitioning and backpressure, and the TaskManagers with the subtasks in their slots.
func Graph(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	status := okStyle
	switch s.Status {
	case engine.JobFailed, engine.JobCanceled:
		status = badStyle
	case engine.JobRestarting:
		status = warnStyle
	}
	note := fmt.Sprintf("%s %s · %s %d · %s %s", lang.T("job.status"), status.Render(s.Status.String()), lang.T("job.restarts"), s.Restarts, lang.T("job.uptime"), Dur(s.Uptime))
	ls := []string{title(lang.T("graph.title")+" "+s.Name, note, width)}
	if e, ok := lastEvent(h, engine.EventRecoveryBehindCommit); ok { // a recovery that repeats committed output
		ls = append(ls, warnStyle.Render(fit(" "+fmt.Sprintf(lang.T("graph.behindCommit"), e.Count), width)))
	}
	for _, v := range s.Vertices {
		bp := 0.0
		for _, st := range v.Subtasks {
			bp = math.Max(bp, st.Backpressure)
		}
		style, label := backpressureStyle(bp)
		in := ""
		for _, e := range v.Inputs {
			p := e.Partitioning
			if e.SideOutput != "" {
				p += "(" + e.SideOutput + ")"
			}
			in += fmt.Sprintf("%d─%s→ ", e.From, p)
		}
		ls = append(ls, fit(fmt.Sprintf(" %s[%d] %s ×%d  %s %s", dimStyle.Render(in), v.ID, v.Name, v.Parallelism, lang.T("graph.bp"), style.Render(label)), width))
		if sl := vertexSparklines(h, v.ID, width, lang); sl != "" {
			ls = append(ls, fit(sl, width))
		}
	}
	slots := map[int][]string{}
	for _, v := range s.Vertices {
		for _, st := range v.Subtasks {
			slots[st.TaskManager] = append(slots[st.TaskManager], fmt.Sprintf("%d.%d", v.ID, st.Index))
		}
	}
	for _, tm := range s.TaskManagers {
		ls = append(ls, fit(dimStyle.Render(fmt.Sprintf(" %s %d (%d %s): %s", lang.T("graph.tm"), tm.ID, tm.Slots, lang.T("graph.slots"), strings.Join(slots[tm.ID], " "))), width))
	}
	if s.Err != "" {
		ls = append(ls, badStyle.Render(fit(s.Err, width)))
	}
	return limit(ls, height)
}

// graphSpark is the widest a vertex's throughput and backpressure sparklines are drawn, graphSparkMin the
// narrowest: below it Graph leaves them out.
const (
	graphSpark    = 12
	graphSparkMin = 4
)

// vertexSparklines draws the vertex id's records per second (what its first operator takes in, or what a
// source puts out) and its highest subtask backpressure over the History, as sparklines with the latest
// values, on one line of at most width cells: the sparklines are as wide as it leaves them (graphSpark at
// most), or the line is empty when they would be narrower than graphSparkMin.
func vertexSparklines(h *History, id, width int, lang i18n.Lang) string {
	rateL, bpL := lang.T("graph.rate"), lang.T("graph.bp")
	// "   rec/s ▃▅█▅ 12.3k · backpressure ▁▃▅▆ 100%": the indent, labels, values and spaces around two sparklines.
	const rateW, pctW = 5, 4
	sw := min(graphSpark, (width-(3+lipgloss.Width(rateL)+2+rateW+3+lipgloss.Width(bpL)+2+pctW))/2)
	if sw < graphSparkMin {
		return ""
	}
	var rates, bps []float64
	for _, snap := range h.Snapshots() {
		for _, v := range snap.Vertices {
			if v.ID != id || len(v.Operators) == 0 {
				continue
			}
			r := v.Operators[0].RateIn
			if len(v.Inputs) == 0 {
				r = v.Operators[0].RateOut
			}
			bp := 0.0
			for _, st := range v.Subtasks {
				bp = math.Max(bp, st.Backpressure)
			}
			rates, bps = append(rates, r), append(bps, bp)
		}
	}
	if len(rates) == 0 {
		return ""
	}
	style, _ := backpressureStyle(bps[len(bps)-1])
	return fmt.Sprintf("   %s %s %s · %s %s %s", dimStyle.Render(rateL), Sparkline(rates, sw), padLeft(Rate(rates[len(rates)-1]), rateW),
		dimStyle.Render(bpL), style.Render(SparklineTo(bps, 1, sw)), padLeft(fmt.Sprintf("%.0f%%", bps[len(bps)-1]*100), pctW))
}

// Watermarks draws a lane per operator: its watermark against the highest watermark of the job (the
// event-time front), so the gap the out-of-orderness bound makes and idle or lagging inputs show. The first
// operator of a chain says how many of its input channels are idle ("idle in 1/4"), the last one whether
// its output is idle ("idle", or "idle 1/2" when only some subtasks are). Under a source whose strategy
// aligns watermarks, each subtask paused by alignment gets a line of its own.
func Watermarks(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	type lane struct {
		name   string
		wm     int64
		idle   string
		paused []string // alignment notes under the lane
	}
	var lanes []lane
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, v := range s.Vertices {
		inIdle, outIdle := idleness(v, lang)
		for oi, op := range v.Operators {
			l := lane{name: op.Name, wm: op.Watermark}
			if oi == 0 {
				l.idle = inIdle
				l.paused = pausedSplits(v, lang)
			}
			if oi == len(v.Operators)-1 && outIdle != "" {
				l.idle = strings.TrimSpace(l.idle + " " + outIdle)
			}
			lanes = append(lanes, l)
			if wm := op.Watermark; wm != math.MinInt64 && wm != math.MaxInt64 {
				lo, hi = min(lo, wm), max(hi, wm)
			}
		}
	}
	// The bars start at the first watermark of the run (not at the lowest lane now, which made a single
	// lane's bar always full) and end at processing time now when event time is on the same clock (within a
	// year of it), so the empty end of a bar is the watermark's lag; a replay's event time is not, and its
	// bars end at the event-time front, the highest watermark.
	end := hi
	if hi != math.MinInt64 && s.ProcTime >= hi && s.ProcTime-hi < int64(365*24*time.Hour/time.Millisecond) {
		end = s.ProcTime
	}
	for _, snap := range h.Snapshots() {
		for _, v := range snap.Vertices {
			for _, op := range v.Operators {
				if wm := op.Watermark; wm != math.MinInt64 && wm != math.MaxInt64 {
					lo = min(lo, wm)
				}
			}
		}
	}
	ls := []string{title(lang.T("wm.title"), fmt.Sprintf(lang.T("wm.clocks"), Millis(s.ProcTime)), width)}
	nameW := min(18, width/3)
	vals := make([]string, len(lanes))
	valW := 20 // what the bar leaves for the value without idle notes: "wm 15:04:05.0 -1m5s"
	for i, l := range lanes {
		switch {
		case l.wm == math.MinInt64:
			vals[i] = dimStyle.Render(lang.T("wm.none"))
		case l.wm == math.MaxInt64:
			vals[i] = "+∞"
		default:
			vals[i] = "wm " + Millis(l.wm)
		}
		if l.idle != "" {
			vals[i] += " " + idleStyle.Render(l.idle)
		}
		if l.wm != math.MinInt64 && l.wm != math.MaxInt64 && hi > l.wm {
			vals[i] += warnStyle.Render(fmt.Sprintf(" -%s", Dur(msDur(hi-l.wm))))
		}
		if l.idle != "" {
			valW = max(valW, lipgloss.Width(vals[i]))
		}
	}
	barW := max(4, width-nameW-2-valW)
	for i, l := range lanes {
		var bar string
		switch {
		case l.wm == math.MinInt64:
			bar = dimStyle.Render(strings.Repeat("·", barW))
		case l.wm == math.MaxInt64:
			bar = okStyle.Render(strings.Repeat("━", barW))
		default:
			frac := 1.0
			if end > lo {
				frac = float64(l.wm-lo) / float64(end-lo)
			}
			n := int(math.Round(frac * float64(barW-1)))
			bar = okStyle.Render(strings.Repeat("━", n)+"▶") + dimStyle.Render(strings.Repeat("·", barW-n-1))
		}
		ls = append(ls, fit(fit(" "+l.name, nameW)+" "+bar+" "+vals[i], width))
		for _, p := range l.paused {
			ls = append(ls, fit("   "+warnStyle.Render(p), width))
		}
	}
	return limit(ls, height)
}

// pausedSplits describes the subtasks of source vertex v that watermark alignment has paused: the reader's
// watermark is above the highest its group allows now.
func pausedSplits(v engine.VertexSnapshot, lang i18n.Lang) []string {
	var out []string
	for _, st := range v.Subtasks {
		a := st.Alignment
		if a == nil || !a.Paused {
			continue
		}
		out = append(out, fmt.Sprintf("⏸ %d.%d %s (%s %s: wm %s > %s %s)", v.ID, st.Index, lang.T("wm.paused"),
			lang.T("wm.group"), a.Group, Millis(a.Watermark), lang.T("wm.allowed"), Millis(a.MaxAllowed)))
	}
	return out
}

// idleness summarises a vertex's idleness over its subtasks: its idle input channels ("idle in 1/4", empty
// if none) and its idle outputs ("idle" when every subtask's output is, "idle 1/2" when some are).
func idleness(v engine.VertexSnapshot, lang i18n.Lang) (in, out string) {
	var chans, idleChans, idleOuts int
	for _, st := range v.Subtasks {
		chans += len(st.IdleInputs)
		for _, idle := range st.IdleInputs {
			if idle {
				idleChans++
			}
		}
		if st.OutputIdle {
			idleOuts++
		}
	}
	if idleChans > 0 {
		in = fmt.Sprintf("%s %d/%d", lang.T("wm.idleIn"), idleChans, chans)
	}
	switch {
	case idleOuts == 0:
	case idleOuts == len(v.Subtasks):
		out = lang.T("wm.idle")
	default:
		out = fmt.Sprintf("%s %d/%d", lang.T("wm.idle"), idleOuts, len(v.Subtasks))
	}
	return in, out
}

// Windows draws the open windows (bounds, keys, elements) and the recent firings, late firings, purges and
// late records from the events, with the late counts per operator.
func Windows(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	type agg struct{ keys, elems int64 }
	open := map[[2]int64]*agg{}
	var late []string
	for _, v := range s.Vertices {
		for _, st := range v.Subtasks {
			for _, w := range st.Windows {
				k := [2]int64{w.Start, w.End}
				if open[k] == nil {
					open[k] = &agg{}
				}
				open[k].keys += w.Keys
				open[k].elems += w.Elements
			}
		}
		for _, op := range v.Operators {
			if op.LateDropped+op.LateSideOutput > 0 {
				late = append(late, fmt.Sprintf(lang.T("win.lateCounts"), op.Name, op.LateDropped, op.LateSideOutput))
			}
		}
	}
	bounds := make([][2]int64, 0, len(open))
	for k := range open {
		bounds = append(bounds, k)
	}
	sort.Slice(bounds, func(i, j int) bool { return bounds[i][0] < bounds[j][0] })
	ls := []string{title(lang.T("win.title"), "", width)}
	for _, b := range bounds {
		a := open[b]
		ls = append(ls, fit(fmt.Sprintf(" %s [%s, %s) %s=%d n=%d", warnStyle.Render(lang.T("win.open")), Millis(b[0]), Millis(b[1]), lang.T("state.keys"), a.keys, a.elems), width))
	}
	var recent []string
	evs := h.Events()
	for i := len(evs) - 1; i >= 0 && len(recent) < 6; i-- {
		e := evs[i]
		w := fmt.Sprintf("[%s, %s)", Millis(e.Window.Start), Millis(e.Window.End))
		switch e.Kind {
		case engine.EventWindowFired:
			recent = append(recent, fmt.Sprintf(" %s %v %s n=%d", okStyle.Render(lang.T("win.fired")), e.Key, w, e.Count))
		case engine.EventWindowLateFired:
			recent = append(recent, fmt.Sprintf(" %s %v %s n=%d", lateStyle.Render(lang.T("win.late")), e.Key, w, e.Count))
		case engine.EventWindowPurged:
			recent = append(recent, fmt.Sprintf(" %s %v %s", dimStyle.Render(lang.T("win.purged")), e.Key, w))
		case engine.EventLateRecord:
			recent = append(recent, fmt.Sprintf(" %s %v ts=%s wm=%s", badStyle.Render(lang.T("win.lateRecord")), e.Key, Millis(e.Timestamp), Millis(e.Watermark)))
		}
	}
	if len(bounds) == 0 && len(recent) == 0 {
		ls = append(ls, dimStyle.Render(" "+lang.T("win.none")))
	}
	for _, l := range late {
		ls = append(ls, lateStyle.Render(fit(" "+l, width)))
	}
	for _, r := range recent {
		ls = append(ls, fit(r, width))
	}
	return limit(ls, height)
}

// State draws keyed state per operator and state (keys and bytes summed over subtasks, ≈ where the backend
// only estimates) with a sparkline of the job's state bytes over the History.
func State(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	type row struct {
		keys, bytes int64
		backend     string
		approx      bool
	}
	rows := map[string]*row{}
	for _, v := range s.Vertices {
		for _, st := range v.Subtasks {
			for _, ss := range st.State {
				op := ss.Operator
				if i := strings.IndexAny(op, "("); i > 0 {
					op = op[:i]
				}
				k := ss.Name + " @" + op
				if rows[k] == nil {
					rows[k] = &row{backend: ss.Backend}
				}
				rows[k].keys += ss.Keys
				rows[k].bytes += ss.Bytes
				rows[k].approx = rows[k].approx || ss.Approximate
			}
		}
	}
	series := make([]float64, 0, h.Len())
	for _, snap := range h.Snapshots() {
		var b int64
		for _, v := range snap.Vertices {
			for _, st := range v.Subtasks {
				for _, ss := range st.State {
					b += ss.Bytes
				}
			}
		}
		series = append(series, float64(b))
	}
	ls := []string{title(lang.T("state.title"), Sparkline(series, min(30, max(5, width/3))), width)}
	names := make([]string, 0, len(rows))
	for k := range rows {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) == 0 {
		ls = append(ls, dimStyle.Render(" "+lang.T("state.none")))
	}
	for _, k := range names {
		r := rows[k]
		approx := ""
		if r.approx {
			approx = "≈"
		}
		ls = append(ls, fit(fmt.Sprintf(" %s  %s%d %s  %s%s  %s", k, approx, r.keys, lang.T("state.keys"), approx, Bytes(r.bytes), dimStyle.Render(r.backend)), width))
	}
	return limit(ls, height)
}

// Checkpoints draws the checkpoint in progress (acknowledgements as a bar) and the recent history: id,
// status, duration, size, new bytes and the longest alignment.
func Checkpoints(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	ls := []string{title(lang.T("cp.title"), "", width)}
	if len(s.Checkpoints) == 0 {
		return limit(append(ls, dimStyle.Render(" "+lang.T("cp.none"))), height)
	}
	cps := s.Checkpoints
	last := cps[len(cps)-1]
	if last.Status == engine.CheckpointInProgress {
		frac := 0.0
		if last.Total > 0 {
			frac = float64(last.Acks) / float64(last.Total)
		}
		ls = append(ls, fit(fmt.Sprintf(" #%d %s %s %d/%d", last.ID, lang.T("cp.inflight"), Bar(frac, 12), last.Acks, last.Total), width))
	}
	ls = append(ls, dimStyle.Render(fit(fmt.Sprintf(" %-5s %-11s %8s %9s %9s %7s", lang.T("cp.id"), lang.T("cp.status"), lang.T("cp.duration"), lang.T("cp.size"), lang.T("cp.new"), lang.T("cp.align")), width)))
	// From cpBarsWidth cells each row ends in bars: its duration against the longest shown, the part spent
	// aligning barriers apart, and its size against the largest.
	bars := width >= cpBarsWidth
	var maxDur time.Duration
	var maxBytes int64
	for _, c := range cps {
		maxDur, maxBytes = max(maxDur, c.Duration), max(maxBytes, c.Bytes)
	}
	if bars {
		ls = append(ls, dimStyle.Render(fit(" "+lang.T("cp.legend"), width)))
	}
	for i := len(cps) - 1; i >= 0 && len(ls) < height; i-- {
		c := cps[i]
		st := string(c.Status)
		style := dimStyle
		switch c.Status {
		case engine.CheckpointCompleted:
			style = okStyle
		case engine.CheckpointAborted:
			style = badStyle
		}
		kind := ""
		if c.Savepoint {
			kind = " " + lang.T("cp.savepoint")
		}
		if c.Final {
			kind = " " + lang.T("cp.final")
		}
		row := fmt.Sprintf(" %-5d %s %8s %9s %9s %7s", c.ID, style.Render(fmt.Sprintf("%-11s", st)), Dur(c.Duration), Bytes(c.Bytes), Bytes(c.NewBytes), Dur(c.AlignMax))
		if bars {
			row += "  " + durationBar(c, maxDur, cpDurationBar) + "  " + Bar(frac(c.Bytes, maxBytes), cpSizeBar)
		}
		ls = append(ls, fit(row+kind, width))
	}
	return limit(ls, height)
}

// The checkpoint bars' widths, and the pane width from which Checkpoints draws them.
const (
	cpDurationBar = 20
	cpSizeBar     = 10
	cpBarsWidth   = 58 + cpDurationBar + cpSizeBar + 4
)

// durationBar draws a checkpoint's duration as a bar of width cells against longest: the part spent aligning
// barriers (its longest alignment) as ▒, the rest as █.
func durationBar(c engine.CheckpointStats, longest time.Duration, width int) string {
	if longest <= 0 {
		return dimStyle.Render(strings.Repeat("░", width))
	}
	total := int(math.Round(float64(c.Duration) / float64(longest) * float64(width)))
	align := min(total, int(math.Round(float64(min(c.AlignMax, c.Duration))/float64(longest)*float64(width))))
	return warnStyle.Render(strings.Repeat("▒", align)) + strings.Repeat("█", total-align) + dimStyle.Render(strings.Repeat("░", width-total))
}

// frac is n / of as a fraction, 0 when of is not positive.
func frac(n, of int64) float64 {
	if of <= 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Throughput draws the sources' and sinks' records per second over the History as sparklines, and the
// event-time lag of the slowest operator (processing time minus its watermark).
func Throughput(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	var in, out []float64
	for _, snap := range h.Snapshots() {
		var i, o float64
		for _, v := range snap.Vertices {
			if len(v.Inputs) == 0 && len(v.Operators) > 0 {
				i += v.Operators[0].RateOut
			}
			if len(v.Operators) > 0 {
				lastOp := v.Operators[len(v.Operators)-1]
				if lastOp.RecordsOut == 0 && lastOp.RecordsIn > 0 {
					o += lastOp.RateIn
				}
			}
		}
		in, out = append(in, i), append(out, o)
	}
	ls := []string{title(lang.T("tp.title"), "", width)}
	// A fast job's rate between two polls is often 0 (it ended between them): the average over the run says
	// what it did.
	var inTotal, outTotal int64
	for _, v := range s.Vertices {
		if len(v.Inputs) == 0 && len(v.Operators) > 0 {
			inTotal += v.Operators[0].RecordsOut
		}
		if len(v.Operators) > 0 {
			if lastOp := v.Operators[len(v.Operators)-1]; lastOp.RecordsOut == 0 && lastOp.RecordsIn > 0 {
				outTotal += lastOp.RecordsIn
			}
		}
	}
	avg := func(n int64) string {
		if s.Uptime <= 0 {
			return ""
		}
		return fmt.Sprintf(" %s %s", lang.T("tp.avg"), Rate(float64(n)/s.Uptime.Seconds()))
	}
	sw := max(5, width-28-lipgloss.Width(avg(inTotal)))
	ls = append(ls, fit(fmt.Sprintf(" %-12s %7s%s %s", lang.T("tp.in"), Rate(last(in)), avg(inTotal), Sparkline(in, sw)), width))
	ls = append(ls, fit(fmt.Sprintf(" %-12s %7s%s %s", lang.T("tp.out"), Rate(last(out)), avg(outTotal), Sparkline(out, sw)), width))
	lowest := int64(math.MaxInt64)
	for _, v := range s.Vertices {
		for _, op := range v.Operators {
			if op.Watermark != math.MinInt64 && op.Watermark < lowest {
				lowest = op.Watermark
			}
		}
	}
	if lowest != math.MaxInt64 && s.ProcTime > lowest && s.ProcTime-lowest < int64(365*24*3600*1000) {
		ls = append(ls, fit(fmt.Sprintf(" %s %s", lang.T("tp.lag"), Dur(msDur(s.ProcTime-lowest))), width))
	}
	return limit(ls, height)
}

func last(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}
