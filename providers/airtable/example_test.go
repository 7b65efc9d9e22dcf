package airtable_test

import (
	"context"
	"fmt"

	"github.com/cmu-mx/cmu/providers/airtable"
	"github.com/cmu-mx/cmu/providers/airtable/airtabletest"
)

// ExampleClient_CreateRecord files a manual-review task, as the server does
// when MetaMap answers reviewNeeded.
func ExampleClient_CreateRecord() {
	fake := airtabletest.New(airtabletest.Options{})
	fake.Start()
	defer fake.Close()

	c, err := airtable.NewClient(airtable.Config{BaseURL: fake.URL(), Token: fake.Token(), BaseID: fake.BaseID(), Table: "Revisión KYC", Typecast: true})
	if err != nil {
		panic(err)
	}
	rec, err := c.CreateRecord(context.Background(), airtable.Fields{"Folio": "L-0001", "Cliente": "Ana Pérez", "Estatus": "Revisión manual"})
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.ID, rec.Fields["Folio"], len(fake.Records("Revisión KYC")))
	// Output: rec00000000000001 L-0001 1
}
