package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// weir convert turns CSV into NDJSON (map records: the columns' strings, keys sorted) and back, and names
// the file and line of a malformed line unless told to skip it.
func TestConvert(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("b;a\nx;1\n\"y;z\";2\n"), 0o644)
	mid, back := filepath.Join(dir, "mid.ndjson"), filepath.Join(dir, "back.csv")
	var out, errs bytes.Buffer
	if err := runConvert([]string{"--comma", ";", "-o", mid, in}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(mid); string(b) != "{\"a\":\"1\",\"b\":\"x\"}\n{\"a\":\"2\",\"b\":\"y;z\"}\n" {
		t.Fatalf("ndjson %q", b)
	}
	if err := runConvert([]string{"--from", "ndjson", "--to", "csv", "-o", back, mid}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(back); string(b) != "a,b\n1,x\n2,y;z\n" {
		t.Fatalf("csv %q", b)
	}
	os.WriteFile(in, []byte("a,b\n1,2\n3\n"), 0o644)
	err := runConvert([]string{"-o", mid, in}, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), in+":3: malformed line: 1 fields, want 2 (a,b)") {
		t.Fatalf("error %v", err)
	}
	out.Reset()
	if err := runConvert([]string{"--skip-bad", "-o", mid, in}, &out, &errs); err != nil || out.String() != "1 records written to "+mid+"\n" ||
		!strings.HasPrefix(errs.String(), "1 malformed lines skipped; the last: "+in+":3:") {
		t.Fatalf("%v: %q %q", err, out.String(), errs.String())
	}
}
