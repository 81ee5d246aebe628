// Package notebook reads and writes Weir notebooks: Markdown files in which ```go and ```sql fences are code
// cells (Go, and Flink SQL run through engine/table) and everything else is prose.
//
// A notebook has an H1 title and H2 sections. A cell may be preceded, on the line just above its fence, by an
// annotation
//
//	<!-- weir:{"id":"count","mode":"table"} -->
//
// whose JSON sets the cell's Meta (id, read-only, result mode, exercise, solution, check). Keys this version
// does not know are kept and written back. An annotation anywhere else stays part of the prose; the first one
// before the first cell is the notebook's own (Notebook.Meta), for example its language and DE4E section.
//
// Parse followed by Render gives back the same bytes. Save writes atomically (a temporary file in the same
// directory, fsync, rename) and keeps the previous version as NAME.bak; SaveRecovery and LoadRecovery keep an
// unsaved copy beside the file for the workbench's autosave.
package notebook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The cell languages (Block.Lang): the info string of a cell's fence.
const (
	LangGo  = "go"
	LangSQL = "sql"
)

// Kind says whether a block is prose or a code cell.
type Kind uint8

// The block kinds.
const (
	Prose Kind = iota
	Code
)

// Block is a run of prose or one code cell.
type Block struct {
	Kind Kind
	// Text is the prose's Markdown, or the cell's source without its fences (ending in a newline unless
	// empty).
	Text string
	// Meta is the cell's annotation; the zero Meta for prose and for cells without one.
	Meta Meta
	// Lang is a cell's language, the info string of its fence: LangGo or LangSQL. "" (a Block made in code)
	// is Go.
	Lang string

	// The exact bytes read, so that an unchanged block renders as it was.
	rawAnnot, rawOpen, rawClose string
	parsedText                  string
	parsedMeta                  string
	parsedLang                  string
	line                        int // the line of the annotation, or of the opening fence without one, from 1 (0: new)
}

// Meta is a cell's annotation.
type Meta struct {
	// ID names the cell; checks and the workbench refer to cells by it. Parse gives cells without one an
	// id "cell-N" (N counting code cells from 1, or the next number no annotated cell uses) that is not
	// written back unless the cell's annotation changes; a new cell (NewCell) always writes its id.
	ID string `json:"id,omitempty"`
	// ReadOnly cells cannot be edited in the workbench.
	ReadOnly bool `json:"readonly,omitempty"`
	// Mode is how the results a cell collects are shown: "append" (the default), "table" (the latest row per
	// key, updated in place), "changelog" (+I, -U, +U, -D rows) or "value" (the latest value only).
	Mode string `json:"mode,omitempty"`
	// Key names the struct field that identifies a row in table and changelog modes; by default the first
	// field (Key, Start and End for window results).
	Key string `json:"key,omitempty"`
	// Exercise marks a cell the learner is to complete; its value names the exercise.
	Exercise string `json:"exercise,omitempty"`
	// Solution marks a hidden cell holding the answer to the exercise it names; weir check --solutions runs
	// it in place of the exercise.
	Solution string `json:"solution,omitempty"`
	// Check marks a cell of checks (check.Equal, check.True) run by weir check; its value names what it
	// checks.
	Check string `json:"check,omitempty"`
	// Hidden cells are not shown in the workbench (solutions are hidden whether or not this is set).
	Hidden bool `json:"hidden,omitempty"`
	// Extra holds the keys this version does not know, written back unchanged.
	Extra map[string]json.RawMessage `json:"-"`
}

var knownKeys = map[string]bool{"id": true, "readonly": true, "mode": true, "key": true, "exercise": true,
	"solution": true, "check": true, "hidden": true}

