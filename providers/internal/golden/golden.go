package golden

import (
	"os"
	"testing"
)

// Want returns the content of the golden file path. When update is true it
// first writes got there, so the comparison that follows passes and the file
// shows the new bytes in review. A missing file fails the test with a hint to
// run go test -update.
func Want(t testing.TB, path string, got []byte, update bool) []byte {
	t.Helper()
	if update {
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
