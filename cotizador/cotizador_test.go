package cotizador_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/cotizador"
	"github.com/cmu-mx/cmu/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var (
	created = time.Date(2026, 1, 5, 17, 30, 0, 0, time.UTC)
	start   = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
)

func edomex(t testing.TB) cotizador.Package {
	t.Helper()
	p, err := cotizador.DemoSource{}.Package(context.Background(), cotizador.MarketEdomex)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// edomexRequest is the demo Edomex package with insurance, 20 % down, 156 weeks.
func edomexRequest() cotizador.Request {
	return cotizador.Request{
		Market:      cotizador.MarketEdomex,
		Client:      cotizador.Client{PartnerID: 7, LeadID: 42, Name: "Juana Pérez Hernández"},
		Components:  []string{"seguro"},
		DownPayment: d("50000"),
		Term:        156,
		Start:       start,
	}
}

func mustQuote(t testing.TB) *cotizador.Quote {
	t.Helper()
	q, err := cotizador.NewQuote(edomex(t), edomexRequest(), created)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestNewQuote(t *testing.T) {
	t.Parallel()
	q := mustQuote(t)
	got := []string{q.Subtotal.StringFixed(2), q.Financed.StringFixed(2), q.Schedule.Payment.StringFixed(2), q.Schedule.CATString(),
		q.DownPaymentPercent().StringFixed(1), q.Schedule.CommissionAmount.StringFixed(2), q.Folio}
	want := []string{"250000.00", "200000.00", "2322.18", "45.5", "20.0", "4000.00", "COT-EDOMEX-20260105-" + q.Folio[len(q.Folio)-8:]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(q.Lines) != 4 || q.Lines[3].Code != "seguro" {
		t.Errorf("lines %+v", q.Lines)
	}
	// The schedule is exactly amortization's for the financed amount.
	s, err := amortization.New(amortization.Inputs{Principal: d("200000"), AnnualRate: d("0.36"), Periods: 156, Frequency: amortization.Weekly,
		Method: amortization.French, IVARate: d("0.16"), Commission: d("0.02"), Start: start})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(s)
	b, _ := json.Marshal(q.Schedule)
	if !bytes.Equal(a, b) {
		t.Error("quote schedule differs from amortization.New")
	}
	// Without the optional insurance, only required components are quoted.
	req := edomexRequest()
	req.Components = nil
	req.DownPayment = d("47600")
	q2, err := cotizador.NewQuote(edomex(t), req, created)
	if err != nil {
		t.Fatal(err)
	}
	if q2.Subtotal.StringFixed(2) != "238000.00" || len(q2.Lines) != 3 {
		t.Errorf("subtotal %s lines %d", q2.Subtotal, len(q2.Lines))
	}
	// A zero start date means the creation day.
	req.Start = time.Time{}
	q3, err := cotizador.NewQuote(edomex(t), req, created)
	if err != nil || !q3.Request.Start.Equal(start) {
		t.Errorf("start %v, %v", q3.Request.Start, err)
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*cotizador.Request)
		want   []cotizador.FieldError
	}{
		{"minimum down payment", func(r *cotizador.Request) { r.DownPayment = d("49999.99") },
			[]cotizador.FieldError{{Field: "down_payment", Rule: cotizador.RuleMinDownPayment, Message: "El enganche mínimo para edomex es 20% (50,000.00 MXN)"}}},
		{"minimum follows the chosen components", func(r *cotizador.Request) { r.Components = nil; r.DownPayment = d("47599.99") },
			[]cotizador.FieldError{{Field: "down_payment", Rule: cotizador.RuleMinDownPayment, Message: "El enganche mínimo para edomex es 20% (47,600.00 MXN)"}}},
		{"term not allowed", func(r *cotizador.Request) { r.Term = 52 },
			[]cotizador.FieldError{{Field: "term", Rule: cotizador.RuleTerm, Message: "El plazo de 52 pagos no está permitido para edomex; plazos permitidos: 104, 156 y 208 pagos semanales"}}},
		{"component not in package", func(r *cotizador.Request) { r.Components = []string{"seguro", "garantia"} },
			[]cotizador.FieldError{{Field: "components", Rule: cotizador.RuleComponent, Message: `El componente "garantia" no está disponible en el paquete de edomex`}}},
		{"negative down payment", func(r *cotizador.Request) { r.DownPayment = d("-1") },
			[]cotizador.FieldError{
				{Field: "down_payment", Rule: cotizador.RulePositiveAmount, Message: "El enganche no puede ser negativo (-1.00 MXN)"},
				{Field: "down_payment", Rule: cotizador.RuleMinDownPayment, Message: "El enganche mínimo para edomex es 20% (50,000.00 MXN)"},
			}},
		{"fraction of a cent", func(r *cotizador.Request) { r.DownPayment = d("50000.001") },
			[]cotizador.FieldError{{Field: "down_payment", Rule: cotizador.RulePositiveAmount, Message: "El enganche debe expresarse en pesos y centavos (50000.001)"}}},
		{"down payment covers everything", func(r *cotizador.Request) { r.DownPayment = d("250000") },
			[]cotizador.FieldError{{Field: "down_payment", Rule: cotizador.RuleFinanced, Message: "El enganche (250,000.00 MXN) debe ser menor que el total de los componentes (250,000.00 MXN); una compra de contado no se cotiza a plazos"}}},
		{"wrong market for package", func(r *cotizador.Request) { r.Market = cotizador.MarketAguascalientes },
			[]cotizador.FieldError{{Field: "market", Rule: cotizador.RuleMarket, Message: `El paquete "Taxi colectivo a GNV Edomex" es del mercado edomex, no de aguascalientes`}}},
		{"several rules at once", func(r *cotizador.Request) { r.Term = 12; r.DownPayment = d("1000") },
			[]cotizador.FieldError{
				{Field: "term", Rule: cotizador.RuleTerm, Message: "El plazo de 12 pagos no está permitido para edomex; plazos permitidos: 104, 156 y 208 pagos semanales"},
				{Field: "down_payment", Rule: cotizador.RuleMinDownPayment, Message: "El enganche mínimo para edomex es 20% (50,000.00 MXN)"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := edomexRequest()
			tt.mutate(&req)
			_, err := cotizador.NewQuote(edomex(t), req, created)
			var ve *cotizador.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, cotizador.ErrInvalidQuote) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if diff := cmp.Diff(tt.want, ve.Errors); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if ve.Fields()[tt.want[0].Field] != tt.want[0].Message {
				t.Errorf("Fields() = %v", ve.Fields())
			}
		})
	}
}

func TestAguascalientesRules(t *testing.T) {
	t.Parallel()
	c := &cotizador.Cotizador{Packages: cotizador.DemoSource{}, Now: func() time.Time { return created }}
	_, err := c.Quote(context.Background(), cotizador.Request{Market: cotizador.MarketAguascalientes, DownPayment: d("100000"), Term: 60, Components: []string{"gps"}})
	var ve *cotizador.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	want := map[string]string{
		"term":         "El plazo de 60 pagos no está permitido para aguascalientes; plazos permitidos: 48, 72 y 96 pagos quincenales",
		"down_payment": "El enganche mínimo para aguascalientes es 15% (120,795.00 MXN)",
	}
	if diff := cmp.Diff(want, ve.Fields()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = c.Quote(context.Background(), cotizador.Request{Market: "cdmx", Term: 48})
	if !errors.As(err, &ve) || ve.Errors[0].Rule != cotizador.RuleMarket {
		t.Fatalf("unknown market: %v", err)
	}
	if _, err := c.Package(context.Background(), "cdmx"); !errors.Is(err, cotizador.ErrInvalidQuote) {
		t.Errorf("Package(cdmx) = %v", err)
	}
	if _, err := (cotizador.DemoSource{Packages: []cotizador.Package{}}).Package(context.Background(), cotizador.MarketEdomex); !errors.Is(err, cotizador.ErrNoPackage) {
		t.Errorf("empty source: %v", err)
	}
}

func TestDemoPackagesValid(t *testing.T) {
	t.Parallel()
	pkgs := cotizador.DemoPackages()
	if len(pkgs) != 2 {
		t.Fatalf("%d demo packages", len(pkgs))
	}
	for _, p := range pkgs {
		if err := p.Validate(); err != nil {
			t.Error(err)
		}
	}
	// Callers get copies: mutating one does not leak into the next.
	pkgs[0].Components[0].Price = d("1")
	if cotizador.DemoPackages()[0].Components[0].Price.Equal(d("1")) {
		t.Error("DemoPackages shares state")
	}
	bad := cotizador.DemoPackages()[0]
	bad.Terms = nil
	bad.Components = append(bad.Components, bad.Components[0])
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "no allowed terms") || !strings.Contains(err.Error(), "repeated") {
		t.Errorf("Validate = %v", err)
	}
	if _, err := cotizador.NewQuote(bad, edomexRequest(), created); err == nil {
		t.Error("NewQuote accepted an invalid package")
	}
}

func TestFormatMXN(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0": "0.00", "5": "5.00", "999.995": "1,000.00", "50000": "50,000.00", "1234567.891": "1,234,567.89",
		"-1234.5": "-1,234.50", "100000000": "100,000,000.00", "0.005": "0.01",
	} {
		if got := cotizador.FormatMXN(d(in)); got != want {
			t.Errorf("FormatMXN(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestValid(t *testing.T) {
	t.Parallel()
	q := mustQuote(t)
	if m := q.Valid(context.Background()); len(m) != 0 {
		t.Errorf("Valid = %v", m)
	}
	q.Request.Term = 100
	if m := q.Valid(context.Background()); !strings.Contains(m["term"], "plazo de 100 pagos") {
		t.Errorf("Valid = %v", m)
	}
}

// checkGolden compares got with testdata/name (rewritten with -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got, *update)
}

func TestQuoteJSON(t *testing.T) {
	t.Parallel()
	q := mustQuote(t)
	b, err := json.MarshalIndent(q, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "edomex_quote.json", append(b, '\n'))
	var back cotizador.Quote
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, err := json.MarshalIndent(&back, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(b), string(b2)); diff != "" {
		t.Errorf("round trip (-first +second):\n%s", diff)
	}
}

// tamper decodes the quote JSON into a generic tree, applies f, re-encodes
// and decodes it as a Quote.
func tamper(t *testing.T, q *cotizador.Quote, f func(m map[string]any)) (*cotizador.Quote, error) {
	t.Helper()
	b, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out cotizador.Quote
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func row(m map[string]any, i int) map[string]any {
	return m["schedule"].(map[string]any)["rows"].([]any)[i].(map[string]any)
}

func TestVerifyQuote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := cotizador.DemoSource{}
	q := mustQuote(t)
	honest, err := tamper(t, q, func(map[string]any) {})
	if err != nil {
		t.Fatal(err)
	}
	if err := cotizador.VerifyQuote(ctx, src, honest); err != nil {
		t.Fatalf("honest quote rejected: %v", err)
	}
	tests := []struct {
		name  string
		f     func(m map[string]any)
		field string
	}{
		{"row interest", func(m map[string]any) { row(m, 3)["interest"] = "1369.63" }, "schedule.rows[3].interest"},
		{"cat", func(m map[string]any) { m["schedule"].(map[string]any)["cat"] = "39.9" }, "schedule.cat"},
		{"dropped last row", func(m map[string]any) {
			s := m["schedule"].(map[string]any)
			rows := s["rows"].([]any)
			s["rows"] = rows[:len(rows)-1]
		}, "schedule.rows.length"},
		{"lower rate in the snapshot", func(m map[string]any) { m["package"].(map[string]any)["annual_rate"] = "0.30" }, "package.annual_rate"},
		{"cheaper vehicle line", func(m map[string]any) { m["lines"].([]any)[0].(map[string]any)["price"] = "150000.00" }, "lines[0].price"},
		{"financed amount", func(m map[string]any) { m["financed"] = "190000.00" }, "financed"},
		{"folio", func(m map[string]any) { m["folio"] = "COT-EDOMEX-20260105-00000000" }, "folio"},
		{"extra field inside a row is ignored but a changed due date is not", func(m map[string]any) { row(m, 0)["due_date"] = "2026-01-13" }, "schedule.rows[0].due_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bad, err := tamper(t, q, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			err = cotizador.VerifyQuote(ctx, src, bad)
			var me *cotizador.MismatchError
			if !errors.As(err, &me) || !errors.Is(err, cotizador.ErrQuoteMismatch) {
				t.Fatalf("VerifyQuote = %v, want *MismatchError", err)
			}
			if me.Field != tt.field {
				t.Errorf("field %q, want %q (%v)", me.Field, tt.field, err)
			}
		})
	}
	// Sub-cent amounts cannot sneak through a re-encoding.
	if _, err := tamper(t, q, func(m map[string]any) { row(m, 0)["interest"] = "1384.621" }); err == nil {
		t.Error("accepted a row amount with three decimals")
	}
	if _, err := tamper(t, q, func(m map[string]any) { m["lines"].([]any)[0].(map[string]any)["price"] = "199900.001" }); err == nil {
		t.Error("accepted a price with three decimals")
	}
	if _, err := tamper(t, q, func(m map[string]any) { m["financed"] = "2e5" }); err == nil {
		t.Error("accepted an exponent")
	}
	// A request that breaks a rule is a validation error, not a mismatch.
	bad, _ := tamper(t, q, func(m map[string]any) { m["down_payment"] = "1000.00" })
	if err := cotizador.VerifyQuote(ctx, src, bad); !errors.Is(err, cotizador.ErrInvalidQuote) {
		t.Errorf("VerifyQuote = %v, want ErrInvalidQuote", err)
	}
	// The package changed since the quote was made: a price cut is a
	// mismatch, a price rise above the down payment's reach a broken rule.
	pkgs := cotizador.DemoPackages()
	pkgs[0].Components[0].Price = d("189900.00")
	if err := cotizador.VerifyQuote(ctx, cotizador.DemoSource{Packages: pkgs}, honest); !errors.Is(err, cotizador.ErrQuoteMismatch) {
		t.Errorf("price cut: %v", err)
	}
	pkgs[0].Components[0].Price = d("205900.00")
	if err := cotizador.VerifyQuote(ctx, cotizador.DemoSource{Packages: pkgs}, honest); !errors.Is(err, cotizador.ErrInvalidQuote) {
		t.Errorf("price rise: %v", err)
	}
	if err := cotizador.VerifyQuote(ctx, src, &cotizador.Quote{}); !errors.Is(err, cotizador.ErrQuoteMismatch) {
		t.Errorf("empty quote: %v", err)
	}
}

func TestSave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &cotizador.MemoryStore{}
	c := &cotizador.Cotizador{Packages: cotizador.DemoSource{}, Store: store, Now: func() time.Time { return created }}
	q, err := c.Quote(ctx, edomexRequest())
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Save(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if r.Folio != q.Folio || r.LeadID != 42 || len(r.AttachmentIDs) != 2 || r.MessageID == 0 {
		t.Errorf("receipt %+v", r)
	}
	saved := store.Saved()
	if len(saved) != 1 {
		t.Fatalf("%d saved", len(saved))
	}
	sq := saved[0]
	if sq.Files[0].Name != q.Folio+".json" || sq.Files[0].MimeType != "application/json" ||
		sq.Files[1].Name != q.Folio+".pdf" || !bytes.HasPrefix(sq.Files[1].Data, []byte("%PDF-")) {
		t.Errorf("files %s %s %s", sq.Files[0].Name, sq.Files[1].Name, sq.Files[1].Data[:8])
	}
	var doc cotizador.Quote
	if err := json.Unmarshal(sq.Files[0].Data, &doc); err != nil || cotizador.VerifyQuote(ctx, cotizador.DemoSource{}, &doc) != nil {
		t.Errorf("saved JSON does not verify: %v", err)
	}
	wantNote := "Cotización " + q.Folio + " guardada: Taxi colectivo a GNV Edomex (Estado de México). Total 250,000.00 MXN, enganche 50,000.00 MXN (20.0%), monto financiado 200,000.00 MXN, 156 pagos semanales de 2,322.18 MXN con IVA, tasa anual 36%, CAT 45.5% sin IVA."
	if sq.Note != wantNote {
		t.Errorf("note:\n%s\nwant\n%s", sq.Note, wantNote)
	}

	// Tampered: rejected, nothing stored.
	bad, _ := tamper(t, q, func(m map[string]any) { row(m, 0)["payment"] = "2000.00" })
	if _, err := c.Save(ctx, bad); !errors.Is(err, cotizador.ErrQuoteMismatch) {
		t.Errorf("Save(tampered) = %v", err)
	}
	// No lead: rejected.
	anon := edomexRequest()
	anon.Client.LeadID = 0
	qa, err := c.Quote(ctx, anon)
	if err != nil {
		t.Fatal(err)
	}
	var ve *cotizador.ValidationError
	if _, err := c.Save(ctx, qa); !errors.As(err, &ve) || ve.Errors[0].Rule != cotizador.RuleLead {
		t.Errorf("Save(no lead) = %v", err)
	}
	if _, err := (&cotizador.Cotizador{Packages: cotizador.DemoSource{}}).Save(ctx, q); err == nil {
		t.Error("Save without a Store succeeded")
	}
	if n := len(store.Saved()); n != 1 {
		t.Errorf("%d saved after rejections, want 1", n)
	}
}

// pdfStreams returns the concatenated content of an uncompressed PDF's
// streams.
func pdfStreams(pdf []byte) string {
	var b strings.Builder
	for {
		i := bytes.Index(pdf, []byte("stream\n"))
		if i < 0 {
			return b.String()
		}
		pdf = pdf[i+len("stream\n"):]
		j := bytes.Index(pdf, []byte("endstream"))
		if j < 0 {
			return b.String()
		}
		b.Write(pdf[:j])
		pdf = pdf[j:]
	}
}

func TestPDFContentStreams(t *testing.T) {
	t.Parallel()
	q := mustQuote(t)
	var buf bytes.Buffer
	if err := cotizador.WritePDF(&buf, q, &cotizador.PDFOptions{Uncompressed: true}); err != nil {
		t.Fatal(err)
	}
	content := pdfStreams(buf.Bytes())
	for _, want := range []string{
		"(Monto financiado)", "(200,000.00 MXN)", "(CAT 45.5% sin IVA)", "(Enganche)", "(50,000.00 MXN \\(20.0%; m\xednimo 20%\\))",
		"(Juana P\xe9rez Hern\xe1ndez \xb7 oportunidad 42)", "(Nissan Versa Sense 2026, versi\xf3n taxi)", "(199,900.00)",
		"(Tabla de amortizaci\xf3n)", "(2,322.18 MXN con IVA \\(primer periodo\\))",
		"(2026-01-12)", "(2029-01-01)", "(156)", "(127,701.09)", "(Folio " + q.Folio,
	} {
		if !strings.Contains(content, want) {
			t.Errorf("content streams lack %q", want)
		}
	}
	// Every row is on some page.
	for _, r := range q.Schedule.Rows {
		if !strings.Contains(content, "("+r.DueDate.Format("2006-01-02")+")") {
			t.Fatalf("row %d missing", r.N)
		}
	}
	// Deterministic output.
	var again bytes.Buffer
	if err := cotizador.WritePDF(&again, q, &cotizador.PDFOptions{Uncompressed: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("PDF output is not deterministic")
	}
}

func TestPDFText(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed (Debian: apt-get install -y poppler-utils); TestPDFContentStreams covers the content without it")
	}
	q := mustQuote(t)
	var buf bytes.Buffer
	if err := cotizador.WritePDF(&buf, q, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "q.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"CMu · Cotización de venta a plazo", "Juana Pérez Hernández", "Estado de México", "Taxi colectivo a GNV Edomex",
		"Kit de conversión a GNV", "Enganche", "50,000.00 MXN (20.0%; mínimo 20%)", "Monto financiado", "200,000.00 MXN",
		"Pago semanal", "2,322.18 MXN con IVA", "CAT 45.5% sin IVA", "Tabla de amortización", "Página 1 de 4", "Página 4 de 4",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	// Each schedule row reads back in order with its amounts.
	for _, r := range []amortization.Row{q.Schedule.Rows[0], q.Schedule.Rows[77], q.Schedule.Rows[155]} {
		fields := []string{r.DueDate.Format("2006-01-02"), cotizador.FormatMXN(r.OpeningBalance), cotizador.FormatMXN(r.Interest),
			cotizador.FormatMXN(r.IVA), cotizador.FormatMXN(r.Principal), cotizador.FormatMXN(r.Payment), cotizador.FormatMXN(r.ClosingBalance)}
		if !strings.Contains(strings.Join(strings.Fields(text), " "), strings.Join(fields, " ")) {
			t.Errorf("row %d not found as %q", r.N, strings.Join(fields, " "))
		}
	}
}

func FuzzQuoteJSON(f *testing.F) {
	q := mustQuote(f)
	b, _ := json.Marshal(q)
	f.Add(b)
	f.Add([]byte(`{"market":"edomex","start_date":"2026-01-05","term":156,"down_payment":"50000.00","schedule":{"payment":"1","cat":"1","totals":{"interest":"0","iva":"0","principal":"0","payment":"0"},"rows":[]}}`))
	f.Add([]byte(`{"market":"cdmx","start_date":"2026-02-30"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var q cotizador.Quote
		if err := json.Unmarshal(data, &q); err != nil {
			return
		}
		if q.Request.Term > 400 {
			return // keep executions fast
		}
		err := cotizador.VerifyQuote(context.Background(), cotizador.DemoSource{}, &q)
		if err != nil && !errors.Is(err, cotizador.ErrQuoteMismatch) && !errors.Is(err, cotizador.ErrInvalidQuote) {
			t.Fatalf("VerifyQuote: unexpected error kind %v", err)
		}
	})
}

func TestRequestJSON(t *testing.T) {
	t.Parallel()
	var r cotizador.Request
	in := `{"market":"edomex","client":{"partner_id":7,"lead_id":42,"name":"Juana"},"components":["seguro"],"down_payment":50000.10,"term":156,"start_date":"2026-01-05"}`
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatal(err)
	}
	want := cotizador.Request{Market: cotizador.MarketEdomex, Client: cotizador.Client{PartnerID: 7, LeadID: 42, Name: "Juana"},
		Components: []string{"seguro"}, DownPayment: d("50000.10"), Term: 156, Start: start}
	if !r.DownPayment.Equal(want.DownPayment) || r.Term != 156 || !r.Start.Equal(start) || r.Client != want.Client || r.Market != want.Market {
		t.Errorf("decoded %+v", r)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); got != `{"market":"edomex","client":{"partner_id":7,"lead_id":42,"name":"Juana"},"components":["seguro"],"down_payment":"50000.10","term":156,"start_date":"2026-01-05"}` {
		t.Errorf("encoded %s", got)
	}
	if err := json.Unmarshal([]byte(`{"start_date":"2026-02-30"}`), &r); err == nil {
		t.Error("accepted an impossible date")
	}
}

func TestPackageJSON(t *testing.T) {
	t.Parallel()
	for _, p := range cotizador.DemoPackages() {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back cotizador.Package
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		b2, _ := json.Marshal(back)
		if !bytes.Equal(b, b2) {
			t.Errorf("round trip:\n%s\n%s", b, b2)
		}
		if p.Market == cotizador.MarketEdomex {
			checkGolden(t, "edomex_package.json", append(b, '\n'))
		}
	}
}

// TestQuoteProperties: random requests on both demo packages either break
// a named rule or give a quote whose numbers add up and that survives a
// JSON round trip through VerifyQuote.
func TestQuoteProperties(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(2026, 6))
	c := &cotizador.Cotizador{Packages: cotizador.DemoSource{}, Now: func() time.Time { return created }}
	okCount := 0
	for i := range 60 {
		pkg := cotizador.DemoPackages()[r.IntN(2)]
		req := cotizador.Request{Market: pkg.Market, Client: cotizador.Client{LeadID: int64(i + 1)}, Term: pkg.Terms[r.IntN(len(pkg.Terms))],
			Start: start.AddDate(0, 0, r.IntN(400))}
		for _, comp := range pkg.Components {
			if !comp.Required && r.IntN(2) == 0 {
				req.Components = append(req.Components, comp.Code)
			}
		}
		if r.IntN(6) == 0 {
			req.Term++ // usually not allowed
		}
		subtotal := cotizador.Subtotal(pkg, req.Components)
		min := cotizador.MinDownPayment(pkg, subtotal)
		req.DownPayment = min.Add(decimal.New(r.Int64N(20_000_000)-2_000_000, -2)) // around the minimum
		q, err := c.Quote(ctx, req)
		if err != nil {
			var ve *cotizador.ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("case %d: %v", i, err)
			}
			for _, fe := range ve.Errors {
				if fe.Rule == "" || fe.Message == "" {
					t.Fatalf("case %d: unnamed rule %+v", i, fe)
				}
			}
			continue
		}
		okCount++
		if !q.Financed.Equal(q.Subtotal.Sub(q.Request.DownPayment)) || !q.Subtotal.Equal(subtotal) ||
			q.Request.DownPayment.LessThan(min) || !q.Schedule.Totals.Principal.Equal(q.Financed) {
			t.Fatalf("case %d: amounts do not add up: %+v", i, q)
		}
		b, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		var back cotizador.Quote
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if err := cotizador.VerifyQuote(ctx, cotizador.DemoSource{}, &back); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
	}
	if okCount < 20 {
		t.Errorf("only %d valid quotes out of 60", okCount)
	}
}
