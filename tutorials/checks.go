package tutorials

import (
	"github.com/de4e/weir/notebook"
)

// RestoreChecks gives nb, a learner's copy of a bundled lesson (the same lesson number and language in its
// annotation), the bundled lesson's own check cells: each check cell of the copy is replaced, by id, with the
// lesson's text, and a cell the copy marks as a check but the lesson does not is no longer one (so that it
// cannot call the check package). A copy is judged by the lesson's checks, however its check cells were
// edited. It returns the ids of the lesson's check cells the copy lacks, and false if nb is not a copy of a
// bundled lesson (then nb is unchanged).
func RestoreChecks(nb *notebook.Notebook) (missing []string, ok bool) {
	m := nb.Meta()
	number, _ := m["lesson"].(float64)
	lang, _ := m["lang"].(string)
	if number == 0 || lang == "" {
		return nil, false
	}
	lessons, err := Lessons(lang)
	if err != nil {
		return nil, false
	}
	var bundled *notebook.Notebook
	for _, l := range lessons {
		if l.Number == int(number) {
			bundled, err = Open(l.Path)
			if err != nil {
				return nil, false
			}
		}
	}
	if bundled == nil {
		return nil, false
	}
	checks := map[string]*notebook.Block{}
	for _, c := range bundled.Cells() {
		if c.Meta.Check != "" {
			checks[c.Meta.ID] = c
		}
	}
	seen := map[string]bool{}
	for _, c := range nb.Cells() {
		if want, ok := checks[c.Meta.ID]; ok {
			c.Text, c.Meta.Check = want.Text, want.Meta.Check
			seen[c.Meta.ID] = true
			continue
		}
		c.Meta.Check = ""
	}
	for _, c := range bundled.Cells() {
		if c.Meta.Check != "" && !seen[c.Meta.ID] {
			missing = append(missing, c.Meta.ID)
		}
	}
	return missing, true
}
