package opportunity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/providers/mifact"
	"github.com/cmu-mx/cmu/server"
)

// attachmentPrefix starts the name of every invoice attachment this package
// creates on a lead.
const attachmentPrefix = "factura-"

// invoicePDF is a downloaded and checked invoice.
type invoicePDF struct {
	Field string // "cFacturas.comprobante_soles"… for messages
	URL   string
	Name  string // attachment name: factura-[os<id>-]<currency>-<hash>.pdf
	Data  []byte
}

// attachmentName names the attachment of url: the URL's hash keeps it unique
// per file and stable across retries.
func attachmentName(tag, currency, url string) string {
	h := sha256.Sum256([]byte(url))
	return attachmentPrefix + tag + currency + "-" + hex.EncodeToString(h[:5]) + ".pdf"
}

// downloadInvoices downloads and checks the non-empty URLs. tag prefixes the
// attachment names ("os101-" for a service order, "" for a direct invoice).
func (s *Service) downloadInvoices(ctx context.Context, tag, soles, dolares string) ([]invoicePDF, error) {
	var out []invoicePDF
	for _, f := range []struct{ currency, field, url string }{
		{"soles", "cFacturas.comprobante_soles", soles}, {"dolares", "cFacturas.comprobante_dolares", dolares},
	} {
		if f.url == "" {
			continue
		}
		if tag != "" {
			f.field = "la factura (" + f.currency + ") de la orden de servicio " + strings.TrimSuffix(strings.TrimPrefix(tag, "os"), "-")
		}
		pdf, err := s.mifact.DownloadPDF(ctx, f.url)
		if err != nil {
			return nil, downloadErr(f.field, err)
		}
		out = append(out, invoicePDF{Field: f.field, URL: f.url, Name: attachmentName(tag, f.currency, f.url), Data: pdf.Data})
	}
	return out, nil
}

// downloadErr explains a refused or failed download in Spanish.
func downloadErr(field string, err error) error {
	switch {
	case errors.Is(err, mifact.ErrPDFTooLarge):
		return server.WrapError(server.KindUnprocessable, "El archivo de "+field+" supera el tamaño máximo permitido", err)
	case errors.Is(err, mifact.ErrNotPDF):
		return server.WrapError(server.KindUnprocessable, "El archivo de "+field+" no es un PDF", err)
	case errors.Is(err, context.DeadlineExceeded):
		return server.WrapError(server.KindTimeout, "Tiempo de espera agotado al descargar "+field, err)
	case errors.Is(err, context.Canceled):
		return server.WrapError(server.KindUnavailable, "Descarga cancelada: "+field, err)
	}
	if ae, ok := errors.AsType[*mifact.APIError](err); ok {
		if ae.Retryable() {
			return server.WrapError(server.KindUnavailable, fmt.Sprintf("No se pudo descargar %s (HTTP %d); intente más tarde", field, ae.Status), err)
		}
		return server.WrapError(server.KindUnprocessable, fmt.Sprintf("No se pudo descargar %s (HTTP %d)", field, ae.Status), err)
	}
	return server.WrapError(server.KindUnavailable, "No se pudo descargar "+field, err)
}

// attach stores p on the lead unless an attachment of that name is there.
func (s *Service) attach(ctx context.Context, leadID int64, p invoicePDF) (int64, error) {
	ids, err := s.c.Search(ctx, odoo.ModelAttachment, odoo.And(odoo.Eq("res_model", odoo.ModelLead), odoo.Eq("res_id", leadID),
		odoo.Eq("name", p.Name)), &odoo.SearchOptions{Limit: 1})
	if err != nil {
		return 0, odooErr(err, "los comprobantes de la oportunidad")
	}
	if len(ids) > 0 {
		return ids[0], nil
	}
	id, err := s.c.Create(ctx, odoo.ModelAttachment, map[string]any{
		"name": p.Name, "type": "binary", "datas": p.Data, "mimetype": "application/pdf",
		"res_model": odoo.ModelLead, "res_id": leadID, "description": "Comprobante descargado de " + mifactSafeURL(p.URL),
	}, nil)
	if err != nil {
		return 0, odooErr(err, "el comprobante "+p.Name)
	}
	return id, nil
}

// mifactSafeURL drops the query string (it may carry a signature).
func mifactSafeURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// invoiceKey identifies a set of invoices in a chatter note.
func invoiceKey(ps []invoicePDF) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, " ")
}
