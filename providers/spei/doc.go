// Package spei builds SPEI transfer instructions for contributions above
// 20,000 MXN (smaller amounts go through a Conekta payment link) and validates
// CLABE account numbers.
//
// CLABE (FACTS.md §2): 18 digits = bank code (3) + plaza (3) + account (11) +
// control digit (1). The control digit weighs the first 17 digits 3, 7, 1
// repeating, sums (digit × weight) mod 10, and is (10 − sum mod 10) mod 10.
// ParseCLABE refuses wrong length, non-digits and a wrong control digit; an
// unknown bank code is reported separately (ErrUnknownBank from
// CLABE.CheckBank) because the bank catalogue changes and FACTS.md advises a
// warning, not a hard failure.
//
// Reference (CMu's contract, FACTS.md "Contracts we define"): the 7-digit
// numeric reference of a client's transfers is the client id (the Odoo partner
// id, 1 to 999,999) left-padded with zeros to 6 digits, followed by a control
// digit computed like CLABE's (weights 3, 7, 1 over the 6 digits). It is
// deterministic, so a client always quotes the same reference, collision-free,
// and a mistyped digit is detected by ParseReference. SPEI's numeric reference
// field holds up to 7 digits.
//
// There is no network client and no fake: FACTS.md shows no SPEI API in scope
// (SPEI money reaches CMu through a bank account statement or a provider's
// charge), so this package is pure functions. Safe for concurrent use.
package spei
