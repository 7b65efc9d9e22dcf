package server

import (
	"encoding/json"
	"testing"
)

func TestMoneyJSON(t *testing.T) {
	for in, want := range map[string]string{"1500": `"1500.00"`, "0.005": `"0.01"`, "1234.5": `"1234.50"`, "0": `"0.00"`, "20000.004": `"20000.00"`} {
		b, err := json.Marshal(MoneyFromString(in))
		if err != nil || string(b) != want {
			t.Errorf("%s → %s %v, want %s", in, b, err, want)
		}
	}
	var m Money
	if err := json.Unmarshal([]byte(`"61.88"`), &m); err != nil || m.String() != "61.88" {
		t.Errorf("%v %v", m, err)
	}
	for _, bad := range []string{`61.88`, `"6e1"`, `"abc"`, `null`, `""`} {
		if err := json.Unmarshal([]byte(bad), &m); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
