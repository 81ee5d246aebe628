// Package tutorials holds Weir's guided lessons: notebooks in English (en/) and Korean (ko/) that follow the
// DE4E book and Flink's training, embedded in the weir binary.
//
// Each lesson is a notebook (see package notebook) whose first annotation gives its number, language, DE4E
// section, recording and expected minutes. Exercise cells carry a hidden solution cell, and check cells
// verify the learner's results against the answers recorded next to the bundled recordings, so that
// weir check --solutions proves every lesson in CI and weir check proves a learner's own work.
package tutorials

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/de4e/weir/notebook"
)

//go:embed en/*.md ko/*.md
var files embed.FS

// Lesson is one bundled tutorial notebook.
type Lesson struct {
	Path    string // the path inside the bundle, such as "en/01-batch-and-stream.md"
	Number  int
	Lang    string // "en" or "ko"
	Title   string
	DE4E    string // the book's sections it follows
	Minutes int    // how long it takes a newcomer
}

// Lessons returns the bundled lessons of a language ("" for all), in lesson order.
func Lessons(lang string) ([]Lesson, error) {
	var out []Lesson
	for _, dir := range []string{"en", "ko"} {
		if lang != "" && lang != dir {
			continue
		}
		entries, err := fs.ReadDir(files, dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			p := path.Join(dir, e.Name())
			nb, err := Open(p)
			if err != nil {
				return nil, err
			}
			m := nb.Meta()
			l := Lesson{Path: p, Lang: dir, Title: nb.Title()}
			if n, ok := m["lesson"].(float64); ok {
				l.Number = int(n)
			}
			if n, ok := m["minutes"].(float64); ok {
				l.Minutes = int(n)
			}
			l.DE4E, _ = m["de4e"].(string)
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Number != out[j].Number {
			return out[i].Number < out[j].Number
		}
		return out[i].Lang < out[j].Lang
	})
	return out, nil
}

// Source returns a bundled lesson's Markdown.
func Source(p string) ([]byte, error) {
	b, err := files.ReadFile(strings.TrimPrefix(p, "tutorials/"))
	if err != nil {
		return nil, fmt.Errorf("tutorials: no lesson %q", p)
	}
	return b, nil
}

// Open parses a bundled lesson.
func Open(p string) (*notebook.Notebook, error) {
	b, err := Source(p)
	if err != nil {
		return nil, err
	}
	return notebook.Parse(p, b)
}
