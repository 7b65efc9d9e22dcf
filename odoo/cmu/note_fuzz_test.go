package cmu

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNoteRoundTrip: a note written by noteBody reads back (parseNote) as
// the author and message given, whatever they contain; no body panics.
func FuzzNoteRoundTrip(f *testing.F) {
	f.Add("pago_recibido", "Asesor Ana", "Pago SPEI <25,000.00> recibido\nclave 001")
	f.Add("kyc", "", "INE a revisión manual")
	f.Add("x", "a:</b> b", "<br><script>alert(1)</script> & \"quotes\"")
	f.Add("t\"><b>", "Ñandú", "  espacios  ")
	f.Fuzz(func(t *testing.T, typ, author, message string) {
		if !utf8.ValidString(author) || !utf8.ValidString(message) || strings.ContainsRune(message, '\r') {
			t.Skip()
		}
		if strings.TrimSpace(message) == "" {
			t.Skip()
		}
		gotAuthor, gotMessage := parseNote(noteBody(Event{Type: typ, Author: author, Message: message}))
		if gotAuthor != author {
			t.Fatalf("author %q read back as %q", author, gotAuthor)
		}
		if want := strings.TrimSpace(message); gotMessage != want {
			t.Fatalf("message %q read back as %q", want, gotMessage)
		}
		parseNote(typ + author + message) // any HTML: no panic
	})
}

func TestTermsRoundTrip(t *testing.T) {
	for _, terms := range [][]int{{104, 156, 208}, {48}, {12, 24}} {
		if got := parseTerms(formatTerms(terms)); len(got) != len(terms) || got[0] != terms[0] || got[len(got)-1] != terms[len(terms)-1] {
			t.Fatalf("%v → %q → %v", terms, formatTerms(terms), got)
		}
	}
	if got := parseTerms(" 12, x ,24,"); len(got) != 2 || got[1] != 24 {
		t.Fatalf("lenient parse = %v", got)
	}
}
