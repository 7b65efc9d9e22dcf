// Command odoo-clients provisions CMu's schema in Odoo, seeds the demo data
// and prints one client aggregate — what the advisors' PWA shows.
//
//	go run ./examples/odoo-clients [-clients 50] [-client ID] [-protocol auto|xmlrpc|jsonrpc|json2] [-skip-seed]
//
// By default it runs against an in-process fake Odoo (odoo/odootest). With
// ODOO_URL set it talks to that Odoo instead, authenticating with ODOO_DB,
// ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY (the key is used as the
// JSON-2 bearer token and as the password on XML-RPC/JSON-RPC). The user
// needs the rights to create custom fields and models (Settings) and
// analytic plans (analytic accounting group).
//
// It prints the schema changes it made, the demo records, and the client
// (the first demo client unless -client is given) with its plans and
// balances, sale orders, documents and collective group, followed by the
// number of Odoo calls the aggregate took.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "odoo-clients:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// run is the whole program: it provisions, seeds and prints to stdout.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("odoo-clients", flag.ContinueOnError)
	fs.SetOutput(stderr)
	clients := fs.Int("clients", 50, "number of demo clients to seed")
	clientID := fs.Int64("client", 0, "client to print (default: the first demo client)")
	proto := fs.String("protocol", "auto", "auto, xmlrpc, jsonrpc or json2")
	skipSeed := fs.Bool("skip-seed", false, "do not seed demo data (needs -client)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	if *clients <= 0 {
		return fmt.Errorf("%w: -clients must be positive", errUsage)
	}
	if *skipSeed && *clientID == 0 {
		return fmt.Errorf("%w: -skip-seed needs -client", errUsage)
	}
	p, err := odoo.ParseProtocol(*proto)
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}

	var calls atomic.Int64
	opts := []odoo.Option{odoo.WithProtocol(p), odoo.WithObserver(func(odoo.CallInfo) { calls.Add(1) })}
	url := getenv("ODOO_URL")
	if url == "" {
		srv, err := odootest.New()
		if err != nil {
			return err
		}
		srv.Start()
		defer srv.Close()
		url = srv.URL
		opts = append(opts, odoo.WithDatabase(srv.DB), odoo.WithLogin(srv.Login, srv.APIKey), odoo.WithAPIKey(srv.APIKey))
		fmt.Fprintf(stdout, "Odoo: in-process fake %s (set ODOO_URL for a real one)\n", srv.Version)
	} else {
		db, user, pass, key := getenv("ODOO_DB"), getenv("ODOO_USER"), getenv("ODOO_PASSWORD"), getenv("ODOO_API_KEY")
		if db == "" || user == "" || (pass == "" && key == "") {
			return fmt.Errorf("%w: ODOO_URL needs ODOO_DB, ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY", errUsage)
		}
		if pass == "" {
			pass = key
		}
		opts = append(opts, odoo.WithDatabase(db), odoo.WithLogin(user, pass))
		if key != "" {
			opts = append(opts, odoo.WithAPIKey(key))
		}
		fmt.Fprintf(stdout, "Odoo: %s database %s\n", url, db)
	}
	c, err := odoo.NewClient(url, opts...)
	if err != nil {
		return err
	}
	svc := cmu.New(c, nil)

	changes, err := svc.Ensure(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Schema: %d changes\n", len(changes))
	for _, ch := range changes {
		fmt.Fprintf(stdout, "  %s\n", ch)
	}
	id := *clientID
	if !*skipSeed {
		res, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: *clients})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Demo data: %d clients, %d packages, %d ecosystems, %d groups, %d leads\n",
			len(res.Clients), len(res.Packages), len(res.Ecosystems), len(res.Groups), len(res.Leads))
		if id == 0 {
			id = res.Clients[0]
		}
	}
	before := calls.Load()
	agg, err := svc.GetClient(ctx, id)
	if err != nil {
		return err
	}
	printAggregate(stdout, agg)
	fmt.Fprintf(stdout, "Odoo calls for this aggregate: %d\n", calls.Load()-before)
	return nil
}

func printAggregate(w io.Writer, a *cmu.ClientAggregate) {
	fmt.Fprintf(w, "\nClient %d: %s\n", a.ID, a.Name)
	fmt.Fprintf(w, "  market %s, plates %s, credit %s, KYC %s\n", a.Market, orDash(a.Plates), orDash(string(a.CreditStatus)), orDash(string(a.KYCStatus)))
	fmt.Fprintf(w, "  contact %s %s %s\n", orDash(a.Contact.Email), orDash(a.Contact.Phone), orDash(a.Contact.City))
	if a.Ecosystem != nil {
		fmt.Fprintf(w, "  ecosystem %d %s\n", a.Ecosystem.ID, a.Ecosystem.Name)
	}
	for _, p := range a.Plans {
		target := ""
		if !p.Target.IsZero() {
			target = " of " + p.Target.StringFixed(2)
		}
		fmt.Fprintf(w, "  plan %s %q (%s): balance %s MXN%s\n", p.Kind, p.Name, p.Code, p.Balance.StringFixed(2), target)
	}
	for _, o := range a.SaleOrders {
		fmt.Fprintf(w, "  sale order %s (%s): %s MXN\n", o.Name, o.State, o.AmountTotal.StringFixed(2))
	}
	if len(a.Documents) > 0 {
		var parts []string
		for _, d := range a.Documents {
			parts = append(parts, d.Code+"="+string(d.Status))
		}
		fmt.Fprintf(w, "  documents %s\n", strings.Join(parts, " "))
	}
	if g := a.Group; g != nil {
		fmt.Fprintf(w, "  group %s %q, phase %s, member %s, saved %s MXN\n", g.Code, g.Name, g.Phase, g.Status, g.Balance.StringFixed(2))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
