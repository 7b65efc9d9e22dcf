package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// OpenAPI builds the OpenAPI 3.1 document of every route in routes.go, with
// request and response schemas generated from the Go types (JSON names,
// validate tags → required, enums, patterns and bounds).
func (s *Server) OpenAPI() map[string]any {
	g := &schemaGen{components: map[string]any{}}
	errRef := g.schema(reflect.TypeFor[ErrorBody]())
	paths := map[string]any{}
	for _, rt := range s.table {
		p, params := openAPIPath(rt.Path)
		op := map[string]any{
			"operationId": rt.Name,
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "required": false, "description": q.Description, "schema": map[string]any{"type": q.Type}})
		}
		if rt.Idempotent {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
				"description": "Clave única (1–255 caracteres): repetir la solicitud con la misma clave y el mismo cuerpo devuelve la misma respuesta sin volver a ejecutarla; con otro cuerpo, 422; mientras la primera está en curso, 409 con Retry-After.",
				"schema":      map[string]any{"type": "string", "minLength": 1, "maxLength": 255}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Auth {
			op["security"] = []any{map[string]any{"bearerAuth": []string{}}}
		}
		if rt.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Request))}}}
		} else if rt.RawBody {
			op["requestBody"] = map[string]any{"required": true, "description": "Cuerpo del proveedor tal cual, verificado por firma antes de guardarse",
				"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{}}}}
		}
		ok := map[string]any{"description": http.StatusText(rt.Status)}
		switch {
		case rt.Text:
			ok["content"] = map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}
		case rt.Response != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Response))}}
		}
		errResp := func(desc string) map[string]any {
			return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
		}
		resps := map[string]any{strconv.Itoa(rt.Status): ok}
		if rt.Request != nil || rt.RawBody || len(params) > 0 {
			resps["400"] = errResp("Solicitud inválida (mensaje en español con el nombre del campo)")
		}
		if rt.Request != nil || rt.RawBody {
			resps["413"] = errResp("Cuerpo demasiado grande")
		}
		if rt.Auth {
			resps["401"] = errResp("Falta el token o no es válido")
			resps["403"] = errResp("El asesor no puede actuar sobre ese cliente")
		}
		if rt.RawBody {
			resps["401"] = errResp("Firma del webhook inválida")
		}
		if rt.Idempotent {
			resps["409"] = errResp("Otra solicitud con la misma Idempotency-Key está en curso")
			resps["422"] = errResp("Idempotency-Key reutilizada con otro cuerpo, o regla de negocio incumplida")
		}
		if rt.Tag != "operations" {
			resps["503"] = errResp("Servicio no disponible")
		}
		resps["500"] = errResp("Error interno")
		op["responses"] = resps
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "CMu API",
			"version":     "1.0.0",
			"description": "API del servidor de referencia de CMu para la PWA de asesores. Errores: {\"statusCode\":N,\"message\":\"…\"} en español.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas":         g.components,
			"securitySchemes": map[string]any{"bearerAuth": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
		},
	}
}

// openAPIPath turns /a/:id into /a/{id} and returns the path parameters.
func openAPIPath(p string) (string, []any) {
	var params []any
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
			typ := "integer"
			if name == "mercado" {
				typ = "string"
			}
			sch := map[string]any{"type": typ}
			if name == "mercado" {
				sch["enum"] = []string{string(MarketEdomex), string(MarketAguascalientes)}
			}
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": sch})
		}
	}
	return strings.Join(segs, "/"), params
}

func (s *Server) handleOpenAPI() http.Handler {
	build := sync.OnceValues(func() ([]byte, error) { return json.MarshalIndent(s.OpenAPI(), "", "  ") })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, err := build()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(doc)
	})
}

type schemaGen struct {
	components map[string]any
}

