package odoo

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeAnyXML decodes an XML-RPC methodResponse with the hand-written scanner.
func decodeAnyXML(b []byte) (any, bool, error) {
	src, fault, err := newXMLResponse(b)
	if err != nil {
		return nil, false, err
	}
	d := decoder{src: src, plans: &planCache{}}
	var v any
	if err := d.decodeTop(&v); err != nil {
		return nil, fault, err
	}
	return v, fault, src.finish(fault)
}

func decodeAnyJSON(b []byte) (any, error) {
	src := &jsonSource{b: b}
	d := decoder{src: src, plans: &planCache{}}
	var v any
	if err := d.decodeTop(&v); err != nil {
		return nil, err
	}
	return v, src.finish()
}

// TestCodecsMatchOracles decodes every recorded response and request body
// into the generic form and compares with encoding/xml and encoding/json.
func TestCodecsMatchOracles(t *testing.T) {
	for _, e := range loadExchanges(t) {
		t.Run(e.name(), func(t *testing.T) {
			switch e.Protocol {
			case "xmlrpc":
				got, fault, err := decodeAnyXML([]byte(e.ResponseBody))
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				want, err := oracleXML([]byte(e.ResponseBody))
				if err != nil {
					t.Fatalf("oracle: %v", err)
				}
				if fault != want.fault || len(want.params) != 1 {
					t.Fatalf("fault=%v oracle fault=%v params=%d", fault, want.fault, len(want.params))
				}
				if diff := cmp.Diff(want.params[0], got); diff != "" {
					t.Errorf("mismatch (-oracle +scanner):\n%s", diff)
				}
			default:
				if e.ResponseBody == "" {
					return
				}
				got, err := decodeAnyJSON([]byte(e.ResponseBody))
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				want, err := oracleJSON([]byte(e.ResponseBody))
				if err != nil {
					t.Fatalf("oracle: %v", err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("mismatch (-oracle +scanner):\n%s", diff)
				}
			}
		})
	}
}
