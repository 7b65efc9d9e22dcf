package credit_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cmu-mx/cmu/credit"
	"github.com/cmu-mx/cmu/providers/hase"
	"github.com/cmu-mx/cmu/providers/hase/hasetest"
	"github.com/cmu-mx/cmu/providers/kiban"
	"github.com/cmu-mx/cmu/providers/kiban/kibantest"
)

// Analyze against the fakes: a good bureau file is approved; with KIBAN down the
// client stays "en_analisis" and the error says to retry.
func ExampleAnalyzer_Analyze() {
	kb := kibantest.New(kibantest.Options{})
	defer kb.Close()
	hs := hasetest.New(hasetest.Options{})
	defer hs.Close()
	kc, _ := kiban.New(kiban.Config{BaseURL: kb.URL, APIKey: kb.APIKey(), MaxRetries: -1})
	hc, _ := hase.New(hase.Config{BaseURL: hs.URL, APIKey: hs.APIKey()})
	rec := &credit.MemoryRecorder{}
	rules := credit.DefaultRules()
	rules.MinHASEScore = 550
	a, err := credit.New(credit.Config{Bureau: kc, Scorer: hc, Recorder: rec, Rules: &rules})
	if err != nil {
		panic(err)
	}
	ap := credit.Applicant{ID: "42", FirstName: "ANA", PaternalLastName: "PEREZ", RFC: "PEPA800101AB1", ConsentID: kb.Authorize(""),
		Savings: hase.Savings{Months: 6}}

	d, err := a.Analyze(context.Background(), ap)
	fmt.Println(d.Status, err)

	kb.SetDown(true)
	d, err = a.Analyze(context.Background(), ap)
	fmt.Println(d.Status, errors.Is(err, credit.ErrProviderUnavailable), d.Reasons[0].Code)
	fmt.Println(len(rec.Decisions()), "notes recorded")
	// Output:
	// aprobado <nil>
	// en_analisis true proveedor_no_disponible
	// 2 notes recorded
}