var (
	decimalType  = reflect.TypeFor[decimal.Decimal]()
	timeType     = reflect.TypeFor[time.Time]()
	moneyType    = reflect.TypeFor[Money]()
	dateTimeType = reflect.TypeFor[DateTime]()
	rawType      = reflect.TypeFor[json.RawMessage]()
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch t {
	case decimalType:
		return map[string]any{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "examples": []string{"1234.50"}}
	case moneyType:
		return map[string]any{"type": "string", "pattern": `^-?[0-9]+\.[0-9]{2}$`, "examples": []string{"1234.50"}}
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case dateTimeType:
		return map[string]any{"type": []string{"string", "null"}, "pattern": `^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`, "examples": []string{"2026-03-02 15:30:00"}}
	case textType:
		return map[string]any{"type": []string{"string", "number"}}
	case rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.schema(t.Elem())
		if typ, ok := inner["type"].(string); ok && len(inner) == 1 {
			return map[string]any{"type": []string{typ, "null"}}
		}
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.String:
		sch := map[string]any{"type": "string"}
		if t == reflect.TypeFor[Market]() {
			sch["enum"] = []string{string(MarketEdomex), string(MarketAguascalientes)}
		}
		return sch
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object"}
		}
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		return g.object(t)
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	name := t.Name()
	ref := map[string]any{"$ref": "#/components/schemas/" + name}
	if _, done := g.components[name]; done {
		return ref
	}
	g.components[name] = map[string]any{} // placeholder against recursion
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		jname, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if jname == "-" {
			continue
		}
		if jname == "" {
			jname = f.Name
		}
		sch := g.schema(f.Type)
		if _, isRef := sch["$ref"]; !isRef {
			applyValidate(sch, f.Tag.Get("validate"))
		}
		props[jname] = sch
		if strings.Contains(","+f.Tag.Get("validate")+",", ",required,") {
			required = append(required, jname)
		} else if !strings.Contains(opts, "omitempty") && t.Name() != "OpportunityProcessRequest" && !isRequestType(t) {
			required = append(required, jname) // responses always carry non-omitempty fields
		}
	}
	obj := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		obj["required"] = required
	}
	if t == opportunityRequestType {
		obj["additionalProperties"] = map[string]any{"type": []string{"string", "number", "boolean", "null"}}
	} else if isRequestType(t) {
		obj["additionalProperties"] = false
	}
	g.components[name] = obj
	return ref
}

// isRequestType reports whether t is decoded from clients (unknown fields rejected).
func isRequestType(t reflect.Type) bool {
	return strings.HasSuffix(t.Name(), "Request") || t.Name() == "OpportunityInvoices"
}

// applyValidate documents validate tags as JSON Schema keywords.
func applyValidate(sch map[string]any, tag string) {
	for _, rule := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(rule, "=")
		n, nerr := strconv.Atoi(v)
		isStr := sch["type"] == "string"
		switch k {
		case "money":
			sch["pattern"] = `^[0-9]+(\.[0-9]{1,2})?$`
			sch["examples"] = []string{"1234.50"}
		case "posdecimal":
			sch["pattern"] = `^[0-9]+(\.[0-9]+)?$`
			sch["examples"] = []string{"1.50"}
		case "market":
			sch["enum"] = []string{string(MarketEdomex), string(MarketAguascalientes)}
		case "oneof":
			sch["enum"] = strings.Fields(v)
		case "gt":
			if nerr == nil && !isStr && sch["type"] != "array" {
				sch["exclusiveMinimum"] = n
			}
		case "gte":
			if nerr == nil && !isStr {
				sch["minimum"] = n
			}
		case "lte":
			if nerr == nil && !isStr {
				sch["maximum"] = n
			}
		case "min":
			if nerr == nil {
				if sch["type"] == "array" {
					sch["minItems"] = n
				} else if isStr {
					sch["minLength"] = n
				}
			}
		case "max":
			if nerr == nil {
				if sch["type"] == "array" {
					sch["maxItems"] = n
				} else if isStr {
					sch["maxLength"] = n
				}
			}
		}
	}
}
