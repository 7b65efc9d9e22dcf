package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

// Exit statuses.
const (
	exitOK    = 0
	exitOdoo  = 1 // Odoo answered with an error (printed as JSON on stdout)
	exitUsage = 2 // usage, connection or protocol error (printed on stderr)
)

const usageText = `usage: odoo [flags] COMMAND [ARGS] [flags]

Commands:
  version                                   server version
  login                                     check the credentials, show the user
  call MODEL METHOD [ARGS_JSON] [KWARGS_JSON]
                                            run any method (execute_kw); ARGS_JSON
                                            is a JSON array, KWARGS_JSON an object
  search-read MODEL [--domain JSON] [--fields a,b] [--limit N] [--offset N] [--order "name asc"]
  fields MODEL [--attributes a,b|all]       fields_get

Connection (a flag wins over its environment variable):
  --url URL          ODOO_URL       e.g. https://erp.example.com
  --db NAME          ODOO_DB
  --user LOGIN       ODOO_USER
  --password SECRET  ODOO_PASSWORD  (prefer the variable: flags show in ps)
  --api-key KEY      ODOO_API_KEY
  --protocol P       ODOO_PROTOCOL  auto (default), xmlrpc, jsonrpc or json2
  --context JSON                    Odoo context sent with every call, e.g.
                                    '{"lang": "es_MX", "active_test": false}'
  --fake             serve an in-process fake Odoo with demo records and use it
  --fake-version V   Odoo version the fake imitates: 19.0 (default) or 17.0

Other flags:
  --compact          print JSON on one line (default: indented by two spaces)
  --timeout D        give up after D (default 60s)
  --retries N        retries of transient failures on reads (default 3)
  -v, --verbose      log every call on stderr (secrets redacted)

Results print as JSON on stdout, identical over every protocol. An Odoo error
prints {"error":{"kind","name","message"}} on stdout and exits 1; usage and
connection errors go to stderr and exit 2.
`

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// config is the command line and environment, resolved.
type config struct {
	url, db, user, password, apiKey, protocol string
	context                                   string // JSON object sent as Odoo's context
	fake                                      bool
	fakeVersion                               string
	compact, verbose                          bool
	timeout                                   time.Duration
	retries                                   int

	set map[string]bool // flags given on the command line
}

// connectionFlags registers the flags accepted both before the command and
// among its arguments.
func (c *config) connectionFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "url", "", "Odoo base URL")
	fs.StringVar(&c.db, "db", "", "database name")
	fs.StringVar(&c.user, "user", "", "login")
	fs.StringVar(&c.password, "password", "", "password")
	fs.StringVar(&c.apiKey, "api-key", "", "API key")
	fs.StringVar(&c.protocol, "protocol", "", "auto, xmlrpc, jsonrpc or json2")
	fs.StringVar(&c.context, "context", "", `Odoo context as a JSON object, e.g. {"lang": "es_MX"}`)
	fs.BoolVar(&c.fake, "fake", false, "use an in-process fake Odoo")
	fs.StringVar(&c.fakeVersion, "fake-version", "19.0", "Odoo version of the fake")
	fs.BoolVar(&c.compact, "compact", false, "one-line JSON")
	fs.BoolVar(&c.verbose, "verbose", false, "log calls on stderr")
	fs.BoolVar(&c.verbose, "v", false, "log calls on stderr")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "overall timeout")
	fs.IntVar(&c.retries, "retries", 3, "retries of transient failures")
}

// env fills the connection settings not given as flags from the environment.
func (c *config) env(getenv func(string) string) {
	for _, v := range []struct {
		flag, env string
		dst       *string
	}{
		{"url", "ODOO_URL", &c.url},
		{"db", "ODOO_DB", &c.db},
		{"user", "ODOO_USER", &c.user},
		{"password", "ODOO_PASSWORD", &c.password},
		{"api-key", "ODOO_API_KEY", &c.apiKey},
		{"protocol", "ODOO_PROTOCOL", &c.protocol},
	} {
		if !c.set[v.flag] {
			*v.dst = getenv(v.env)
		}
	}
}

