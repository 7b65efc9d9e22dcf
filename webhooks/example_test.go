package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/cmu-mx/cmu/webhooks"
)

// This example wires one provider end to end: an SQLite inbox with group
// commit, the intake handler with the provider's verifier, and a processor
// whose function receives the raw body once the delivery is acknowledged.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, _ := os.MkdirTemp("", "webhooks-example")
	defer os.RemoveAll(dir)

	store, err := webhooks.OpenSQLite(ctx, filepath.Join(dir, "cmu.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	inbox := webhooks.NewBatcher(store, webhooks.BatcherConfig{})
	defer inbox.Close()

	// The provider package supplies the verifier; this one checks a hex
	// HMAC-SHA256 of the body in X-Signature and takes the id from the body.
	secret := []byte("whsec_example")
	verifier := webhooks.VerifierFunc(func(h http.Header, body []byte) (webhooks.Event, error) {
		sig, err := hex.DecodeString(h.Get("X-Signature"))
		if err != nil || len(sig) == 0 {
			return webhooks.Event{}, webhooks.ErrNotSigned
		}
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		if !hmac.Equal(sig, m.Sum(nil)) {
			return webhooks.Event{}, webhooks.ErrNoValidSignature
		}
		var ev struct{ ID, Type string }
		if err := json.Unmarshal(body, &ev); err != nil {
			return webhooks.Event{}, fmt.Errorf("%w: %v", webhooks.ErrInvalidHeader, err)
		}
		return webhooks.Event{ID: ev.ID, Type: ev.Type}, nil
	})

	processed := make(chan string, 1)
	proc, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
		Store: store,
		Handlers: map[string]webhooks.HandlerFunc{
			"conekta": func(ctx context.Context, d webhooks.Delivery) error {
				// Idempotent by (d.Provider, d.EventID): it may run again
				// after a crash.
				processed <- fmt.Sprintf("processed %s %s %s", d.EventID, d.Type, d.Body)
				return nil
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	go proc.Run(ctx)

	intake, err := webhooks.NewHandler(webhooks.HandlerConfig{
		Provider: "conekta",
		Verifier: verifier,
		Inbox:    inbox,
		Notify:   proc.Wake,
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(intake)
	defer srv.Close()

	send := func(body, key string) {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(body))
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("X-Signature", hex.EncodeToString(m.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		fmt.Print(resp.StatusCode, " ", string(out))
	}
	body := `{"id":"evt_1","type":"order.paid"}`
	send(body, "whsec_example")
	send(body, "whsec_example") // the provider retries: a duplicate
	send(body, "forged")
	fmt.Println(<-processed)
	// Output:
	// 200 {"statusCode":200,"message":"Webhook recibido","id":1,"duplicate":false}
	// 200 {"statusCode":200,"message":"Webhook duplicado: ya se había recibido","duplicate":true}
	// 401 {"statusCode":401,"message":"Firma del webhook inválida"}
	// processed evt_1 order.paid {"id":"evt_1","type":"order.paid"}
}
