package credit_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/credit"
	"github.com/cmu-mx/cmu/providers/hase"
	"github.com/cmu-mx/cmu/providers/hase/hasetest"
	"github.com/cmu-mx/cmu/providers/kiban"
	"github.com/cmu-mx/cmu/providers/kiban/kibantest"
)

var fixedNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type env struct {
	kiban    *kibantest.Server
	hase     *hasetest.Server
	recorder *credit.MemoryRecorder
	analyzer *credit.Analyzer
}

func setup(t testing.TB, kibanTimeout time.Duration) *env {
	t.Helper()
	e := &env{kiban: kibantest.New(kibantest.Options{}), hase: hasetest.New(hasetest.Options{}), recorder: &credit.MemoryRecorder{}}
	t.Cleanup(e.kiban.Close)
	t.Cleanup(e.hase.Close)
	if kibanTimeout == 0 {
		kibanTimeout = 5 * time.Second
	}
	kc, err := kiban.New(kiban.Config{BaseURL: e.kiban.URL, APIKey: e.kiban.APIKey(), Timeout: kibanTimeout, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hc, err := hase.New(hase.Config{BaseURL: e.hase.URL, APIKey: e.hase.APIKey(), MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.analyzer, err = credit.New(credit.Config{Bureau: kc, Scorer: hc, Recorder: e.recorder, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func applicant(e *env) credit.Applicant {
	return credit.Applicant{
		ID: "42", FirstName: "ANA", PaternalLastName: "PEREZ", MaternalLastName: "LOPEZ", RFC: "PEPA800101AB1",
		ConsentID: e.kiban.Authorize(""), Market: "edomex", Product: "venta_plazo", Plates: "ABC-123-D",
		RequestedAmount: decimal.RequireFromString("250000.00"),
		Savings:         hase.Savings{Balance: decimal.RequireFromString("12000.00"), Months: 8, Contributions: 30},
		GNV:             hase.GNVConsumption{Months: 8, AvgMonthlyLitres: decimal.RequireFromString("900")},
	}
}

func codes(rs []credit.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func TestAnalyzeDecides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		bureau  *kibantest.Bureau
		hase    *hase.Result
		status  credit.Status
		reasons []string
	}{
		{name: "approved", status: credit.Aprobado, reasons: []string{}},
		{
			name:   "rejected by the bureau",
			bureau: &kibantest.Bureau{Score: 500, Accounts: []kibantest.Account{{Lender: "B", Balance: "9000", PastDue: "4500.50", MOP: "05"}}},
			status: credit.Rechazado,
			// HASE: 500 - 50 - 150 - 200 + 80 + 90 = 270
			reasons: []string{credit.ReasonBureauScoreLow, credit.ReasonPastDue, credit.ReasonBureauFlag, credit.ReasonHASEScoreLow, credit.ReasonHASERejected},
		},
		{
			name:    "rejected by HASE's hint only",
			hase:    &hase.Result{Score: 700, Decision: hase.Rejected, Reasons: []hase.Reason{{Code: "manual"}}},
			status:  credit.Rechazado,
			reasons: []string{credit.ReasonHASERejected},
		},
		{
			name:    "thin file left to HASE",
			bureau:  &kibantest.Bureau{NoScore: true},
			status:  credit.Rechazado, // HASE: 500 - 80 + 80 + 90 = 590 < 600
			reasons: []string{credit.ReasonHASEScoreLow, credit.ReasonHASERejected},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, 0)
			if tt.bureau != nil {
				e.kiban.SetBureau("PEPA800101AB1", *tt.bureau)
			}
			if tt.hase != nil {
				e.hase.SetResult("42", *tt.hase)
			}
			d, err := e.analyzer.Analyze(t.Context(), applicant(e))
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != tt.status {
				t.Errorf("status = %s, want %s (%+v)", d.Status, tt.status, d.Reasons)
			}
			if diff := cmp.Diff(tt.reasons, codes(d.Reasons)); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
			ev := d.Evidence
			if ev.BureauExecutionID == "" || ev.HASERequestID == "" || ev.HASEScore == nil || !ev.PastDueBalance.Valid {
				t.Errorf("evidence incomplete: %+v", ev)
			}
			if !d.DecidedAt.Equal(fixedNow) || d.ApplicantID != "42" {
				t.Errorf("decision = %+v", d)
			}
			rec := e.recorder.Decisions()
			if len(rec) != 1 || rec[0].Status != d.Status {
				t.Errorf("recorded %+v", rec)
			}
			// HASE was asked with the bureau summary and an idempotency key.
			hr := e.hase.Requests()
			if len(hr) != 1 || hr[0].Header.Get("Idempotency-Key") != "credit-42-"+ev.BureauExecutionID {
				t.Errorf("hase requests: %+v", hr)
			}
		})
	}
}

func TestAnalyzeProviderFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		timeout     time.Duration
		setup       func(*env)
		unavailable bool
		provider    string
		haseCalls   int
	}{
		{"kiban down", 0, func(e *env) { e.kiban.SetDown(true) }, true, "kiban", 0},
		{"kiban 503", 0, func(e *env) { e.kiban.FailNext(1, 503) }, true, "kiban", 0},
		{"kiban 429 beyond retries", 0, func(e *env) { e.kiban.RateLimitNext(10, 0) }, true, "kiban", 0},
		{"kiban timeout", 100 * time.Millisecond, func(e *env) { e.kiban.SetDelay(2 * time.Second) }, true, "kiban", 0},
		{"kiban connection refused", 0, func(e *env) { e.kiban.Close() }, true, "kiban", 0},
		{"hase 5xx beyond retries", 0, func(e *env) { e.hase.FailNext(3, 500) }, true, "hase", 0},
		{"hase down", 0, func(e *env) { e.hase.SetDown(true) }, true, "hase", 0},
		{"hase unreadable answer", 0, func(e *env) { e.hase.SetResult("42", hase.Result{Score: 5000}) }, false, "hase", 1},
		{"kiban consent invalid", 0, nil, false, "kiban", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tt.timeout)
			ap := applicant(e)
			if tt.setup != nil {
				tt.setup(e)
			} else {
				ap.ConsentID = "not-validated"
			}
			d, err := e.analyzer.Analyze(t.Context(), ap)
			if d.Status != credit.EnAnalisis {
				t.Fatalf("status = %s, want en_analisis", d.Status)
			}
			if got := errors.Is(err, credit.ErrProviderUnavailable); got != tt.unavailable {
				t.Fatalf("errors.Is(%v, ErrProviderUnavailable) = %v", err, got)
			}
			var pe *credit.ProviderError
			if !errors.As(err, &pe) || pe.Provider != tt.provider {
				t.Fatalf("err = %v, want ProviderError from %s", err, tt.provider)
			}
			if n := e.hase.Scored(); n != tt.haseCalls {
				t.Errorf("hase scored %d times", n)
			}
			rec := e.recorder.Decisions()
			if len(rec) != 1 || rec[0].Status != credit.EnAnalisis || len(rec[0].Reasons) != 1 {
				t.Errorf("recorded %+v", rec)
			}
			if tt.provider == "hase" && d.Evidence.BureauExecutionID == "" {
				t.Error("bureau evidence lost when HASE failed")
			}
		})
	}
}

