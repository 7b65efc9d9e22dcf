package spei

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// ThresholdMXN: amounts above it are paid by SPEI; up to it, by Conekta link.
const ThresholdMXN = 20000

// MaxClientID is the largest client id a 7-digit reference can carry.
const MaxClientID = 999999

// MaxConceptLen bounds the concept. It is CMu's limit, chosen to fit the
// concept fields of banking apps; FACTS.md does not document SPEI's own.
const MaxConceptLen = 40

// Errors of references and instructions.
var (
	ErrInvalidReference = errors.New("spei: invalid reference")
	ErrInvalidClientID  = errors.New("spei: client id out of range for a reference")
	ErrAmountTooSmall   = errors.New("spei: amount not above the SPEI threshold")
	ErrInvalidAmount    = errors.New("spei: invalid amount")
	ErrInvalidConcept   = errors.New("spei: invalid concept")
	ErrInvalidAccount   = errors.New("spei: invalid receiving account")
)

// Reference returns the client's 7-digit numeric reference (see the package doc).
func Reference(clientID int64) (string, error) {
	if clientID < 1 || clientID > MaxClientID {
		return "", fmt.Errorf("%w: %d not in 1..%d", ErrInvalidClientID, clientID, MaxClientID)
	}
	body := fmt.Sprintf("%06d", clientID)
	return body + string(refCheckDigit(body)), nil
}

func refCheckDigit(six string) byte {
	sum := 0
	for i := 0; i < 6; i++ {
		sum += int(six[i]-'0') * int(weights[i]-'0') % 10
	}
	return byte('0' + (10-sum%10)%10)
}

// ParseReference validates a 7-digit reference and returns the client id it
// carries; errors wrap ErrInvalidReference.
func ParseReference(ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if len(ref) != 7 {
		return 0, fmt.Errorf("%w: %q has %d characters, want 7 digits", ErrInvalidReference, clip(ref), len(ref))
	}
	for i := 0; i < 7; i++ {
		if ref[i] < '0' || ref[i] > '9' {
			return 0, fmt.Errorf("%w: %q has a non-digit", ErrInvalidReference, ref)
		}
	}
	if refCheckDigit(ref[:6]) != ref[6] {
		return 0, fmt.Errorf("%w: %q control digit does not match", ErrInvalidReference, ref)
	}
	id, _ := strconv.ParseInt(ref[:6], 10, 64)
	if id == 0 {
		return 0, fmt.Errorf("%w: %q carries client id 0", ErrInvalidReference, ref)
	}
	return id, nil
}

// Account is CMu's receiving account, from configuration.
type Account struct {
	// CLABE of the receiving account; its bank must be in the catalogue.
	CLABE string
	// Beneficiary is the account holder's name as the bank shows it.
	Beneficiary string
	// RFC of the beneficiary, optional, shown to payers who need it.
	RFC string
}

// Instructions tell a client how to transfer a contribution by SPEI.
type Instructions struct {
	CLABE       CLABE
	Bank        Bank
	Beneficiary string
	RFC         string
	// Reference is the client's 7-digit numeric reference.
	Reference string
	Concept   string
	// Amount in MXN, rounded half-up to the cent.
	Amount   decimal.Decimal
	ClientID int64
}

// NewInstructions builds the instructions for clientID to transfer amount MXN
// (> ThresholdMXN, rounded half-up to the cent) to acct. An empty concept
// becomes "CMU <reference>". Errors wrap ErrInvalidAccount (CLABE errors
// included), ErrInvalidClientID, ErrAmountTooSmall, ErrInvalidAmount or
// ErrInvalidConcept.
func NewInstructions(acct Account, clientID int64, amount decimal.Decimal, concept string) (*Instructions, error) {
	c, err := ParseCLABE(acct.CLABE)
	if err == nil {
		err = c.CheckBank()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidAccount, err)
	}
	bank, _ := c.Bank()
	if strings.TrimSpace(acct.Beneficiary) == "" {
		return nil, fmt.Errorf("%w: beneficiary is empty", ErrInvalidAccount)
	}
	ref, err := Reference(clientID)
	if err != nil {
		return nil, err
	}
	amt := amount.Round(2)
	if !amt.IsPositive() {
		return nil, fmt.Errorf("%w: %s MXN", ErrInvalidAmount, amount)
	}
	if !amt.GreaterThan(decimal.NewFromInt(ThresholdMXN)) {
		return nil, fmt.Errorf("%w: %s MXN ≤ %d MXN; use a Conekta payment link", ErrAmountTooSmall, amt.StringFixed(2), ThresholdMXN)
	}
	concept = strings.TrimSpace(concept)
	if concept == "" {
		concept = "CMU " + ref
	}
	if utf8.RuneCountInString(concept) > MaxConceptLen || !printable(concept) {
		return nil, fmt.Errorf("%w: %q must be printable and at most %d characters", ErrInvalidConcept, clip(concept), MaxConceptLen)
	}
	return &Instructions{CLABE: c, Bank: bank, Beneficiary: strings.TrimSpace(acct.Beneficiary), RFC: acct.RFC, Reference: ref,
		Concept: concept, Amount: amt, ClientID: clientID}, nil
}

func printable(s string) bool {
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// MarshalJSON encodes the instructions for the PWA: the amount as a string
// with two decimals, the CLABE as 18 digits.
func (in Instructions) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Method      string `json:"method"`
		CLABE       string `json:"clabe"`
		Bank        Bank   `json:"bank"`
		Beneficiary string `json:"beneficiary"`
		RFC         string `json:"rfc,omitempty"`
		Reference   string `json:"reference"`
		Concept     string `json:"concept"`
		Amount      string `json:"amount"`
		Currency    string `json:"currency"`
		ClientID    int64  `json:"clientId"`
	}{"spei", string(in.CLABE), in.Bank, in.Beneficiary, in.RFC, in.Reference, in.Concept, in.Amount.StringFixed(2), "MXN", in.ClientID})
}
