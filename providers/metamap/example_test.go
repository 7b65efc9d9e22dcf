package metamap_test

import (
	"fmt"
	"net/http"

	"github.com/cmu-mx/cmu/providers/metamap"
)

func ExampleVerifier_ConstructEvent() {
	body := []byte(`{"eventName":"verification_completed","resource":"https://api.getmati.com/v2/verifications/650000000000000000000001","flowId":"650000000000000000000abc","identityStatus":"reviewNeeded","status":"reviewNeeded","metadata":{"lead_id":"L-0001"},"timestamp":"2026-11-22T18:00:00.000Z"}`)
	secret := metamap.Secret("WebhookSecret2026cmu")
	h := http.Header{}
	h.Set("x-signature", metamap.Sign(secret, body))

	v, err := metamap.NewVerifier(metamap.VerifierConfig{Secrets: []metamap.Secret{secret}})
	if err != nil {
		panic(err)
	}
	ev, err := v.ConstructEvent(h, body)
	if err != nil {
		panic(err)
	}
	status, ok := ev.Decision()
	fmt.Println(ev.Name, ev.MetadataString("lead_id"), status, ok)
	// Output: verification_completed L-0001 revision_manual true
}
