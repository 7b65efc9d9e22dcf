package metamaptest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cmu-mx/cmu/providers/metamap"
	"github.com/cmu-mx/cmu/providers/metamap/metamaptest"
)

func TestDeliverVerifies(t *testing.T) {
	t.Parallel()
	var got error
	s := metamaptest.New(metamaptest.Options{})
	v, err := metamap.NewVerifier(metamap.VerifierConfig{Secrets: []metamap.Secret{s.WebhookSecret()}})
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, got = v.Verify(r.Header, body)
		if got != nil {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer hook.Close()
	s = metamaptest.New(metamaptest.Options{WebhookURL: hook.URL})
	d, err := s.SignedEvent(metamaptest.Payload{EventName: metamap.EventStepCompleted, VerificationID: "v1", StepID: "alteration-detection",
		StepErrorCode: metamap.CodeNegligence, Metadata: map[string]any{"lead_id": "L-9"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver(t.Context(), d); err != nil || got != nil {
		t.Fatalf("Deliver: %v, verify: %v", err, got)
	}
	ev, _ := metamap.ParseEvent(d.Body)
	if st, ok := ev.Decision(); st != metamap.DocRevisionManual || !ok {
		t.Errorf("decision %q %v", st, ok)
	}
	d.Body = append(d.Body, ' ')
	if err := s.Deliver(t.Context(), d); err == nil {
		t.Error("tampered delivery accepted")
	}
}
