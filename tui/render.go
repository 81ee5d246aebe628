package tui

import (
	"regexp"
	"strings"
	"sync"

	"charm.land/glamour/v2"
	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2/quick"
)

// The workbench's styles. Colours are ANSI-256 indexes so that they read on dark and light backgrounds.
var (
	accent     = lipgloss.Color("6")
	dim        = lipgloss.Color("8")
	titleStyle = lipgloss.NewStyle().Bold(true).Foreground(accent)
	dimStyle   = lipgloss.NewStyle().Foreground(dim)
	okStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
	warnStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("3"))
	errStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	selStyle   = lipgloss.NewStyle().Foreground(accent).Bold(true)
	barStyle   = lipgloss.NewStyle().Reverse(true)
)

// markdown renders prose with glamour, caching by text and width: rendering is slow and a notebook redraws
// several times a second while a job runs.
type markdown struct {
	mu        sync.Mutex
	width     int
	r         *glamour.TermRenderer
	cache     map[string]string
	highlight map[string]string
}

var annotationRE = regexp.MustCompile(`(?m)^[ \t]*<!-- weir:.*-->[ \t]*\n?`)

func (m *markdown) render(text string, width int) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if width < 10 {
		width = 10
	}
	if m.r == nil || m.width != width {
		r, err := glamour.NewTermRenderer(glamour.WithStandardStyle("dark"), glamour.WithWordWrap(width-2))
		if err != nil {
			return text
		}
		m.r, m.width, m.cache = r, width, map[string]string{}
	}
	if s, ok := m.cache[text]; ok {
		return s
	}
	out, err := m.r.Render(hangLists(annotationRE.ReplaceAllString(text, ""), width))
	if err != nil {
		out = text
	}
	out = strings.Trim(out, "\n")
	m.cache[text] = out
	return out
}

// code highlights source in a language chroma knows ("go", "sql") for display (the editor itself shows
// plain text).
func (m *markdown) code(src, lang string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.highlight == nil {
		m.highlight = map[string]string{}
	}
	key := lang + "\x00" + src
	if s, ok := m.highlight[key]; ok {
		return s
	}
	var b strings.Builder
	if err := quick.Highlight(&b, src, lang, "terminal256", "monokai"); err != nil {
		return src
	}
	out := strings.TrimRight(b.String(), "\n")
	if len(m.highlight) > 500 {
		m.highlight = map[string]string{}
	}
	m.highlight[key] = out
	return out
}
