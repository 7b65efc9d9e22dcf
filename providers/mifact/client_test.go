package mifact_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cmu-mx/cmu/providers/mifact"
	"github.com/cmu-mx/cmu/providers/mifact/mifacttest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClient(t *testing.T, srv *mifacttest.Server, mod func(*mifact.Config)) *mifact.Client {
	t.Helper()
	cfg := mifact.Config{BaseURL: srv.URL, Username: srv.Username(), Password: srv.Password(), RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	c, err := mifact.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestInvoiceStatus(t *testing.T) {
	t.Parallel()
	srv := mifacttest.New(mifacttest.Options{})
	defer srv.Close()
	srv.AddOrder(7)
	c := newClient(t, srv, nil)
	st, err := c.InvoiceStatus(t.Context(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&mifact.InvoiceStatus{ServiceOrderID: 7}, st); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	head := srv.Invoice(7)
	st, err = c.InvoiceStatus(t.Context(), 7)
	if err != nil {
		t.Fatal(err)
	}
	want := &mifact.InvoiceStatus{ServiceOrderID: 7, Invoiced: true, InvoiceResultHeadID: head,
		URLs: mifact.InvoiceURLs{Soles: srv.URL + "/files/factura-7-soles.pdf", Dolares: srv.URL + "/files/factura-7-dolares.pdf"}}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if srv.Signins() != 1 {
		t.Errorf("signins = %d, want 1 (token cached)", srv.Signins())
	}
	reqs := srv.Requests()
	if reqs[0].Method != "POST" || reqs[0].Path != "/auth/signin" || !bytes.Contains(reqs[0].Body, []byte(`"username":"admin"`)) {
		t.Errorf("signin sent as %s %s %s", reqs[0].Method, reqs[0].Path, reqs[0].Body)
	}
	last := reqs[len(reqs)-1]
	if last.Path != "/service-order/7/invoice-status" || !strings.HasPrefix(last.Header.Get("Authorization"), "Bearer ") {
		t.Errorf("status sent as %s %v", last.Path, last.Header)
	}
}

func TestTokenRenewal(t *testing.T) {
	t.Parallel()
	t.Run("on expiry", func(t *testing.T) {
		t.Parallel()
		clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
		srv := mifacttest.New(mifacttest.Options{TokenTTL: 10 * time.Minute, Now: clk.Now})
		defer srv.Close()
		srv.AddOrder(1)
		c := newClient(t, srv, func(c *mifact.Config) { c.Now = clk.Now })
		for _, step := range []time.Duration{0, 9 * time.Minute, 31 * time.Second, 9 * time.Minute} {
			clk.Add(step)
			if _, err := c.InvoiceStatus(t.Context(), 1); err != nil {
				t.Fatal(err)
			}
		}
		// 0 and 9m use the first token; 9m31s is within the 30 s renewal margin; 18m31s still valid.
		if srv.Signins() != 2 {
			t.Errorf("signins = %d, want 2", srv.Signins())
		}
	})
	t.Run("ttl from config when the answer has none", func(t *testing.T) {
		t.Parallel()
		clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
		srv := mifacttest.New(mifacttest.Options{TokenTTL: time.Hour, OmitExpiresIn: true, Now: clk.Now})
		defer srv.Close()
		srv.AddOrder(1)
		c := newClient(t, srv, func(c *mifact.Config) { c.Now = clk.Now; c.TokenTTL = 5 * time.Minute })
		c.InvoiceStatus(t.Context(), 1)
		clk.Add(5 * time.Minute)
		if _, err := c.InvoiceStatus(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		if srv.Signins() != 2 {
			t.Errorf("signins = %d, want 2", srv.Signins())
		}
	})
	t.Run("on 401", func(t *testing.T) {
		t.Parallel()
		srv := mifacttest.New(mifacttest.Options{})
		defer srv.Close()
		srv.AddOrder(1)
		c := newClient(t, srv, nil)
		if _, err := c.InvoiceStatus(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		srv.ExpireTokens()
		if _, err := c.InvoiceStatus(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		if srv.Signins() != 2 {
			t.Errorf("signins = %d, want 2", srv.Signins())
		}
	})
	t.Run("second 401 is returned", func(t *testing.T) {
		t.Parallel()
		srv := mifacttest.New(mifacttest.Options{})
		defer srv.Close()
		srv.AddOrder(1)
		c := newClient(t, srv, nil)
		c.InvoiceStatus(t.Context(), 1)
		srv.ResetRequests()
		srv.FailNext(3, 401)
		_, err := c.InvoiceStatus(t.Context(), 1)
		var ae *mifact.APIError
		if !errors.As(err, &ae) || ae.Status != 401 {
			t.Fatalf("err = %v", err)
		}
		if n := len(srv.Requests()); n != 2 {
			t.Errorf("%d requests, want 2 (status 401, signin 401, stop)", n)
		}
	})
}

func TestConcurrentSignIn(t *testing.T) {
	t.Parallel()
	srv := mifacttest.New(mifacttest.Options{})
	defer srv.Close()
	srv.SetDelay(20 * time.Millisecond)
	srv.AddOrder(9)
	c := newClient(t, srv, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			if _, err := c.InvoiceStatus(t.Context(), 9); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if srv.Signins() != 1 {
		t.Errorf("signins = %d, want 1", srv.Signins())
	}
}

func TestStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		setup     func(*mifacttest.Server, *mifact.Config)
		status    int
		retryable bool
	}{
		{"bad credentials", func(s *mifacttest.Server, c *mifact.Config) { c.Password = "wrong-password" }, 401, false},
		{"unknown order", func(s *mifacttest.Server, c *mifact.Config) {}, 404, false},
		{"5xx exhausted", func(s *mifacttest.Server, c *mifact.Config) { c.MaxRetries = 1; s.FailNext(2, 503) }, 503, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := mifacttest.New(mifacttest.Options{})
			defer srv.Close()
			cfg := mifact.Config{BaseURL: srv.URL, Username: srv.Username(), Password: srv.Password(), RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond}
			tt.setup(srv, &cfg)
			c, err := mifact.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.InvoiceStatus(t.Context(), 404)
			var ae *mifact.APIError
			if !errors.As(err, &ae) || ae.Status != tt.status || ae.Retryable() != tt.retryable {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(err.Error(), cfg.Password) {
				t.Errorf("password in error: %v", err)
			}
		})
	}
	t.Run("transient recovers", func(t *testing.T) {
		t.Parallel()
		srv := mifacttest.New(mifacttest.Options{})
		defer srv.Close()
		srv.AddOrder(3)
		srv.FailNext(2, 502)
		if _, err := newClient(t, srv, nil).InvoiceStatus(t.Context(), 3); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDownloadPDF(t *testing.T) {
	t.Parallel()
	srv := mifacttest.New(mifacttest.Options{})
	defer srv.Close()
	other := mifacttest.New(mifacttest.Options{}) // a different host: third-party storage
	defer other.Close()
	srv.Invoice(5)
	pdf := mifacttest.SamplePDF("hola")
	chunked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		for range 10 {
			w.Write(pdf)
			w.(http.Flusher).Flush()
		}
	}))
	defer chunked.Close()
	c := newClient(t, srv, func(c *mifact.Config) {
		c.MaxPDFBytes = 4 * int64(len(pdf))
		c.DownloadTimeout = 300 * time.Millisecond
	})

	got, err := c.DownloadPDF(t.Context(), srv.URL+"/files/factura-5-soles.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got.Data, []byte("%PDF-")) || got.Filename != "factura-5-soles.pdf" || got.ContentType != "application/pdf" {
		t.Errorf("got %s %s %.10q", got.Filename, got.ContentType, got.Data)
	}
	reqs := srv.Requests()
	if h := reqs[len(reqs)-1].Header.Get("Authorization"); !strings.HasPrefix(h, "Bearer ") {
		t.Error("token not sent to the service's own host")
	}
	if _, err := c.DownloadPDF(t.Context(), other.SetFile("x.pdf", "application/octet-stream", pdf)); err != nil {
		t.Fatal(err)
	}
	oreqs := other.Requests()
	if h := oreqs[len(oreqs)-1].Header.Get("Authorization"); h != "" {
		t.Errorf("token sent to another host: %q", h)
	}

	tests := []struct {
		name string
		url  string
		want error
	}{
		{"html", other.SetFile("a.pdf", "text/html; charset=utf-8", []byte("<html>login</html>")), mifact.ErrNotPDF},
		{"signature after leading bytes (PDF spec tolerance)", other.SetFile("b.pdf", "application/pdf", []byte("\r\n%PDF-1.4"+strings.Repeat(" ", 2000))), nil},
		{"signature beyond 1024 bytes", other.SetFile("e.pdf", "application/pdf", []byte(strings.Repeat(" ", 1100)+"%PDF-1.4")), mifact.ErrNotPDF},
		{"pdf type, no signature", other.SetFile("c.pdf", "application/pdf", []byte("not a pdf")), mifact.ErrNotPDF},
		{"declared too large", other.SetFile("d.pdf", "application/pdf", bytes.Repeat(pdf, 5)), mifact.ErrPDFTooLarge},
		{"streamed too large", chunked.URL + "/big.pdf", mifact.ErrPDFTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DownloadPDF(t.Context(), tt.url)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("404", func(t *testing.T) {
		_, err := c.DownloadPDF(t.Context(), other.URL+"/files/missing.pdf")
		var ae *mifact.APIError
		if !errors.As(err, &ae) || ae.Status != 404 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		slow := mifacttest.New(mifacttest.Options{})
		defer slow.Close()
		u := slow.SetFile("s.pdf", "application/pdf", pdf)
		slow.SetDelay(2 * time.Second)
		start := time.Now()
		_, err := c.DownloadPDF(t.Context(), u)
		if err == nil || time.Since(start) > time.Second {
			t.Fatalf("err = %v after %s", err, time.Since(start))
		}
	})
	t.Run("bad scheme", func(t *testing.T) {
		if _, err := c.DownloadPDF(t.Context(), "file:///etc/passwd"); err == nil {
			t.Fatal("file URL accepted")
		}
	})
}

func TestParseInvoiceStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want *mifact.InvoiceStatus
	}{
		{`{"facturado":false}`, &mifact.InvoiceStatus{}},
		{`{"facturado":true,"urls":{"soles":"https://x/s.pdf","dolares":null},"invoice_result_head_id":"123"}`, &mifact.InvoiceStatus{Invoiced: true, URLs: mifact.InvoiceURLs{Soles: "https://x/s.pdf"}, InvoiceResultHeadID: 123}},
		{`{"facturado":true,"urls":{"soles":"a","dolares":"b"},"invoice_result_head_id":7}`, &mifact.InvoiceStatus{Invoiced: true, URLs: mifact.InvoiceURLs{Soles: "a", Dolares: "b"}, InvoiceResultHeadID: 7}},
	}
	for _, tt := range tests {
		got, err := mifact.ParseInvoiceStatus([]byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, bad := range []string{`{}`, `{"facturado":"yes"}`, `{"facturado":true,"invoice_result_head_id":"x"}`, `{"facturado":true,"invoice_result_head_id":-1}`, `{"facturado":true,"invoice_result_head_id":1.5}`, `nope`} {
		if _, err := mifact.ParseInvoiceStatus([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzParseInvoiceStatus(f *testing.F) {
	f.Add([]byte(`{"facturado":true,"urls":{"soles":"a","dolares":"b"},"invoice_result_head_id":7}`))
	f.Add([]byte(`{"facturado":false}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := mifact.ParseInvoiceStatus(b)
		if err == nil && st.InvoiceResultHeadID < 0 {
			t.Fatal("negative head id")
		}
	})
}

func FuzzCheckPDF(f *testing.F) {
	f.Add("application/pdf", mifacttest.SamplePDF("x"))
	f.Add("text/html", []byte("<html>"))
	f.Fuzz(func(t *testing.T, ct string, data []byte) {
		if mifact.CheckPDF(ct, data) == nil && !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
			t.Fatal("accepted data without signature")
		}
	})
}

func TestCredentialsFromEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{"USERNAME_ADMIN": "root", "PASSWORD_ADMIN": "rootpw", "INVOICE_MIFACT_USERNAME": "mf"}
	u, p := mifact.CredentialsFromEnv(func(k string) string { return env[k] })
	if u != "mf" || p != "rootpw" {
		t.Errorf("got %q %q", u, p)
	}
}

func TestConfigRedaction(t *testing.T) {
	t.Parallel()
	cfg := mifact.Config{BaseURL: "https://mifact.example", Username: "u", Password: "s3cr3t-pw"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "cfg", cfg)
	if s := buf.String() + fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, "s3cr3t-pw") {
		t.Error(s)
	}
}
