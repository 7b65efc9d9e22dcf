package cmu_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
)

// CMu's notes are HTML: PostEvent must pass body_is_html, or Odoo 17+
// (and the fake) would store the markup escaped, as visible text.
func TestPostEventStoresHTML(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		srv, svc := setup(t, p, "")
		client := mustClient(t, svc, cmu.NewClient{Name: "Irma Solís", Market: cmu.MarketEdomex})
		ids, err := svc.PostEvent(ctx, cmu.Event{ClientID: client, Type: "pago", Message: "Pago <SPEI> & más", Author: "Ana"})
		if err != nil || len(ids) != 1 {
			t.Fatalf("PostEvent = %v, %v", ids, err)
		}
		m, _ := srv.Get(odoo.ModelMessage, ids[0])
		body, _ := m["body"].(string)
		if !strings.HasPrefix(body, "<p><b>Ana:</b> Pago &lt;SPEI&gt; &amp; más") {
			t.Fatalf("stored body %q is not CMu's HTML note", body)
		}
	})
}
