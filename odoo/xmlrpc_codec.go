package odoo

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// xmlSource scans an XML-RPC value (the grammar of
// http://xmlrpc.com/spec.md plus <nil/> and <i8>) straight from the body
// bytes. It never builds a tree: each call to next returns one token.
type xmlSource struct {
	b       []byte
	pos     int
	stack   []byte // 'a' array, 's' struct, 'A' <data/>, 'Z' <array/>, 'E' <struct/>
	noParam bool   // <params></params>: the answer has no value
	want    bool   // in a struct, a member name was read and its value is next
	started bool
	scratch []byte
}

func (x *xmlSource) errf(msg string) error { return &syntaxError{msg: msg, offset: x.pos} }

func (x *xmlSource) ws() {
	for x.pos < len(x.b) {
		switch x.b[x.pos] {
		case ' ', '\t', '\n', '\r':
			x.pos++
		default:
			return
		}
	}
}

func (x *xmlSource) has(s string) bool {
	return len(x.b)-x.pos >= len(s) && string(x.b[x.pos:x.pos+len(s)]) == s
}

// expect consumes the literal s (after optional whitespace).
func (x *xmlSource) expect(s string) error {
	x.ws()
	if !x.has(s) {
		if x.pos >= len(x.b) {
			return x.errf("unexpected end of input, want " + s)
		}
		return x.errf("want " + s)
	}
	x.pos += len(s)
	return nil
}

// text reads character data up to the next '<', resolving entities.
func (x *xmlSource) text() ([]byte, error) {
	i := bytes.IndexByte(x.b[x.pos:], '<')
	if i < 0 {
		return nil, x.errf("unexpected end of input in text")
	}
	raw := x.b[x.pos : x.pos+i]
	start := x.pos
	x.pos += i
	if bytes.IndexByte(raw, '&') < 0 {
		return raw, nil
	}
	out, err := unescapeXML(x.scratch[:0], raw)
	if err != nil {
		return nil, &syntaxError{msg: err.Error(), offset: start}
	}
	x.scratch = out
	return out, nil
}

type entityError string

func (e entityError) Error() string { return string(e) }