// newFlagSet returns a silent flag set: run reports errors itself.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseInterleaved parses flags anywhere among the positional arguments
// (odoo search-read res.partner --limit 5); "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// command is one subcommand.
type command struct {
	name  string
	args  string                          // positional arguments, for usage messages
	min   int                             // positional arguments required
	max   int                             // positional arguments allowed
	flags func(fs *flag.FlagSet) execFunc // registers the command's flags
}

func commands() []command {
	return []command{
		{name: "version", min: 0, max: 0, flags: versionCmd},
		{name: "login", min: 0, max: 0, flags: loginCmd},
		{name: "call", args: "MODEL METHOD [ARGS_JSON] [KWARGS_JSON]", min: 2, max: 4, flags: callCmd},
		{name: "search-read", args: "MODEL", min: 1, max: 1, flags: searchReadCmd},
		{name: "fields", args: "MODEL", min: 1, max: 1, flags: fieldsCmd},
	}
}

// run is the whole program; main adds only the process environment and the
// exit status, so tests call it directly. It returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg := &config{set: map[string]bool{}}
	fail := func(err error) int {
		msg := strings.TrimPrefix(redact(err.Error(), cfg), "odoo: ")
		fmt.Fprintf(stderr, "odoo: %s\n", msg)
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, "run 'odoo --help' for usage")
		}
		return exitUsage
	}
	exec, pos, err := parseArgs(cfg, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	if err != nil {
		return fail(err)
	}
	cfg.env(getenv)

	if cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.timeout)
		defer cancel()
	}
	var logger *slog.Logger
	if cfg.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.fake {
		fake, err := useFake(cfg, logger)
		if err != nil {
			return fail(err)
		}
		defer fake.Close()
		if cfg.verbose {
			fmt.Fprintf(stderr, "odoo: fake Odoo %s at %s (db %s, user %s)\n", fake.Version, fake.URL, fake.DB, fake.Login)
		}
	}
	client, err := newClient(cfg, logger)
	if err != nil {
		return fail(err)
	}
	result, err := exec(ctx, client, cfg, pos)
	if err != nil {
		if oe, ok := odooError(err); ok {
			if werr := writeJSON(stdout, errorOutput(oe, cfg), cfg.compact); werr != nil {
				return fail(werr)
			}
			return exitOdoo
		}
		return fail(err)
	}
	if err := writeJSON(stdout, result, cfg.compact); err != nil {
		return fail(err)
	}
	return exitOK
}

