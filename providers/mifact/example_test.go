package mifact_test

import (
	"context"
	"fmt"

	"github.com/cmu-mx/cmu/providers/mifact"
	"github.com/cmu-mx/cmu/providers/mifact/mifacttest"
)

// Poll a service order and download its invoice once it is invoiced.
func ExampleClient_InvoiceStatus() {
	srv := mifacttest.New(mifacttest.Options{})
	defer srv.Close()
	srv.AddOrder(501)

	c, err := mifact.New(mifact.Config{BaseURL: srv.URL, Username: srv.Username(), Password: srv.Password()})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	st, _ := c.InvoiceStatus(ctx, 501)
	fmt.Println("facturado:", st.Invoiced)

	srv.Invoice(501)
	st, _ = c.InvoiceStatus(ctx, 501)
	pdf, err := c.DownloadPDF(ctx, st.URLs.Soles)
	if err != nil {
		panic(err)
	}
	fmt.Println("facturado:", st.Invoiced, pdf.Filename, string(pdf.Data[:8]))
	// Output:
	// facturado: false
	// facturado: true factura-501-soles.pdf %PDF-1.4
}
