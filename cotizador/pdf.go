package cotizador

import (
	"fmt"
	"io"
	"strconv"

	"github.com/go-pdf/fpdf"

	"github.com/cmu-mx/cmu/amortization"
)

// PDFOptions tunes WritePDF; nil means the defaults.
type PDFOptions struct {
	// Uncompressed leaves the page content streams uncompressed (for tests
	// and debugging); the default compresses them.
	Uncompressed bool
}

// frequencySingular is the Spanish name of a frequency ("semanal").
func frequencySingular(f amortization.Frequency) string {
	switch f {
	case amortization.Weekly:
		return "semanal"
	case amortization.Catorcenal:
		return "catorcenal"
	case amortization.Quincenal:
		return "quincenal"
	case amortization.Monthly:
		return "mensual"
	}
	return string(f)
}

func methodName(m amortization.Method) string {
	switch m {
	case amortization.French:
		return "francés (pago fijo)"
	case amortization.German:
		return "alemán (capital constante)"
	case amortization.Flat:
		return "tasa global (interés sobre el monto original)"
	}
	return string(m)
}

// WritePDF renders q as a printable US-Letter PDF in Spanish: client,
// package, components, down payment, financed amount, payment, CAT and the
// full amortization table (its header repeated on every page). The output
// is deterministic for a given quote (dates come from q.CreatedAt).
func WritePDF(w io.Writer, q *Quote, opts *PDFOptions) error {
	if opts == nil {
		opts = &PDFOptions{}
	}
	if q.Schedule == nil {
		return fmt.Errorf("cotizador: pdf: quote %s has no schedule", q.Folio)
	}
	s := q.Schedule
	pdf := fpdf.New("P", "mm", "Letter", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetCompression(!opts.Uncompressed)
	pdf.SetCatalogSort(true) // deterministic output
	pdf.SetCreationDate(q.CreatedAt)
	pdf.SetModificationDate(q.CreatedAt)
	pdf.SetTitle(tr("Cotización "+q.Folio), false)
	pdf.SetAuthor("CMu", false)
	pdf.SetCreator("github.com/cmu-mx/cmu/cotizador", false)
	pdf.SetProducer("go-pdf/fpdf", false)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-13)
		pdf.SetFont("Helvetica", "", 7)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, tr(fmt.Sprintf("Folio %s · Cotización informativa, sujeta a aprobación de crédito · Página %d de {nb}", q.Folio, pdf.PageNo())), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	pageW, pageH := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	width := pageW - left - right

	// Title.
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(width*0.6, 8, tr("CMu · Cotización de venta a plazo"), "", 0, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(width*0.4, 8, tr("Folio "+q.Folio), "", 1, "R", false, 0, "")
	pdf.CellFormat(width, 5, tr("Fecha: "+q.CreatedAt.Format("2006-01-02")+" · Inicio del crédito: "+q.Request.Start.Format("2006-01-02")), "", 1, "R", false, 0, "")
	pdf.Ln(2)

	label := func(k, v string) {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(38, 5, tr(k), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(width-38, 5, tr(v), "", 1, "L", false, 0, "")
	}
	client := q.Request.Client.Name
	if client == "" {
		client = "(sin nombre)"
	}
	if q.Request.Client.LeadID > 0 {
		client += fmt.Sprintf(" · oportunidad %d", q.Request.Client.LeadID)
	}
	label("Cliente:", client)
	label("Mercado:", q.Package.Market.DisplayName())
	label("Paquete:", q.Package.Name)
	pdf.Ln(2)

	// Components.
	pdf.SetFillColor(230, 236, 245)
	pdf.SetFont("Helvetica", "B", 9)
	cw := []float64{width - 100, 45, 25, 30}
	for i, h := range []string{"Componente", "Referencia", "Tipo", "Precio (MXN)"} {
		align := "L"
		if i == 3 {
			align = "R"
		}
		pdf.CellFormat(cw[i], 6, tr(h), "B", 0, align, true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	for _, c := range q.Lines {
		kind := "opcional"
		if c.Required {
			kind = "obligatorio"
		}
		pdf.CellFormat(cw[0], 5.5, tr(c.Name), "", 0, "L", false, 0, "")
		pdf.CellFormat(cw[1], 5.5, tr(c.ProductRef), "", 0, "L", false, 0, "")
		pdf.CellFormat(cw[2], 5.5, kind, "", 0, "L", false, 0, "")
		pdf.CellFormat(cw[3], 5.5, FormatMXN(c.Price), "", 1, "R", false, 0, "")
	}
	pdf.Ln(2)

	// Summary.
	sum := [][2]string{
		{"Total de componentes", FormatMXN(q.Subtotal) + " MXN"},
		{"Enganche", fmt.Sprintf("%s MXN (%s%%; mínimo %s)", FormatMXN(q.Request.DownPayment), q.DownPaymentPercent().StringFixed(1), formatPercent(q.Package.MinDownPayment))},
		{"Monto financiado", FormatMXN(q.Financed) + " MXN"},
		{"Comisión por apertura", fmt.Sprintf("%s MXN (%s del monto financiado)", FormatMXN(s.CommissionAmount), formatPercent(q.Package.Commission))},
		{"Tasa de interés anual", formatPercent(q.Package.AnnualRate) + " fija, más IVA " + formatPercent(q.Package.IVARate) + " sobre intereses"},
		{"Plazo", fmt.Sprintf("%d pagos %s, método %s", q.Request.Term, frequencyPlural(q.Package.Frequency), methodName(q.Package.method()))},
		{"Pago " + frequencySingular(q.Package.Frequency), FormatMXN(s.Payment) + " MXN con IVA (primer periodo)"},
		{"Total a pagar", FormatMXN(s.Totals.Payment) + " MXN (intereses " + FormatMXN(s.Totals.Interest) + ", IVA " + FormatMXN(s.Totals.IVA) + ")"},
	}
	for _, kv := range sum {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(50, 5.5, tr(kv[0]), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(width-50, 5.5, tr(kv[1]), "", 1, "L", false, 0, "")
	}
	pdf.Ln(1)
	pdf.SetFont("Helvetica", "B", 12)
	pdf.SetFillColor(255, 244, 214)
	pdf.CellFormat(width, 8, tr("CAT "+s.CATString()+"% sin IVA"), "1", 1, "C", true, 0, "")
	pdf.SetFont("Helvetica", "", 7)
	pdf.CellFormat(width, 4, tr("Costo Anual Total calculado según la metodología de Banco de México. Para fines informativos y de comparación exclusivamente."), "", 1, "C", false, 0, "")
	pdf.Ln(3)

	// Schedule.
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(width, 6, tr("Tabla de amortización"), "", 1, "L", false, 0, "")
	cols := []float64{10, 22, 27, 24, 20, 26, 26, 27}
	heads := []string{"No.", "Fecha", "Saldo inicial", "Interés", "IVA", "Capital", "Pago", "Saldo final"}
	rowH := 4.2
	header := func() {
		pdf.SetFont("Helvetica", "B", 7.5)
		pdf.SetFillColor(230, 236, 245)
		for i, h := range heads {
			align := "R"
			if i == 1 {
				align = "C"
			}
			pdf.CellFormat(cols[i], 5, tr(h), "B", 0, align, true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 7.5)
	}
	header()
	pdf.SetFillColor(245, 245, 245)
	for i, r := range s.Rows {
		if pdf.GetY()+rowH > pageH-20 {
			pdf.AddPage()
			header()
			pdf.SetFillColor(245, 245, 245)
		}
		fill := i%2 == 1
		vals := []string{strconv.Itoa(r.N), r.DueDate.Format("2006-01-02"), FormatMXN(r.OpeningBalance), FormatMXN(r.Interest),
			FormatMXN(r.IVA), FormatMXN(r.Principal), FormatMXN(r.Payment), FormatMXN(r.ClosingBalance)}
		for j, v := range vals {
			align := "R"
			if j == 1 {
				align = "C"
			}
			pdf.CellFormat(cols[j], rowH, v, "", 0, align, fill, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.SetFont("Helvetica", "B", 7.5)
	t := s.Totals
	for j, v := range []string{"Total", "", "", FormatMXN(t.Interest), FormatMXN(t.IVA), FormatMXN(t.Principal), FormatMXN(t.Payment), ""} {
		pdf.CellFormat(cols[j], 5, v, "T", 0, "R", false, 0, "")
	}
	pdf.Ln(-1)

	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("cotizador: pdf %s: %w", q.Folio, err)
	}
	return nil
}
