package odoo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds returns recorded bodies of one protocol family, plus a few
// hand-written edge cases, so `go test` (which runs only the seeds) covers
// real answers even without the fuzzer.
func fuzzSeeds(f *testing.F, xml bool) {
	files, _ := filepath.Glob(filepath.Join(wireDir(), "*", "*.jsonl"))
	for _, file := range files {
		isXML := strings.HasSuffix(file, "xmlrpc.jsonl")
		if isXML != xml {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range exchangesFromBytes(f, data) {
			f.Add([]byte(e.ResponseBody))
			if len(e.RequestBody) < 4096 && !xml {
				f.Add([]byte(e.RequestBody))
			}
		}
	}
}

func exchangesFromBytes(f *testing.F, data []byte) []exchange {
	var out []exchange
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e exchange
		if err := jsonUnmarshalNumber(line, &e); err != nil {
			f.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

type fuzzRow struct {
	ID     int64     `odoo:"id"`
	Name   string    `odoo:"name"`
	Parent Many2One  `odoo:"parent_id"`
	Tags   []int64   `odoo:"category_id"`
	Amount String    `odoo:"email"`
	Date   DateTime  `odoo:"create_date"`
	Sel    Selection `odoo:"state"`
	Any    any       `odoo:"comment"`
	Ptr    *int64    `odoo:"color"`
	Map    map[string]any
}

// decodeAllWays decodes one body into every destination kind; none may panic.
func decodeAllWays(t *testing.T, newSrc func() (source, func() error, error)) {
	dests := []func() any{
		func() any { return new(any) },
		func() any { return new([]fuzzRow) },
		func() any { return new(map[string]any) },
		func() any { return new([]int64) },
		func() any { return new(int64) },
		func() any { return new(bool) },
		func() any { return new(xmlFault) },
		func() any { return new(jsonrpcError) },
		func() any { return new([2]string) },
		func() any { return new(map[string]Field) },
	}
	for _, mk := range dests {
		src, finish, err := newSrc()
		if err != nil {
			return
		}
		d := decoder{src: src, plans: &planCache{}}
		if err := d.decodeTop(mk()); err == nil && finish != nil {
			_ = finish()
		}
	}
}

func FuzzDecodeXMLRPC(f *testing.F) {
	fuzzSeeds(f, true)
	f.Add([]byte(`<?xml version='1.0'?><methodResponse><params><param><value><array><data><value><i8>-9</i8></value><value>untyped &amp; text</value><value><nil/></value><value><struct/></value><value><array><data/></array></value></data></array></value></param></params></methodResponse>`))
	f.Add([]byte(`<methodResponse><params></params></methodResponse>`))
	f.Add([]byte(`<methodResponse><params><param><value><string>&#233;&#xE9;&bad;</string></value></param></params></methodResponse>`))
	f.Add([]byte(strings.Repeat("<value><array><data>", 300)))
	f.Fuzz(func(t *testing.T, body []byte) {
		decodeAllWays(t, func() (source, func() error, error) {
			x, fault, err := newXMLResponse(body)
			if err != nil {
				return nil, nil, err
			}
			return x, func() error { return x.finish(fault) }, nil
		})
	})
}

func FuzzDecodeJSON(f *testing.F) {
	fuzzSeeds(f, false)
	f.Add([]byte(`{"a":[1,-0.5e+3,"\u00e9\ud83d\ude00\n",true,false,null,{}],"b":[]}`))
	f.Add([]byte(`"\ud800"`))
	f.Add([]byte(strings.Repeat("[", 1000)))
	f.Add([]byte(`[1,2,]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		decodeAllWays(t, func() (source, func() error, error) {
			j := &jsonSource{b: body}
			return j, j.finish, nil
		})
	})
}

func TestDecodeBounds(t *testing.T) {
	cases := []struct {
		name string
		xml  bool
		body string
	}{
		{"json deep", false, strings.Repeat("[", 100000)},
		{"json deep object", false, strings.Repeat(`{"a":`, 100000)},
		{"xml deep", true, "<methodResponse><params><param>" + strings.Repeat("<value><array><data>", 100000)},
		{"json truncated", false, `[{"id": 1, "name": "x`},
		{"xml truncated", true, `<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>id</name><value><int>1`},
		{"json trailing", false, `[1] [2]`},
		{"xml bad int", true, `<methodResponse><params><param><value><int>12a</int></value></param></params></methodResponse>`},
		{"xml unknown type", true, `<methodResponse><params><param><value><foo>1</foo></value></param></params></methodResponse>`},
		{"xml mismatched", true, `<methodResponse><params><param><value><int>1</string></value></param></params></methodResponse>`},
		{"html", true, `<html><body>502 Bad Gateway</body></html>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			var err error
			if tc.xml {
				var x *xmlSource
				var fault bool
				x, fault, err = newXMLResponse([]byte(tc.body))
				if err == nil {
					d := decoder{src: x, plans: &planCache{}}
					if err = d.decodeTop(&v); err == nil {
						err = x.finish(fault)
					}
				}
			} else {
				j := &jsonSource{b: []byte(tc.body)}
				d := decoder{src: j, plans: &planCache{}}
				if err = d.decodeTop(&v); err == nil {
					err = j.finish()
				}
			}
			var se *syntaxError
			if !errors.As(err, &se) {
				t.Fatalf("want a syntax error, got %v", err)
			}
		})
	}
}

func FuzzParseDomain(f *testing.F) {
	f.Add([]byte(`["&", ["is_company", "=", true], "|", ["country_id", "=", 156], ["name", "ilike", "ruta"]]`))
	f.Add([]byte(`["!", ["email", "=", false], ["id", "not in", [1, 2, 3]], ["create_date", ">=", "2026-01-01 00:00:00"]]`))
	f.Add([]byte(`[[0, "=", 1]]`))
	f.Add([]byte(`["|"]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDomain(data)
		if err != nil {
			return
		}
		// A domain that parses re-encodes, and its normalised form still validates.
		var b bytes.Buffer
		if err := encodeJSON(&b, &planCache{}, d); err != nil {
			t.Fatalf("valid domain does not encode: %v", err)
		}
		if err := And(d, Eq("id", 1)).Validate(); err != nil {
			t.Fatalf("combined domain invalid: %v", err)
		}
		if err := Not(d).Validate(); err != nil {
			t.Fatalf("negated domain invalid: %v", err)
		}
	})
}
