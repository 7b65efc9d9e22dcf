package mifiel_test

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/mifiel"
	"github.com/cmu-mx/cmu/providers/mifiel/mifieltest"
)

func newClient(t *testing.T, srv *mifieltest.Server, mod func(*mifiel.Config)) *mifiel.Client {
	t.Helper()
	cfg := mifiel.Config{BaseURL: srv.BaseURL(), AppID: srv.AppID(), AppSecret: srv.AppSecret(), RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	c, err := mifiel.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ventaPlazo() mifiel.ContractData {
	return mifiel.ContractData{
		Type: mifiel.VentaPlazo, Folio: "L-0001", Date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), City: "Toluca, Estado de México",
		Client: mifiel.ContractClient{Name: "Ana Pérez López", RFC: "PEPA800101AB1", CURP: "PEPA800101MMCRPN09", Email: "ana@example.mx", Address: "Av. Juárez 10, Toluca"},
		Market: "edomex", Plates: "ABC-123-D", Vehicle: "Nissan Urvan 2026 con kit GNV",
		Price: decimal.RequireFromString("650000.00"), DownPayment: decimal.RequireFromString("65000.00"),
		Term: 48, Frequency: "mensual", Payment: decimal.RequireFromString("18234.565"), AnnualRate: decimal.RequireFromString("36"),
		SurchargePerLitre: decimal.RequireFromString("1.50"),
	}
}

func TestSendContract(t *testing.T) {
	t.Parallel()
	for _, mode := range []mifiel.ContentHash{mifiel.HashMD5, mifiel.HashSHA256} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			srv := mifieltest.New(mifieltest.Options{})
			defer srv.Close()
			c := newClient(t, srv, func(c *mifiel.Config) { c.ContentHash = mode })
			doc, err := c.SendContract(t.Context(), mifiel.SendContractRequest{
				Data:           ventaPlazo(),
				CompanySigners: []mifiel.Signer{{Name: "Representante CMu", Email: "legal@cmu.mx", TaxID: "CMU200101AAA"}},
				CallbackURL:    "https://api.example.mx/hooks/mifiel?token=t0k",
			})
			if err != nil {
				t.Fatal(err)
			}
			if doc.ID == "" || doc.ExternalID != "L-0001" || doc.SignedByAll || len(doc.Signatures) != 2 || doc.Status.Code != 0 {
				t.Errorf("document = %+v", doc)
			}
			r := srv.Requests()[0]
			if r.Method != "POST" || r.Path != "/api/v1/documents" {
				t.Fatalf("sent %s %s", r.Method, r.Path)
			}
			_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil {
				t.Fatal(err)
			}
			form, err := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"]).ReadForm(1 << 20)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"signatories[0][name]": "Ana Pérez López", "signatories[0][email]": "ana@example.mx", "signatories[0][tax_id]": "PEPA800101AB1",
				"signatories[1][name]": "Representante CMu", "signatories[1][tax_id]": "CMU200101AAA",
				"callback_url": "https://api.example.mx/hooks/mifiel?token=t0k", "external_id": "L-0001",
			}
			for k, v := range want {
				if got := form.Value[k]; len(got) != 1 || got[0] != v {
					t.Errorf("%s = %v, want %q", k, got, v)
				}
			}
			if fh := form.File["file"]; len(fh) != 1 || fh[0].Filename != "venta_plazo-L-0001.pdf" {
				t.Errorf("file part = %+v", fh)
			}
			got, err := c.GetDocument(t.Context(), doc.ID)
			if err != nil || got.ID != doc.ID {
				t.Fatalf("GetDocument = %+v, %v", got, err)
			}
		})
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	pdf, err := mifiel.ContractPDF(ventaPlazo())
	if err != nil {
		t.Fatal(err)
	}
	create := mifiel.CreateDocumentRequest{File: pdf, Signers: []mifiel.Signer{{Name: "A", Email: "a@x.mx"}}}
	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		srv := mifieltest.New(mifieltest.Options{})
		defer srv.Close()
		c := newClient(t, srv, func(c *mifiel.Config) { c.AppSecret = "not-the-secret" })
		_, err := c.CreateDocument(t.Context(), create)
		var ae *mifiel.APIError
		if !errors.As(err, &ae) || ae.Status != 401 || ae.Retryable() || !strings.Contains(ae.Message, "signature mismatch") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "not-the-secret") {
			t.Error("secret in error")
		}
	})
	t.Run("clock skew", func(t *testing.T) {
		t.Parallel()
		srv := mifieltest.New(mifieltest.Options{})
		defer srv.Close()
		c := newClient(t, srv, func(c *mifiel.Config) { c.Now = func() time.Time { return time.Now().Add(-20 * time.Minute) } })
		_, err := c.GetDocument(t.Context(), "x")
		var ae *mifiel.APIError
		if !errors.As(err, &ae) || ae.Status != 401 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		srv := mifieltest.New(mifieltest.Options{})
		defer srv.Close()
		_, err := newClient(t, srv, nil).GetDocument(t.Context(), "missing")
		var ae *mifiel.APIError
		if !errors.As(err, &ae) || ae.Status != 404 || ae.Message != "Document not found" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("create is not retried after a 503", func(t *testing.T) {
		t.Parallel()
		srv := mifieltest.New(mifieltest.Options{})
		defer srv.Close()
		srv.FailNext(1, 503)
		_, err := newClient(t, srv, nil).CreateDocument(t.Context(), create)
		var ae *mifiel.APIError
		if !errors.As(err, &ae) || !ae.Retryable() {
			t.Fatalf("err = %v", err)
		}
		if n := len(srv.Requests()); n != 1 {
			t.Errorf("create sent %d times", n)
		}
	})
	t.Run("ambiguous create, then found by external id", func(t *testing.T) {
		t.Parallel()
		srv := mifieltest.New(mifieltest.Options{})
		defer srv.Close()
		c := newClient(t, srv, nil)
		if _, err := c.FindByExternalID(t.Context(), "L-77"); !errors.Is(err, mifiel.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		req := create
		req.ExternalID = "L-77"
		doc, err := c.CreateDocument(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.FindByExternalID(t.Context(), "L-77")
		if err != nil || got.ID != doc.ID {
			t.Fatalf("FindByExternalID = %+v, %v", got, err)
		}
	})
	t.Run("get is retried and re-signed", func(t *testing.T) {
		t.Parallel()
		srv := mifieltest.New(mifieltest.Options{})
		defer srv.Close()
		var mu sync.Mutex
		clock := time.Now()
		c := newClient(t, srv, func(c *mifiel.Config) {
			c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(2 * time.Second); return clock }
		})
		doc, err := c.CreateDocument(t.Context(), create)
		if err != nil {
			t.Fatal(err)
		}
		srv.ResetRequests()
		srv.FailNext(2, 502)
		if _, err := c.GetDocument(t.Context(), doc.ID); err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		if len(reqs) != 3 {
			t.Fatalf("%d attempts", len(reqs))
		}
		if reqs[0].Header.Get("Date") == reqs[2].Header.Get("Date") {
			t.Error("retry not re-signed with a fresh Date")
		}
	})
	t.Run("validation", func(t *testing.T) {
		t.Parallel()
		srv := mifieltest.New(mifieltest.Options{})
		defer srv.Close()
		_, err := newClient(t, srv, nil).CreateDocument(t.Context(), mifiel.CreateDocumentRequest{File: []byte("x")})
		var ve *mifiel.ValidationError
		if !errors.As(err, &ve) || ve.Fields["file"] == "" || ve.Fields["signers"] == "" {
			t.Fatalf("err = %v", err)
		}
		if len(srv.Requests()) != 0 {
			t.Error("invalid request sent")
		}
	})
}

func TestConfig(t *testing.T) {
	t.Parallel()
	cfg := mifiel.Config{BaseURL: mifiel.SandboxURL, AppID: "id", AppSecret: "shh-secret"}
	if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, "shh-secret") {
		t.Error(s)
	}
	for _, bad := range []mifiel.Config{{BaseURL: "x", AppID: "a", AppSecret: "b"}, {BaseURL: mifiel.SandboxURL}, {BaseURL: mifiel.SandboxURL, AppID: "a", AppSecret: "b", ContentHash: "crc"}} {
		if _, err := mifiel.New(bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	if _, err := mifiel.New(cfg); err != nil {
		t.Error(err)
	}
}
