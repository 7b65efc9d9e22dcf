package golden_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/internal/golden"
)

func TestWant(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := golden.Want(t, path, []byte("new"), false); string(got) != "old" {
		t.Errorf("without update: %q", got)
	}
	if got := golden.Want(t, path, []byte("new"), true); string(got) != "new" {
		t.Errorf("with update: %q", got)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file after update: %q", b)
	}
}

func TestWantMissingFails(t *testing.T) {
	t.Parallel()
	ft := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		golden.Want(ft, filepath.Join(t.TempDir(), "missing.golden"), nil, false)
	}()
	<-done
	if !ft.failed {
		t.Error("missing golden file did not fail the test")
	}
}

// fatalRecorder records Fatalf instead of failing the real test.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}

// errorRecorder records Errorf instead of failing the real test.
type errorRecorder struct {
	testing.TB
	msgs []string
}

func (e *errorRecorder) Helper() {}

func (e *errorRecorder) Errorf(format string, args ...any) {
	e.msgs = append(e.msgs, fmt.Sprintf(format, args...))
}

func TestCheck(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested")
	path := filepath.Join(dir, "x.golden")
	rec := &errorRecorder{TB: t}
	// -update creates the directory and the file; the comparison then passes.
	golden.Check(rec, path, []byte("line one\nline two\n"), true)
	if len(rec.msgs) != 0 {
		t.Fatalf("after update: %v", rec.msgs)
	}
	golden.Check(rec, path, []byte("line one\nline two\n"), false)
	if len(rec.msgs) != 0 {
		t.Fatalf("same bytes reported as different: %v", rec.msgs)
	}
	golden.Check(rec, path, []byte("line one\nline 2\n"), false)
	if len(rec.msgs) != 1 || !strings.Contains(rec.msgs[0], "-golden +got") || !strings.Contains(rec.msgs[0], "line 2") {
		t.Fatalf("difference not reported with a diff: %v", rec.msgs)
	}
}