// parseArgs parses the command line into cfg and returns the command to run
// with its positional arguments. It returns flag.ErrHelp when help was asked.
func parseArgs(cfg *config, args []string) (execFunc, []string, error) {
	global := newFlagSet("odoo")
	cfg.connectionFlags(global)
	help := global.Bool("help", false, "")
	global.BoolVar(help, "h", false, "")
	if err := global.Parse(args); err != nil {
		return nil, nil, usagef("%v", err)
	}
	rest := global.Args()
	switch {
	case *help || len(rest) > 0 && rest[0] == "help":
		return nil, nil, flag.ErrHelp
	case len(rest) == 0:
		return nil, nil, usagef("missing command")
	}
	name, rest := rest[0], rest[1:]
	var cmd *command
	for _, c := range commands() {
		if c.name == name {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		return nil, nil, usagef("unknown command %q", name)
	}

	// The command's flag set shares the variables, and registering resets
	// them to their defaults: keep the values given before the command.
	given := map[string]string{}
	global.Visit(func(f *flag.Flag) { given[f.Name] = f.Value.String() })
	fs := newFlagSet(name)
	cfg.connectionFlags(fs)
	for k, v := range given {
		if err := fs.Set(k, v); err != nil {
			return nil, nil, usagef("%v", err)
		}
	}
	fs.BoolVar(help, "help", false, "")
	fs.BoolVar(help, "h", false, "")
	exec := cmd.flags(fs)
	pos, err := parseInterleaved(fs, rest)
	if err != nil {
		return nil, nil, usagef("%s: %v", name, err)
	}
	if *help {
		return nil, nil, flag.ErrHelp
	}
	fs.Visit(func(f *flag.Flag) { cfg.set[f.Name] = true })
	if len(pos) < cmd.min || len(pos) > cmd.max {
		return nil, nil, usagef("usage: odoo %s %s", name, cmd.args)
	}
	return exec, pos, nil
}

// useFake starts the demo fake and points cfg at it. The fake decides where
// to connect; its demo credentials apply unless given as flags (to try a
// wrong password, say). The environment's are ignored: they are for a real
// Odoo.
func useFake(cfg *config, logger *slog.Logger) (*odootest.Server, error) {
	if cfg.set["url"] {
		return nil, usagef("--fake and --url exclude each other")
	}
	fake, err := startFake(cfg.fakeVersion, logger)
	if err != nil {
		return nil, err
	}
	cfg.url, cfg.db = fake.URL, fake.DB
	for _, v := range []struct {
		flag     string
		dst      *string
		fallback string
	}{{"user", &cfg.user, fake.Login}, {"password", &cfg.password, fake.Password}, {"api-key", &cfg.apiKey, fake.APIKey}} {
		if !cfg.set[v.flag] {
			*v.dst = v.fallback
		}
	}
	return fake, nil
}

// newClient builds the client from the resolved configuration.
func newClient(cfg *config, logger *slog.Logger) (*odoo.Client, error) {
	if cfg.url == "" {
		return nil, usagef("no Odoo URL: set ODOO_URL or --url (or try --fake)")
	}
	p, err := odoo.ParseProtocol(cfg.protocol)
	if err != nil {
		return nil, usagef("--protocol: %q is not auto, xmlrpc, jsonrpc or json2", cfg.protocol)
	}
	if cfg.retries < 0 {
		return nil, usagef("--retries: %d is negative", cfg.retries)
	}
	rp := odoo.DefaultRetryPolicy()
	rp.MaxRetries = cfg.retries
	opts := []odoo.Option{odoo.WithProtocol(p), odoo.WithRetry(rp), odoo.WithLogger(logger)}
	if cfg.db != "" {
		opts = append(opts, odoo.WithDatabase(cfg.db))
	}
	if cfg.context != "" {
		v, err := parseJSON(cfg.context)
		m, ok := v.(map[string]any)
		if err != nil || !ok {
			return nil, usagef(`--context must be a JSON object, e.g. '{"lang": "es_MX", "active_test": false}'`)
		}
		opts = append(opts, odoo.WithContext(odoo.Context{Extra: m}))
	}
	switch {
	case cfg.user != "" && cfg.password != "":
		opts = append(opts, odoo.WithLogin(cfg.user, cfg.password))
	case cfg.user != "" && cfg.apiKey != "":
		opts = append(opts, odoo.WithLogin(cfg.user, cfg.apiKey))
	case cfg.password != "":
		return nil, usagef("a password needs a login: set ODOO_USER or --user")
	}
	if cfg.apiKey != "" {
		opts = append(opts, odoo.WithAPIKey(cfg.apiKey))
	}
	c, err := odoo.NewClient(strings.TrimRight(cfg.url, "/"), opts...)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return c, nil
}

// odooError reports whether err is an error Odoo answered (as opposed to a
// failure to reach it or to understand its answer).
func odooError(err error) (*odoo.Error, bool) {
	var oe *odoo.Error
	if !errors.As(err, &oe) {
		return nil, false
	}
	switch oe.Kind {
	case odoo.KindTransport, odoo.KindProtocol, odoo.KindDecode:
		return nil, false
	}
	return oe, true
}

// errorJSON is the shape of an Odoo error on stdout.
type errorJSON struct {
	Error struct {
		Kind    string `json:"kind"`
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"error"`
}

func errorOutput(oe *odoo.Error, cfg *config) errorJSON {
	var out errorJSON
	out.Error.Kind = oe.Kind.String()
	out.Error.Name = oe.Name
	out.Error.Message = redact(oe.Message, cfg)
	return out
}

// redact removes the configured secrets from text that is about to be
// printed. The client never puts them in errors; this is a second guard.
func redact(s string, cfg *config) string {
	if cfg.fake {
		return s // the fake's demo credentials are public
	}
	for _, secret := range []string{cfg.password, cfg.apiKey} {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "REDACTED")
		}
	}
	return s
}
