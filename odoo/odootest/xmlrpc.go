package odootest

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// maxXMLDepth bounds nesting in XML-RPC requests so a hostile body cannot
// exhaust the stack.
const maxXMLDepth = 64

// errCannotMarshalNone is what Python's xmlrpc.client raises when a method
// returns None and allow_none is off, as Odoo's XML-RPC endpoint does.
var errCannotMarshalNone = errors.New("cannot marshal None unless allow_none is enabled")

// errIntOverflow is Python's OverflowError for ints beyond XML-RPC's 32 bits.
var errIntOverflow = errors.New("int exceeds XML-RPC limits")

// parseMethodCall decodes an XML-RPC <methodCall> into its method name and
// parameters (values in the fake's closed set of types).
func parseMethodCall(body []byte) (string, []any, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	var method string
	var params []any
	sawCall := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, fmt.Errorf("xml-rpc: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "methodCall":
			sawCall = true
		case "methodName":
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				return "", nil, fmt.Errorf("xml-rpc: methodName: %w", err)
			}
			method = strings.TrimSpace(s)
		case "param":
			v, err := parseParam(dec)
			if err != nil {
				return "", nil, err
			}
			params = append(params, v)
		case "params":
		default:
			return "", nil, fmt.Errorf("xml-rpc: unexpected element <%s>", se.Name.Local)
		}
	}
	if !sawCall || method == "" {
		return "", nil, errors.New("xml-rpc: not a methodCall")
	}
	return method, params, nil
}

// parseParam reads the <value> inside a <param> and the closing </param>.
func parseParam(dec *xml.Decoder) (any, error) {
	var out any
	got := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("xml-rpc: param: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "value" || got {
				return nil, fmt.Errorf("xml-rpc: unexpected <%s> in param", t.Name.Local)
			}
			v, err := parseValue(dec, 0)
			if err != nil {
				return nil, err
			}
			out, got = v, true
		case xml.EndElement:
			if !got {
				return nil, errors.New("xml-rpc: empty param")
			}
			return out, nil
		}
	}
}

// parseValue reads the content of a <value> element up to and including its
// end tag. A bare text value is a string, as the XML-RPC spec says.
func parseValue(dec *xml.Decoder, depth int) (any, error) {
	if depth > maxXMLDepth {
		return nil, errors.New("xml-rpc: values nested too deeply")
	}
	var text strings.Builder
	var out any
	typed := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("xml-rpc: value: %w", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if !typed {
				text.Write(t)
			}
		case xml.StartElement:
			if typed {
				return nil, fmt.Errorf("xml-rpc: two types in one value (<%s>)", t.Name.Local)
			}
			typed = true
			v, err := parseTyped(dec, t, depth)
			if err != nil {
				return nil, err
			}
			out = v
		case xml.EndElement:
			if !typed {
				return text.String(), nil
			}
			return out, nil
		}
	}
}

func parseTyped(dec *xml.Decoder, se xml.StartElement, depth int) (any, error) {
	switch se.Name.Local {
	case "array":
		return parseArray(dec, depth)
	case "struct":
		return parseStruct(dec, depth)
	case "nil":
		if err := dec.Skip(); err != nil {
			return nil, fmt.Errorf("xml-rpc: nil: %w", err)
		}
		return nil, nil
	}
	var s string
	if err := dec.DecodeElement(&s, &se); err != nil {
		return nil, fmt.Errorf("xml-rpc: <%s>: %w", se.Name.Local, err)
	}
	switch se.Name.Local {
	case "string":
		return s, nil
	case "int", "i4", "i8":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("xml-rpc: bad int %q", s)
		}
		return n, nil
	case "boolean":
		switch strings.TrimSpace(s) {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
		return nil, fmt.Errorf("xml-rpc: bad boolean %q", s)
	case "double":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("xml-rpc: bad double %q", s)
		}
		return f, nil
	case "dateTime.iso8601":
		// Odoo reads dates as strings; normalise 20260301T10:00:00.
		s = strings.TrimSpace(s)
		if len(s) == 17 && s[8] == 'T' {
			s = s[0:4] + "-" + s[4:6] + "-" + s[6:8] + " " + s[9:]
		}
		return s, nil
	case "base64":
		raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, fmt.Errorf("xml-rpc: bad base64: %w", err)
		}
		return string(raw), nil
	}
	return nil, fmt.Errorf("xml-rpc: unknown type <%s>", se.Name.Local)
}

func parseArray(dec *xml.Decoder, depth int) (any, error) {
	out := []any{}
	inData := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("xml-rpc: array: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "data" && !inData:
				inData = true
			case t.Name.Local == "value" && inData:
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			default:
				return nil, fmt.Errorf("xml-rpc: unexpected <%s> in array", t.Name.Local)
			}
		case xml.EndElement:
			if t.Name.Local == "data" {
				inData = false
				continue
			}
			return out, nil
		}
	}
}

func parseStruct(dec *xml.Decoder, depth int) (any, error) {
	out := map[string]any{}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("xml-rpc: struct: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "member" {
				return nil, fmt.Errorf("xml-rpc: unexpected <%s> in struct", t.Name.Local)
			}
			name, v, err := parseMember(dec, depth)
			if err != nil {
				return nil, err
			}
			out[name] = v
		case xml.EndElement:
			return out, nil
		}
	}
}

