package odoo_test

import (
	"errors"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

// A database that does not exist is a configuration error on every protocol,
// never a MissingError that a caller skipping deleted records would swallow.
func TestWrongDatabaseIsNotMissingError(t *testing.T) {
	t.Parallel()
	srv := odootest.NewServer(t)
	for _, p := range []odoo.Protocol{odoo.ProtocolXMLRPC, odoo.ProtocolJSONRPC, odoo.ProtocolJSON2} {
		t.Run(p.String(), func(t *testing.T) {
			opts := []odoo.Option{odoo.WithProtocol(p), odoo.WithDatabase("nope")}
			if p == odoo.ProtocolJSON2 {
				opts = append(opts, odoo.WithAPIKey(srv.APIKey))
			} else {
				opts = append(opts, odoo.WithLogin(srv.Login, srv.Password))
			}
			c, err := odoo.NewClient(srv.URL, opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Search(t.Context(), "res.partner", nil, nil)
			if err == nil {
				t.Fatal("search on a database that does not exist succeeded")
			}
			if errors.Is(err, odoo.ErrMissingError) {
				t.Fatalf("wrong database reported as a missing record: %v", err)
			}
		})
	}
}
