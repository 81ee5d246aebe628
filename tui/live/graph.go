package live

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/graph"
	"github.com/de4e/weir/tui/i18n"
)

// graphProgress finds the Progress a graph iteration publishes through the gauge graph.ProgressGauge in s.
func graphProgress(s engine.JobSnapshot) (graph.Progress, bool) {
	p, ok := findGauge(s, graph.ProgressGauge).(graph.Progress)
	return p, ok
}

// hasGraph reports whether the latest snapshot is a graph iteration's superstep.
func hasGraph(h *History) bool {
	_, ok := graphProgress(h.latestOrZero())
	return ok
}

// GraphIteration draws the graph iteration (engine/graph) whose superstep the History's job is: its model
// and superstep, a sparkline per superstep of the vertices that were active, the messages sent and the
// vertices updated (the running superstep's counts so far at the right), and the vertices ranked by value:
// the highest scores (PageRank, HITS's authorities, distances) or the values most vertices share
// (components, labels, communities), each with a bar against the first.
func GraphIteration(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	p, ok := graphProgress(s)
	if !ok {
		return ""
	}
	note := fmt.Sprintf("%s · "+lang.T("it.of")+" · "+lang.T("gi.vertices"), p.Model, p.Superstep, p.MaxIterations, p.Vertices)
	if p.Running {
		note += " · " + warnStyle.Render(lang.T("it.running"))
	}
	ls := []string{title(lang.T("gi.title")+" "+p.Iteration, note, width)}

	rows := []struct {
		label string
		get   func(graph.SuperstepCounts) int64
	}{
		{lang.T("gi.active"), func(c graph.SuperstepCounts) int64 { return c.Active }},
		{lang.T("gi.messages"), func(c graph.SuperstepCounts) int64 { return c.Messages }},
		{lang.T("gi.updated"), func(c graph.SuperstepCounts) int64 { return c.Updated }},
	}
	ss := make([]series, len(rows))
	for i, r := range rows {
		ss[i] = series{label: r.label, last: "-"}
		for _, c := range p.Supersteps {
			ss[i].vals = append(ss[i].vals, float64(r.get(c)))
			ss[i].last = fmt.Sprint(r.get(c))
		}
	}
	ls = append(ls, seriesLines(ss, width)...)

	// The ranking: labels and values in columns, a bar against the first row.
	type ranked struct {
		label, value string
		weight       float64
	}
	var rs []ranked
	head := lang.T("gi.top")
	if p.Ranking == graph.RankByGroup {
		head = lang.T("gi.groups")
		for _, g := range p.Groups {
			rs = append(rs, ranked{aggregateText(g.Value), fmt.Sprintf(lang.T("gi.vertices"), g.Vertices), float64(g.Vertices)})
		}
	} else {
		for _, v := range p.Top {
			rs = append(rs, ranked{aggregateText(v.ID), scoreText(v.Value), numeric(scoreOf(v.Value))})
		}
	}
	ls = append(ls, dimStyle.Render(fit(" "+head, width)))
	idW, valueW := 0, 0
	for _, r := range rs {
		idW, valueW = max(idW, lipgloss.Width(r.label)), max(valueW, lipgloss.Width(r.value))
	}
	barW := max(3, min(20, width-idW-valueW-6))
	for _, r := range rs {
		frac := 0.0
		if rs[0].weight > 0 {
			frac = r.weight / rs[0].weight
		}
		ls = append(ls, fit(fmt.Sprintf("   %s %s %s", padLeft(r.label, idW), padLeft(r.value, valueW), okStyle.Render(strings.Repeat("▮", max(1, int(frac*float64(barW)+0.5))))), width))
	}
	if len(rs) == 0 {
		ls = append(ls, dimStyle.Render(fit("   "+lang.T("gi.none"), width)))
	}
	return limit(ls, height)
}

// scoreOf is the number a ranked vertex's value is ranked by: the value, or a HITS vertex's authority.
func scoreOf(v any) any {
	if s, ok := v.(graph.HITSScores); ok {
		return s.Authority
	}
	return v
}

// scoreText formats a ranked vertex's value: numbers to four significant figures, HITS scores as both.
func scoreText(v any) string {
	if s, ok := v.(graph.HITSScores); ok {
		return fmt.Sprintf("hub %.4g auth %.4g", s.Hub, s.Authority)
	}
	return aggregateText(v)
}
