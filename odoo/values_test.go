package odoo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

type sample struct {
	ID      int64           `odoo:"id"`
	Name    string          `odoo:"name"`
	Partner Many2One        `odoo:"partner_id"`
	Email   String          `odoo:"email"`
	Count   Int             `odoo:"count"`
	Prob    Float           `odoo:"probability"`
	State   Selection       `odoo:"state"`
	Day     Date            `odoo:"date"`
	At      DateTime        `odoo:"create_date"`
	When    time.Time       `odoo:"write_date"`
	Amount  decimal.Decimal `odoo:"amount_total"`
	Tags    []int64         `odoo:"tag_ids"`
	Active  bool            `odoo:"active"`
	Ptr     *int64          `odoo:"color"`
	Blob    []byte          `odoo:"datas"`
	Extra   map[string]any  `odoo:"properties"`
	Old     String          `odoo:"memo,alias=ref"`
	Skip    string          `odoo:"-"`
	embedded
}

type embedded struct {
	Note String `odoo:"note"`
}

// bothWays decodes the same logical row sent over JSON and XML-RPC.
func bothWays(t *testing.T, jsonBody, xmlValue string, dst func() any) (any, any) {
	t.Helper()
	a, b := dst(), dst()
	j := &jsonSource{b: []byte(jsonBody)}
	if err := (&decoder{src: j, plans: &planCache{}}).decodeTop(a); err != nil {
		t.Fatalf("json: %v", err)
	}
	x, _, err := newXMLResponse([]byte("<?xml version='1.0'?><methodResponse><params><param>" + xmlValue + "</param></params></methodResponse>"))
	if err != nil {
		t.Fatal(err)
	}
	if err := (&decoder{src: x, plans: &planCache{}}).decodeTop(b); err != nil {
		t.Fatalf("xml: %v", err)
	}
	if err := x.finish(false); err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestDecodeTypedValues(t *testing.T) {
	jsonBody := `{"id": 7, "name": "Ruta \"27\" & <Ecatepec>", "partner_id": [9, "Juan Pérez"], "email": false,
	"count": 3, "probability": 12.5, "state": "sale", "date": "2026-03-01", "create_date": "2026-11-22 21:46:39",
	"write_date": "2026-11-22 21:46:40", "amount_total": 29000.48, "tag_ids": [4, 5], "active": false, "color": 2,
	"datas": "aG9sYQ==", "properties": {"a": [1, 2.50]}, "ref": "PAY/1", "note": false, "unknown": {"deep": [[1]]}}`
	xmlValue := `<value><struct>
<member><name>id</name><value><int>7</int></value></member>
<member><name>name</name><value><string>Ruta "27" &amp; &lt;Ecatepec&gt;</string></value></member>
<member><name>partner_id</name><value><array><data><value><int>9</int></value><value><string>Juan P&#233;rez</string></value></data></array></value></member>
<member><name>email</name><value><boolean>0</boolean></value></member>
<member><name>count</name><value><i4>3</i4></value></member>
<member><name>probability</name><value><double>12.5</double></value></member>
<member><name>state</name><value>sale</value></member>
<member><name>date</name><value><string>2026-03-01</string></value></member>
<member><name>create_date</name><value><string>2026-11-22 21:46:39</string></value></member>
<member><name>write_date</name><value><dateTime.iso8601>20261122T21:46:40</dateTime.iso8601></value></member>
<member><name>amount_total</name><value><double>29000.48</double></value></member>
<member><name>tag_ids</name><value><array><data><value><int>4</int></value><value><int>5</int></value></data></array></value></member>
<member><name>active</name><value><boolean>0</boolean></value></member>
<member><name>color</name><value><int>2</int></value></member>
<member><name>datas</name><value><string>aG9s
YQ==</string></value></member>
<member><name>properties</name><value><struct><member><name>a</name><value><array><data><value><int>1</int></value><value><double>2.50</double></value></data></array></value></member></struct></value></member>
<member><name>ref</name><value><string>PAY/1</string></value></member>
<member><name>note</name><value><boolean>0</boolean></value></member>
<member><name>unknown</name><value><struct><member><name>deep</name><value><array><data><value><array><data><value><int>1</int></value></data></array></value></data></array></value></member></struct></value></member>
</struct></value>`
	a, b := bothWays(t, jsonBody, xmlValue, func() any { return new(sample) })
	two := int64(2)
	want := &sample{
		ID: 7, Name: `Ruta "27" & <Ecatepec>`, Partner: Many2One{9, "Juan Pérez"}, Count: Int{3, true},
		Prob: Float{12.5, true}, State: Selection{"sale", true}, Day: NewDate(2026, 3, 1),
		At:     DateTime{time.Date(2026, 11, 22, 21, 46, 39, 0, time.UTC), true},
		When:   time.Date(2026, 11, 22, 21, 46, 40, 0, time.UTC),
		Amount: decimal.RequireFromString("29000.48"), Tags: []int64{4, 5}, Ptr: &two, Blob: []byte("hola"),
		Extra: map[string]any{"a": []any{int64(1), json.Number("2.50")}}, Old: String{"PAY/1", true},
	}
	opts := cmp.Comparer(func(x, y decimal.Decimal) bool { return x.Equal(y) })
	if diff := cmp.Diff(want, a, opts, cmp.AllowUnexported(sample{})); diff != "" {
		t.Errorf("json (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, b, opts, cmp.AllowUnexported(sample{})); diff != "" {
		t.Errorf("xml (-want +got):\n%s", diff)
	}
	if a.(*sample).Amount.String() != "29000.48" {
		t.Errorf("decimal lost its text: %s", a.(*sample).Amount)
	}
}

func TestFalseNeverFails(t *testing.T) {
	// Every non-boolean field set to false decodes to zero values.
	body := `{"id": false, "name": false, "partner_id": false, "email": false, "count": false, "probability": false,
	"state": false, "date": false, "create_date": false, "write_date": false, "amount_total": false, "tag_ids": false,
	"active": false, "color": false, "datas": false, "properties": false, "ref": false, "note": false}`
	var s sample
	j := &jsonSource{b: []byte(body)}
	if err := (&decoder{src: j, plans: &planCache{}}).decodeTop(&s); err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(s, sample{}, cmp.AllowUnexported(sample{}), cmp.Comparer(func(x, y decimal.Decimal) bool { return x.Equal(y) })) {
		t.Fatalf("got %+v", s)
	}
}

func TestDecodeErrorNamesField(t *testing.T) {
	var rows []sample
	j := &jsonSource{b: []byte(`[{"id": 1, "tag_ids": ["x"]}]`)}
	err := (&decoder{src: j, plans: &planCache{}, model: "crm.lead"}).decodeTop(&rows)
	var de *DecodeError
	if !errors.As(err, &de) || de.Model != "crm.lead" || de.Field != "tag_ids" || de.Want != "int64" || de.Got != "string" {
		t.Fatalf("got %#v", err)
	}
	for _, body := range []string{`{"id": "7"}`, `{"active": "yes"}`, `{"amount_total": [1]}`, `{"date": "March"}`, `{"id": 1.5}`, `{"color": true}`} {
		var s sample
		j := &jsonSource{b: []byte(body)}
		err := (&decoder{src: j, plans: &planCache{}}).decodeTop(&s)
		if !errors.As(err, &de) {
			t.Errorf("%s: want a DecodeError, got %v", body, err)
		}
	}
}

func TestEncodeValues(t *testing.T) {
	d := decimal.RequireFromString("1999.990")
	vals := map[string]any{
		"s":     "a<b>&\"é\n",
		"m2o":   Many2One{ID: 5, Name: "ignored"},
		"unset": Many2One{},
		"str":   String{},
		"strv":  String{Value: "x", Valid: true},
		"date":  NewDate(2026, 1, 2),
		"dt":    NewDateTime(time.Date(2026, 1, 2, 9, 4, 5, 0, time.FixedZone("CST", -6*3600))),
		"zerot": time.Time{},
		"money": d,
		"f":     0.1,
		"whole": 2.0,
		"big":   int64(1) << 40,
		"nil":   nil,
		"cmds":  []Command{CreateCommand(map[string]any{"name": "x"}), UpdateCommand(3, map[string]any{"a": 1}), DeleteCommand(4), UnlinkCommand(5), LinkCommand(6), ClearCommand(), SetCommand()},
		"dom":   And(Eq("a", 1), Or(ILike("b", "x"), Not(In("c", []int64{1, 2})))),
		"bytes": []byte("hola"),
		"num":   json.Number("12"),
		"numf":  json.Number("1.50"),
		"struct": struct {
			A string `odoo:"a"`
			B Int    `odoo:"b,omitempty"`
			C Int    `odoo:"c"`
		}{A: "x"},
	}
	want := map[string]any{
		"s": "a<b>&\"é\n", "m2o": int64(5), "unset": false, "str": false, "strv": "x", "date": "2026-01-02",
		"dt": "2026-01-02 15:04:05", "zerot": false, "money": json.Number("1999.99"), "f": json.Number("0.1"),
		"whole": json.Number("2.0"), "big": int64(1) << 40, "nil": nil,
		"cmds": []any{
			[]any{int64(0), int64(0), map[string]any{"name": "x"}},
			[]any{int64(1), int64(3), map[string]any{"a": int64(1)}},
			[]any{int64(2), int64(4), int64(0)}, []any{int64(3), int64(5), int64(0)}, []any{int64(4), int64(6), int64(0)},
			[]any{int64(5), int64(0), int64(0)}, []any{int64(6), int64(0), []any{}},
		},
		"dom":   []any{"&", []any{"a", "=", int64(1)}, "|", []any{"b", "ilike", "x"}, "!", []any{"c", "in", []any{int64(1), int64(2)}}},
		"bytes": "aG9sYQ==", "num": int64(12), "numf": json.Number("1.50"),
		"struct": map[string]any{"a": "x", "c": false},
	}
	// JSON
	var jb bytes.Buffer
	if err := encodeJSON(&jb, &planCache{}, vals); err != nil {
		t.Fatal(err)
	}
	gotJ, err := oracleJSON(jb.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, jb.String())
	}
	if diff := cmp.Diff(want, gotJ); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	// XML-RPC
	var xb bytes.Buffer
	if err := encodeMethodCall(&xb, &planCache{}, "execute_kw", []any{vals}); err != nil {
		t.Fatal(err)
	}
	doc, err := oracleXML(xb.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, xb.String())
	}
	if doc.method != "execute_kw" || len(doc.params) != 1 {
		t.Fatalf("doc %+v", doc)
	}
	if diff := cmp.Diff(want, doc.params[0]); diff != "" {
		t.Errorf("XML (-want +got):\n%s", diff)
	}
	if strings.Contains(xb.String(), "<i8>") == false {
		t.Error("int64 beyond int32 should use <i8>")
	}
}

