package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/shopspring/decimal"
)

// Validator is implemented by request types with rules that struct tags cannot
// express (Ryer's Valid). It runs after the tag validation succeeded and returns
// a *Error (usually KindInvalid) naming the field in Spanish.
type Validator interface {
	Valid(ctx context.Context) error
}

// newValidate builds the validator used for every request: field names are the
// JSON names, and the custom tags money, posdecimal and market are registered.
func newValidate() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			return ""
		case "":
			return f.Name
		}
		return name
	})
	must := func(err error) {
		if err != nil {
			panic(err) // registration of a constant tag cannot fail at run time
		}
	}
	must(v.RegisterValidation("money", func(fl validator.FieldLevel) bool {
		d, ok := parseDecimal(fl.Field().String())
		return ok && d.IsPositive() && d.Exponent() >= -2
	}))
	must(v.RegisterValidation("posdecimal", func(fl validator.FieldLevel) bool {
		d, ok := parseDecimal(fl.Field().String())
		return ok && d.IsPositive()
	}))
	must(v.RegisterValidation("market", func(fl validator.FieldLevel) bool {
		return Market(fl.Field().String()).Valid()
	}))
	return v
}

// parseDecimal accepts plain decimal text only ("1234.50"), no exponent or sign
// other than a leading minus.
func parseDecimal(s string) (decimal.Decimal, bool) {
	if s == "" || strings.ContainsAny(s, "eE+ _") {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil
}

// decodeJSON reads one JSON object of type T from the request body with the
// server's size limit, rejecting unknown fields and trailing data, then
// validates it. Every error is a *Error with a Spanish message naming the field.
func decodeJSON[T any](s *Server, w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return v, NewError(KindUnsupportedMediaType, "El cuerpo debe ser JSON (Content-Type: application/json)")
		}
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.bodyLimit())
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return v, jsonError(err)
		}
		return v, NewError(KindInvalid, "El cuerpo debe contener un único objeto JSON")
	}
	if err := s.validateStruct(r.Context(), &v); err != nil {
		return v, err
	}
	return v, nil
}

// validateStruct runs the tag validation and then Valid when implemented.
func (s *Server) validateStruct(ctx context.Context, v any) error {
	if err := s.validate.StructCtx(ctx, v); err != nil {
		var ves validator.ValidationErrors
		if errors.As(err, &ves) && len(ves) > 0 {
			return NewError(KindInvalid, fieldMessage(ves[0]))
		}
		var inv *validator.InvalidValidationError
		if errors.As(err, &inv) {
			return WrapError(KindInternal, "", err)
		}
		return WrapError(KindInvalid, "Solicitud inválida", err)
	}
	if vv, ok := v.(Validator); ok {
		return vv.Valid(ctx)
	}
	return nil
}

// fieldPath returns the JSON path of a failed field without the root type name.
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return fe.Field()
}

// fieldMessage translates one validation failure to Spanish, naming the field.
func fieldMessage(fe validator.FieldError) string {
	f := fieldPath(fe)
	kind := fe.Kind()
	isLen := kind == reflect.String || kind == reflect.Slice || kind == reflect.Map || kind == reflect.Array
	unit := "caracteres"
	if kind != reflect.String {
		unit = "elementos"
	}
	switch fe.Tag() {
	case "required", "required_with", "required_without", "required_if", "required_unless":
		return fmt.Sprintf("El campo %s es obligatorio", f)
	case "gt":
		if isLen {
			return fmt.Sprintf("El campo %s debe tener más de %s %s", f, fe.Param(), unit)
		}
		return fmt.Sprintf("El campo %s debe ser mayor que %s", f, fe.Param())
	case "gte", "min":
		if isLen {
			return fmt.Sprintf("El campo %s debe tener al menos %s %s", f, fe.Param(), unit)
		}
		return fmt.Sprintf("El campo %s debe ser mayor o igual a %s", f, fe.Param())
	case "lt":
		if isLen {
			return fmt.Sprintf("El campo %s debe tener menos de %s %s", f, fe.Param(), unit)
		}
		return fmt.Sprintf("El campo %s debe ser menor que %s", f, fe.Param())
	case "lte", "max":
		if isLen {
			return fmt.Sprintf("El campo %s debe tener como máximo %s %s", f, fe.Param(), unit)
		}
		return fmt.Sprintf("El campo %s debe ser menor o igual a %s", f, fe.Param())
	case "len":
		return fmt.Sprintf("El campo %s debe tener exactamente %s %s", f, fe.Param(), unit)
	case "oneof":
		return fmt.Sprintf("El campo %s debe ser uno de: %s", f, strings.Join(strings.Fields(fe.Param()), ", "))
	case "money":
		return fmt.Sprintf("El campo %s debe ser un importe positivo en texto con hasta dos decimales, p. ej. \"1234.50\"", f)
	case "posdecimal":
		return fmt.Sprintf("El campo %s debe ser un número decimal positivo en texto, p. ej. \"1.50\"", f)
	case "market":
		return fmt.Sprintf("El campo %s debe ser un mercado válido: %s, %s", f, MarketEdomex, MarketAguascalientes)
	case "datetime":
		return fmt.Sprintf("El campo %s debe tener el formato %s", f, fe.Param())
	case "url", "http_url":
		return fmt.Sprintf("El campo %s debe ser una URL válida", f)
	case "numeric", "number":
		return fmt.Sprintf("El campo %s debe contener solo dígitos", f)
	case "email":
		return fmt.Sprintf("El campo %s debe ser un correo electrónico válido", f)
	case "dive":
		return fmt.Sprintf("El campo %s no es válido", f)
	}
	return fmt.Sprintf("El campo %s no es válido", f)
}

// jsonError translates a decoding error to Spanish.
func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return WrapError(KindTooLarge, fmt.Sprintf("El cuerpo de la solicitud excede el límite de %d bytes", mbe.Limit), err)
	case errors.Is(err, io.EOF):
		return NewError(KindInvalid, "El cuerpo de la solicitud es obligatorio")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return NewError(KindInvalid, "El cuerpo de la solicitud no es un JSON completo")
	case errors.As(err, &syn):
		return NewError(KindInvalid, fmt.Sprintf("JSON inválido en la posición %d", syn.Offset))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return NewError(KindInvalid, "El cuerpo debe ser un objeto JSON")
		}
		return NewError(KindInvalid, fmt.Sprintf("El campo %s debe ser de tipo %s", typ.Field, spanishType(typ.Type)))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return NewError(KindInvalid, fmt.Sprintf("El campo %s no está permitido", strings.Trim(name, `"`)))
	}
	return WrapError(KindInvalid, "El cuerpo de la solicitud no es un JSON válido", err)
}

func spanishType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "texto"
	case reflect.Bool:
		return "booleano"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "número entero"
	case reflect.Float32, reflect.Float64:
		return "número"
	case reflect.Slice, reflect.Array:
		return "lista"
	}
	return "objeto"
}