func unescapeXML(dst, s []byte) ([]byte, error) {
	for len(s) > 0 {
		i := bytes.IndexByte(s, '&')
		if i < 0 {
			return append(dst, s...), nil
		}
		dst = append(dst, s[:i]...)
		s = s[i:]
		j := bytes.IndexByte(s, ';')
		if j < 0 || j > 12 {
			return nil, entityError("bad entity")
		}
		ent := s[1:j]
		s = s[j+1:]
		switch string(ent) {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if len(ent) < 2 || ent[0] != '#' {
				return nil, entityError("unknown entity")
			}
			var n uint64
			var err error
			if ent[1] == 'x' || ent[1] == 'X' {
				n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else {
				n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			if err != nil || n > utf8.MaxRune {
				return nil, entityError("bad character reference")
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
	return dst, nil
}

// tagName reads "<name>" or "<name/>" at the current position and reports
// the name and whether the tag was self-closing.
func (x *xmlSource) tagName() (name []byte, empty bool, err error) {
	x.ws()
	if x.pos >= len(x.b) || x.b[x.pos] != '<' {
		return nil, false, x.errf("want a tag")
	}
	i := bytes.IndexByte(x.b[x.pos:], '>')
	if i < 0 {
		return nil, false, x.errf("unterminated tag")
	}
	name = x.b[x.pos+1 : x.pos+i]
	x.pos += i + 1
	if n := len(name); n > 0 && name[n-1] == '/' {
		name = bytes.TrimRight(name[:n-1], " ")
		empty = true
	}
	return name, empty, nil
}

func (x *xmlSource) push(c byte) error {
	if len(x.stack) >= maxDepth {
		return x.errf("nesting too deep")
	}
	x.stack = append(x.stack, c)
	return nil
}

// endValue consumes "</value>" and, inside a struct, the "</member>" after it.
func (x *xmlSource) endValue() error {
	if err := x.expect("</value>"); err != nil {
		return err
	}
	return x.endMember()
}

func (x *xmlSource) endMember() error {
	if n := len(x.stack); n > 0 && (x.stack[n-1] == 's') {
		return x.expect("</member>")
	}
	return nil
}

func (x *xmlSource) next() (token, error) {
	if len(x.stack) == 0 {
		if x.started {
			return token{kind: tokEOF}, nil
		}
		x.started = true
		if x.noParam {
			return token{kind: tokNull}, nil
		}
		return x.value()
	}
	switch x.stack[len(x.stack)-1] {
	case 'a':
		x.ws()
		if x.has("</data>") {
			x.pos += len("</data>")
			return x.closeContainer("</array>", tokArrayEnd)
		}
		return x.value()
	case 'A':
		return x.closeContainer("</array>", tokArrayEnd)
	case 'Z', 'E':
		k := tokArrayEnd
		if x.stack[len(x.stack)-1] == 'E' {
			k = tokObjectEnd
		}
		x.stack = x.stack[:len(x.stack)-1]
		if err := x.endValue(); err != nil {
			return token{}, err
		}
		return token{kind: k}, nil
	}
	// struct
	if x.want {
		x.want = false
		return x.value()
	}
	x.ws()
	if x.has("</struct>") {
		return x.closeContainer("</struct>", tokObjectEnd)
	}
	if err := x.expect("<member>"); err != nil {
		return token{}, err
	}
	if err := x.expect("<name>"); err != nil {
		return token{}, err
	}
	name, err := x.text()
	if err != nil {
		return token{}, err
	}
	if err := x.expect("</name>"); err != nil {
		return token{}, err
	}
	x.want = true
	return token{kind: tokKey, text: name}, nil
}

func (x *xmlSource) closeContainer(end string, k tokKind) (token, error) {
	if err := x.expect(end); err != nil {
		return token{}, err
	}
	x.stack = x.stack[:len(x.stack)-1]
	if err := x.endValue(); err != nil {
		return token{}, err
	}
	return token{kind: k}, nil
}

// value scans one <value>…</value>.
func (x *xmlSource) value() (token, error) {
	x.ws()
	if x.has("<value/>") {
		x.pos += len("<value/>")
		if err := x.endMember(); err != nil {
			return token{}, err
		}
		return token{kind: tokString}, nil
	}
	if err := x.expect("<value>"); err != nil {
		return token{}, err
	}
	start := x.pos
	x.ws()
	if x.pos >= len(x.b) {
		return token{}, x.errf("unexpected end of input in value")
	}
	if x.b[x.pos] != '<' || x.has("</value>") {
		// Untyped value: a string, whitespace included.
		x.pos = start
		s, err := x.text()
		if err != nil {
			return token{}, err
		}
		if err := x.endValue(); err != nil {
			return token{}, err
		}
		return token{kind: tokString, text: s}, nil
	}
	name, empty, err := x.tagName()
	if err != nil {
		return token{}, err
	}
	var k tokKind
	switch string(name) {
	case "int", "i4", "i8":
		k = tokInt
	case "boolean":
		k = tokBool
	case "string":
		k = tokString
	case "double":
		k = tokFloat
	case "dateTime.iso8601":
		k = tokTime
	case "base64":
		k = tokBase64
	case "nil":
		if !empty {
			if err := x.expect("</nil>"); err != nil {
				return token{}, err
			}
		}
		if err := x.endValue(); err != nil {
			return token{}, err
		}
		return token{kind: tokNull}, nil
	case "array":
		if empty {
			if err := x.push('Z'); err != nil {
				return token{}, err
			}
			return token{kind: tokArray}, nil
		}
		x.ws()
		if x.has("<data/>") {
			x.pos += len("<data/>")
			if err := x.push('A'); err != nil {
				return token{}, err
			}
			return token{kind: tokArray}, nil
		}
		if err := x.expect("<data>"); err != nil {
			return token{}, err
		}
		if err := x.push('a'); err != nil {
			return token{}, err
		}
		return token{kind: tokArray}, nil
	case "struct":
		if empty {
			if err := x.push('E'); err != nil {
				return token{}, err
			}
			return token{kind: tokObject}, nil
		}
		if err := x.push('s'); err != nil {
			return token{}, err
		}
		x.want = false
		return token{kind: tokObject}, nil
	default:
		return token{}, x.errf("unknown value type <" + string(name) + ">")
	}
	var txt []byte
	if !empty {
		txt, err = x.text()
		if err != nil {
			return token{}, err
		}
		if err := x.expect("</"); err != nil {
			return token{}, err
		}
		if !x.has(string(name)) {
			return token{}, x.errf("mismatched close tag")
		}
		x.pos += len(name)
		if err := x.expect(">"); err != nil {
			return token{}, err
		}
	}
	t := token{kind: k, text: txt}
	switch k {
	case tokInt:
		t.text = bytes.TrimSpace(txt)
		if !validInt(t.text) {
			return token{}, x.errf("bad integer")
		}
	case tokFloat:
		t.text = bytes.TrimSpace(txt)
		if !validNumber(t.text) {
			return token{}, x.errf("bad double")
		}
	case tokBool:
		switch string(bytes.TrimSpace(txt)) {
		case "1", "true":
			t.b = true
		case "0", "false":
		default:
			return token{}, x.errf("bad boolean")
		}
		t.text = nil
	case tokTime:
		t.text = bytes.TrimSpace(txt)
	}
	if err := x.endValue(); err != nil {
		return token{}, err
	}
	return t, nil
}

func validInt(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 20 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validNumber accepts a JSON-style number, also with a leading '+', and the
// Python spellings inf/nan are refused.
func validNumber(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 400 {
		return false
	}
	digits, dot, exp := 0, false, false
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && !exp:
			dot = true
		case (c == 'e' || c == 'E') && !exp && digits > 0:
			exp = true
			if i+1 < len(b) && (b[i+1] == '-' || b[i+1] == '+') {
				continue
			}
		case (c == '-' || c == '+') && i > 0 && (b[i-1] == 'e' || b[i-1] == 'E'):
		default:
			return false
		}
	}
	last := b[len(b)-1]
	return digits > 0 && last != 'e' && last != 'E' && last != '+' && last != '-'
}

// xmlResponse positions a source on the value of a methodResponse and
// reports whether it is a fault. finish must be called after decoding.
func newXMLResponse(b []byte) (*xmlSource, bool, error) {
	x := &xmlSource{b: b}
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		x.pos = 3
	}
	x.ws()
	if x.has("<?xml") {
		i := bytes.Index(x.b[x.pos:], []byte("?>"))
		if i < 0 {
			return nil, false, x.errf("unterminated XML declaration")
		}
		x.pos += i + 2
	}
	for {
		x.ws()
		if !x.has("<!--") {
			break
		}
		i := bytes.Index(x.b[x.pos:], []byte("-->"))
		if i < 0 {
			return nil, false, x.errf("unterminated comment")
		}
		x.pos += i + 3
	}
	if err := x.expect("<methodResponse>"); err != nil {
		return nil, false, err
	}
	x.ws()
	if x.has("<fault>") {
		x.pos += len("<fault>")
		return x, true, nil
	}
	if err := x.expect("<params>"); err != nil {
		return nil, false, err
	}
	x.ws()
	if x.has("</params>") {
		// No value at all: read as null.
		x.noParam = true
		x.pos += len("</params>")
		return x, false, nil
	}
	if err := x.expect("<param>"); err != nil {
		return nil, false, err
	}
	return x, false, nil
}

// finish checks the envelope after the value.
func (x *xmlSource) finish(fault bool) error {
	if len(x.stack) != 0 {
		return x.errf("value not fully read")
	}
	if fault {
		if err := x.expect("</fault>"); err != nil {
			return err
		}
	} else if !x.noParam {
		if err := x.expect("</param>"); err != nil {
			return err
		}
		if err := x.expect("</params>"); err != nil {
			return err
		}
	}
	if err := x.expect("</methodResponse>"); err != nil {
		return err
	}
	x.ws()
	if x.pos != len(x.b) {
		return x.errf("trailing data after methodResponse")
	}
	return nil
}
