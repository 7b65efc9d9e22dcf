package amortization

import "time"

// DueDate returns the due date of period k (1-based) for a loan disbursed
// on start, in UTC at midnight. Only start's calendar date is used.
//
//   - Weekly: start + 7k days. Catorcenal: start + 14k days.
//   - Quincenal: the k-th date among the 15th and the last day of each
//     month that falls strictly after start.
//   - Monthly: start's day of month, k months later, clamped to that
//     month's last day; each date is computed from start, so 31 Jan gives
//     28 (or 29) Feb, then 31 Mar.
//
// It returns the zero time for an unknown frequency or k < 1.
func DueDate(start time.Time, f Frequency, k int) time.Time {
	if k < 1 {
		return time.Time{}
	}
	y, m, d := start.Date()
	switch f {
	case Weekly:
		return time.Date(y, m, d+7*k, 0, 0, 0, 0, time.UTC)
	case Catorcenal:
		return time.Date(y, m, d+14*k, 0, 0, 0, 0, time.UTC)
	case Quincenal:
		// Slot 2*month+0 is the 15th, 2*month+1 the month's last day.
		mi := y*12 + int(m) - 1
		var first int
		switch {
		case d < 15:
			first = 2 * mi
		case d < daysIn(y, m):
			first = 2*mi + 1
		default:
			first = 2 * (mi + 1)
		}
		s := first + k - 1
		yy, mm := s/2/12, time.Month(s/2%12+1)
		if s%2 == 0 {
			return time.Date(yy, mm, 15, 0, 0, 0, 0, time.UTC)
		}
		return time.Date(yy, mm, daysIn(yy, mm), 0, 0, 0, 0, time.UTC)
	case Monthly:
		mi := y*12 + int(m) - 1 + k
		yy, mm := mi/12, time.Month(mi%12+1)
		return time.Date(yy, mm, min(d, daysIn(yy, mm)), 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