func TestAnalyzeRecorderFailure(t *testing.T) {
	t.Parallel()
	e := setup(t, 0)
	e.recorder.SetErr(errors.New("odoo down"))
	d, err := e.analyzer.Analyze(t.Context(), applicant(e))
	if !errors.Is(err, credit.ErrEvidenceNotRecorded) || d.Status != credit.Aprobado {
		t.Fatalf("d = %s, err = %v", d.Status, err)
	}
	if errors.Is(err, credit.ErrProviderUnavailable) {
		t.Error("recorder failure reported as provider failure")
	}
}

func TestAnalyzeInvalidApplicant(t *testing.T) {
	t.Parallel()
	e := setup(t, 0)
	d, err := e.analyzer.Analyze(t.Context(), credit.Applicant{ID: "1", RFC: "X"})
	var ve *credit.ValidationError
	if !errors.As(err, &ve) || d.Status != credit.EnAnalisis {
		t.Fatalf("err = %v", err)
	}
	for _, f := range []string{"rfc", "firstName", "paternalLastName", "consentId"} {
		if ve.Fields[f] == "" {
			t.Errorf("field %s not reported: %v", f, ve)
		}
	}
	if len(e.kiban.Requests()) != 0 || len(e.recorder.Decisions()) != 0 {
		t.Error("providers or recorder called")
	}
}

func TestAnalyzeCallerCancels(t *testing.T) {
	t.Parallel()
	e := setup(t, 0)
	e.kiban.SetDelay(2 * time.Second)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	d, err := e.analyzer.Analyze(ctx, applicant(e))
	if !errors.Is(err, context.Canceled) || d.Status != credit.EnAnalisis {
		t.Fatalf("d = %s err = %v", d.Status, err)
	}
	if errors.Is(err, credit.ErrProviderUnavailable) {
		t.Error("cancellation blamed on the provider")
	}
}

