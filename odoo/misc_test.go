package odoo

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVersionFromInfo(t *testing.T) {
	cases := []struct {
		server     string
		info       []any
		major, min int
	}{
		{"19.0", []any{int64(19), int64(0), int64(0), "final", int64(0), ""}, 19, 0},
		{"saas~18.3", []any{"saas~18", int64(3), int64(0), "final", int64(0), ""}, 18, 3},
		{"17.0+e", nil, 17, 0},
		{"saas~17.4", nil, 17, 4},
		{"", nil, 0, 0},
	}
	for _, tc := range cases {
		v := versionFromInfo(tc.server, tc.info)
		if v.Major != tc.major || v.Minor != tc.min {
			t.Errorf("%q %v: got %d.%d", tc.server, tc.info, v.Major, v.Minor)
		}
	}
}

func TestProtocolNames(t *testing.T) {
	for _, p := range []Protocol{ProtocolAuto, ProtocolXMLRPC, ProtocolJSONRPC, ProtocolJSON2} {
		got, err := ParseProtocol(p.String())
		if err != nil || got != p {
			t.Errorf("%v: %v %v", p, got, err)
		}
	}
	if _, err := ParseProtocol("soap"); err == nil {
		t.Error("soap accepted")
	}
	b, _ := json.Marshal(map[string]Kind{"kind": KindValidationError})
	if string(b) != `{"kind":"ValidationError"}` {
		t.Errorf("kind JSON %s", b)
	}
	if Kind(200).String() != "Kind(200)" || ErrAccessDenied.Error() != "odoo: AccessDenied" {
		t.Error("kind strings")
	}
	de := &DecodeError{Model: "res.partner", Field: "id", Want: "int64", Got: "string"}
	if de.Error() != "odoo: cannot decode string into int64 (res.partner.id)" {
		t.Errorf("%q", de.Error())
	}
}

func TestDecodeErrorThroughClient(t *testing.T) {
	for _, p := range protocols() {
		m := newMiniOdoo(t)
		m.handle = func(c miniCall) (any, *miniErr) { return "not a number", nil }
		c := miniClient(t, m, p)
		_, err := c.SearchCount(t.Context(), "res.partner", nil, nil)
		var oe *Error
		var de *DecodeError
		if !errors.As(err, &oe) || oe.Kind != KindDecode || !errors.As(err, &de) || de.Model != "res.partner" {
			t.Fatalf("%v: %v", p, err)
		}
	}
}

func TestLoginJSON2(t *testing.T) {
	m := newMiniOdoo(t)
	m.handle = func(c miniCall) (any, *miniErr) { return int64(3), nil }
	c := miniClient(t, m, ProtocolJSON2)
	if uid, err := c.Login(t.Context()); err != nil || uid != 0 {
		t.Fatalf("%d %v", uid, err)
	}
	if len(m.callsOf("search_count")) != 1 {
		t.Fatal("the key was not checked")
	}
	c.CloseIdleConnections()
}

type encStruct struct {
	Name  string     `odoo:"name"`
	Ptr   *int64     `odoo:"ptr"`
	NilP  *string    `odoo:"nilp"`
	U     uint16     `odoo:"u"`
	F32   float32    `odoo:"f32"`
	Arr   [2]int     `odoo:"arr"`
	Empty []int64    `odoo:"empty,omitempty"`
	M     Many2One   `odoo:"m,omitempty"`
	Inner *encStruct `odoo:"inner,omitempty"`
	Skip  string
}

func TestEncodeReflect(t *testing.T) {
	n := int64(5)
	v := encStruct{Name: "a\x01\u2028\xff", Ptr: &n, U: 7, F32: 1.5, Arr: [2]int{1, 2}, Inner: &encStruct{Name: "in"}}
	var b bytes.Buffer
	if err := encodeJSON(&b, &planCache{}, v); err != nil {
		t.Fatal(err)
	}
	got, err := oracleJSON(b.Bytes())
	if err != nil {
		t.Fatalf("%v: %s", err, b.String())
	}
	want := map[string]any{
		"name": "a\x01\u2028\ufffd", "ptr": int64(5), "nilp": nil, "u": int64(7), "f32": json.Number("1.5"),
		"arr":   []any{int64(1), int64(2)},
		"inner": map[string]any{"name": "in", "ptr": nil, "nilp": nil, "u": int64(0), "f32": json.Number("0.0"), "arr": []any{int64(0), int64(0)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s\n%s", diff, b.String())
	}
	// XML-RPC escapes what XML 1.0 allows and replaces what it cannot carry.
	var x bytes.Buffer
	if err := encodeMethodCall(&x, &planCache{}, "m", []any{"a&<>\r\x01"}); err != nil {
		t.Fatal(err)
	}
	doc, err := oracleXML(x.Bytes())
	if err != nil || doc.params[0] != "a&<>\r\uFFFD" {
		t.Fatalf("%v %q", err, doc.params)
	}
}
