package kiban

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Address is the person's address in Buró's "domicilio" segment.
type Address struct {
	Street       string `json:"direccion1,omitempty"`
	Neighborhood string `json:"coloniaPoblacion,omitempty"`
	Municipality string `json:"delegacionMunicipio,omitempty"`
	City         string `json:"ciudad,omitempty"`
	State        string `json:"estado,omitempty"`
	PostalCode   string `json:"CP,omitempty"`
}

// BureauQuery is one Buró de Crédito personas-físicas query.
//
// API docs: https://docs.kiban.cloud/reference/query-bc-pf-by-kiban
type BureauQuery struct {
	// AuthorizationID is the NIP validation execution id (NIPValidation.ID):
	// the person's recorded consent. Required.
	AuthorizationID string
	FirstName       string
	// PaternalLastName and MaternalLastName are apellido paterno / materno.
	PaternalLastName string
	MaternalLastName string
	// RFC is the person's tax id (10 or 13 characters). Required.
	RFC     string
	Address Address
}

// Valid reports the problems of q by field name; nil when q can be sent.
func (q BureauQuery) Valid() map[string]string {
	p := map[string]string{}
	if q.AuthorizationID == "" {
		p["authorizationId"] = "required (NIP validation id)"
	}
	if q.FirstName == "" {
		p["firstName"] = "required"
	}
	if q.PaternalLastName == "" {
		p["paternalLastName"] = "required"
	}
	if n := len(strings.TrimSpace(q.RFC)); n != 10 && n != 13 {
		p["rfc"] = "must have 10 or 13 characters"
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// QueryBureau runs the bureau query and decodes the report. The query is billed
// and leaves an inquiry on the person's report, so it is retried only when the
// request provably never reached KIBAN; on any other transient failure the
// returned error is retryable (errors.As *APIError with Retryable, or an
// apiclient transport error) and the caller decides when to ask again.
func (c *Client) QueryBureau(ctx context.Context, q BureauQuery) (*Report, error) {
	if p := q.Valid(); p != nil {
		return nil, &ValidationError{Op: "query bureau", Fields: p}
	}
	body := map[string]any{
		"parameters_" + c.cfg.BureauService: map[string]string{"productoRequerido": c.cfg.ProductoRequerido},
		"authorization":                     map[string]string{"tipo": "nip", "id": q.AuthorizationID},
		"nombre": map[string]string{
			"primerNombre":    q.FirstName,
			"apellidoPaterno": q.PaternalLastName,
			"apellidoMaterno": q.MaternalLastName,
			"rfc":             strings.ToUpper(strings.TrimSpace(q.RFC)),
		},
		"domicilio": q.Address,
	}
	var query url.Values
	if c.cfg.TestCaseID != "" {
		query = url.Values{"testCaseId": {c.cfg.TestCaseID}}
	}
	path := "/api/v" + strconv.Itoa(c.cfg.BureauVersion) + "/" + c.cfg.BureauService + "/query"
	ex, err := c.call(ctx, "query bureau", http.MethodPost, path, query, body, apiclient.RetryUnsent)
	if err != nil {
		return nil, err
	}
	r, err := ParseReport(ex.Response, c.cfg.ScoreCode)
	if err != nil {
		return nil, fmt.Errorf("kiban: query bureau %s: %w", ex.ID, err)
	}
	r.ExecutionID = ex.ID
	r.Status = ex.Status
	return r, nil
}

// Report is a decoded bureau report.
type Report struct {
	// ExecutionID is KIBAN's execution id: the evidence reference.
	ExecutionID string
	// Status is the execution status ("SUCCESS").
	Status string
	// Score is the headline score (Config.ScoreCode); Score.Valid is false when
	// the bureau returned none or an exclusion code.
	Score Score
	// Scores are all the scores returned.
	Scores []Score
	// Accounts are the credit accounts reported.
	Accounts []Account
	// Flags are derived by this package; see Flag.
	Flags []Flag
	// Raw is the execution's response as received.
	Raw json.RawMessage
}

// HasFlag reports whether r carries f.
func (r *Report) HasFlag(f Flag) bool {
	for _, x := range r.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// PastDueBalance is the sum of saldoVencido over all accounts, in pesos.
func (r *Report) PastDueBalance() decimal.Decimal {
	sum := decimal.Zero
	for _, a := range r.Accounts {
		sum = sum.Add(a.PastDueBalance)
	}
	return sum
}

// TotalBalance is the sum of saldoActual over all accounts, in pesos.
func (r *Report) TotalBalance() decimal.Decimal {
	sum := decimal.Zero
	for _, a := range r.Accounts {
		sum = sum.Add(a.CurrentBalance)
	}
	return sum
}

// WorstMOP is the highest numeric current payment status (MOP, formaPagoActual)
// among the accounts; 0 when none is numeric.
func (r *Report) WorstMOP() int {
	worst := 0
	for _, a := range r.Accounts {
		if m := a.MOP(); m > worst {
			worst = m
		}
	}
	return worst
}

// Score is one bureau score.
type Score struct {
	// Code is codigoScore ("007" = BC Score); Name is nombreScore.
	Code, Name string
	// Value is the score when Valid.
	Value int
	// Valid is false when the score is missing or an exclusion code.
	Valid bool
	// Exclusion is the exclusion code (valorScore "-001"…"-009") when the
	// bureau could not score the person.
	Exclusion string
	// Reasons are codigoRazon1..3, as sent.
	Reasons []string
}

// Account is one credit account of the report. Amounts are pesos.
type Account struct {
	Lender         string
	AccountType    string // tipoCuenta: I, M, O, R …
	ContractType   string // tipoContrato: CC, AU, PP …
	CurrentBalance decimal.Decimal
	PastDueBalance decimal.Decimal
	CreditLimit    decimal.Decimal
	MaxCredit      decimal.Decimal
	// PaymentStatus is formaPagoActual (MOP: "01" current … "05" 90–119 days
	// late, "97" write-off, "UR" unrated).
	PaymentStatus  string
	PaymentHistory string
	OpenedOn       string // fechaAperturaCuenta, DDMMYYYY as sent
	ClosedOn       string // fechaCierreCuenta, DDMMYYYY as sent
}

// MOP returns the numeric payment status, 0 when it is not numeric.
func (a Account) MOP() int {
	n, err := strconv.Atoi(strings.TrimSpace(a.PaymentStatus))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Open reports whether the account has no closing date.
func (a Account) Open() bool { return strings.TrimSpace(a.ClosedOn) == "" }

// Flag is a risk marker derived from the report by this package.
type Flag string

// Flags derived by ParseReport.
const (
	// FlagNoScore: no headline score (missing or exclusion code).
	FlagNoScore Flag = "sin_score"
	// FlagNoHistory: no accounts reported (thin file).
	FlagNoHistory Flag = "sin_historial"
	// FlagPastDue: some account has a past-due balance above zero.
	FlagPastDue Flag = "saldo_vencido"
	// FlagSevereDelinquency: some account's MOP is 04 (60+ days late) or worse.
	FlagSevereDelinquency Flag = "atraso_grave"
)

// amount is a Buró amount: a JSON string or number; strings may carry a
// trailing sign ("1260+", "35-").
type amount struct{ decimal.Decimal }

func (a *amount) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		s = string(b)
	}
	d, err := parseAmount(s)
	if err != nil {
		return err
	}
	a.Decimal = d
	return nil
}

func parseAmount(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal.Zero, nil
	}
	neg := false
	switch s[len(s)-1] {
	case '+':
		s = s[:len(s)-1]
	case '-':
		neg, s = true, s[:len(s)-1]
	}
	if s == "" {
		return decimal.Zero, nil
	}
	if strings.ContainsAny(s, "eE") {
		return decimal.Zero, fmt.Errorf("amount %q: exponent not allowed", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("amount %q: %w", s, err)
	}
	if neg {
		d = d.Neg()
	}
	return d, nil
}

// text is a JSON string or number read as text.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want string or number, got %.20s", b)
	}
	*t = text(n.String())
	return nil
}

