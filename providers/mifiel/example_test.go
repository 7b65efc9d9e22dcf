package mifiel_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/cmu-mx/cmu/providers/mifiel"
	"github.com/cmu-mx/cmu/providers/mifiel/mifieltest"
)

// Verify an HMAC-signed callback, as a test or a relay would produce it.
func ExampleCallbackVerifier_Verify() {
	body := []byte(`{"id":"6f1c","external_id":"L-0001","signed_by_all":true}`)
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{mifiel.SignatureHeader: {mifiel.SignCallback(body, "whsec-cmu", now)}}

	v := &mifiel.CallbackVerifier{Scheme: mifiel.SchemeHMAC, Secrets: []string{"whsec-cmu"}, Now: func() time.Time { return now }}
	ev, err := v.Verify(h, body)
	fmt.Println(ev.ID, ev.Type, err)

	_, err = v.Verify(h, []byte(`{"id":"6f1c","external_id":"L-0002","signed_by_all":true}`))
	fmt.Println(err)
	// Output:
	// 6f1c:signed_by_all document.signed_by_all <nil>
	// mifiel: callback: webhooks: no valid signature
}

// Generate the contract, send it for signature and read it back, against the fake.
func ExampleClient_SendContract() {
	srv := mifieltest.New(mifieltest.Options{})
	defer srv.Close()
	c, err := mifiel.New(mifiel.Config{BaseURL: srv.BaseURL(), AppID: srv.AppID(), AppSecret: srv.AppSecret()})
	if err != nil {
		panic(err)
	}
	cb, _ := mifiel.CallbackURL("https://api.example.mx/api/contracts/webhook/mifiel", "random-token")
	doc, err := c.SendContract(context.Background(), mifiel.SendContractRequest{Data: ventaPlazo(), CallbackURL: cb})
	if err != nil {
		panic(err)
	}
	fmt.Println(doc.ExternalID, doc.SignedByAll, len(doc.Signatures))
	// Output: L-0001 false 1
}
