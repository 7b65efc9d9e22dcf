package odoo

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonSource scans JSON (RFC 8259) straight from the body bytes, one token
// per call, without building a tree.
type jsonSource struct {
	b       []byte
	pos     int
	stack   []jsonLevel
	started bool
	scratch []byte
}

type jsonLevel struct {
	c  byte // '[' or '{'
	st byte // 0 just opened, 1 after a key, 2 after a value
}

func (j *jsonSource) errf(msg string) error { return &syntaxError{msg: msg, offset: j.pos} }

func (j *jsonSource) ws() {
	for j.pos < len(j.b) {
		switch j.b[j.pos] {
		case ' ', '\t', '\n', '\r':
			j.pos++
		default:
			return
		}
	}
}

func (j *jsonSource) next() (token, error) {
	j.ws()
	n := len(j.stack)
	if n == 0 {
		if j.started {
			return token{kind: tokEOF}, nil
		}
		j.started = true
		return j.value()
	}
	if j.pos >= len(j.b) {
		return token{}, j.errf("unexpected end of input")
	}
	top := &j.stack[n-1]
	c := j.b[j.pos]
	if top.c == '[' {
		if c == ']' && top.st != 1 {
			j.pos++
			j.stack = j.stack[:n-1]
			return token{kind: tokArrayEnd}, nil
		}
		if top.st == 2 {
			if c != ',' {
				return token{}, j.errf("want , or ]")
			}
			j.pos++
			j.ws()
		}
		top.st = 2
		return j.value()
	}
	switch top.st {
	case 1:
		top.st = 2
		return j.value()
	case 2:
		if c == '}' {
			j.pos++
			j.stack = j.stack[:n-1]
			return token{kind: tokObjectEnd}, nil
		}
		if c != ',' {
			return token{}, j.errf("want , or }")
		}
		j.pos++
		j.ws()
	default:
		if c == '}' {
			j.pos++
			j.stack = j.stack[:n-1]
			return token{kind: tokObjectEnd}, nil
		}
	}
	if j.pos >= len(j.b) || j.b[j.pos] != '"' {
		return token{}, j.errf("want member name")
	}
	k, err := j.str()
	if err != nil {
		return token{}, err
	}
	j.ws()
	if j.pos >= len(j.b) || j.b[j.pos] != ':' {
		return token{}, j.errf("want :")
	}
	j.pos++
	top.st = 1
	return token{kind: tokKey, text: k}, nil
}

func (j *jsonSource) push(c byte) error {
	if len(j.stack) >= maxDepth {
		return j.errf("nesting too deep")
	}
	j.stack = append(j.stack, jsonLevel{c: c})
	return nil
}

func (j *jsonSource) value() (token, error) {
	j.ws()
	if j.pos >= len(j.b) {
		return token{}, j.errf("unexpected end of input")
	}
	switch c := j.b[j.pos]; {
	case c == '{':
		j.pos++
		if err := j.push('{'); err != nil {
			return token{}, err
		}
		return token{kind: tokObject}, nil
	case c == '[':
		j.pos++
		if err := j.push('['); err != nil {
			return token{}, err
		}
		return token{kind: tokArray}, nil
	case c == '"':
		s, err := j.str()
		if err != nil {
			return token{}, err
		}
		return token{kind: tokString, text: s}, nil
	case c == 't':
		return j.lit("true", token{kind: tokBool, b: true})
	case c == 'f':
		return j.lit("false", token{kind: tokBool})
	case c == 'n':
		return j.lit("null", token{kind: tokNull})
	case c == '-' || (c >= '0' && c <= '9'):
		return j.number()
	}
	return token{}, j.errf("unexpected character " + strconv.QuoteRune(rune(j.b[j.pos])))
}

func (j *jsonSource) lit(s string, t token) (token, error) {
	if len(j.b)-j.pos < len(s) || string(j.b[j.pos:j.pos+len(s)]) != s {
		return token{}, j.errf("bad literal")
	}
	j.pos += len(s)
	return t, nil
}

func (j *jsonSource) number() (token, error) {
	start := j.pos
	b := j.b
	i := j.pos
	if b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return token{}, j.errf("bad number")
	}
	switch {
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return token{}, j.errf("bad number")
	}
	k := tokInt
	if i < len(b) && b[i] == '.' {
		k = tokFloat
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return token{}, j.errf("bad number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		k = tokFloat
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return token{}, j.errf("bad number")
		}
	}
	if i-start > 400 {
		return token{}, j.errf("number too long")
	}
	j.pos = i
	return token{kind: k, text: b[start:i]}, nil
}

// str reads a string starting at the opening quote.
func (j *jsonSource) str() ([]byte, error) {
	j.pos++ // opening quote
	start := j.pos
	b := j.b
	i := start
	for i < len(b) {
		c := b[i]
		if c == '"' {
			j.pos = i + 1
			return b[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			j.pos = i
			return nil, j.errf("control character in string")
		}
		i++
	}
	if i >= len(b) {
		j.pos = i
		return nil, j.errf("unterminated string")
	}
	out := append(j.scratch[:0], b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			j.pos = i + 1
			j.scratch = out
			return out, nil
		case c < 0x20:
			j.pos = i
			return nil, j.errf("control character in string")
		case c != '\\':
			// copy a run of plain bytes
			k := i + 1
			for k < len(b) && b[k] != '"' && b[k] != '\\' && b[k] >= 0x20 {
				k++
			}
			out = append(out, b[i:k]...)
			i = k
			continue
		}
		i++
		if i >= len(b) {
			break
		}
		switch b[i] {
		case '"', '\\', '/':
			out = append(out, b[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b, i+1)
			if !ok {
				j.pos = i
				return nil, j.errf("bad \\u escape")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(b, i+3); ok && i+2 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			j.pos = i
			return nil, j.errf("bad escape")
		}
		i++
	}
	j.pos = len(b)
	return nil, j.errf("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// finish checks that only whitespace follows the decoded value.
func (j *jsonSource) finish() error {
	if len(j.stack) != 0 {
		return j.errf("value not fully read")
	}
	j.ws()
	if j.pos != len(j.b) {
		return j.errf("trailing data after JSON value")
	}
	return nil
}

// looksLikeJSON reports whether b starts (after whitespace) like a JSON value.
func looksLikeJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return false
	}
	switch b[0] {
	case '{', '[', '"', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}
