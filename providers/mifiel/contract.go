package mifiel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/shopspring/decimal"
)

// ContractType selects the contract template.
type ContractType string

// Contract types of CMu.
const (
	// VentaPlazo: sale of the vehicle package on instalments.
	VentaPlazo ContractType = "venta_plazo"
	// Ahorro: savings plan towards the down payment.
	Ahorro ContractType = "ahorro"
	// CreditoColectivo: membership of a collective credit group.
	CreditoColectivo ContractType = "credito_colectivo"
)

// ContractTypes lists the known contract types.
func ContractTypes() []ContractType { return []ContractType{VentaPlazo, Ahorro, CreditoColectivo} }

// ContractClient is the client as the contract names them.
type ContractClient struct {
	Name string
	// RFC and CURP are printed when given.
	RFC, CURP string
	// Email signs in Mifiel.
	Email   string
	Phone   string
	Address string
}

// ContractData is everything a contract prints. Amounts are pesos (MXN) and
// are printed rounded half-up to cents; rates are annual percentages ("36.5").
type ContractData struct {
	Type ContractType
	// Folio is CMu's reference, printed on every page (e.g. the lead id).
	Folio string
	// Date is the contract date (its calendar date is printed as is).
	Date time.Time
	// City is where it is signed, e.g. "Toluca, Estado de México".
	City string
	// Company is CMu's party name (default "CMu").
	Company string
	Client  ContractClient
	// Market is "edomex" or "aguascalientes".
	Market  string
	Plates  string
	Vehicle string

	// Venta a plazo.
	Price       decimal.Decimal
	DownPayment decimal.Decimal
	// Financed defaults to Price − DownPayment.
	Financed   decimal.Decimal
	Term       int
	Frequency  string // "mensual", "quincenal", "semanal"
	Payment    decimal.Decimal
	AnnualRate decimal.Decimal

	// Ahorro (and venta a plazo's GNV collection).
	SurchargePerLitre decimal.Decimal
	SavingsGoal       decimal.Decimal

	// Crédito colectivo.
	GroupName    string
	GroupMembers int
	GroupTarget  decimal.Decimal
	// CreditAmount is the member's share of the collective credit.
	CreditAmount decimal.Decimal
}

