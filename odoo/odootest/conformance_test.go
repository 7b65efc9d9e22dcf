package odootest

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// wireDir holds the recordings of real Odoo servers, relative to this
// package (odoo/odootest → ../../../shared/odoo-wire, shared/ beside the checkout).
var wireDir = filepath.Join("..", "..", "..", "shared", "odoo-wire")

// Placeholders of the recordings (see shared/odoo-wire/README.md).
const (
	recordedLogin    = "admin"
	recordedPassword = "PASSWORD"
	recordedAPIKey   = "API_KEY"
)

// TestConformance replays every recorded exchange, in order, against a
// fresh fake of the recording's version and compares each answer with the
// real one (status, content type, envelope, error kind, structure, types,
// and values where the preceding requests determine them).
func TestConformance(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(wireDir, "*", "*.jsonl"))
	if len(files) == 0 {
		t.Skipf("no recordings under %s: the shared odoo-wire folder is not checked out next to the module", wireDir)
	}
	sort.Strings(files)
	for _, file := range files {
		name := filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			exchanges, err := LoadRecordings(file)
			if err != nil {
				t.Fatal(err)
			}
			if len(exchanges) == 0 {
				t.Skip("empty recording")
			}
			replay(t, exchanges)
		})
	}
}

func replay(t *testing.T, exchanges []Exchange) {
	version := exchanges[0].OdooVersion
	if version == "" {
		version = "19.0"
	}
	srv := NewServer(t,
		WithVersion(version),
		WithDatabase(recordedDatabase(exchanges)),
		WithAdmin(recordedLogin, recordedPassword),
		WithAPIKey(recordedAPIKey),
	)
	fixture := seedRecordedState(t, srv)
	alignSequences(t, srv, exchanges)
	known := map[string]bool{}
	created := map[string]map[int64]bool{}
	client := &http.Client{}
	for _, ex := range exchanges {
		model, method, args, kwargs, err := CallOf(ex)
		if err != nil {
			t.Fatalf("line %d: cannot decode the recorded request: %v", ex.Line, err)
		}
		got, err := send(client, srv.URL, ex)
		if err != nil {
			t.Errorf("line %d (%s): %v", ex.Line, ex.Description, err)
			continue
		}
		opts := CompareOptions{Loose: IsStateDependent(method), Known: known}
		if (method == "search" || method == "search_read" || method == "name_search") && ex.Status == http.StatusOK {
			// A search whose recorded answer only holds records the fake
			// knows for sure (standard data, records created by earlier
			// exchanges) is compared by value.
			if res, ok := recordedResult(ex); ok && onlyKnownRecords(srv, model, res, fixture) {
				opts.Loose = false
			}
		}
		if method == "read" || method == "name_get" {
			// Records the recorded database held before the exchanges
			// (the operators) are only approximated by the fixture.
			ids := idsIn(kwargs["ids"])
			if len(args) > 0 {
				ids = idsIn(args[0])
			}
			for _, id := range ids {
				if !created[model][id] {
					opts.Loose = true
				}
			}
		}
		if method == "fields_get" {
			opts.OptionalKeys = groupRestrictedFields
		}
		diffs := CompareResponse(ex, got, opts)
		if opts.Loose && len(diffs) == 0 {
			// Values that depend on the recorded database's other
			// records: reported, not failed (go test -v shows them).
			strict := opts
			strict.Loose = false
			if d := CompareResponse(ex, got, strict); len(d) > 0 {
				t.Logf("line %d (%s): state-dependent values differ: %s", ex.Line, ex.Description, strings.Join(d, "; "))
			}
		}
		if len(diffs) > 0 {
			t.Errorf("line %d (%s %s, %s): the fake differs from real Odoo:\n  %s\n  fake body: %s",
				ex.Line, ex.HTTPMethod, ex.Path, ex.Description, strings.Join(diffs, "\n  "), short(got.Body))
		}
		if method == "create" && ex.Status == http.StatusOK {
			if res, ok := recordedResult(ex); ok {
				if created[model] == nil {
					created[model] = map[int64]bool{}
				}
				for _, id := range idsIn(res) {
					created[model][id] = true
				}
			}
		}
		for _, lit := range stringLiterals(ex.RequestBody) {
			known[lit] = true
		}
	}
}

// groupRestrictedFields are fields fields_get shows only to users in an
// accounting group: the 17.0 XML-RPC recording was made before the admin
// was given one (its later read of balance succeeds), the other recordings
// after. The fake's admin has every group.
var groupRestrictedFields = []string{"balance", "debit", "credit"}

