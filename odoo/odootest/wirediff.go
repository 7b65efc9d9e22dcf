package odootest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"os"
	"regexp"
	"sort"
	"strings"
)

// Exchange is one recorded HTTP exchange of shared/odoo-wire (one JSON
// object per line of a .jsonl file).
type Exchange struct {
	OdooVersion         string            `json:"odoo_version"`
	Protocol            string            `json:"protocol"` // xmlrpc, jsonrpc or json2
	HTTPMethod          string            `json:"http_method"`
	Path                string            `json:"path"`
	RequestHeaders      map[string]string `json:"request_headers"`
	RequestBody         string            `json:"request_body"`
	Status              int               `json:"status"`
	ResponseContentType string            `json:"response_content_type"`
	ResponseBody        string            `json:"response_body"`
	Description         string            `json:"description"`
	// Line is the 1-based line of the exchange in its file.
	Line int `json:"-"`
}

// LoadRecordings reads a .jsonl recording file.
func LoadRecordings(path string) ([]Exchange, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("odootest: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var out []Exchange
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var ex Exchange
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			return nil, fmt.Errorf("odootest: %s:%d: %w", path, line, err)
		}
		ex.Line = line
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("odootest: %s: %w", path, err)
	}
	return out, nil
}

// CallOf decodes the model method an exchange's request invokes, whatever
// its protocol. Common-service calls have an empty model.
func CallOf(ex Exchange) (model, method string, args []any, kwargs map[string]any, err error) {
	switch ex.Protocol {
	case "xmlrpc":
		name, params, perr := parseMethodCall([]byte(ex.RequestBody))
		if perr != nil {
			return "", "", nil, nil, perr
		}
		return rpcCall(name, params)
	case "jsonrpc":
		v, jerr := decodeJSON([]byte(ex.RequestBody))
		if jerr != nil {
			return "", "", nil, nil, jerr
		}
		obj, _ := v.(map[string]any)
		params, _ := obj["params"].(map[string]any)
		name, _ := params["method"].(string)
		list, _ := params["args"].([]any)
		return rpcCall(name, list)
	case "json2":
		parts := strings.Split(strings.TrimPrefix(ex.Path, "/json/2/"), "/")
		if len(parts) != 2 {
			return "", "version", nil, nil, nil
		}
		kw := map[string]any{}
		if strings.TrimSpace(ex.RequestBody) != "" {
			v, jerr := decodeJSON([]byte(ex.RequestBody))
			if jerr != nil {
				return "", "", nil, nil, jerr
			}
			kw, _ = v.(map[string]any)
		}
		return parts[0], parts[1], nil, kw, nil
	}
	return "", "", nil, nil, fmt.Errorf("odootest: unknown protocol %q", ex.Protocol)
}

func rpcCall(name string, params []any) (string, string, []any, map[string]any, error) {
	if (name == "execute_kw" || name == "execute") && len(params) >= 5 {
		model, _ := params[3].(string)
		method, _ := params[4].(string)
		var args []any
		var kw map[string]any
		if name == "execute" {
			args = params[5:]
		} else {
			if len(params) > 5 {
				args, _ = params[5].([]any)
			}
			if len(params) > 6 {
				kw, _ = params[6].(map[string]any)
			}
		}
		return model, method, args, kw, nil
	}
	return "", name, params, nil, nil
}

// Response is an HTTP answer to compare with a recording.
type Response struct {
	Status      int    // HTTP status code
	ContentType string // Content-Type header
	Body        []byte // raw body
}

// CompareOptions tunes CompareResponse.
type CompareOptions struct {
	// Loose compares the result's structure and value types only, not its
	// values or list lengths: for answers that depend on database content
	// outside the replayed exchanges (searches, counts, groups).
	Loose bool
	// Known are literal strings of earlier requests: a recorded date equal
	// to one of them is compared by value, other dates by format only.
	Known map[string]bool
	// OptionalKeys are struct keys that may be absent on either side
	// (e.g. fields fields_get hides from users outside a group).
	OptionalKeys []string
}

// stateDependent are methods whose results depend on the whole table, not
// only on the records the exchanges created.
var stateDependent = map[string]bool{
	"search": true, "search_read": true, "search_count": true, "read_group": true,
	"formatted_read_group": true, "name_search": true, "web_search_read": true, "message_post": true,
}

// IsStateDependent reports whether a method's result depends on records
// outside the exchanges that created them (the conformance test compares
// such results loosely).
func IsStateDependent(method string) bool { return stateDependent[method] }