func parseMember(dec *xml.Decoder, depth int) (string, any, error) {
	var name string
	var val any
	gotName, gotValue := false, false
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", nil, fmt.Errorf("xml-rpc: member: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "name":
				if err := dec.DecodeElement(&name, &t); err != nil {
					return "", nil, fmt.Errorf("xml-rpc: member name: %w", err)
				}
				gotName = true
			case "value":
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return "", nil, err
				}
				val, gotValue = v, true
			default:
				return "", nil, fmt.Errorf("xml-rpc: unexpected <%s> in member", t.Name.Local)
			}
		case xml.EndElement:
			if !gotName || !gotValue {
				return "", nil, errors.New("xml-rpc: member without name or value")
			}
			return name, val, nil
		}
	}
}

// xmlHeader is the prolog Odoo 19 writes; 17 uses single quotes. Clients must
// accept both; the fake writes the one of its version.
func xmlHeader(version string) string {
	if version == "17.0" {
		return "<?xml version='1.0'?>\n"
	}
	return "<?xml version=\"1.0\"?>\n"
}

// encodeMethodResponse renders a successful XML-RPC answer the way Python's
// xmlrpc.client.dumps does.
func encodeMethodResponse(version string, v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xmlHeader(version))
	b.WriteString("<methodResponse>\n<params>\n<param>\n")
	if err := writeXMLValue(&b, v, 0); err != nil {
		return nil, err
	}
	b.WriteString("</param>\n</params>\n")
	if version != "17.0" {
		b.WriteString("\n")
	}
	b.WriteString("</methodResponse>\n")
	return b.Bytes(), nil
}

// encodeFault renders an XML-RPC fault.
func encodeFault(version string, code int, msg string) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader(version))
	b.WriteString("<methodResponse>\n<fault>\n")
	f := newOmap().set("faultCode", int64(code)).set("faultString", msg)
	_ = writeXMLValue(&b, f, 0) // only ints and strings: cannot fail
	b.WriteString("</fault>\n")
	if version != "17.0" {
		b.WriteString("\n")
	}
	b.WriteString("</methodResponse>\n")
	return b.Bytes()
}

func writeXMLValue(b *bytes.Buffer, v any, depth int) error {
	if depth > maxXMLDepth {
		return errors.New("xml-rpc: value nested too deeply")
	}
	switch x := v.(type) {
	case nil:
		return errCannotMarshalNone
	case bool:
		if x {
			b.WriteString("<value><boolean>1</boolean></value>\n")
		} else {
			b.WriteString("<value><boolean>0</boolean></value>\n")
		}
	case int:
		return writeXMLValue(b, int64(x), depth)
	case int64:
		if x > math.MaxInt32 || x < math.MinInt32 {
			return errIntOverflow
		}
		b.WriteString("<value><int>")
		b.WriteString(strconv.FormatInt(x, 10))
		b.WriteString("</int></value>\n")
	case float64:
		b.WriteString("<value><double>")
		b.WriteString(pyFloat(x))
		b.WriteString("</double></value>\n")
	case string:
		b.WriteString("<value><string>")
		xmlEscape(b, x)
		b.WriteString("</string></value>\n")
	case []any:
		b.WriteString("<value><array><data>\n")
		for _, e := range x {
			if err := writeXMLValue(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteString("</data></array></value>\n")
	case []int64:
		b.WriteString("<value><array><data>\n")
		for _, e := range x {
			if err := writeXMLValue(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteString("</data></array></value>\n")
	case []string:
		b.WriteString("<value><array><data>\n")
		for _, e := range x {
			_ = writeXMLValue(b, e, depth+1)
		}
		b.WriteString("</data></array></value>\n")
	case *omap:
		b.WriteString("<value><struct>\n")
		for _, k := range x.keys {
			b.WriteString("<member>\n<name>")
			xmlEscape(b, k)
			b.WriteString("</name>\n")
			if err := writeXMLValue(b, x.m[k], depth+1); err != nil {
				return err
			}
			b.WriteString("</member>\n")
		}
		b.WriteString("</struct></value>\n")
	case map[string]any:
		o := newOmap()
		for _, k := range sortedKeys(x) {
			o.set(k, x[k])
		}
		return writeXMLValue(b, o, depth)
	default:
		return fmt.Errorf("cannot marshal %T objects", v)
	}
	return nil
}

// xmlEscape escapes like Python's xmlrpc.client: &, < and > only.
func xmlEscape(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(c)
		}
	}
}

// parseMethodResponse decodes an XML-RPC <methodResponse>: the single result
// value, or the fault struct (faultCode, faultString) with isFault set.
func parseMethodResponse(body []byte) (v any, isFault bool, err error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	sawResponse := false
	got := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, fmt.Errorf("xml-rpc: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "methodResponse":
			sawResponse = true
		case "params", "param":
		case "fault":
			isFault = true
		case "value":
			if got {
				return nil, false, errors.New("xml-rpc: more than one value in response")
			}
			if v, err = parseValue(dec, 0); err != nil {
				return nil, false, err
			}
			got = true
		default:
			return nil, false, fmt.Errorf("xml-rpc: unexpected element <%s>", se.Name.Local)
		}
	}
	if !sawResponse || !got {
		return nil, false, errors.New("xml-rpc: not a methodResponse with a value")
	}
	return v, isFault, nil
}
