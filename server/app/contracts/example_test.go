package contracts_test

import (
	"fmt"

	"github.com/cmu-mx/cmu/providers/mifiel"
	"github.com/cmu-mx/cmu/server/app/contracts"
)

// The folio is printed on the contract and sent as Mifiel's external_id; the
// callback processor reads the client and the lead back from it.
func ExampleParseFolio() {
	f := contracts.Folio(42, 7, mifiel.VentaPlazo)
	client, lead, typ, ok := contracts.ParseFolio(f)
	fmt.Println(f)
	fmt.Println(client, lead, typ, ok)
	// Output:
	// CMU-42-7-venta_plazo
	// 42 7 venta_plazo true
}