// Valid reports missing data by field name; nil when the contract can be
// rendered.
func (d ContractData) Valid() map[string]string {
	p := map[string]string{}
	if strings.TrimSpace(d.Client.Name) == "" {
		p["client.name"] = "required"
	}
	if d.Folio == "" {
		p["folio"] = "required"
	}
	if d.Date.IsZero() {
		p["date"] = "required"
	}
	pos := func(name string, v decimal.Decimal) {
		if !v.IsPositive() {
			p[name] = "must be greater than zero"
		}
	}
	switch d.Type {
	case VentaPlazo:
		pos("price", d.Price)
		pos("payment", d.Payment)
		if d.DownPayment.IsNegative() || d.DownPayment.GreaterThanOrEqual(d.Price) {
			p["downPayment"] = "must be at least zero and less than price"
		}
		if d.Term <= 0 {
			p["term"] = "must be greater than zero"
		}
		if d.Frequency == "" {
			p["frequency"] = "required"
		}
		if d.Plates == "" && d.Vehicle == "" {
			p["vehicle"] = "plates or vehicle required"
		}
	case Ahorro:
		pos("savingsGoal", d.SavingsGoal)
		pos("surchargePerLitre", d.SurchargePerLitre)
		if d.Plates == "" {
			p["plates"] = "required (GNV collection)"
		}
	case CreditoColectivo:
		if d.GroupName == "" {
			p["groupName"] = "required"
		}
		pos("creditAmount", d.CreditAmount)
	default:
		p["type"] = "must be venta_plazo, ahorro or credito_colectivo"
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

type contractTemplate struct {
	title string
	// clauses: the preamble, then the clauses, numbered as rendered (an empty
	// optional clause takes no number). At most len(ordinalsES) clauses.
	clauses []string
}

var ordinalsES = [...]string{"PRIMERA", "SEGUNDA", "TERCERA", "CUARTA", "QUINTA", "SEXTA", "SÉPTIMA", "OCTAVA", "NOVENA", "DÉCIMA"}

// contractTemplate returns the clauses of t, as text/template sources over
// ContractData. Each returned value is fresh.
func templateFor(t ContractType) (contractTemplate, bool) {
	common := []string{
		`{{.Company}} y {{.Client.Name}}{{with .Client.RFC}}, RFC {{.}}{{end}}{{with .Client.CURP}}, CURP {{.}}{{end}}{{with .Client.Address}}, con domicilio en {{.}}{{end}} (en adelante, "EL CLIENTE"), celebran el presente contrato{{with .City}} en {{.}}{{end}}, el {{date .Date}}, folio {{.Folio}}, al tenor de las siguientes cláusulas.`,
	}
	signature := `FIRMA ELECTRÓNICA. Las partes firman este contrato con su firma electrónica avanzada (e.firma) por medio de Mifiel; el contrato surte efectos cuando todas las partes lo han firmado.`
	switch t {
	case VentaPlazo:
		return contractTemplate{
			title: "CONTRATO DE COMPRAVENTA A PLAZOS",
			clauses: append(common,
				`OBJETO. {{.Company}} vende a EL CLIENTE{{with .Vehicle}} {{.}}{{end}}{{with .Plates}}, con placas {{.}}{{end}}{{with .Market}}, en el mercado {{market .}}{{end}}.`,
				`PRECIO. El precio total es de {{money .Price}}. EL CLIENTE entrega un enganche de {{money .DownPayment}} y el saldo a financiar es de {{money (financed .)}}.`,
				`PAGOS. EL CLIENTE pagará {{.Term}} pagos {{frequency .Frequency}} de {{money .Payment}}{{if .AnnualRate.IsPositive}}, con una tasa de interés anual de {{rate .AnnualRate}}{{end}}.`,
				`{{if .SurchargePerLitre.IsPositive}}RECAUDO GNV. EL CLIENTE autoriza el cobro de un sobreprecio de {{money .SurchargePerLitre}} por litro de gas natural vehicular cargado con las placas {{.Plates}}, que se aplicará a sus pagos.{{end}}`,
				`RESERVA DE DOMINIO. {{.Company}} conserva la propiedad del bien hasta que EL CLIENTE liquide el saldo total.`,
				signature,
			),
		}, true
	case Ahorro:
		return contractTemplate{
			title: "CONTRATO DE PLAN DE AHORRO",
			clauses: append(common,
				`OBJETO. EL CLIENTE ahorra para el enganche de su vehículo{{with .Market}} en el mercado {{market .}}{{end}}, con una meta de {{money .SavingsGoal}}.`,
				`APORTACIONES. Se aportará un sobreprecio de {{money .SurchargePerLitre}} por litro de gas natural vehicular cargado con las placas {{.Plates}}. EL CLIENTE puede hacer aportaciones voluntarias por pago con tarjeta, OXXO o transferencia SPEI.`,
				`CUENTA. Las aportaciones se registran en la cuenta de ahorro de EL CLIENTE, que puede consultar su saldo en todo momento.`,
				`APLICACIÓN. Al alcanzar la meta, el saldo se aplica como enganche de la compraventa a plazos que las partes celebren.`,
				signature,
			),
		}, true
	case CreditoColectivo:
		return contractTemplate{
			title: "CONTRATO DE ADHESIÓN A CRÉDITO COLECTIVO",
			clauses: append(common,
				`GRUPO. EL CLIENTE se adhiere al grupo de crédito colectivo "{{.GroupName}}"{{if .GroupMembers}}, integrado por {{.GroupMembers}} miembros{{end}}{{if .GroupTarget.IsPositive}}, con una meta de ahorro del grupo de {{money .GroupTarget}}{{end}}.`,
				`FASES. El grupo ahorra en una cuenta maestra; cuando alcanza su meta pasa a la fase de pago colectivo.`,
				`CRÉDITO. La parte del crédito colectivo que corresponde a EL CLIENTE es de {{money .CreditAmount}}{{if .Payment.IsPositive}}, pagadera en {{.Term}} pagos {{frequency .Frequency}} de {{money .Payment}}{{end}}{{with .Plates}}; placas {{.}}{{end}}.`,
				`{{if .SurchargePerLitre.IsPositive}}RECAUDO GNV. Se aportará un sobreprecio de {{money .SurchargePerLitre}} por litro de gas natural vehicular cargado con las placas {{.Plates}}.{{end}}`,
				signature,
			),
		}, true
	}
	return contractTemplate{}, false
}

var monthsES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}

// FormatMXN formats pesos as "$1,234.50 MXN", rounded half-up to cents.
func FormatMXN(d decimal.Decimal) string {
	s := d.Round(2).StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := "$" + b.String() + "." + frac + " MXN"
	if neg {
		out = "-" + out
	}
	return out
}

func funcs() template.FuncMap {
	return template.FuncMap{
		"money": FormatMXN,
		"date": func(t time.Time) string {
			return fmt.Sprintf("%d de %s de %d", t.Day(), monthsES[t.Month()-1], t.Year())
		},
		"financed": func(d ContractData) decimal.Decimal {
			if d.Financed.IsPositive() {
				return d.Financed
			}
			return d.Price.Sub(d.DownPayment)
		},
		"rate": func(r decimal.Decimal) string { return r.Round(2).StringFixed(2) + "%" },
		"frequency": func(f string) string {
			switch strings.ToLower(f) {
			case "mensual", "monthly":
				return "mensuales"
			case "quincenal", "biweekly":
				return "quincenales"
			case "semanal", "weekly":
				return "semanales"
			}
			return f
		},
		"market": func(m string) string {
			switch m {
			case "edomex":
				return "Estado de México"
			case "aguascalientes":
				return "Aguascalientes"
			}
			return m
		},
	}
}

// contractErr wraps a Valid failure.
func contractErr(p map[string]string) error {
	return &ValidationError{Fields: p}
}

// render returns the title and the non-empty paragraphs.
func render(d ContractData) (string, []string, error) {
	if p := d.Valid(); p != nil {
		return "", nil, contractErr(p)
	}
	if d.Company == "" {
		d.Company = "CMu"
	}
	tpl, _ := templateFor(d.Type)
	var paras []string
	for i, src := range tpl.clauses {
		t, err := template.New(fmt.Sprint(d.Type, i)).Funcs(funcs()).Option("missingkey=error").Parse(src)
		if err != nil {
			return "", nil, fmt.Errorf("mifiel: contract template %s/%d: %w", d.Type, i, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return "", nil, fmt.Errorf("mifiel: contract template %s/%d: %w", d.Type, i, err)
		}
		if s := strings.TrimSpace(b.String()); s != "" {
			if i > 0 { // clauses after the preamble are numbered as rendered
				s = ordinalsES[len(paras)-1] + ". " + s
			}
			paras = append(paras, s)
		}
	}
	return tpl.title, paras, nil
}

// ContractText renders the contract as plain text (title, paragraphs, the
// signature lines), the same content ContractPDF lays out.
func ContractText(d ContractData) (string, error) {
	title, paras, err := render(d)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(title + "\n\n")
	for _, p := range paras {
		b.WriteString(p + "\n\n")
	}
	for _, s := range signatureLines(d) {
		b.WriteString(s + "\n")
	}
	return b.String(), nil
}

func signatureLines(d ContractData) []string {
	company := d.Company
	if company == "" {
		company = "CMu"
	}
	return []string{"Por " + company + ": ____________________", "EL CLIENTE, " + d.Client.Name + ": ____________________"}
}

// ContractPDF renders the contract as a Letter-size PDF. The output is
// deterministic for the same data (creation date = d.Date).
func ContractPDF(d ContractData) ([]byte, error) {
	title, paras, err := render(d)
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "Letter", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(d.Date)
	pdf.SetModificationDate(d.Date)
	pdf.SetTitle(title+" "+d.Folio, true)
	pdf.SetAuthor(orDefault(d.Company, "CMu"), true)
	pdf.SetSubject("Folio "+d.Folio, false)
	pdf.SetMargins(20, 20, 20)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 10, tr(fmt.Sprintf("Folio %s — página %d de {nb}", d.Folio, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.MultiCell(0, 8, tr(title), "", "C", false)
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "", 11)
	for _, p := range paras {
		pdf.MultiCell(0, 5.5, tr(p), "", "J", false)
		pdf.Ln(3)
	}
	pdf.Ln(12)
	for _, s := range signatureLines(d) {
		pdf.MultiCell(0, 10, tr(s), "", "L", false)
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("mifiel: contract pdf: %w", err)
	}
	return out.Bytes(), nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// SendContractRequest sends a generated contract for signature.
type SendContractRequest struct {
	Data ContractData
	// Signers default to the client (name, email, RFC); CompanySigners are
	// appended (CMu's representative).
	Signers        []Signer
	CompanySigners []Signer
	// CallbackURL, SignCallbackURL and ExternalID as in CreateDocumentRequest;
	// ExternalID defaults to Data.Folio.
	CallbackURL, SignCallbackURL, ExternalID string
}

// SendContract renders the contract PDF and creates the Mifiel document.
func (c *Client) SendContract(ctx context.Context, r SendContractRequest) (*Document, error) {
	file, err := ContractPDF(r.Data)
	if err != nil {
		return nil, err
	}
	signers := r.Signers
	if len(signers) == 0 {
		if r.Data.Client.Email == "" {
			return nil, errors.New("mifiel: send contract: the client has no email to sign with")
		}
		signers = []Signer{{Name: r.Data.Client.Name, Email: r.Data.Client.Email, TaxID: r.Data.Client.RFC}}
	}
	signers = append(append([]Signer(nil), signers...), r.CompanySigners...)
	ext := r.ExternalID
	if ext == "" {
		ext = r.Data.Folio
	}
	return c.CreateDocument(ctx, CreateDocumentRequest{
		File: file, FileName: fmt.Sprintf("%s-%s.pdf", r.Data.Type, r.Data.Folio), Signers: signers,
		CallbackURL: r.CallbackURL, SignCallbackURL: r.SignCallbackURL, ExternalID: ext,
	})
}