type wireScore struct {
	Code    text `json:"codigoScore"`
	Name    text `json:"nombreScore"`
	Value   text `json:"valorScore"`
	Reason1 text `json:"codigoRazon1"`
	Reason2 text `json:"codigoRazon2"`
	Reason3 text `json:"codigoRazon3"`
}

type wireAccount struct {
	Lender         text   `json:"nombreOtorgante"`
	AccountType    text   `json:"tipoCuenta"`
	ContractType   text   `json:"tipoContrato"`
	CurrentBalance amount `json:"saldoActual"`
	PastDueBalance amount `json:"saldoVencido"`
	CreditLimit    amount `json:"limiteCredito"`
	MaxCredit      amount `json:"creditoMaximo"`
	PaymentStatus  text   `json:"formaPagoActual"`
	PaymentHistory text   `json:"historicoPagos"`
	OpenedOn       text   `json:"fechaAperturaCuenta"`
	ClosedOn       text   `json:"fechaCierreCuenta"`
}

type wireSegments struct {
	Scores   []wireScore   `json:"scoreBuroCredito"`
	Accounts []wireAccount `json:"cuentas"`
}

// ParseReport decodes a bureau query's execution response (the "response"
// member) and derives the flags. scoreCode selects the headline score ("" means
// DefaultScoreCode; when no score has that code the first valid one is used).
// ExecutionID and Status are left for the caller to fill.
func ParseReport(response []byte, scoreCode string) (*Report, error) {
	if scoreCode == "" {
		scoreCode = DefaultScoreCode
	}
	var top struct {
		wireSegments
		Respuesta *struct {
			Persona *wireSegments `json:"persona"`
			wireSegments
		} `json:"respuesta"`
	}
	if len(response) == 0 || string(response) == "null" {
		return nil, fmt.Errorf("empty bureau response")
	}
	if err := json.Unmarshal(response, &top); err != nil {
		return nil, fmt.Errorf("decode bureau response: %w", err)
	}
	seg := top.wireSegments
	if r := top.Respuesta; r != nil {
		seg.Scores = append(seg.Scores, r.Scores...)
		seg.Accounts = append(seg.Accounts, r.Accounts...)
		if r.Persona != nil {
			seg.Scores = append(seg.Scores, r.Persona.Scores...)
			seg.Accounts = append(seg.Accounts, r.Persona.Accounts...)
		}
	}
	rep := &Report{Raw: append(json.RawMessage(nil), response...)}
	for _, ws := range seg.Scores {
		s := Score{Code: strings.TrimSpace(string(ws.Code)), Name: strings.TrimSpace(string(ws.Name))}
		for _, r := range []text{ws.Reason1, ws.Reason2, ws.Reason3} {
			if v := strings.TrimSpace(string(r)); v != "" {
				s.Reasons = append(s.Reasons, v)
			}
		}
		v := strings.TrimSpace(string(ws.Value))
		if n, err := strconv.Atoi(v); err == nil {
			if n < 0 {
				s.Exclusion = v
			} else {
				s.Value, s.Valid = n, true
			}
		}
		rep.Scores = append(rep.Scores, s)
	}
	for _, s := range rep.Scores {
		if s.Code == scoreCode {
			rep.Score = s
			break
		}
	}
	if rep.Score.Code == "" {
		for _, s := range rep.Scores {
			if s.Valid {
				rep.Score = s
				break
			}
		}
	}
	for _, wa := range seg.Accounts {
		rep.Accounts = append(rep.Accounts, Account{
			Lender:         strings.TrimSpace(string(wa.Lender)),
			AccountType:    strings.TrimSpace(string(wa.AccountType)),
			ContractType:   strings.TrimSpace(string(wa.ContractType)),
			CurrentBalance: wa.CurrentBalance.Decimal,
			PastDueBalance: wa.PastDueBalance.Decimal,
			CreditLimit:    wa.CreditLimit.Decimal,
			MaxCredit:      wa.MaxCredit.Decimal,
			PaymentStatus:  strings.TrimSpace(string(wa.PaymentStatus)),
			PaymentHistory: strings.TrimSpace(string(wa.PaymentHistory)),
			OpenedOn:       strings.TrimSpace(string(wa.OpenedOn)),
			ClosedOn:       strings.TrimSpace(string(wa.ClosedOn)),
		})
	}
	if !rep.Score.Valid {
		rep.Flags = append(rep.Flags, FlagNoScore)
	}
	if len(rep.Accounts) == 0 {
		rep.Flags = append(rep.Flags, FlagNoHistory)
	}
	if rep.PastDueBalance().IsPositive() {
		rep.Flags = append(rep.Flags, FlagPastDue)
	}
	if rep.WorstMOP() >= 4 {
		rep.Flags = append(rep.Flags, FlagSevereDelinquency)
	}
	return rep, nil
}
