package tutorials

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// glossaryTerm is one row of glossary.md.
type glossaryTerm struct {
	english, korean string
	firstUse        bool     // written with its English in parentheses on first use
	avoid           []string // words the Korean lessons must not use for it
}

// readGlossary parses the table of glossary.md.
func readGlossary(t *testing.T) []glossaryTerm {
	t.Helper()
	b, err := os.ReadFile("glossary.md")
	if err != nil {
		t.Fatal(err)
	}
	var terms []glossaryTerm
	for _, line := range strings.Split(string(b), "\n") {
		cols := strings.Split(line, "|")
		if len(cols) != 5 || strings.HasPrefix(line, "|---") || strings.TrimSpace(cols[1]) == "English" {
			continue
		}
		g := glossaryTerm{english: strings.TrimSpace(cols[1]), korean: strings.TrimSpace(cols[2])}
		if k, ok := strings.CutSuffix(g.korean, "*first use*"); ok {
			g.korean, g.firstUse = strings.TrimSpace(k), true
		}
		for _, a := range strings.Split(cols[3], ",") {
			if a = strings.TrimSpace(a); a != "" {
				g.avoid = append(g.avoid, a)
			}
		}
		terms = append(terms, g)
	}
	if len(terms) < 10 {
		t.Fatalf("glossary.md has %d terms; its table did not parse", len(terms))
	}
	return terms
}

// inlineCode matches a Markdown code span.
var inlineCode = regexp.MustCompile("`[^`]*`")

// prose returns a lesson's text outside code cells, annotations, headings and code spans: what a learner reads
// as Korean.
func prose(src string) string {
	var b strings.Builder
	fence := false
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		if fence || strings.HasPrefix(line, "<!--") || strings.HasPrefix(line, "#") {
			continue
		}
		b.WriteString(inlineCode.ReplaceAllString(line, "``"))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestKoreanLessonsFollowTheGlossary checks the Korean lessons against glossary.md (issue 20): no avoided word
// in their prose (a term's English is allowed once, in parentheses after its first use), and a first-use term
// first written with its English.
func TestKoreanLessonsFollowTheGlossary(t *testing.T) {
	terms := readGlossary(t)
	lessons, _ := Lessons("ko")
	for _, l := range lessons {
		src, err := Source(l.Path)
		if err != nil {
			t.Fatal(err)
		}
		text := prose(string(src))
		for _, g := range terms {
			allowed := text
			if g.firstUse {
				i := strings.Index(text, g.korean)
				if i < 0 {
					continue
				}
				rest := strings.TrimPrefix(text[i+len(g.korean):], "**")
				if !strings.HasPrefix(rest, "("+g.english+")") {
					t.Errorf("%s: the first %s is not followed by (%s)", l.Path, g.korean, g.english)
				}
				allowed = strings.Replace(text, "("+g.english+")", "", 1)
			}
			for _, a := range g.avoid {
				if strings.Contains(allowed, a) {
					t.Errorf("%s says %q; the glossary's term for %s is %s", l.Path, a, g.english, g.korean)
				}
			}
		}
	}
}

// bold matches one strong emphasis span and the character after it.
var bold = regexp.MustCompile(`\*\*([^*\n]+?)\*\*(.?)`)

// TestLessonsHaveNoEmphasisThatRendersAsAsterisks finds strong emphasis closed right after punctuation and
// followed by a letter, such as **연결(Connect)**하고: CommonMark does not close it there, so it renders with its
// asterisks (issue 20).
func TestLessonsHaveNoEmphasisThatRendersAsAsterisks(t *testing.T) {
	lessons, _ := Lessons("")
	for _, l := range lessons {
		src, _ := Source(l.Path)
		for _, m := range bold.FindAllStringSubmatch(prose(string(src)), -1) {
			inner, after := []rune(m[1]), []rune(m[2])
			last := inner[len(inner)-1]
			if len(after) == 1 && unicode.IsPunct(last) && (unicode.IsLetter(after[0]) || unicode.IsDigit(after[0])) {
				t.Errorf("%s: %q renders with its asterisks; close the emphasis before the punctuation", l.Path, m[0])
			}
		}
	}
}
