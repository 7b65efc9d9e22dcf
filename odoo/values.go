package odoo

import (
	"time"
)

// Odoo's wire formats for dates and datetimes (always UTC for datetimes).
const (
	DateFormat     = "2006-01-02"
	DateTimeFormat = "2006-01-02 15:04:05"
)

// Many2One is a many2one value: the related record's id and display name.
// The zero value means "unset": it decodes from Odoo's false and encodes as
// false. Odoo sends [id, "name"] on reads; an id alone decodes with an empty Name.
type Many2One struct {
	ID   int64
	Name string
}

// Valid reports whether the relation is set.
func (m Many2One) Valid() bool { return m.ID != 0 }

// MarshalOdoo encodes the relation as its id, or false when unset.
func (m Many2One) MarshalOdoo() (any, error) {
	if m.ID == 0 {
		return false, nil
	}
	return m.ID, nil
}

// String is a char/text/html field that may be empty (Odoo's false).
type String struct {
	Value string
	Valid bool
}

// MarshalOdoo encodes the string, or false when not Valid.
func (s String) MarshalOdoo() (any, error) {
	if !s.Valid {
		return false, nil
	}
	return s.Value, nil
}

// Int is an integer field that may be empty (Odoo's false).
type Int struct {
	Value int64
	Valid bool
}

// MarshalOdoo encodes the integer, or false when not Valid.
func (i Int) MarshalOdoo() (any, error) {
	if !i.Valid {
		return false, nil
	}
	return i.Value, nil
}

// Float is a non-monetary float field (e.g. a probability) that may be empty.
// Money belongs in decimal.Decimal, which is parsed from the wire text.
type Float struct {
	Value float64
	Valid bool
}

// MarshalOdoo encodes the float, or false when not Valid.
func (f Float) MarshalOdoo() (any, error) {
	if !f.Valid {
		return false, nil
	}
	return f.Value, nil
}

// Selection is a selection field's key (e.g. "draft"), empty when false.
type Selection struct {
	Value string
	Valid bool
}

// MarshalOdoo encodes the key, or false when not Valid.
func (s Selection) MarshalOdoo() (any, error) {
	if !s.Valid {
		return false, nil
	}
	return s.Value, nil
}

// Date is a date field ("2006-01-02"), held as midnight UTC.
type Date struct {
	Time  time.Time
	Valid bool
}

// NewDate returns a valid Date for the calendar day y-m-d.
func NewDate(y int, m time.Month, d int) Date {
	return Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Valid: true}
}

// String formats the date as Odoo does, or "" when not Valid.
func (d Date) String() string {
	if !d.Valid {
		return ""
	}
	return d.Time.Format(DateFormat)
}

// MarshalOdoo encodes the date as "2006-01-02", or false when not Valid.
func (d Date) MarshalOdoo() (any, error) {
	if !d.Valid {
		return false, nil
	}
	return d.Time.Format(DateFormat), nil
}

// DateTime is a datetime field ("2006-01-02 15:04:05"), always in UTC as Odoo
// stores it; convert with In for display.
type DateTime struct {
	Time  time.Time
	Valid bool
}

// NewDateTime returns a valid DateTime for t, converted to UTC and truncated to the second.
func NewDateTime(t time.Time) DateTime {
	return DateTime{Time: t.UTC().Truncate(time.Second), Valid: true}
}

// String formats the datetime as Odoo does (UTC), or "" when not Valid.
func (d DateTime) String() string {
	if !d.Valid {
		return ""
	}
	return d.Time.UTC().Format(DateTimeFormat)
}

// MarshalOdoo encodes the datetime in UTC as "2006-01-02 15:04:05", or false when not Valid.
func (d DateTime) MarshalOdoo() (any, error) {
	if !d.Valid {
		return false, nil
	}
	return d.Time.UTC().Format(DateTimeFormat), nil
}

// Marshaler is implemented by types that choose their own wire value. The
// returned value is encoded in its place (it may be false to clear a field).
type Marshaler interface {
	MarshalOdoo() (any, error)
}

// parseOdooTime parses Odoo's date, datetime and XML-RPC dateTime.iso8601
// forms, in UTC.
func parseOdooTime(s string) (time.Time, bool) {
	switch len(s) {
	case 10:
		t, err := time.Parse(DateFormat, s)
		return t, err == nil
	case 19:
		t, err := time.Parse(DateTimeFormat, s)
		if err != nil {
			t, err = time.Parse("2006-01-02T15:04:05", s)
		}
		return t, err == nil
	case 17:
		t, err := time.Parse("20060102T15:04:05", s)
		return t, err == nil
	}
	if len(s) > 19 && (s[10] == ' ' || s[10] == 'T') {
		// fractional seconds as some versions send them ("…:05.123456").
		t, err := time.Parse("2006-01-02 15:04:05.999999999", s[:10]+" "+s[11:])
		return t, err == nil
	}
	return time.Time{}, false
}
