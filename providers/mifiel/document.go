package mifiel

import (
	"encoding/json"
	"fmt"
)

// Document is Mifiel's document object (api-doc _objects.md). Fields Mifiel
// did not send, or sent as null, are zero.
type Document struct {
	ID           string `json:"id"`
	OriginalHash string `json:"original_hash,omitempty"`
	FileName     string `json:"file_file_name,omitempty"`
	// SignedByAll is true once every signer has signed: the trigger for
	// "Promesa Firmada".
	SignedByAll bool `json:"signed_by_all"`
	Signed      bool `json:"signed"`
	// SignedAt is as sent (ISO 8601), "" when not signed.
	SignedAt      string         `json:"signed_at,omitempty"`
	Status        DocumentStatus `json:"status"`
	AlreadySigned []Party        `json:"already_signed,omitempty"`
	HasNotSigned  []Party        `json:"has_not_signed,omitempty"`
	CallbackURL   string         `json:"callback_url,omitempty"`
	ExternalID    string         `json:"external_id,omitempty"`
	Signatures    []Signature    `json:"signatures,omitempty"`
}

// UnmarshalJSON decodes the document object, reading null strings as "".
func (d *Document) UnmarshalJSON(b []byte) error {
	var w struct {
		ID            nullString     `json:"id"`
		OriginalHash  nullString     `json:"original_hash"`
		FileName      nullString     `json:"file_file_name"`
		SignedByAll   nullBool       `json:"signed_by_all"`
		Signed        nullBool       `json:"signed"`
		SignedAt      nullString     `json:"signed_at"`
		Status        DocumentStatus `json:"status"`
		AlreadySigned []Party        `json:"already_signed"`
		HasNotSigned  []Party        `json:"has_not_signed"`
		CallbackURL   nullString     `json:"callback_url"`
		ExternalID    nullString     `json:"external_id"`
		Signatures    []Signature    `json:"signatures"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = Document{
		ID: string(w.ID), OriginalHash: string(w.OriginalHash), FileName: string(w.FileName),
		SignedByAll: bool(w.SignedByAll), Signed: bool(w.Signed), SignedAt: string(w.SignedAt),
		Status: w.Status, AlreadySigned: w.AlreadySigned, HasNotSigned: w.HasNotSigned,
		CallbackURL: string(w.CallbackURL), ExternalID: string(w.ExternalID), Signatures: w.Signatures,
	}
	return nil
}

// Signature is one signer's state on a document.
type Signature struct {
	Email             string `json:"email"`
	Signed            bool   `json:"signed"`
	SignedAt          string `json:"signed_at,omitempty"`
	CertificateNumber string `json:"certificate_number,omitempty"`
	TaxID             string `json:"tax_id,omitempty"`
	// Signature is the hex signature, when signed.
	Signature string `json:"signature,omitempty"`
}

// UnmarshalJSON decodes a signature, reading null strings as "".
func (s *Signature) UnmarshalJSON(b []byte) error {
	var w struct {
		Email             nullString `json:"email"`
		Signed            nullBool   `json:"signed"`
		SignedAt          nullString `json:"signed_at"`
		CertificateNumber nullString `json:"certificate_number"`
		TaxID             nullString `json:"tax_id"`
		Signature         nullString `json:"signature"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Signature{Email: string(w.Email), Signed: bool(w.Signed), SignedAt: string(w.SignedAt),
		CertificateNumber: string(w.CertificateNumber), TaxID: string(w.TaxID), Signature: string(w.Signature)}
	return nil
}

// DocumentStatus is Mifiel's [code, text] status: 0 not signed, 1 signed.
type DocumentStatus struct {
	Code int
	Text string
}

// UnmarshalJSON accepts [code, text], a bare code, or null.
func (s *DocumentStatus) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var pair []json.RawMessage
	if json.Unmarshal(b, &pair) == nil {
		*s = DocumentStatus{}
		if len(pair) > 0 {
			if err := json.Unmarshal(pair[0], &s.Code); err != nil {
				return fmt.Errorf("status code: %w", err)
			}
		}
		if len(pair) > 1 {
			if err := json.Unmarshal(pair[1], &s.Text); err != nil {
				return fmt.Errorf("status text: %w", err)
			}
		}
		return nil
	}
	return json.Unmarshal(b, &s.Code)
}

// MarshalJSON writes [code, text].
func (s DocumentStatus) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{s.Code, s.Text})
}

// Party names a signer in already_signed / has_not_signed, which Mifiel sends
// as strings or objects.
type Party struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	TaxID string `json:"tax_id,omitempty"`
}

// UnmarshalJSON accepts a string (kept as Email when it has an "@", else as
// Name) or an object.
func (p *Party) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*p = Party{}
		if containsAt(s) {
			p.Email = s
		} else {
			p.Name = s
		}
		return nil
	}
	type plain Party
	var q plain
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	*p = Party(q)
	return nil
}

func containsAt(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			return true
		}
	}
	return false
}

// nullBool reads a JSON bool or null (false).
type nullBool bool

func (n *nullBool) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = false
		return nil
	}
	var v bool
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = nullBool(v)
	return nil
}

// nullString reads a JSON string or null ("").
type nullString string

func (n *nullString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*n = nullString(s)
	return nil
}

// SignedCount returns how many signatures are signed.
func (d *Document) SignedCount() int {
	n := 0
	for _, s := range d.Signatures {
		if s.Signed {
			n++
		}
	}
	if n == 0 {
		n = len(d.AlreadySigned)
	}
	return n
}