// send replays one exchange: same method, path, headers and body bytes.
// JSON-2's placeholder "bearer <API_KEY>" becomes the fake's key, except
// for an exchange recorded as 401, which was sent with a wrong key.
func send(client *http.Client, base string, ex Exchange) (Response, error) {
	req, err := http.NewRequest(ex.HTTPMethod, base+ex.Path, strings.NewReader(ex.RequestBody))
	if err != nil {
		return Response{}, err
	}
	for k, v := range ex.RequestHeaders {
		if strings.EqualFold(k, "Authorization") && ex.Status != http.StatusUnauthorized {
			v = strings.ReplaceAll(v, "<API_KEY>", recordedAPIKey)
		}
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}

// recordedDatabase finds the database name the recording used.
func recordedDatabase(exchanges []Exchange) string {
	for _, ex := range exchanges {
		if db := ex.RequestHeaders["X-Odoo-Database"]; db != "" {
			return db
		}
		if ex.Protocol == "json2" {
			continue
		}
		model, method, args, _, err := CallOf(ex)
		if err != nil {
			continue
		}
		if model == "" && (method == "authenticate" || method == "login") && len(args) > 0 {
			if db, ok := args[0].(string); ok {
				return db
			}
		}
	}
	return "odoo"
}

var stringLiteralRe = regexp.MustCompile(`\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?`)

// stringLiterals extracts the dates a request sent, so that the same
// dates read back are compared by value.
func stringLiterals(body string) []string { return stringLiteralRe.FindAllString(body, -1) }

// seedRecordedState recreates what the recorded database held before the
// recordings, as far as they show it: two partner tags, and a company
// (partner 6) with 2,000 operators "Operador 0000"… (partners 7-2006, refs
// CMU-00000…, Mexican; every third without email, every other without
// phone, the others tagged) — which reproduces the recorded ids of the
// operators and the recorded search_count of 1,336.
// It returns the ids it seeded, per model.
func seedRecordedState(t *testing.T, srv *Server) map[string]map[int64]bool {
	seeded := map[string]map[int64]bool{"res.partner": {}, "res.partner.category": {}}
	for _, id := range srv.SeedT(t, "res.partner.category",
		map[string]any{"id": 1, "name": "Transportista"},
		map[string]any{"id": 2, "name": "Operador"}) {
		seeded["res.partner.category"][id] = true
	}
	seeded["res.partner"][srv.SeedT(t, "res.partner", map[string]any{"id": 6, "name": "CMu Operadores", "is_company": true, "country_id": 156})[0]] = true
	ops := make([]map[string]any, 0, 2000)
	for i := 0; i < 2000; i++ {
		op := map[string]any{
			"id": 7 + i, "name": fmt.Sprintf("Operador %04d", i), "ref": fmt.Sprintf("CMU-%05d", i),
			"parent_id": 6, "country_id": 156,
		}
		if i%3 != 0 {
			op["email"] = fmt.Sprintf("op%d@example.mx", i)
		}
		if i%2 == 1 {
			op["phone"] = fmt.Sprintf("+52 449 %07d", i)
		} else {
			op["category_id"] = []any{[]any{6, 0, []any{1, 2}}}
		}
		ops = append(ops, op)
	}
	for _, id := range srv.SeedT(t, "res.partner", ops...) {
		seeded["res.partner"][id] = true
	}
	return seeded
}

// onlyKnownRecords reports whether every record id in a recorded search
// answer exists in the fake and was not approximated by the fixture.
func onlyKnownRecords(srv *Server, model string, result any, fixture map[string]map[int64]bool) bool {
	var ids []int64
	rows, _ := result.([]any)
	for _, r := range rows {
		switch x := r.(type) {
		case int64:
			ids = append(ids, x)
		case map[string]any:
			id, _ := x["id"].(int64)
			ids = append(ids, id)
		case []any:
			if len(x) > 0 {
				id, _ := x[0].(int64)
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return false
	}
	for _, id := range ids {
		if _, ok := srv.Get(model, id); !ok || fixture[model][id] {
			return false
		}
	}
	return true
}

// alignSequences gives the fake's id sequences the values the recorded
// server's had: each model starts at the first id the recording shows it
// creating (create answers, message_post answers, and one2many ids read
// back for models only created through their parent).
func alignSequences(t *testing.T, srv *Server, exchanges []Exchange) {
	first := map[string]int64{}
	note := func(model string, ids []int64) {
		for _, id := range ids {
			if cur, ok := first[model]; !ok || id < cur {
				first[model] = id
			}
		}
	}
	created := map[string]bool{}
	for _, ex := range exchanges {
		model, method, _, _, err := CallOf(ex)
		if err != nil || model == "" || ex.Status != http.StatusOK {
			continue
		}
		result, ok := recordedResult(ex)
		if !ok {
			continue
		}
		switch method {
		case "create":
			created[model] = true
			note(model, idsIn(result))
		case "message_post":
			note("mail.message", idsIn(result))
		}
	}
	for _, ex := range exchanges {
		model, method, _, _, err := CallOf(ex)
		if err != nil || model == "" || ex.Status != http.StatusOK || (method != "read" && method != "search_read") {
			continue
		}
		result, ok := recordedResult(ex)
		if !ok {
			continue
		}
		rows, _ := result.([]any)
		for _, r := range rows {
			rec, _ := r.(map[string]any)
			for k, v := range rec {
				typ, rel, ok := srv.fieldMeta(model, k)
				if ok && typ == "one2many" && !created[rel] {
					note(rel, idsIn(v))
				}
			}
		}
	}
	for model, id := range first {
		if err := srv.SetNextID(model, id); err != nil {
			t.Logf("sequence of %s: %v", model, err)
		}
	}
}

// recordedResult decodes the successful result of a recorded exchange.
func recordedResult(ex Exchange) (any, bool) {
	switch ex.Protocol {
	case "xmlrpc":
		v, fault, err := parseMethodResponse([]byte(ex.ResponseBody))
		return v, err == nil && !fault
	case "jsonrpc":
		v, err := decodeJSON([]byte(ex.ResponseBody))
		obj, _ := v.(map[string]any)
		res, ok := obj["result"]
		return res, err == nil && ok
	default:
		v, err := decodeJSON([]byte(ex.ResponseBody))
		return v, err == nil
	}
}

func idsIn(v any) []int64 {
	if id, ok := v.(int64); ok {
		return []int64{id}
	}
	ids, _ := asIDs(v)
	return ids
}

func TestConformanceDirectoryLayout(t *testing.T) {
	if _, err := os.Stat(wireDir); err != nil {
		t.Skipf("recordings not available: %v", err)
	}
	for _, v := range []string{"odoo17", "odoo19"} {
		if _, err := os.Stat(filepath.Join(wireDir, v)); err != nil {
			t.Errorf("expected recordings for %s: %v", v, err)
		}
	}
}