func TestRulesEvaluate(t *testing.T) {
	t.Parallel()
	score := func(v int) kiban.Score { return kiban.Score{Code: "007", Value: v, Valid: true} }
	acct := func(pastDue string) kiban.Account {
		return kiban.Account{PastDueBalance: decimal.RequireFromString(pastDue), PaymentStatus: "01"}
	}
	strict := credit.DefaultRules()
	strict.RequireBureauScore = true
	noLimit := credit.DefaultRules()
	noLimit.MaxPastDueBalance = decimal.NullDecimal{}
	noLimit.FollowHASEDecision = false
	tests := []struct {
		name    string
		rules   credit.Rules
		rep     kiban.Report
		res     hase.Result
		status  credit.Status
		reasons []string
	}{
		{"all pass", credit.DefaultRules(), kiban.Report{Score: score(550), Accounts: []kiban.Account{acct("1000.00")}}, hase.Result{Score: 600, Decision: hase.Approved}, credit.Aprobado, nil},
		{"bureau score one below", credit.DefaultRules(), kiban.Report{Score: score(549)}, hase.Result{Score: 900}, credit.Rechazado, []string{credit.ReasonBureauScoreLow}},
		{"past due one cent over", credit.DefaultRules(), kiban.Report{Score: score(700), Accounts: []kiban.Account{acct("600.00"), acct("400.01")}}, hase.Result{Score: 900}, credit.Rechazado, []string{credit.ReasonPastDue}},
		{"no limit, hint ignored", noLimit, kiban.Report{Score: score(700), Accounts: []kiban.Account{acct("99999")}}, hase.Result{Score: 650, Decision: hase.Rejected}, credit.Aprobado, nil},
		{"hase one below", credit.DefaultRules(), kiban.Report{Score: score(700)}, hase.Result{Score: 599}, credit.Rechazado, []string{credit.ReasonHASEScoreLow}},
		{"score required", strict, kiban.Report{Flags: []kiban.Flag{kiban.FlagNoScore}}, hase.Result{Score: 900}, credit.Rechazado, []string{credit.ReasonNoBureauScore}},
		{"knock-out flag", credit.DefaultRules(), kiban.Report{Score: score(700), Flags: []kiban.Flag{kiban.FlagSevereDelinquency}}, hase.Result{Score: 900}, credit.Rechazado, []string{credit.ReasonBureauFlag}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, rs := tt.rules.Evaluate(&tt.rep, &tt.res)
			got := codes(rs)
			if len(got) == 0 {
				got = nil
			}
			if st != tt.status || !cmp.Equal(got, tt.reasons) {
				t.Errorf("Evaluate = %s %v, want %s %v", st, got, tt.status, tt.reasons)
			}
		})
	}
	bad := credit.DefaultRules()
	bad.MinHASEScore = 1001
	if err := bad.Validate(); err == nil {
		t.Error("invalid rules accepted")
	}
	if _, err := credit.New(credit.Config{Bureau: nil}); err == nil {
		t.Error("missing bureau accepted")
	}
}

func TestDecisionNote(t *testing.T) {
	t.Parallel()
	bs, hs := 512, 480
	d := credit.Decision{
		ApplicantID: "42", Status: credit.Rechazado, DecidedAt: fixedNow,
		Reasons: []credit.Reason{{Code: credit.ReasonBureauScoreLow, Message: "Score de buró 512 menor al mínimo 550", Source: "kiban"}},
		Evidence: credit.Evidence{
			BureauExecutionID: "ex1", BureauScore: &bs, BureauFlags: []kiban.Flag{kiban.FlagPastDue},
			PastDueBalance: decimal.NewNullDecimal(decimal.RequireFromString("350.5")),
			HASERequestID:  "hase_1", HASEScore: &hs, HASEDecision: hase.Rejected, HASEModelVersion: "m1",
			HASEReasons: []hase.Reason{{Code: "saldo_vencido"}},
		},
	}
	want := strings.Join([]string{
		"Análisis de crédito: Rechazado",
		"Fecha: 2026-11-23 12:00:00 UTC",
		"KIBAN: score buró 512; banderas saldo_vencido; saldo vencido 350.50 MXN; ejecución ex1",
		"HASE: score 480; recomendación rechazado; razones saldo_vencido; modelo m1; solicitud hase_1",
		"Motivo: Score de buró 512 menor al mínimo 550 (score_buro_bajo)",
		"",
	}, "\n")
	if diff := cmp.Diff(want, d.Note()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