// UnmarshalJSON reads the known keys into their fields and keeps the others in Extra.
func (m *Meta) UnmarshalJSON(b []byte) error {
	type plain Meta
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for k, v := range all {
		if !knownKeys[k] {
			if p.Extra == nil {
				p.Extra = map[string]json.RawMessage{}
			}
			p.Extra[k] = v
		}
	}
	*m = Meta(p)
	return nil
}

// MarshalJSON writes the known fields that are set and every Extra key, in sorted order.
func (m Meta) MarshalJSON() ([]byte, error) {
	type plain Meta
	b, err := json.Marshal(plain(m))
	if err != nil || len(m.Extra) == 0 {
		return b, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for k, v := range m.Extra {
		all[k] = v
	}
	return json.Marshal(all) // encoding/json sorts map keys
}

// IsZero reports whether m has nothing to write.
func (m Meta) IsZero() bool {
	return m.ID == "" && !m.ReadOnly && m.Mode == "" && m.Key == "" && m.Exercise == "" && m.Solution == "" &&
		m.Check == "" && !m.Hidden && len(m.Extra) == 0
}

func (m Meta) String() string {
	b, _ := json.Marshal(m)
	return string(b)
}

// Notebook is a parsed notebook.
type Notebook struct {
	Blocks []*Block

	bom  bool        // the file began with a UTF-8 byte-order mark
	disk fingerprint // the file as Load read it or Save wrote it, to notice another writer
}

// ErrFormat is wrapped by Parse's errors.
var ErrFormat = errors.New("notebook: bad format")

const annotPrefix, annotSuffix = "<!-- weir:", "-->"

// Parse reads a notebook. name is used in errors only. A bad annotation or an unclosed code fence is an
// error wrapping ErrFormat that names the line.
func Parse(name string, src []byte) (*Notebook, error) {
	nb := &Notebook{}
	if bytes.HasPrefix(src, utf8BOM) {
		// A byte-order mark (some Windows editors write one) is not prose: it is kept aside and written back.
		nb.bom, src = true, src[len(utf8BOM):]
	}
	lines := splitLines(string(src))
	var prose strings.Builder
	flushProse := func() {
		if prose.Len() > 0 {
			t := prose.String()
			nb.Blocks = append(nb.Blocks, &Block{Kind: Prose, Text: t, parsedText: t})
			prose.Reset()
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		annot := ""
		var meta Meta
		if isAnnotation(line) && i+1 < len(lines) && fenceLang(lines[i+1]) != "" {
			js := strings.TrimSpace(line)
			js = strings.TrimSuffix(strings.TrimPrefix(js, annotPrefix), annotSuffix)
			if err := json.Unmarshal([]byte(js), &meta); err != nil {
				return nil, fmt.Errorf("%w: %s:%d: annotation: %v", ErrFormat, name, i+1, err)
			}
			annot = line
			i++
			line = lines[i]
		}
		lang := fenceLang(line)
		if lang == "" {
			prose.WriteString(line)
			continue
		}
		flushProse()
		ticks := fenceTicks(line)
		open := i
		var code strings.Builder
		closed := ""
		for i++; i < len(lines); i++ {
			if t := strings.TrimSpace(lines[i]); len(t) >= ticks && strings.Trim(t, "`") == "" {
				closed = lines[i]
				break
			}
			code.WriteString(lines[i])
		}
		if closed == "" {
			return nil, fmt.Errorf("%w: %s:%d: code fence is never closed", ErrFormat, name, open+1)
		}
		b := &Block{Kind: Code, Text: code.String(), Meta: meta, Lang: lang, rawAnnot: annot, rawOpen: lines[open], rawClose: closed}
		b.parsedText, b.parsedLang = b.Text, lang
		b.parsedMeta = meta.String()
		b.line = open + 1
		if annot != "" {
			b.line = open // the annotation's line, which names the id
		}
		nb.Blocks = append(nb.Blocks, b)
	}
	flushProse()
	if err := nb.assignIDs(name); err != nil {
		return nil, err
	}
	return nb, nil
}

// utf8BOM is the byte-order mark Parse skips and Render writes back.
var utf8BOM = []byte("\ufeff")

// assignIDs refuses two cells annotated with one id, naming both lines, and gives each cell without an id
// "cell-N", N counting code cells from 1, or the next number no other cell has, so that a generated id never
// collides with an explicit one (an edited notebook writes the ids it generated).
func (nb *Notebook) assignIDs(name string) error {
	explicit := map[string]int{}
	for _, c := range nb.Cells() {
		if c.Meta.ID == "" {
			continue
		}
		if line, dup := explicit[c.Meta.ID]; dup {
			return fmt.Errorf("%w: %s:%d: two cells have the id %q (the other is at line %d)", ErrFormat, name, c.line, c.Meta.ID, line)
		}
		explicit[c.Meta.ID] = c.line
	}
	used := map[string]bool{}
	for id := range explicit {
		used[id] = true
	}
	for i, c := range nb.Cells() {
		if c.Meta.ID != "" {
			continue
		}
		n := i + 1
		for used[fmt.Sprintf("cell-%d", n)] {
			n++
		}
		c.Meta.ID = fmt.Sprintf("cell-%d", n)
		used[c.Meta.ID] = true
		c.parsedMeta = c.Meta.String()
	}
	return nil
}

func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

func isAnnotation(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, annotPrefix) && strings.HasSuffix(t, annotSuffix)
}

// fenceLang returns the language of a line that opens a code cell (LangGo for ```go, LangSQL for ```sql),
// or "" for any other line.
func fenceLang(line string) string {
	t := strings.TrimSpace(line)
	if !strings.HasPrefix(t, "```") {
		return ""
	}
	info := strings.TrimSpace(strings.TrimLeft(t, "`"))
	for _, l := range []string{LangGo, LangSQL} {
		if info == l || strings.HasPrefix(info, l+" ") {
			return l
		}
	}
	return ""
}

// IsSQL reports whether the block is a cell of Flink SQL.
func (b *Block) IsSQL() bool { return b.Kind == Code && b.Lang == LangSQL }

// lang returns the cell's language, "" read as Go.
func (b *Block) lang() string {
	if b.Lang == "" {
		return LangGo
	}
	return b.Lang
}

// Render writes the notebook back as Markdown. Unchanged blocks are written exactly as they were read; a
// changed cell's annotation is written in a canonical form (sorted keys).
// A cell whose id the file did not name gets it written when reading the file back would number it
// otherwise (a cell was inserted or moved before it), so ids are stable across saves.
func (nb *Notebook) Render() []byte {
	var b bytes.Buffer
	if nb.bom {
		b.Write(utf8BOM)
	}
	pinned := nb.pinnedIDs()
	for i, bl := range nb.Blocks {
		switch bl.Kind {
		case Prose:
			b.WriteString(bl.Text)
			if !strings.HasSuffix(bl.Text, "\n") && i+1 < len(nb.Blocks) {
				b.WriteByte('\n')
			}
		case Code:
			meta := bl.Meta.String()
			switch {
			case pinned[bl]:
				fmt.Fprintf(&b, "%s%s %s\n", annotPrefix, meta, annotSuffix)
			case bl.rawOpen != "" && meta == bl.parsedMeta:
				b.WriteString(bl.rawAnnot)
			case bl.rawOpen == "" || !isDefaultID(bl):
				// A new cell always writes its id, so that it keeps it when the notebook is reopened.
				fmt.Fprintf(&b, "%s%s %s\n", annotPrefix, meta, annotSuffix)
			}
			open, closing := bl.rawOpen, bl.rawClose
			if ticks := fenceFor(bl.Text); open == "" || bl.lang() != bl.parsedLang || (bl.Text != bl.parsedText && ticks > fenceTicks(open)) {
				// A new cell, one whose language changed, or an edited one whose text now holds a line that would
				// close its fence: a fence longer than any run of backticks that could close it (CommonMark's
				// rule).
				ticks = max(ticks, fenceTicks(open))
				open, closing = strings.Repeat("`", ticks)+bl.lang()+"\n", strings.Repeat("`", ticks)+"\n"
			}
			b.WriteString(open)
			b.WriteString(bl.Text)
			if bl.Text != "" && !strings.HasSuffix(bl.Text, "\n") {
				b.WriteByte('\n')
			}
			b.WriteString(closing)
			if !strings.HasSuffix(closing, "\n") && i+1 < len(nb.Blocks) {
				b.WriteByte('\n')
			}
		}
	}
	return b.Bytes()
}

// fenceFor returns how many backticks a fence around text needs: at least 3, and more than any line of
// text that holds only backticks (which would close a shorter fence).
func fenceFor(text string) int {
	n := 3
	for _, l := range splitLines(text) {
		if t := strings.TrimSpace(l); t != "" && strings.Trim(t, "`") == "" && len(t) >= n {
			n = len(t) + 1
		}
	}
	return n
}

// fenceTicks returns the number of backticks a fence line opens with.
func fenceTicks(line string) int {
	t := strings.TrimSpace(line)
	return len(t) - len(strings.TrimLeft(t, "`"))
}

// isDefaultID reports whether a cell's only annotation is an id of the form Parse or NewCell gives.
func isDefaultID(bl *Block) bool {
	m := bl.Meta
	m.ID = ""
	return m.IsZero() && strings.HasPrefix(bl.Meta.ID, "cell-")
}

// Cells returns the code cells in order.
func (nb *Notebook) Cells() []*Block {
	var out []*Block
	for _, b := range nb.Blocks {
		if b.Kind == Code {
			out = append(out, b)
		}
	}
	return out
}

// Cell returns the cell with the given id, or nil.
func (nb *Notebook) Cell(id string) *Block {
	for _, c := range nb.Cells() {
		if c.Meta.ID == id {
			return c
		}
	}
	return nil
}

// Title returns the text of the first H1 heading, or "".
func (nb *Notebook) Title() string {
	for _, b := range nb.Blocks {
		if b.Kind != Prose {
			continue
		}
		for _, l := range splitLines(b.Text) {
			if t := strings.TrimSpace(l); strings.HasPrefix(t, "# ") {
				return strings.TrimSpace(t[2:])
			}
		}
	}
	return ""
}

// Meta returns the notebook's own annotation: the first one in the prose before the first cell.
func (nb *Notebook) Meta() map[string]any {
	for _, b := range nb.Blocks {
		if b.Kind == Code {
			break
		}
		for _, l := range splitLines(b.Text) {
			if isAnnotation(l) {
				js := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(l), annotPrefix), annotSuffix)
				var m map[string]any
				if json.Unmarshal([]byte(js), &m) == nil {
					return m
				}
			}
		}
	}
	return map[string]any{}
}

// NewCell returns an empty code cell with an id not used in nb.
func (nb *Notebook) NewCell() *Block {
	ids := map[string]bool{}
	for _, c := range nb.Cells() {
		ids[c.Meta.ID] = true
	}
	n := len(ids) + 1
	for ids[fmt.Sprintf("cell-%d", n)] {
		n++
	}
	return &Block{Kind: Code, Meta: Meta{ID: fmt.Sprintf("cell-%d", n)}}
}

// Exercises returns the exercise names in the order their cells appear, with their solution cells (nil when
// a notebook has no solution for one).
func (nb *Notebook) Exercises() (names []string, solutions map[string]*Block) {
	solutions = map[string]*Block{}
	for _, c := range nb.Cells() {
		if c.Meta.Exercise != "" {
			names = append(names, c.Meta.Exercise)
		}
		if c.Meta.Solution != "" {
			solutions[c.Meta.Solution] = c
		}
	}
	return names, solutions
}
