package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/internal/golden"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// issueArgs is the example command of issue 6.
var issueArgs = []string{"--principal", "250000", "--annual-rate", "0.36", "--periods", "156",
	"--frequency", "weekly", "--method", "french", "--iva", "0.16", "--start", "2026-01-05"}

func args(extra ...string) []string { return append(append([]string{}, issueArgs...), extra...) }

// checkGolden compares got with testdata/name (rewritten with -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got, *update)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"issue json", args("--balloon", "0", "--commission", "0.02", "--format", "json"), "issue.json"},
		{"issue json without commission", args("--format", "json"), "issue_no_commission.json"},
		{"issue csv", args("--commission", "0.02", "--format", "csv"), "issue.csv"},
		{"issue table", args("--commission", "0.02", "--format", "table"), "issue.txt"},
		{"monthly german balloon table", []string{"--principal", "120000", "--annual-rate", "0.24", "--periods", "24",
			"--frequency", "monthly", "--method", "german", "--balloon", "20000", "--commission", "0.015", "--start", "2026-01-31"}, "german.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d, stderr %s", code, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
			checkGolden(t, tt.golden, stdout.Bytes())
		})
	}
}

// TestJSONShape checks the exact shape the issue specifies: one object,
// exactly these keys, money as strings.
func TestJSONShape(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := run(args("--commission", "0.02", "--format", "json"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Fatal("more than one JSON value")
	}
	keys := func(m map[string]json.RawMessage) []string {
		var ks []string
		for _, k := range []string{"payment", "cat", "totals", "rows", "n", "due_date", "opening_balance", "interest", "iva", "principal", "closing_balance"} {
			if _, ok := m[k]; ok {
				ks = append(ks, k)
			}
		}
		if len(ks) != len(m) {
			t.Errorf("unexpected keys in %v", m)
		}
		return ks
	}
	if diff := cmp.Diff([]string{"payment", "cat", "totals", "rows"}, keys(obj)); diff != "" {
		t.Error(diff)
	}
	var payment, cat string
	_ = json.Unmarshal(obj["payment"], &payment)
	_ = json.Unmarshal(obj["cat"], &cat)
	if payment != "2902.73" || cat != "45.5" {
		t.Errorf("payment %q cat %q", payment, cat)
	}
	var totals map[string]string
	if err := json.Unmarshal(obj["totals"], &totals); err != nil || len(totals) != 4 || totals["principal"] != "250000.00" {
		t.Errorf("totals %v %v", totals, err)
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(obj["rows"], &rows); err != nil || len(rows) != 156 {
		t.Fatalf("rows: %d %v", len(rows), err)
	}
	if diff := cmp.Diff([]string{"payment", "n", "due_date", "opening_balance", "interest", "iva", "principal", "closing_balance"}, keys(rows[0])); diff != "" {
		t.Error(diff)
	}
	if string(rows[0]["n"]) != "1" || string(rows[0]["due_date"]) != `"2026-01-12"` || string(rows[155]["closing_balance"]) != `"0.00"` {
		t.Errorf("row values %s %s %s", rows[0]["n"], rows[0]["due_date"], rows[155]["closing_balance"])
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	replace := func(flag, value string) []string {
		a := args()
		for i := range a {
			if a[i] == flag {
				a[i+1] = value
			}
		}
		return a
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"negative principal", replace("--principal", "-250000"), "--principal: must be positive"},
		{"negative rate", replace("--annual-rate", "-0.36"), "--annual-rate: must not be negative"},
		{"zero periods", replace("--periods", "0"), "--periods: must be at least 1"},
		{"unknown frequency", replace("--frequency", "daily"), `--frequency: unknown frequency "daily"`},
		{"unknown method", replace("--method", "american"), `--method: unknown method "american"`},
		{"impossible date", replace("--start", "2026-02-30"), `--start: "2026-02-30" is not a valid date`},
		{"balloon equal to principal", args("--balloon", "250000"), "--balloon: must be less than the principal"},
		{"negative commission", args("--commission", "-0.01"), "--commission: must not be negative"},
		{"negative iva", replace("--iva", "-0.16"), "--iva: must not be negative"},
		{"not a number", replace("--principal", "250,000"), `--principal: "250,000" is not a decimal number`},
		{"exponent", replace("--annual-rate", "3.6e-1"), `is not a decimal number`},
		{"unknown format", args("--format", "pdf"), `--format: unknown format "pdf"`},
		{"missing principal", []string{"--annual-rate", "0.36", "--periods", "3", "--frequency", "weekly", "--start", "2026-01-05"}, "--principal is required"},
		{"missing start", []string{"--principal", "100", "--annual-rate", "0.36", "--periods", "3", "--frequency", "weekly"}, "--start is required"},
		{"unknown flag", args("--rate", "0.3"), "flag provided but not defined"},
		{"non-integer periods", replace("--periods", "12.5"), "invalid value"},
		{"positional argument", args("extra"), "unexpected arguments: extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.want)
			}
		})
	}
}

func TestXLSX(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := run(args("--format", "xlsx"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !bytes.HasPrefix(stdout.Bytes(), []byte("PK")) {
		t.Fatal("stdout is not an xlsx (zip) file")
	}
	out := filepath.Join(t.TempDir(), "tabla.xlsx")
	stdout.Reset()
	if code := run(args("--format", "xlsx", "--out", out), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Error("--out still wrote to stdout")
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Tabla", "G2"); v != "2,902.73" {
		t.Errorf("first payment cell %q", v)
	}
	// An unwritable --out is an I/O failure, exit 1.
	if code := run(args("--out", filepath.Join(t.TempDir(), "missing", "x.txt")), &stdout, &stderr); code != 1 {
		t.Errorf("unwritable --out: exit %d, want 1", code)
	}
}

func TestAllProblemsReported(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run([]string{"--principal", "-5", "--annual-rate", "0.3", "--periods", "0", "--frequency", "x", "--start", "2026-02-30"}, &stdout, &stderr)
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"--principal: must be positive", "--periods: must be at least 1", `--frequency: unknown frequency "x"`, `--start: "2026-02-30"`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q lacks %q", stderr.String(), want)
		}
	}
	if strings.Count(stderr.String(), "--frequency") != 1 || strings.Count(stderr.String(), "--start") != 1 {
		t.Errorf("duplicate messages: %q", stderr.String())
	}
}
