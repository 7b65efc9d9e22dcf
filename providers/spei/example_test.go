package spei_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/spei"
)

func ExampleParseCLABE() {
	c, err := spei.ParseCLABE("012 180 02605078385 8")
	bank, _ := c.Bank()
	fmt.Println(c.BankCode(), bank.Name, err)

	_, err = spei.ParseCLABE("646180111812345678")
	fmt.Println(errors.Is(err, spei.ErrCLABECheckDigit), err)
	// Output:
	// 012 BBVA Bancomer <nil>
	// true spei: CLABE control digit does not match: expected 6, got 8 ("646180111812345678")
}

func ExampleNewInstructions() {
	acct := spei.Account{CLABE: "646180111805034237", Beneficiary: "CMU Financiera SA de CV"}
	in, err := spei.NewInstructions(acct, 42, decimal.RequireFromString("35000"), "")
	if err != nil {
		panic(err)
	}
	out, _ := json.MarshalIndent(in, "", "  ")
	fmt.Println(string(out))
	// Output:
	// {
	//   "method": "spei",
	//   "clabe": "646180111805034237",
	//   "bank": {
	//     "code": "646",
	//     "banxicoCode": "90646",
	//     "name": "STP"
	//   },
	//   "beneficiary": "CMU Financiera SA de CV",
	//   "reference": "0000420",
	//   "concept": "CMU 0000420",
	//   "amount": "35000.00",
	//   "currency": "MXN",
	//   "clientId": 42
	// }
}
