package golden_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cmu-mx/cmu/providers/internal/golden"
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