func TestEncodeRejects(t *testing.T) {
	for _, v := range []any{map[int]string{1: "a"}, make(chan int), json.Number("1e"), func() {}} {
		var b bytes.Buffer
		if err := encodeJSON(&b, &planCache{}, v); err == nil {
			t.Errorf("%T: want an error", v)
		}
	}
	var b bytes.Buffer
	if err := encodeJSON(&b, &planCache{}, []any{1.0 / zero()}); err == nil {
		t.Error("Inf encoded")
	}
}

func zero() float64 { return 0 }

func TestDomainBuilder(t *testing.T) {
	cases := []struct {
		name string
		d    Domain
		want string
	}{
		{"empty", And(), `[]`},
		{"and", And(Eq("a", 1), Eq("b", 2), Eq("c", 3)), `["&","&",["a","=",1],["b","=",2],["c","=",3]]`},
		{"implicit and inside or", Or(append(Eq("a", 1), Condition{"b", OpGt, 2}), Eq("c", 3)), `["|","&",["a","=",1],["b",">",2],["c","=",3]]`},
		{"not", Not(Eq("a", false)), `["!",["a","=",false]]`},
		{"not empty", Not(Domain{}), `[[0,"=",1]]`},
		{"or with empty", Or(Eq("a", 1), Domain{}), `[]`},
		{"nested", And(Eq("is_company", true), Or(Eq("country_id", 156), ILike("name", "ruta"))), `["&",["is_company","=",true],"|",["country_id","=",156],["name","ilike","ruta"]]`},
		{"ops", And(Cond("a", OpEqLike, "x%"), Cond("b", OpChildOf, 1), NotIn("c", []int64{1}), NotEq("d", false)), `["&","&","&",["a","=like","x%"],["b","child_of",1],["c","not in",[1]],["d","!=",false]]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.d.Validate(); err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := encodeJSON(&b, &planCache{}, tc.d); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Fatalf("got %s, want %s", b.String(), tc.want)
			}
		})
	}
	good := `["&", ["is_company", "=", true], "|", ["country_id", "=", 156], ["name", "ilike", "ruta"]]`
	d, err := ParseDomain([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	encodeJSON(&b, &planCache{}, d)
	if b.String() != `["&",["is_company","=",true],"|",["country_id","=",156],["name","ilike","ruta"]]` {
		t.Fatalf("raw domain re-encoded as %s", b.String())
	}
	for _, bad := range []string{`["&", ["a","=",1]]`, `["|"]`, `[["a","~",1]]`, `[["a","="]]`, `[1]`, `["x"]`, `{}`, `[["a","=",1]] x`, `[["", "=", 1]]`} {
		if _, err := ParseDomain([]byte(bad)); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name, msg string
		want      Kind
	}{
		{"odoo.exceptions.AccessDenied", "Access Denied", KindAccessDenied},
		{"werkzeug.exceptions.Unauthorized", "Invalid apikey", KindAccessDenied},
		{"odoo.exceptions.AccessError", "no", KindAccessError},
		{"odoo.exceptions.MissingError", "gone", KindMissingError},
		{"odoo.exceptions.ValidationError", "bad", KindValidationError},
		{"odoo.exceptions.UserError", "Object x.y doesn't exist", KindUnknownModel},
		{"odoo.exceptions.UserError", "refused", KindUserError},
		{"odoo.exceptions.RedirectWarning", "go there", KindUserError},
		{"werkzeug.exceptions.NotFound", "the model 'x.y' does not exist", KindUnknownModel},
		{"werkzeug.exceptions.NotFound", "The method 'res.partner.nope' does not exist", KindUnknownMethod},
		{"werkzeug.exceptions.NotFound", "database 'nope' not found", KindOther},
		{"odoo.exceptions.MissingError", "Record does not exist or has been deleted.", KindMissingError},
		{"builtins.AttributeError", "The method 'res.partner.nope' does not exist", KindUnknownMethod},
		{"builtins.ValueError", "Invalid field res.partner.x in condition", KindUnknownField},
		{"builtins.ValueError", "Invalid field 'x' on model 'res.partner'", KindUnknownField},
		{"builtins.ValueError", "something else", KindServerError},
		{"odoo.exceptions.ConcurrencyError", "retry", KindConcurrentUpdate},
		{"", "", KindOther},
	}
	for _, tc := range cases {
		if got := classify(tc.name, tc.msg); got != tc.want {
			t.Errorf("classify(%q, %q) = %v, want %v", tc.name, tc.msg, got, tc.want)
		}
	}
	tb := "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\n    raise ValueError(f\"Invalid field\")\nValueError: Invalid field res.partner.no in leaf ('no', '=', 1)\n"
	k, name, msg, debug := classifyFault(1, tb)
	if k != KindUnknownField || name != "builtins.ValueError" || msg != "Invalid field res.partner.no in leaf ('no', '=', 1)" || debug != tb {
		t.Errorf("fault 1: %v %q %q", k, name, msg)
	}
	tb2 := "Traceback (most recent call last):\n  File \"m.py\"\nodoo.exceptions.MissingError: Record does not exist or has been deleted.\n(Record: res.partner(9,), User: 2)\n"
	if k, name, _, _ := classifyFault(1, tb2); k != KindMissingError || name != nameMissingError {
		t.Errorf("fault 1 multi-line: %v %q", k, name)
	}
	if k, name, _, _ := classifyFault(2, "Record does not exist or has been deleted.\n(Record: res.partner(9,), User: 2)"); k != KindMissingError || name != nameMissingError {
		t.Errorf("fault 2 missing: %v %q", k, name)
	}
	if !errors.Is(&Error{Kind: KindUserError}, ErrUserError) || errors.Is(&Error{Kind: KindUserError}, ErrValidationError) {
		t.Error("Is broken")
	}
	e := &Error{Op: "call", Model: "crm.lead", Method: "create", Kind: KindValidationError, Name: nameValidationError, Message: "Missing required value"}
	if e.Error() != "odoo: call crm.lead.create ValidationError (odoo.exceptions.ValidationError): Missing required value" {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestNoneResultOverXMLRPC(t *testing.T) {
	m := newMiniOdoo(t)
	m.handle = func(c miniCall) (any, *miniErr) {
		return nil, &miniErr{faultCode: 1, message: "Traceback (most recent call last):\n  File \"/usr/lib/python3.12/xmlrpc/client.py\", line 1, in dump_nil\n    raise TypeError(\"cannot marshal None unless allow_none is enabled\")\nTypeError: cannot marshal None unless allow_none is enabled\n"}
	}
	c := miniClient(t, m, ProtocolXMLRPC)
	var res any = "sentinel"
	if err := c.Call(t.Context(), "account.payment", "action_post", []any{[]int64{1}}, nil, &res); err != nil {
		t.Fatal(err)
	}
	if res != nil {
		t.Fatalf("result %v, want nil", res)
	}
}

func TestParseTimeBytes(t *testing.T) {
	for _, s := range []string{"2026-11-22 21:46:39", "2026-02-28", "2024-02-29", "2026-11-22T21:46:39", "20261122T21:46:39", "2026-11-22 21:46:39.123456", "2026-02-30", "2026-13-01", "2026-11-22 24:00:00", "abcd-ef-gh", "2026-1-2", ""} {
		got, ok := parseTimeBytes([]byte(s))
		want, wok := parseOdooTime(s)
		if ok != wok || !got.Equal(want) {
			t.Errorf("%q: fast %v %v, reference %v %v", s, got, ok, want, wok)
		}
	}
}

func TestMany2OneIntoInt(t *testing.T) {
	var row struct {
		Parent  int64 `odoo:"parent_id"`
		Country int64 `odoo:"country_id"`
	}
	j := &jsonSource{b: []byte(`{"parent_id": [7, "Ruta 27"], "country_id": false}`)}
	if err := (&decoder{src: j, plans: &planCache{}}).decodeTop(&row); err != nil {
		t.Fatal(err)
	}
	if row.Parent != 7 || row.Country != 0 {
		t.Fatalf("got %+v", row)
	}
}

// TestValidationErrorIsUserError: Odoo's ValidationError subclasses
// UserError, so ErrUserError also matches a validation error, never the
// other way round, and no other kind gains a parent.
func TestValidationErrorIsUserError(t *testing.T) {
	tests := []struct {
		kind               Kind
		isUser, isValidity bool
	}{
		{KindValidationError, true, true},
		{KindUserError, true, false},
		{KindAccessError, false, false},
		{KindMissingError, false, false},
		{KindServerError, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", &Error{Kind: tt.kind})
			if got := errors.Is(err, ErrUserError); got != tt.isUser {
				t.Errorf("Is(ErrUserError) = %v, want %v", got, tt.isUser)
			}
			if got := errors.Is(err, ErrValidationError); got != tt.isValidity {
				t.Errorf("Is(ErrValidationError) = %v, want %v", got, tt.isValidity)
			}
			var oe *Error
			if !errors.As(err, &oe) || oe.Kind != tt.kind {
				t.Errorf("kind changed: %v", oe)
			}
		})
	}
}
