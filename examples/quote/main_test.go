package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/cotizador"
)

func TestRun(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "quotes")
	var stdout, stderr bytes.Buffer
	now := func() time.Time { return time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) }
	if code := run(context.Background(), []string{"--dir", dir, "--start", "2026-01-05"}, &stdout, &stderr, now); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	docs, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(pdfs) != len(cotizador.DemoPackages()) || len(docs) != len(pdfs) {
		t.Fatalf("pdfs %v docs %v", pdfs, docs)
	}
	for _, p := range pdfs {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("%s: not a PDF (%v)", p, err)
		}
		if !strings.Contains(stdout.String(), p) {
			t.Errorf("stdout does not name %s:\n%s", p, stdout.String())
		}
	}
	for _, p := range docs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var q cotizador.Quote
		if err := json.Unmarshal(b, &q); err != nil {
			t.Fatal(err)
		}
		if err := cotizador.VerifyQuote(context.Background(), cotizador.DemoSource{}, &q); err != nil {
			t.Errorf("%s does not verify: %v", p, err)
		}
	}
	if !strings.Contains(stdout.String(), "edomex: Taxi colectivo a GNV Edomex, 156 pagos weekly de 2,322.18 MXN, CAT 45.5%") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--start", "2026-02-30"}, {"--nope"}, {"extra"}} {
		args := args
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append([]string{"--dir", t.TempDir()}, args...), &stdout, &stderr, time.Now); code != 2 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
