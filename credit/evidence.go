package credit

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Note renders d as the plain Spanish text of the evidence note posted on the
// client (one fact per line). Times are UTC.
func (d Decision) Note() string {
	var b strings.Builder
	label := map[Status]string{Aprobado: "Aprobado", Rechazado: "Rechazado", EnAnalisis: "En análisis"}[d.Status]
	if label == "" {
		label = string(d.Status)
	}
	fmt.Fprintf(&b, "Análisis de crédito: %s\n", label)
	fmt.Fprintf(&b, "Fecha: %s UTC\n", d.DecidedAt.UTC().Format("2006-01-02 15:04:05"))
	e := d.Evidence
	fmt.Fprintf(&b, "KIBAN: score buró %s; banderas %s; saldo vencido %s; ejecución %s\n",
		optInt(e.BureauScore), joinOr(e.BureauFlags, "ninguna"), optMoney(e), orDash(e.BureauExecutionID))
	reasons := make([]string, len(e.HASEReasons))
	for i, r := range e.HASEReasons {
		reasons[i] = r.Code
	}
	fmt.Fprintf(&b, "HASE: score %s; recomendación %s; razones %s; modelo %s; solicitud %s\n",
		optInt(e.HASEScore), orDash(string(e.HASEDecision)), joinOr(reasons, "ninguna"), orDash(e.HASEModelVersion), orDash(e.HASERequestID))
	for _, r := range d.Reasons {
		fmt.Fprintf(&b, "Motivo: %s (%s)\n", r.Message, r.Code)
	}
	return b.String()
}

func optInt(p *int) string {
	if p == nil {
		return "—"
	}
	return strconv.Itoa(*p)
}

func optMoney(e Evidence) string {
	if !e.PastDueBalance.Valid {
		return "—"
	}
	return e.PastDueBalance.Decimal.StringFixed(2) + " MXN"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func joinOr[T ~string](xs []T, none string) string {
	if len(xs) == 0 {
		return none
	}
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// MemoryRecorder is an in-memory EvidenceRecorder for tests and the development
// mode. SetErr makes RecordDecision fail. It is safe for concurrent use.
type MemoryRecorder struct {
	mu        sync.Mutex
	decisions []Decision
	err       error
}

// RecordDecision stores d, or returns the configured failure.
func (m *MemoryRecorder) RecordDecision(ctx context.Context, d Decision) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.decisions = append(m.decisions, d)
	return nil
}

// SetErr makes every later RecordDecision return err (nil restores success).
func (m *MemoryRecorder) SetErr(err error) {
	m.mu.Lock()
	m.err = err
	m.mu.Unlock()
}

// Decisions returns the recorded decisions in order.
func (m *MemoryRecorder) Decisions() []Decision {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.decisions)
}
