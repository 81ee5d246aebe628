package live

import (
	"fmt"
	"math"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/engine/ml"
	"github.com/de4e/weir/tui/i18n"
)

// modelProgress finds the ModelProgress an estimator (engine/ml) publishes through the gauge ml.ProgressGauge
// in s.
func modelProgress(s engine.JobSnapshot) (ml.ModelProgress, bool) {
	p, ok := findGauge(s, ml.ProgressGauge).(ml.ModelProgress)
	return p, ok
}

// hasModel reports whether the latest snapshot has an estimator's training operator.
func hasModel(h *History) bool {
	_, ok := modelProgress(h.latestOrZero())
	return ok
}

// Model draws the training of a model (engine/ml): an online one's (OnlineKMeans, OnlineLogisticRegression,
// OnlineStandardScaler) latest version and the rows it learnt from, or a batch fit's (KMeans,
// LinearRegression, LogisticRegression, LDA) iteration of how many and the rows it trains on; a sparkline of
// the figure each version or iteration reports (the centroids' movement, KMeans's largest centroid shift, the
// loss, LDA's topic change) with the latest value; and the latest vectors, if any (centroids with their weights, the coefficient or a
// multinomial model's row per class, the mean and standard deviation), each with how far it moved since the
// previous snapshot, so a drifting stream shows its centroids moving.
func Model(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	p, ok := modelProgress(s)
	if !ok {
		return ""
	}
	var prev map[string][]float64
	if h.Len() >= 2 {
		if pp, ok := modelProgress(h.Snapshot(h.Len() - 2)); ok {
			prev = map[string][]float64{}
			for _, v := range pp.Vectors {
				prev[v.Name] = v.Values
			}
		}
	}
	note := fmt.Sprintf(lang.T("ml.version"), p.Version, p.Rows)
	if p.MaxIterations > 0 {
		note = fmt.Sprintf(lang.T("ml.iteration"), p.Version, p.MaxIterations, p.Rows)
	}
	ls := []string{title(lang.T("ml.title")+" "+p.Estimator, note, width)}
	if p.Metric != "" {
		sr := series{label: lang.T("ml.metric." + p.Metric), last: "-", vals: make([]float64, len(p.History))}
		for i, m := range p.History {
			sr.vals[i] = m.Value
			sr.last = fmt.Sprintf("%.4g", m.Value)
		}
		ls = append(ls, seriesLines([]series{sr}, width)...)
	}
	if len(p.Vectors) == 0 { // LDA's topics are as long as the vocabulary: no vectors
		return limit(ls, height)
	}
	weighted := false
	for _, v := range p.Vectors {
		weighted = weighted || v.Weight != 0
	}
	nameW := lipgloss.Width(lang.T("ml.vector"))
	for _, v := range p.Vectors {
		nameW = max(nameW, lipgloss.Width(v.Name))
	}
	const weightW, movedW = 8, 8
	head := " " + fit(lang.T("ml.vector"), nameW)
	if weighted {
		head += " " + padLeft(lang.T("ml.weight"), weightW)
	}
	head += " " + padLeft(lang.T("ml.moved"), movedW) + "  " + lang.T("ml.values")
	ls = append(ls, dimStyle.Render(fit(head, width)))
	for _, v := range p.Vectors {
		row := " " + fit(v.Name, nameW)
		if weighted {
			row += " " + padLeft(fmt.Sprintf("%.4g", v.Weight), weightW)
		}
		moved := "-"
		if before, ok := prev[v.Name]; ok && len(before) == len(v.Values) {
			d := 0.0
			for i, x := range v.Values {
				d += (x - before[i]) * (x - before[i])
			}
			moved = fmt.Sprintf("%.3g", math.Sqrt(d))
			if d > 0 {
				moved = warnStyle.Render(moved)
			}
		}
		parts := make([]string, len(v.Values))
		for i, x := range v.Values {
			parts[i] = fmt.Sprintf("%.4g", x)
		}
		row += " " + padLeft(moved, movedW) + "  (" + strings.Join(parts, ", ") + ")"
		ls = append(ls, fit(row, width))
	}
	return limit(ls, height)
}
