package odoo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// This file holds independent parsers (encoding/xml, encoding/json) used as
// test oracles for the hand-written codecs, and the recordings loader.

// exchange is one line of shared/odoo-wire/*/*.jsonl.
type exchange struct {
	OdooVersion         string            `json:"odoo_version"`
	Protocol            string            `json:"protocol"`
	HTTPMethod          string            `json:"http_method"`
	Path                string            `json:"path"`
	RequestHeaders      map[string]string `json:"request_headers"`
	RequestBody         string            `json:"request_body"`
	Status              int               `json:"status"`
	ResponseContentType string            `json:"response_content_type"`
	ResponseBody        string            `json:"response_body"`
	Description         string            `json:"description"`
	Call                *struct {
		Model  string         `json:"model"`
		Method string         `json:"method"`
		Args   []any          `json:"args"`
		Kwargs map[string]any `json:"kwargs"`
	} `json:"call"`
	file string
	line int
}

func wireDir() string { return filepath.Join("..", "..", "shared", "odoo-wire") }

// loadExchanges reads every recording, or skips the test when the folder is absent.
func loadExchanges(t testing.TB) []*exchange {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(wireDir(), "*", "*.jsonl"))
	if len(files) == 0 {
		t.Skipf("no recordings under %s (shared/odoo-wire is not checked out next to the module); skipping conformance", wireDir())
	}
	var out []*exchange
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		n := 0
		for sc.Scan() {
			n++
			var e exchange
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.UseNumber()
			if err := dec.Decode(&e); err != nil {
				t.Fatalf("%s:%d: %v", f, n, err)
			}
			rel, _ := filepath.Rel(wireDir(), f)
			e.file, e.line = rel, n
			out = append(out, &e)
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (e *exchange) name() string {
	return fmt.Sprintf("%s:%d", e.file, e.line)
}

// normJSON converts encoding/json (UseNumber) output into the client's
// normalised form: integers as int64, other numbers as json.Number.
func normJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return n
			}
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normJSON(e)
		}
		return out
	}
	return v
}

func oracleJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return normJSON(v), nil
}

// oracleXMLValue parses an XML-RPC document with encoding/xml. For a
// methodResponse it returns the param value (or the fault struct with
// fault=true); for a methodCall it returns the method name and params.
type xmlDoc struct {
	method string
	params []any
	fault  bool
}

func oracleXML(b []byte) (*xmlDoc, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	doc := &xmlDoc{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return doc, nil
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "methodName":
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				return nil, err
			}
			doc.method = s
		case "fault":
			doc.fault = true
		case "value":
			v, err := oracleValue(d)
			if err != nil {
				return nil, err
			}
			doc.params = append(doc.params, v)
		}
	}
}

// oracleValue parses the content of a <value> whose start tag was read.
func oracleValue(d *xml.Decoder) (any, error) {
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.EndElement: // </value> with no type: a string
			return text.String(), nil
		case xml.StartElement:
			v, err := oracleTyped(d, t)
			if err != nil {
				return nil, err
			}
			// consume up to </value>
			for {
				tok, err := d.Token()
				if err != nil {
					return nil, err
				}
				if _, ok := tok.(xml.EndElement); ok {
					return v, nil
				}
			}
		}
	}
}

func oracleTyped(d *xml.Decoder, se xml.StartElement) (any, error) {
	switch se.Name.Local {
	case "array":
		out := []any{}
		for {
			tok, err := d.Token()
			if err != nil {
				return nil, err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				if t.Name.Local == "value" {
					v, err := oracleValue(d)
					if err != nil {
						return nil, err
					}
					out = append(out, v)
				}
			case xml.EndElement:
				if t.Name.Local == "array" {
					return out, nil
				}
			}
		}
	case "struct":
		out := map[string]any{}
		var name string
		for {
			tok, err := d.Token()
			if err != nil {
				return nil, err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				switch t.Name.Local {
				case "name":
					if err := d.DecodeElement(&name, &t); err != nil {
						return nil, err
					}
				case "value":
					v, err := oracleValue(d)
					if err != nil {
						return nil, err
					}
					out[name] = v
				}
			case xml.EndElement:
				if t.Name.Local == "struct" {
					return out, nil
				}
			}
		}
	}
	var s string
	if err := d.DecodeElement(&s, &se); err != nil {
		return nil, err
	}
	switch se.Name.Local {
	case "int", "i4", "i8":
		return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	case "boolean":
		return strings.TrimSpace(s) == "1", nil
	case "double":
		return json.Number(strings.TrimSpace(s)), nil
	case "nil":
		return nil, nil
	case "string", "dateTime.iso8601", "base64":
		return s, nil
	}
	return nil, errors.New("oracle: unknown type " + se.Name.Local)
}

func jsonUnmarshalNumber(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
