package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Want returns the content of the golden file path. When update is true it
// first writes got there (creating its directory), so the comparison that
// follows passes and the file shows the new bytes in review. A missing file
// fails the test with a hint to run go test -update.
func Want(t testing.TB, path string, got []byte, update bool) []byte {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return want
}

// Check compares got with the golden file path (see Want) and reports any
// difference as a test error with a line diff (-golden +got).
func Check(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	want := Want(t, path, got, update)
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-golden +got):\n%s", path, diff)
	}
}