// CompareResponse compares a response with a recorded one and describes
// every difference: HTTP status, content type family, protocol envelope
// (XML-RPC params or fault; JSON-RPC result, error or neither; JSON-2
// body), error kind (faultCode, error.data.name, JSON-2 name and status),
// and the structure, types and (unless opts.Loose) values of the result.
// Volatile values — timestamps, tracebacks — are compared by format.
func CompareResponse(rec Exchange, got Response, opts CompareOptions) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if rec.Status != got.Status {
		add("HTTP status: recorded %d, got %d", rec.Status, got.Status)
	}
	if a, b := mediaType(rec.ResponseContentType), mediaType(got.ContentType); a != b {
		add("content type: recorded %q, got %q", rec.ResponseContentType, got.ContentType)
		return diffs
	}
	c := &comparer{opts: opts}
	switch mediaType(rec.ResponseContentType) {
	case "text/xml":
		want, wantFault, err := parseMethodResponse([]byte(rec.ResponseBody))
		if err != nil {
			add("recorded body is not XML-RPC: %v", err)
			return diffs
		}
		have, haveFault, err := parseMethodResponse(got.Body)
		if err != nil {
			add("body is not an XML-RPC response: %v", err)
			return diffs
		}
		if wantFault != haveFault {
			add("envelope: recorded fault=%v, got fault=%v (got %s)", wantFault, haveFault, short(got.Body))
			return diffs
		}
		if wantFault {
			c.fault("fault", want, have)
		} else {
			c.value("result", want, have, opts.Loose)
		}
	case "application/json":
		want, err := decodeJSON([]byte(rec.ResponseBody))
		if err != nil {
			add("recorded body is not JSON: %v", err)
			return diffs
		}
		have, err := decodeJSON(got.Body)
		if err != nil {
			add("body is not JSON: %v (%s)", err, short(got.Body))
			return diffs
		}
		switch {
		case rec.Protocol == "jsonrpc":
			c.jsonrpc(want, have)
		case rec.Status >= 400:
			c.json2Error("body", want, have)
		default:
			c.value("result", want, have, opts.Loose)
		}
	default:
		if rec.ResponseBody != "" && len(got.Body) == 0 {
			add("empty body where %s was recorded", rec.ResponseContentType)
		}
	}
	return append(diffs, c.diffs...)
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	if mt == "application/xml" {
		return "text/xml"
	}
	return mt
}

