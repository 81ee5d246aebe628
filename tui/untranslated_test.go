package tui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/de4e/weir/tui/i18n"
)

// englishWord is a word of three or more letters in a string literal: a string a learner may read.
var englishWord = regexp.MustCompile(`[A-Za-z]{3,}`)

// notProse are literals of the workbench's code that hold letters but are never shown as prose: key names,
// styles, formats, words that are the same in Korean (the engine's and Flink's names), file names.
var notProse = map[string]bool{
	"Weir": true, ".markdown": true, ".txt": true, // the name, extensions
	"weir-savepoint-": true, "weir": true, "lessons": true, "state.json": true, ".corrupt": true, // files
	"dark": true, "terminal256": true, "monokai": true, // styles
	"%dms": true, "%.1f %ciB": true, "KMGTPE": true, // units
	"HIGH": true, "LOW": true, // Flink's backpressure levels, as its web UI names them
	"it.end.":            true, // an i18n key's prefix
	"speed":              true, // a notebook annotation's key
	"sql":                true, // a code fence's language
	"ml.metric.":         true, // an i18n key's prefix
	"hub %.4g auth %.4g": true, // HITS's two scores, as Gelly names them
}

// keyName matches the names of keys ("ctrl+r", "shift+enter", "pgdn") and lists of them.
var keyName = regexp.MustCompile(`^((ctrl|alt|shift)\+)*(enter|esc|tab|up|down|left|right|pgup|pgdown|pgdn|home|end|space|[a-z/])(, ((ctrl|alt|shift)\+)*(enter|esc|tab|[a-z]))*$`)

// TestEveryShownStringIsTranslated finds untranslated strings: every string literal in the workbench's code
// (tui and tui/live, not tests) that holds a word is either an i18n key with an English and a Korean
// string, or one of the few literals that are not prose (notProse and the patterns below). An English
// sentence written straight into a view fails here; so does a key missing from either language.
func TestEveryShownStringIsTranslated(t *testing.T) {
	var bad []string
	for _, dir := range []string{".", "live"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ImportSpec:
					return false
				case *ast.CallExpr:
					// Arguments of regexp.MustCompile and key.WithKeys are not prose.
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "MustCompile" || sel.Sel.Name == "WithKeys") {
						return false
					}
				case *ast.BasicLit:
					if n.Kind != token.STRING {
						return true
					}
					s, err := strconv.Unquote(n.Value)
					if err != nil || !englishWord.MatchString(s) || notProse[s] || keyName.MatchString(s) || strings.HasPrefix(s, "json:") {
						return true
					}
					if i18n.Has(s) {
						if !i18n.HasKorean(s) {
							bad = append(bad, fset.Position(n.Pos()).String()+": no Korean string for "+strconv.Quote(s))
						}
						return true
					}
					bad = append(bad, fset.Position(n.Pos()).String()+": "+strconv.Quote(s))
				}
				return true
			})
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

// In Korean the status bar said COMMAND/EDIT, the start screen's key hints were English and the check tag
// read "check": the Korean screens show none of them.
func TestKoreanScreensHaveNoEnglishChrome(t *testing.T) {
	m := newTestModel(t, 120, 40, i18n.KO)
	if s := screenText(m); strings.Contains(s, "open a file") || !strings.Contains(s, "파일 열기") {
		t.Errorf("the Korean start screen's key hints:\n%s", s)
	}
	if err := m.open("ko/01-batch-and-stream.md"); err != nil {
		t.Fatal(err)
	}
	if s := screenText(m); strings.Contains(s, "COMMAND") || !strings.Contains(s, " 명령 ") {
		t.Errorf("the Korean status bar in command mode:\n%s", s)
	}
	press(m, "enter")
	if s := screenText(m); strings.Contains(s, "EDIT") || !strings.Contains(s, " 편집 ") {
		t.Errorf("the Korean status bar in edit mode:\n%s", s)
	}
}
