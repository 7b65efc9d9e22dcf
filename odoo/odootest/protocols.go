package odootest

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// ---- XML-RPC ----

func (s *Server) serveXMLRPC(w http.ResponseWriter, r *http.Request, service string) {
	body, err := readBody(r)
	if err != nil {
		hijackClose(w)
		return
	}
	method, params, perr := parseMethodCall(body)
	if perr != nil {
		// Python's xmlrpc parser raises ExpatError: a fault with a traceback.
		s.writeXMLFault(w, &odooError{Name: "xml.parsers.expat.ExpatError", Message: perr.Error()})
		return
	}
	model, modelMethod := "", method
	if service == "object" && (method == "execute_kw" || method == "execute") && len(params) >= 5 {
		model, _ = params[3].(string)
		modelMethod, _ = params[4].(string)
	}
	handled, ferr := s.applyFaults(w, r, model, modelMethod, "xmlrpc")
	if handled {
		return
	}
	s.count(model, modelMethod)
	if ferr != nil {
		s.writeXMLFault(w, ferr)
		return
	}
	res, oerr := s.dispatchRPC(r, "xmlrpc", service, method, params)
	if oerr != nil {
		s.writeXMLFault(w, oerr)
		return
	}
	out, err := encodeMethodResponse(s.Version, res)
	if err != nil {
		// Odoo's marshaller refuses None (TypeError) and ints beyond 32
		// bits (OverflowError): the client sees a fault.
		name := "builtins.TypeError"
		if errors.Is(err, errIntOverflow) {
			name = "builtins.OverflowError"
		}
		s.writeXMLFault(w, &odooError{Name: name, Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write(out)
}

func (s *Server) writeXMLFault(w http.ResponseWriter, e *odooError) {
	code, msg := e.xmlrpcFault()
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write(encodeFault(s.Version, code, msg))
}

// dispatchRPC serves the common, object and db services shared by XML-RPC
// and JSON-RPC.
func (s *Server) dispatchRPC(r *http.Request, protocol, service, method string, params []any) (any, *odooError) {
	str := func(i int) string {
		if i < len(params) {
			v, _ := params[i].(string)
			return v
		}
		return ""
	}
	switch service {
	case "common":
		switch method {
		case "version":
			return s.versionInfo(), nil
		case "authenticate", "login":
			s.mu.Lock()
			uid := s.authenticate(str(0), str(1), str(2))
			s.mu.Unlock()
			if uid == 0 {
				return false, nil
			}
			return uid, nil
		case "about":
			return "See http://openerp.com", nil
		}
		return nil, &odooError{Name: excKeyError, Message: pyRepr(method)}
	case "db":
		switch method {
		case "list":
			return []any{s.DB}, nil
		case "server_version":
			return s.Version, nil
		}
		return nil, errAccessDenied()
	case "object":
		if method != "execute_kw" && method != "execute" {
			return nil, &odooError{Name: excKeyError, Message: pyRepr(method)}
		}
		if len(params) < 5 {
			return nil, errType("%s() missing required positional arguments", method)
		}
		uid, _ := asInt(params[1])
		s.mu.Lock()
		ok := s.checkUID(str(0), uid, str(2))
		s.mu.Unlock()
		if !ok {
			return nil, errAccessDenied()
		}
		c := call{Model: str(3), Method: str(4), UID: uid}
		if method == "execute" {
			c.Args = params[5:]
		} else {
			if len(params) > 5 {
				args, ok := params[5].([]any)
				if !ok {
					return nil, errType("execute_kw() args must be a list")
				}
				c.Args = args
			}
			if len(params) > 6 {
				kw, ok := params[6].(map[string]any)
				if !ok && params[6] != nil {
					return nil, errType("execute_kw() kwargs must be a dict")
				}
				c.Kwargs = kw
			}
		}
		return s.runCall(r.Context(), protocol, c)
	}
	return nil, &odooError{Name: excKeyError, Message: pyRepr(service)}
}

// ---- JSON-RPC ----

func (s *Server) serveJSONRPC(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		hijackClose(w)
		return
	}
	req, jerr := decodeJSON(body)
	obj, isObj := req.(map[string]any)
	if jerr != nil || !isObj {
		msg := "Invalid JSON data"
		if jerr != nil {
			msg = "Invalid JSON data: " + jerr.Error()
		}
		s.writeHTML(w, http.StatusBadRequest, "Bad Request", msg)
		return
	}
	id := obj["id"]
	params, _ := obj["params"].(map[string]any)
	service, _ := params["service"].(string)
	method, _ := params["method"].(string)
	args, _ := params["args"].([]any)
	model, modelMethod := "", method
	if service == "object" && len(args) >= 5 {
		model, _ = args[3].(string)
		modelMethod, _ = args[4].(string)
	}
	handled, ferr := s.applyFaults(w, r, model, modelMethod, "jsonrpc")
	if handled {
		return
	}
	s.count(model, modelMethod)
	var res any
	var oerr *odooError
	if ferr != nil {
		oerr = ferr
	} else if params == nil || obj["method"] != "call" {
		oerr = errType("dispatch_rpc() missing required arguments: 'service_name', 'method', 'params'")
	} else {
		res, oerr = s.dispatchRPC(r, "jsonrpc", service, method, args)
	}
	resp := newOmap().set("jsonrpc", "2.0").set("id", id)
	if oerr != nil {
		code := int64(0)
		if s.Version == "17.0" {
			code = 200
		}
		msg := "Odoo Server Error"
		if oerr.Name == excSessionExpired {
			code, msg = 100, "Odoo Session Expired"
		}
		resp.set("error", newOmap().set("code", code).set("message", msg).set("data", oerr.jsonrpcData(s.Version)))
	} else if res != nil {
		// Odoo omits "result" when the method returned None.
		resp.set("result", res)
	}
	out, err := appendJSON(nil, resp)
	if err != nil {
		resp = newOmap().set("jsonrpc", "2.0").set("id", id)
		resp.set("error", newOmap().set("code", int64(0)).set("message", "Odoo Server Error").
			set("data", (&odooError{Name: excTypeError, Message: err.Error()}).jsonrpcData(s.Version)))
		out, _ = appendJSON(nil, resp)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(out)
}

// ---- JSON-2 ----

var bearerRe = regexp.MustCompile(`(?i)^bearer\s+(.+)$`)

func (s *Server) serveJSON2(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/json/2/"), "/")
	if r.Method != http.MethodPost || len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		s.writeJSON2Error(w, httpError(excNotFound, 404, "Did you mean POST /json/2/<model>/<method>?"))
		return
	}
	model, method := parts[0], parts[1]
	// Read the body before any fault: net/http notices a client that hung
	// up (and cancels r.Context()) only once the body has been consumed,
	// so a Latency fault must not wait ahead of the read.
	body, err := readBody(r)
	if err != nil {
		hijackClose(w)
		return
	}
	handled, ferr := s.applyFaults(w, r, model, method, "json2")
	if handled {
		return
	}
	s.count(model, method)
	if ferr != nil {
		s.writeJSON2Error(w, ferr)
		return
	}
	if db := r.Header.Get("X-Odoo-Database"); db != "" && db != s.DB {
		s.writeJSON2Error(w, httpError(excNotFound, 404, fmt.Sprintf("database %s not found", pyRepr(db))))
		return
	}
	m := bearerRe.FindStringSubmatch(r.Header.Get("Authorization"))
	authorized := false
	var uid int64
	if m != nil {
		s.mu.Lock()
		for _, u := range s.users {
			if u.apiKey != "" && u.apiKey == strings.TrimSpace(m[1]) {
				authorized, uid = true, u.uid
			}
		}
		s.mu.Unlock()
	}
	if !authorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
		s.writeJSON2Error(w, httpError(excUnauthorized, 401, "Invalid apikey"))
		return
	}
	kwargs := map[string]any{}
	if len(strings.TrimSpace(string(body))) > 0 {
		v, jerr := decodeJSON(body)
		if jerr != nil {
			s.writeJSON2Error(w, httpError(excBadRequest, 400, "could not parse the body as json: "+jerr.Error()))
			return
		}
		if obj, ok := v.(map[string]any); ok {
			kwargs = obj
		}
	}
	res, oerr := s.runCall(r.Context(), "json2", call{Model: model, Method: method, Kwargs: kwargs, JSON2: true, UID: uid})
	if oerr != nil {
		s.writeJSON2Error(w, oerr)
		return
	}
	out, err := appendJSON(nil, res)
	if err != nil {
		s.writeJSON2Error(w, &odooError{Name: excTypeError, Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(out)
}

func (s *Server) writeJSON2Error(w http.ResponseWriter, e *odooError) {
	out, _ := appendJSON(nil, e.json2Body())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.json2Status())
	w.Write(out)
}
