package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/cmu-mx/cmu/cotizador"
	"github.com/cmu-mx/cmu/credit"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/cmu-mx/cmu/providers/airtable"
	"github.com/cmu-mx/cmu/providers/airtable/airtabletest"
	"github.com/cmu-mx/cmu/providers/conekta"
	"github.com/cmu-mx/cmu/providers/conekta/conektatest"
	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/providers/gnv/gnvtest"
	"github.com/cmu-mx/cmu/providers/hase"
	"github.com/cmu-mx/cmu/providers/hase/hasetest"
	"github.com/cmu-mx/cmu/providers/kiban"
	"github.com/cmu-mx/cmu/providers/kiban/kibantest"
	"github.com/cmu-mx/cmu/providers/metamap"
	"github.com/cmu-mx/cmu/providers/metamap/metamaptest"
	"github.com/cmu-mx/cmu/providers/mifact"
	"github.com/cmu-mx/cmu/providers/mifact/mifacttest"
	"github.com/cmu-mx/cmu/providers/mifiel"
	"github.com/cmu-mx/cmu/providers/mifiel/mifieltest"
	"github.com/cmu-mx/cmu/providers/spei"
	"github.com/cmu-mx/cmu/providers/sv"
	"github.com/cmu-mx/cmu/providers/sv/svtest"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/contracts"
	creditsvc "github.com/cmu-mx/cmu/server/app/credit"
	"github.com/cmu-mx/cmu/server/app/opportunity"
	"github.com/cmu-mx/cmu/webhooks"
)

// DefaultAirtableTable is the Airtable table of manual-review tasks when
// AIRTABLE_TABLE is unset.
const DefaultAirtableTable = "Revisiones KYC"

