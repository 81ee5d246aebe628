package live

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/de4e/weir/engine"
	"github.com/de4e/weir/tui/i18n"
)

// Stages draws the stages of a Batch job, which the dashboard shows in place of the watermark lanes (a Batch
// job passes no watermark but the final one). A line per stage, in the order the stages run: a mark and
// its state (✓ finished, ▶ running, · waiting, ✗ failed), its number and vertices, their names, then for a
// stage that has run its attempts, the records it read and wrote (engine.StageSnapshot) and how long its
// last attempt ran, and for a waiting stage the stages it reads. The title counts the stages per state.
func Stages(h *History, width, height int, lang i18n.Lang) string {
	s, ok := h.Latest()
	if !ok {
		return ""
	}
	count := map[engine.StageState]int{}
	for _, st := range s.Stages {
		count[st.State]++
	}
	note := fmt.Sprintf("%d %s · %d %s · %d %s", count[engine.StageFinished], lang.T("stage.finished"),
		count[engine.StageRunning], lang.T("stage.running"), count[engine.StageWaiting], lang.T("stage.waiting"))
	if n := count[engine.StageFailed]; n > 0 {
		note += fmt.Sprintf(" · %d %s", n, lang.T("stage.failed"))
	}
	ls := []string{title(lang.T("stage.title"), note, width)}
	labels := map[engine.StageState]string{engine.StageFinished: lang.T("stage.finished"), engine.StageRunning: lang.T("stage.running"),
		engine.StageWaiting: lang.T("stage.waiting"), engine.StageFailed: lang.T("stage.failed")}
	stateW := 0
	for _, l := range labels {
		stateW = max(stateW, lipgloss.Width(l))
	}
	nameW := max(8, min(28, width/3))
	for _, st := range s.Stages {
		mark, style := "·", dimStyle
		switch st.State {
		case engine.StageFinished:
			mark, style = "✓", okStyle
		case engine.StageRunning:
			mark, style = "▶", warnStyle
		case engine.StageFailed:
			mark, style = "✗", badStyle
		}
		ids := make([]string, len(st.Vertices))
		for i, v := range st.Vertices {
			ids[i] = fmt.Sprint(v)
		}
		head := fmt.Sprintf(" %s %d [%s] ", style.Render(mark), st.ID, strings.Join(ids, " "))
		line := head + fit(strings.Join(st.VertexNames, ", "), nameW) + " " + style.Render(fit(labels[st.State], stateW))
		if st.Attempts == 0 {
			if len(st.Inputs) > 0 {
				in := make([]string, len(st.Inputs))
				for i, v := range st.Inputs {
					in[i] = fmt.Sprint(v)
				}
				line += dimStyle.Render(fmt.Sprintf("  %s %s", lang.T("stage.reads"), strings.Join(in, ", ")))
			}
			ls = append(ls, fit(line, width))
			continue
		}
		attempts := fmt.Sprintf("%s %d", lang.T("stage.attempt"), st.Attempts)
		if st.Attempts > 1 {
			attempts = warnStyle.Render(attempts)
		}
		line += fmt.Sprintf("  %s  %s %s  %s %s", attempts, lang.T("stage.in"), Rate(float64(st.RecordsIn)),
			lang.T("stage.out"), Rate(float64(st.RecordsOut)))
		switch {
		case !st.Finished.IsZero() && !st.Started.IsZero():
			line += "  " + Dur(st.Finished.Sub(st.Started))
		case st.State == engine.StageRunning && !st.Started.IsZero() && !s.Time.IsZero():
			line += "  " + Dur(s.Time.Sub(st.Started))
		}
		ls = append(ls, fit(line, width))
	}
	return limit(ls, height)
}