func short(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

type comparer struct {
	opts  CompareOptions
	diffs []string
}

func (c *comparer) add(format string, args ...any) {
	c.diffs = append(c.diffs, fmt.Sprintf(format, args...))
}

func (c *comparer) jsonrpc(want, have any) {
	w, ok1 := want.(map[string]any)
	h, ok2 := have.(map[string]any)
	if !ok1 || !ok2 {
		c.add("envelope: recorded %s, got %s", typeName(want), typeName(have))
		return
	}
	if w["jsonrpc"] != h["jsonrpc"] {
		c.add("jsonrpc: recorded %v, got %v", w["jsonrpc"], h["jsonrpc"])
	}
	if !equalScalar(w["id"], h["id"]) {
		c.add("id: recorded %v, got %v", w["id"], h["id"])
	}
	_, wRes := w["result"]
	_, hRes := h["result"]
	_, wErr := w["error"]
	_, hErr := h["error"]
	if wRes != hRes || wErr != hErr {
		c.add("envelope: recorded result=%v error=%v, got result=%v error=%v", wRes, wErr, hRes, hErr)
		return
	}
	if wErr {
		we, _ := w["error"].(map[string]any)
		he, _ := h["error"].(map[string]any)
		if he == nil {
			c.add("error: not an object")
			return
		}
		if !equalScalar(we["code"], he["code"]) {
			c.add("error.code: recorded %v, got %v", we["code"], he["code"])
		}
		if we["message"] != he["message"] {
			c.add("error.message: recorded %q, got %q", we["message"], he["message"])
		}
		c.json2Error("error.data", we["data"], he["data"])
		return
	}
	if wRes {
		c.value("result", w["result"], h["result"], c.opts.Loose)
	}
}

// json2Error compares an Odoo error object {name, message, arguments,
// context, debug}.
func (c *comparer) json2Error(path string, want, have any) {
	w, ok1 := want.(map[string]any)
	h, ok2 := have.(map[string]any)
	if !ok1 || !ok2 {
		c.add("%s: recorded %s, got %s", path, typeName(want), typeName(have))
		return
	}
	c.keys(path, w, h)
	if w["name"] != h["name"] {
		c.add("%s.name (error kind): recorded %v, got %v", path, w["name"], h["name"])
		return
	}
	if w["message"] != h["message"] {
		c.add("%s.message: recorded %q, got %q", path, w["message"], h["message"])
	}
	c.value(path+".arguments", w["arguments"], h["arguments"], false)
	c.value(path+".context", w["context"], h["context"], true)
	wd, _ := w["debug"].(string)
	hd, ok := h["debug"].(string)
	if !ok {
		c.add("%s.debug: recorded a string, got %s", path, typeName(h["debug"]))
	} else if a, b := exceptionClass(wd), exceptionClass(hd); a != b {
		c.add("%s.debug: last line names %q, got %q", path, a, b)
	}
}

// fault compares XML-RPC faults: the code, and the string (the message for
// codes 2-4, the traceback's last line for code 1).
func (c *comparer) fault(path string, want, have any) {
	w, _ := want.(map[string]any)
	h, _ := have.(map[string]any)
	if w == nil || h == nil {
		c.add("%s: not a struct", path)
		return
	}
	if !equalScalar(w["faultCode"], h["faultCode"]) {
		c.add("faultCode: recorded %v, got %v (got faultString %q)", w["faultCode"], h["faultCode"], h["faultString"])
		return
	}
	ws, _ := w["faultString"].(string)
	hs, ok := h["faultString"].(string)
	if !ok {
		c.add("faultString: recorded a string, got %s", typeName(h["faultString"]))
		return
	}
	if code, _ := asInt(w["faultCode"]); code == 1 {
		if a, b := lastLine(ws), lastLine(hs); a != b {
			c.add("faultString: traceback ends %q, got %q", a, b)
		}
		return
	}
	if ws != hs {
		c.add("faultString: recorded %q, got %q", ws, hs)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// exceptionClass is the class named on a traceback's last line.
func exceptionClass(tb string) string {
	// Messages may span lines; the class is on the first line that starts
	// at column 0 after the last "  File" frame.
	lines := strings.Split(strings.TrimRight(tb, "\n"), "\n")
	start := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "Traceback") {
			start = i + 1
		}
	}
	if start >= len(lines) {
		start = len(lines) - 1
	}
	cls, _, _ := strings.Cut(lines[start], ":")
	return cls
}

func (c *comparer) keys(path string, w, h map[string]any) {
	var missing, extra []string
	for k := range w {
		if _, ok := h[k]; !ok && !strings.HasPrefix(k, "x_") && !contains(c.opts.OptionalKeys, k) {
			missing = append(missing, k)
		}
	}
	for k := range h {
		if _, ok := w[k]; !ok && !strings.HasPrefix(k, "x_") && !contains(c.opts.OptionalKeys, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		c.add("%s: keys missing: %s", path, strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		c.add("%s: unexpected keys: %s", path, strings.Join(extra, ", "))
	}
}

var (
	datetimeRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
	dateRe     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// value compares two decoded values. Loose: structure and types only,
// where an Odoo false stands for any empty value.
func (c *comparer) value(path string, want, have any, loose bool) {
	wt, ht := typeName(want), typeName(have)
	if wt != ht {
		if loose && (want == false || have == false) {
			return
		}
		c.add("%s: recorded %s %s, got %s %s", path, wt, trunc(want), ht, trunc(have))
		return
	}
	switch w := want.(type) {
	case map[string]any:
		h := have.(map[string]any)
		c.keys(path, w, h)
		for _, k := range sortedKeys(w) {
			if hv, ok := h[k]; ok {
				c.value(path+"."+k, w[k], hv, loose)
			}
		}
	case []any:
		h := have.([]any)
		if loose {
			// Every element must have the shape of a recorded one.
			if len(w) == 0 {
				return
			}
			for i, e := range h {
				c.value(fmt.Sprintf("%s[%d]", path, i), w[min(i, len(w)-1)], e, true)
			}
			return
		}
		if len(w) != len(h) {
			c.add("%s: recorded %d elements %s, got %d %s", path, len(w), trunc(want), len(h), trunc(have))
			return
		}
		for i := range w {
			c.value(fmt.Sprintf("%s[%d]", path, i), w[i], h[i], false)
		}
	case string:
		if loose {
			return
		}
		h := have.(string)
		switch {
		case datetimeRe.MatchString(w):
			if !datetimeRe.MatchString(h) {
				c.add("%s: recorded datetime %q, got %q", path, w, h)
			}
		case dateRe.MatchString(w) && !c.opts.Known[w]:
			if !dateRe.MatchString(h) {
				c.add("%s: recorded date %q, got %q", path, w, h)
			}
		case w != h:
			c.add("%s: recorded %q, got %q", path, w, h)
		}
	case float64:
		if loose {
			return
		}
		h := have.(float64)
		if math.Abs(w-h) > 1e-9*math.Max(1, math.Abs(w)) {
			c.add("%s: recorded %v, got %v", path, w, h)
		}
	default:
		if !loose && !equalScalar(want, have) {
			c.add("%s: recorded %v, got %v", path, want, have)
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "double"
	case string:
		return "string"
	case []any:
		return "list"
	case map[string]any:
		return "struct"
	}
	return fmt.Sprintf("%T", v)
}

func equalScalar(a, b any) bool {
	return typeName(a) == typeName(b) && fmt.Sprint(a) == fmt.Sprint(b)
}

func trunc(v any) string {
	s := pyRepr(v)
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