// Options tune Build beyond the server configuration; the zero value is what
// cmd/cmu-server uses.
type Options struct {
	// SeedClients is the number of demo clients seeded in development mode
	// (default 50).
	SeedClients int
	// PollInterval is how often the webhook processor looks for due
	// deliveries besides being woken by the intake (default 1 s).
	PollInterval time.Duration
	// MinBackoff is the first retry delay of a failed delivery (default 2 s).
	MinBackoff time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// DevFakes are the in-process fakes of development mode. Their fields are nil
// in production.
type DevFakes struct {
	Odoo     *odootest.Server
	GNV      *gnvtest.Server
	Conekta  *conektatest.Server
	MetaMap  *metamaptest.Server
	Airtable *airtabletest.Server
	Mifiel   *mifieltest.Server
	Kiban    *kibantest.Server
	Hase     *hasetest.Server
	Mifact   *mifacttest.Server
	SV       *svtest.Server
	// Seed lists the demo records.
	Seed *cmu.SeedResult
}

// App is the composed backend: the server's dependencies, the webhook
// processor to run beside the HTTP server, and what it holds open.
type App struct {
	// Deps is what server.NewServer takes.
	Deps server.Deps
	// Processor processes the webhook inbox; run it until shutdown.
	Processor *webhooks.Processor
	// Config is the effective configuration: in development mode the provider
	// URLs, keys and secrets point at the in-process fakes.
	Config server.Config
	// Odoo and CMU reach the business data.
	Odoo *odoo.Client
	CMU  *cmu.Service
	// Inbox is the webhook inbox (in the server database).
	Inbox *webhooks.SQLStore
	// GNV exposes the unmatched-consumption list (ListUnmatched).
	GNV *GNV
	// Dev holds the fakes of development mode (nil in production).
	Dev *DevFakes

	opportunity *opportunity.Service
	closers     []func() error
}

// Close releases everything Build opened, in reverse order. Call it after the
// HTTP server and the processor stopped.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// Build composes the backend from cfg with the default Options.
//
// Development mode (cfg.Mode) with no ODOO_URL starts an in-process fake Odoo,
// provisions CMu's schema (cmu.Service.Ensure) and seeds the demo data; in
// development mode every provider without credentials gets its in-process
// fake (gnvtest, conektatest, metamaptest, airtabletest, mifieltest,
// kibantest, hasetest, mifacttest, svtest), with the clients pointed at it and
// the webhook secrets and keys shared so that the fakes' signed deliveries
// verify. The server database is migrated at start in development mode;
// production refuses to start with pending migrations.
func Build(ctx context.Context, cfg server.Config, logger *slog.Logger) (*App, error) {
	return BuildWith(ctx, cfg, logger, Options{})
}

// BuildWith is Build with Options.
func BuildWith(ctx context.Context, cfg server.Config, logger *slog.Logger, o Options) (_ *App, err error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	if cfg.Mode == "" {
		cfg.Mode = server.ModeDevelopment
	}
	dev := cfg.Mode == server.ModeDevelopment
	a := &App{Config: cfg}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()

	// Server database.
	dburl := cfg.DatabaseURL.Reveal()
	if dburl == "" && dev {
		dburl = "file:cmu.db"
	}
	db, err := server.OpenDB(ctx, dburl)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, db.Close)
	if dev {
		if _, err := db.Migrate(ctx, server.MigrateUp, logger); err != nil {
			return nil, err
		}
	} else if pending, err := db.MigrationsPending(ctx); err != nil {
		return nil, err
	} else if pending {
		return nil, errors.New("the database has pending migrations: run `cmu-server migrate up` first")
	}

	metrics := server.NewMetrics()
	hubOpts := server.HubOptions{Logger: logger, Metrics: metrics}
	if db.Dialect == server.DialectPostgres {
		hubOpts.Broker = server.NewPostgresBroker(db, logger)
	}
	hub := server.NewHub(hubOpts)
	a.closers = append(a.closers, func() error { hub.Close(); return nil })

	// Fakes first, so that the effective configuration points at them.
	if dev {
		a.Dev = &DevFakes{}
		if err := a.startFakes(&a.Config); err != nil {
			return nil, err
		}
	}
	cfg = a.Config

	// Odoo.
	observe := odoo.WithObserver(func(ci odoo.CallInfo) { metrics.ObserveOdooCall(ci.Model, ci.Method, ci.Duration, ci.Err) })
	if dev && cfg.Odoo.URL == "" {
		fo, err := odootest.New(odootest.WithClock(now))
		if err != nil {
			return nil, fmt.Errorf("app: fake Odoo: %w", err)
		}
		fo.Start()
		a.closers = append(a.closers, func() error { fo.Close(); return nil })
		a.Dev.Odoo = fo
		a.Odoo, err = odoo.NewClient(fo.URL, odoo.WithDatabase(fo.DB), odoo.WithLogin(fo.Login, fo.Password),
			odoo.WithProtocol(odoo.ProtocolJSONRPC), odoo.WithLogger(logger), observe)
		if err != nil {
			return nil, err
		}
	} else {
		opts := []odoo.Option{odoo.WithDatabase(cfg.Odoo.DB), odoo.WithLogin(cfg.Odoo.User, cfg.Odoo.Password.Reveal()),
			odoo.WithLogger(logger), observe}
		if k := cfg.Odoo.APIKey.Reveal(); k != "" {
			opts = append(opts, odoo.WithAPIKey(k))
		}
		if cfg.Odoo.Protocol != "" {
			p, err := odoo.ParseProtocol(cfg.Odoo.Protocol)
			if err != nil {
				return nil, fmt.Errorf("ODOO_PROTOCOL: %w", err)
			}
			opts = append(opts, odoo.WithProtocol(p))
		}
		if a.Odoo, err = odoo.NewClient(cfg.Odoo.URL, opts...); err != nil {
			return nil, fmt.Errorf("ODOO_URL: %w", err)
		}
	}
	a.closers = append(a.closers, func() error { a.Odoo.CloseIdleConnections(); return nil })
	a.CMU = cmu.New(a.Odoo, &cmu.Options{Now: now, Logger: logger})
	if a.Dev != nil && a.Dev.Odoo != nil {
		if _, err := a.CMU.Ensure(ctx); err != nil {
			return nil, fmt.Errorf("app: provision fake Odoo: %w", err)
		}
		n := o.SeedClients
		if n <= 0 {
			n = 50
		}
		if a.Dev.Seed, err = a.CMU.SeedDemo(ctx, cmu.SeedOptions{Clients: n}); err != nil {
			return nil, fmt.Errorf("app: seed fake Odoo: %w", err)
		}
		logger.Info("development Odoo seeded", "url", a.Dev.Odoo.URL, "clients", len(a.Dev.Seed.Clients))
	}

	// Provider clients and verifiers from the effective configuration.
	pub := &publisher{hub: hub, log: logger, now: now}
	var gnvClient *gnv.Client
	if cfg.GNV.APIURL != "" && cfg.GNV.APIKey != "" {
		if gnvClient, err = gnv.NewClient(gnv.Config{BaseURL: cfg.GNV.APIURL, APIKey: gnv.APIKey(cfg.GNV.APIKey.Reveal()), Logger: logger}); err != nil {
			return nil, fmt.Errorf("GNV_API_URL: %w", err)
		}
	}
	var conektaClient *conekta.Client
	if cfg.Conekta.APIKey != "" {
		if conektaClient, err = conekta.NewClient(conekta.Config{BaseURL: cfg.Conekta.APIURL, PrivateKey: conekta.PrivateKey(cfg.Conekta.APIKey.Reveal()), Logger: logger, Now: now}); err != nil {
			return nil, fmt.Errorf("CONEKTA_API_KEY: %w", err)
		}
	}
	var airtableClient *airtable.Client
	if cfg.Airtable.Token != "" && cfg.Airtable.Base != "" {
		table := cfg.Airtable.Table
		if table == "" {
			table = DefaultAirtableTable
		}
		if airtableClient, err = airtable.NewClient(airtable.Config{BaseURL: cfg.Airtable.APIURL, Token: airtable.Token(cfg.Airtable.Token.Reveal()),
			BaseID: cfg.Airtable.Base, Table: table, Typecast: true, Logger: logger}); err != nil {
			return nil, fmt.Errorf("AIRTABLE_TOKEN: %w", err)
		}
	}

	// Services.
	cot := &Cotizador{svc: a.CMU, oc: a.Odoo, pub: pub, now: now}
	cot.cot = &cotizador.Cotizador{Packages: OdooPackages{Service: a.CMU}, Store: OdooQuoteStore{Service: a.CMU, Odoo: a.Odoo}, Now: now}
	a.GNV = &GNV{svc: a.CMU, oc: a.Odoo, client: gnvClient, db: db, pub: pub, log: logger, now: now, counts: map[string]*BatchCounts{}}
	payments := &Payments{svc: a.CMU, conekta: conektaClient, account: spei.Account{CLABE: cfg.SPEI.CLABE, Beneficiary: cfg.SPEI.Beneficiary},
		bank: cfg.SPEI.Bank, pub: pub, log: logger, now: now}
	kyc := &KYC{svc: a.CMU, oc: a.Odoo, airtable: airtableClient, pub: pub, log: logger, now: now}

	// Contracts (server/app/contracts): Mifiel documents and callbacks. The
	// callback URL carries an unguessable token (MIFIEL_CALLBACK_TOKEN; a
	// random one in development); without one the callback is not served.
	var contractsSvc *contracts.Service
	if cfg.Mifiel.APIURL != "" && cfg.Mifiel.AppID != "" {
		if cfg.Mifiel.CallbackToken == "" && a.Dev != nil {
			tok := make([]byte, 18)
			if _, err := rand.Read(tok); err != nil {
				return nil, err
			}
			cfg.Mifiel.CallbackToken = server.Secret(base64.RawURLEncoding.EncodeToString(tok))
			a.Config.Mifiel.CallbackToken = cfg.Mifiel.CallbackToken
		}
		mc, err := mifiel.New(mifiel.Config{BaseURL: cfg.Mifiel.APIURL, AppID: cfg.Mifiel.AppID, AppSecret: cfg.Mifiel.AppSecret.Reveal(), Logger: logger, Now: now})
		if err != nil {
			return nil, fmt.Errorf("MIFIEL_API_URL: %w", err)
		}
		if cfg.PublicURL == "" && (a.Dev == nil || a.Dev.Mifiel == nil) {
			// A real Mifiel cannot reach a listen address behind a proxy.
			logger.Warn("CMU_PUBLIC_URL is unset: Mifiel is told to call back the listen address; set it to the URL Mifiel reaches",
				slog.String("callback_base", cfg.PublicBaseURL()))
		}
		if contractsSvc, err = contracts.New(contracts.Config{Odoo: a.Odoo, CMU: a.CMU, Mifiel: mc,
			CallbackURL: cfg.PublicBaseURL() + "/api/contracts/webhook/mifiel", CallbackToken: cfg.Mifiel.CallbackToken.Reveal(),
			Surcharge: a.GNV.Surcharge, Hub: hub, Now: now, Logger: logger}); err != nil {
			return nil, fmt.Errorf("app: contracts: %w", err)
		}
	}

	// Webhook inbox and processor.
	if db.Dialect == server.DialectPostgres {
		a.Inbox = webhooks.NewPostgres(db.SQL)
	} else {
		a.Inbox = webhooks.NewSQLite(db.SQL)
	}
	whMetrics := webhooks.NewMetrics(a.Inbox)
	if err := metrics.Registry().Register(whMetrics); err != nil {
		return nil, fmt.Errorf("app: webhook metrics: %w", err)
	}
	handlers := map[string]webhooks.HandlerFunc{string(server.ProviderGNV): a.GNV.ProcessConsumption,
		string(server.ProviderConekta): payments.ProcessConekta, string(server.ProviderMetaMap): kyc.ProcessMetaMap}
	if contractsSvc != nil && cfg.Mifiel.CallbackToken != "" {
		handlers[string(server.ProviderMifiel)] = contractsSvc.ProcessCallback
	}
	if a.Processor, err = webhooks.NewProcessor(webhooks.ProcessorConfig{Store: a.Inbox, Handlers: handlers, PollInterval: o.PollInterval,
		MinBackoff: o.MinBackoff, Now: now, Logger: logger, Observer: whMetrics}); err != nil {
		return nil, err
	}
	var inbox webhooks.Inserter = a.Inbox
	if db.Dialect == server.DialectSQLite {
		b := webhooks.NewBatcher(a.Inbox, webhooks.BatcherConfig{})
		a.closers = append(a.closers, b.Close)
		inbox = b
	} else {
		b := webhooks.NewBatcher(a.Inbox, webhooks.BatcherConfig{Writers: 4})
		a.closers = append(a.closers, b.Close)
		inbox = b
	}
	intake := map[server.Provider]http.Handler{}
	add := func(p server.Provider, v webhooks.Verifier, in webhooks.Inserter, respond func(context.Context, webhooks.Delivery, bool) (any, error)) error {
		h, err := webhooks.NewHandler(webhooks.HandlerConfig{Provider: string(p), Verifier: v, Inbox: in, Respond: respond,
			Notify: a.Processor.Wake, Now: now, Logger: logger, Observer: whMetrics})
		if err != nil {
			return fmt.Errorf("app: %s webhook: %w", p, err)
		}
		intake[p] = h
		return nil
	}
	if s := cfg.GNV.WebhookSecret.Reveal(); s != "" {
		v, err := gnv.NewVerifier(gnv.VerifierConfig{Secrets: []gnv.Secret{gnv.Secret(s)}, Now: now})
		if err != nil {
			return nil, fmt.Errorf("GNV_WEBHOOK_SECRET: %w", err)
		}
		if err := add(server.ProviderGNV, v, countingInbox{next: inbox, g: a.GNV}, a.GNV.respond); err != nil {
			return nil, err
		}
	}
	if keys, err := a.conektaKeys(cfg); err != nil {
		return nil, err
	} else if len(keys) > 0 {
		v, err := conekta.NewVerifier(conekta.VerifierConfig{PublicKeys: keys})
		if err != nil {
			return nil, fmt.Errorf("CONEKTA_WEBHOOK_PUBLIC_KEY_FILE: %w", err)
		}
		if err := add(server.ProviderConekta, v, inbox, nil); err != nil {
			return nil, err
		}
	}
	if s := cfg.MetaMap.WebhookSecret.Reveal(); s != "" {
		v, err := metamap.NewVerifier(metamap.VerifierConfig{Secrets: []metamap.Secret{metamap.Secret(s)}})
		if err != nil {
			return nil, fmt.Errorf("METAMAP_WEBHOOK_SECRET: %w", err)
		}
		if err := add(server.ProviderMetaMap, v, inbox, nil); err != nil {
			return nil, err
		}
	}

	if contractsSvc != nil && cfg.Mifiel.CallbackToken != "" {
		v := &mifiel.CallbackVerifier{Scheme: mifiel.SchemeToken, Secrets: []string{cfg.Mifiel.CallbackToken.Reveal()}, Now: now}
		if err := add(server.ProviderMifiel, v, inbox, nil); err != nil {
			return nil, err
		}
		intake[server.ProviderMifiel] = mifiel.TokenToHeader(intake[server.ProviderMifiel])
	} else if contractsSvc != nil {
		logger.Warn("MIFIEL_CALLBACK_TOKEN is empty: Mifiel callbacks are not served")
	}

	oc := a.Odoo
	a.Deps = server.Deps{
		Logger: logger, Now: now, Metrics: metrics, DB: db, Hub: hub,
		Probes: []server.Probe{{Name: "odoo", Check: func(ctx context.Context) error {
			_, err := oc.Search(ctx, "res.users", nil, &odoo.SearchOptions{Limit: 1})
			return err
		}}},
		Clients:   &Clients{svc: a.CMU, oc: a.Odoo, pub: pub, now: now},
		Plans:     &Plans{svc: a.CMU, oc: a.Odoo, cot: cot, pub: pub, now: now},
		Groups:    &Groups{svc: a.CMU, pub: pub},
		Cotizador: cot,
		Payments:  payments,
		Webhooks:  intake,
		// The waiting consumption is in the server database: listed with or
		// without the GNV network's API configured.
		GNVUnmatched: a.GNV,
	}
	if gnvClient != nil {
		a.Deps.GNV = a.GNV
	}
	if contractsSvc != nil {
		a.Deps.Contracts = contractsSvc
	}

	// The opportunity process (server/app/opportunity).
	var mf *mifact.Client
	if cfg.Mifact.URL != "" && cfg.Mifact.User != "" {
		if mf, err = mifact.New(mifact.Config{BaseURL: cfg.Mifact.URL, Username: cfg.Mifact.User, Password: cfg.Mifact.Password.Reveal(),
			Logger: logger, Now: now}); err != nil {
			return nil, fmt.Errorf("MIFACT_URL: %w", err)
		}
	}
	var svClient *sv.Client
	if cfg.SV.URL != "" {
		if svClient, err = sv.New(sv.Config{BaseURL: cfg.SV.URL, APIKey: cfg.SV.Token.Reveal(), Logger: logger}); err != nil {
			return nil, fmt.Errorf("SV_URL: %w", err)
		}
	}
	if a.opportunity, err = opportunity.New(opportunity.Config{Odoo: a.Odoo, CMU: a.CMU, Mifact: mf, SV: svClient, DB: db, Hub: hub,
		Now: now, Logger: logger}); err != nil {
		return nil, fmt.Errorf("app: opportunity process: %w", err)
	}
	a.Deps.Opportunity = a.opportunity

	// Credit analysis (server/app/credit): KIBAN, then HASE.
	if cfg.Kiban.APIURL != "" && cfg.Kiban.APIKey != "" && cfg.Hase.URL != "" {
		kc, err := kiban.New(kiban.Config{BaseURL: cfg.Kiban.APIURL, APIKey: cfg.Kiban.APIKey.Reveal(), Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("KIBAN_API_URL: %w", err)
		}
		hc, err := hase.New(hase.Config{BaseURL: cfg.Hase.URL, APIKey: cfg.Hase.APIKey.Reveal(), Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("HASE_URL: %w", err)
		}
		rules := credit.DefaultRules()
		if cfg.Hase.ApprovalThreshold > 0 {
			rules.MinHASEScore = cfg.Hase.ApprovalThreshold
		}
		consents := historyConsents{svc: a.CMU}
		if a.Dev != nil && a.Dev.Kiban != nil {
			kf := a.Dev.Kiban
			consents.fallback = func(id int64) string { return kf.Authorize(fmt.Sprintf("DEV-NIP-%d", id)) }
		}
		cs, err := creditsvc.New(creditsvc.Config{Odoo: a.Odoo, CMU: a.CMU, Bureau: kc, Scorer: hc, Consents: consents, Rules: &rules,
			Hub: hub, Now: now, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("app: credit analysis: %w", err)
		}
		a.Deps.Credit = cs
	}
	return a, nil
}

// Run runs the webhook processor and the hub's broker feed until ctx is
// done, and returns once both stopped (the processor finishes the deliveries
// in flight first). Call Close after Run returned.
func (a *App) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- a.Deps.Hub.Run(ctx) }()
	perr := a.Processor.Run(ctx)
	herr := <-errc
	if errors.Is(herr, context.Canceled) || errors.Is(herr, context.DeadlineExceeded) {
		herr = nil
	}
	return errors.Join(perr, herr)
}

// RegisterJobs adds the backend's periodic jobs to the cron leader (one
// instance runs them at a time): the opportunity process's invoice polling
// (every five minutes) and the sweep that applies waiting GNV consumption
// whose plates were registered outside the activation endpoint.
func (a *App) RegisterJobs(l *server.Leader) {
	if a.opportunity != nil {
		a.opportunity.RegisterJobs(l)
	}
	l.Add(server.Job{Name: "gnv-unmatched-sweep", Every: 10 * time.Minute, Run: a.GNV.Sweep})
}

// conektaKeys returns the Conekta webhook public keys: the fake's in
// development, else the PEM file of the configuration (none = no webhook).
func (a *App) conektaKeys(cfg server.Config) ([]*rsa.PublicKey, error) {
	if a.Dev != nil && a.Dev.Conekta != nil {
		return []*rsa.PublicKey{a.Dev.Conekta.PublicKey()}, nil
	}
	if cfg.Conekta.WebhookPublicKeyFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(cfg.Conekta.WebhookPublicKeyFile)
	if err != nil {
		return nil, fmt.Errorf("CONEKTA_WEBHOOK_PUBLIC_KEY_FILE: %w", err)
	}
	k, err := conekta.ParsePublicKey(pem)
	if err != nil {
		return nil, fmt.Errorf("CONEKTA_WEBHOOK_PUBLIC_KEY_FILE: %w", err)
	}
	return []*rsa.PublicKey{k}, nil
}

// startFakes starts, in development mode, the fake of every provider left
// without credentials and points cfg at it.
func (a *App) startFakes(cfg *server.Config) error {
	base := server.LocalURL(cfg.Addr) // the fakes run here: they call the listener directly
	stop := func(f func()) { a.closers = append(a.closers, func() error { f(); return nil }) }
	if cfg.GNV.APIKey == "" {
		s := gnvtest.New(gnvtest.Options{WebhookURL: base + "/api/gnv/webhook/consumption"})
		s.Start()
		stop(s.Close)
		a.Dev.GNV = s
		cfg.GNV.APIURL, cfg.GNV.APIKey, cfg.GNV.WebhookSecret = s.URL(), server.Secret(s.APIKey()), server.Secret(string(s.Secret()))
	}
	if cfg.Conekta.APIKey == "" {
		s := conektatest.New(conektatest.Options{WebhookURL: base + "/api/payments/webhook/conekta"})
		s.Start()
		stop(s.Close)
		a.Dev.Conekta = s
		cfg.Conekta.APIURL, cfg.Conekta.APIKey = s.URL(), server.Secret(s.PrivateKey())
	}
	if cfg.MetaMap.ClientID == "" {
		s := metamaptest.New(metamaptest.Options{WebhookURL: base + "/api/kyc/webhook/metamap"})
		s.Start()
		stop(s.Close)
		a.Dev.MetaMap = s
		cfg.MetaMap.APIURL, cfg.MetaMap.ClientID = s.URL(), s.ClientID()
		cfg.MetaMap.ClientSecret, cfg.MetaMap.WebhookSecret = server.Secret(s.ClientSecret()), server.Secret(string(s.WebhookSecret()))
	}
	if cfg.Airtable.Token == "" {
		s := airtabletest.New(airtabletest.Options{})
		s.Start()
		stop(s.Close)
		a.Dev.Airtable = s
		cfg.Airtable.APIURL, cfg.Airtable.Token, cfg.Airtable.Base = s.URL(), server.Secret(s.Token()), s.BaseID()
		if cfg.Airtable.Table == "" {
			cfg.Airtable.Table = DefaultAirtableTable
		}
	}
	if cfg.Mifiel.AppID == "" {
		s := mifieltest.New(mifieltest.Options{})
		stop(s.Close)
		a.Dev.Mifiel = s
		cfg.Mifiel.APIURL, cfg.Mifiel.AppID, cfg.Mifiel.AppSecret = s.BaseURL(), s.AppID(), server.Secret(s.AppSecret())
	}
	if cfg.Kiban.APIKey == "" {
		s := kibantest.New(kibantest.Options{})
		stop(s.Close)
		a.Dev.Kiban = s
		cfg.Kiban.APIURL, cfg.Kiban.APIKey = s.URL, server.Secret(s.APIKey())
	}
	if cfg.Hase.APIKey == "" {
		s := hasetest.New(hasetest.Options{Threshold: cfg.Hase.ApprovalThreshold})
		stop(s.Close)
		a.Dev.Hase = s
		cfg.Hase.URL, cfg.Hase.APIKey = s.URL, server.Secret(s.APIKey())
	}
	if cfg.Mifact.Password == "" {
		s := mifacttest.New(mifacttest.Options{})
		stop(s.Close)
		a.Dev.Mifact = s
		cfg.Mifact.URL, cfg.Mifact.User, cfg.Mifact.Password = s.URL, s.Username(), server.Secret(s.Password())
	}
	if cfg.SV.Token == "" {
		s := svtest.New(svtest.Options{})
		stop(s.Close)
		a.Dev.SV = s
		cfg.SV.URL, cfg.SV.Token = s.URL, server.Secret(s.APIKey())
	}
	if cfg.SPEI.CLABE == "" {
		const first17 = "01218000000000001" // BBVA México, demo account
		d, err := spei.CheckDigit(first17)
		if err != nil {
			return err
		}
		cfg.SPEI.CLABE = first17 + string(d)
		if cfg.SPEI.Beneficiary == "" {
			cfg.SPEI.Beneficiary = "CMU Movilidad SA de CV (demo)"
		}
	}
	return nil
}
