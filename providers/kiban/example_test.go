package kiban_test

import (
	"context"
	"fmt"

	"github.com/cmu-mx/cmu/providers/kiban"
	"github.com/cmu-mx/cmu/providers/kiban/kibantest"
)

// The consent flow, then the bureau query, against the fake.
func ExampleClient_QueryBureau() {
	srv := kibantest.New(kibantest.Options{})
	defer srv.Close()
	srv.SetBureau("PEPA800101AB1", kibantest.Bureau{Score: 702})

	c, err := kiban.New(kiban.Config{BaseURL: srv.URL, APIKey: srv.APIKey()})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	sent, err := c.SendNIP(ctx, kiban.NIPSendRequest{Method: kiban.NIPBySMS, CountryCode: "+52", To: "5512345678", Message: "Tu NIP es {{nip}}"})
	if err != nil {
		panic(err)
	}
	v, err := c.ValidateNIP(ctx, sent.ID, "123456") // the NIP the person typed
	if err != nil || !v.Validated {
		panic(fmt.Sprint("consent not given: ", err))
	}
	rep, err := c.QueryBureau(ctx, kiban.BureauQuery{AuthorizationID: v.ID, FirstName: "ANA", PaternalLastName: "PEREZ", RFC: "PEPA800101AB1"})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Score.Name, rep.Score.Value, rep.Flags)
	// Output: BC SCORE 702 [sin_historial]
}
