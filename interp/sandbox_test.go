package interp

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A cell cannot start or signal processes: os/exec and the like are refused before the cell runs, with the
// reason and the line, and os.StartProcess (which ran a shell even with os/exec refused) is not there.
func TestCellsCannotStartProcesses(t *testing.T) {
	k := New(Options{})
	defer k.Restart()
	marker := filepath.Join(t.TempDir(), "ran")
	for _, c := range []struct{ src, want string }{
		{"x := 1\nimport \"os/exec\"\nexec.Command(\"touch\", \"" + marker + "\").Run()", "line 2:8: syntax: os/exec cannot be imported in a cell: a cell cannot start processes"},
		{"import \"syscall\"\nsyscall.Exec(\"/bin/sh\", nil, nil)", "line 1:8: syntax: syscall cannot be imported in a cell"},
		{"import \"unsafe\"\n_ = unsafe.Sizeof(1)", "unsafe cannot be imported in a cell"},
		{"import \"os\"\nos.StartProcess(\"/bin/sh\", []string{\"sh\", \"-c\", \"touch " + marker + "\"}, &os.ProcAttr{})", "StartProcess"},
		{"import \"os\"\np, _ := os.FindProcess(os.Getpid())\np.Kill()", "FindProcess"},
		{"import \"os\"\nos.Exit(3)", "Exit"},
		// A CGI handler runs its Path: it ran a shell with os/exec and os.StartProcess refused.
		{"import (\n\t\"net/http/cgi\"\n\t\"net/http/httptest\"\n)\nh := &cgi.Handler{Path: \"/bin/sh\", Args: []string{\"-c\", \"touch " + marker + "\"}}\nh.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(\"GET\", \"/\", nil))", "line 2:2: syntax: net/http/cgi cannot be imported in a cell: a cell cannot start processes (a CGI handler runs a program)"},
		// go/build runs the go command to find a package in module mode.
		{"import \"go/build\"\nbuild.Default.Import(\"example.com/x\", \".\", 0)", "go/build cannot be imported in a cell"},
	} {
		ex := run(t, k, "cell", c.src)
		if err := ex.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error containing %q", c.src, err, c.want)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a cell started a process")
	}
	// What cells may do still works: files, the process's own facts, the rest of os.
	path := filepath.Join(t.TempDir(), "f.txt")
	ex := mustRun(t, k, "files", "import \"os\"\nos.WriteFile(\""+path+"\", []byte(\"hi\"), 0o644)\nb, _ := os.ReadFile(\""+path+"\")\nfmt.Println(string(b), os.Getpid() > 0)")
	if got := ex.Output(); got != "hi true\n" {
		t.Errorf("output %q", got)
	}
}

// No package a cell may import links os/exec: each of the standard library's packages that does (go list
// says which) is withheld, so that a newer Go or yaegi cannot bring a new way to start processes unnoticed.
func TestNoCellPackageLinksOsExec(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "std").Output()
	if err != nil {
		t.Skipf("go list std: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		if !slices.Contains(strings.Fields(deps), "os/exec") {
			continue
		}
		for key := range cellStdlib {
			if importPathOf(key) == pkg {
				t.Errorf("cells may import %s, which links os/exec", pkg)
			}
		}
	}
}
