package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Mode selects how the server composes its dependencies.
type Mode string

const (
	// ModeDevelopment starts with embedded defaults: an SQLite file, automatic
	// migrations, a development JWT secret and a printed token.
	ModeDevelopment Mode = "development"
	// ModeProduction refuses to start unless every required secret is configured.
	ModeProduction Mode = "production"
)

// DevJWTSecret is the HS256 secret used in development mode when CMU_JWT_SECRET
// is unset. Production refuses it.
const DevJWTSecret = "cmu-development-secret-do-not-use-in-production"

// Secret is a configuration value that must never reach logs or error messages.
// It formats as "[REDACTED]" (or "" when empty) with fmt and slog; call Reveal to
// use the value.
type Secret string

// Reveal returns the secret's plain value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[REDACTED]", or "" when the secret is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[REDACTED]"
}

// GoString redacts the value for %#v as well.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue implements slog.LogValuer so that secrets are redacted in logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText redacts the secret when it is encoded as JSON or text.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// OdooConfig is how the server reaches Odoo. An empty URL in development mode
// selects an in-process fake Odoo seeded with demo data.
type OdooConfig struct {
	URL      string
	DB       string
	User     string
	Password Secret
	APIKey   Secret
	// Protocol is "xmlrpc", "jsonrpc", "json2" or "" (detect from the server version).
	Protocol string
}

// ConektaConfig configures payment links and the Conekta webhook.
type ConektaConfig struct {
	APIURL string
	APIKey Secret
	// WebhookPublicKeyFile is a PEM file with the RSA key Conekta signs webhooks with.
	WebhookPublicKeyFile string
}

// GNVConfig configures the natural-gas station network.
type GNVConfig struct {
	APIURL        string
	APIKey        Secret
	WebhookSecret Secret
	// AllowedCIDRs restricts the consumption webhook to these source networks; empty allows all.
	AllowedCIDRs []netip.Prefix
}

// MetaMapConfig configures identity verification.
type MetaMapConfig struct {
	APIURL        string
	ClientID      string
	ClientSecret  Secret
	WebhookSecret Secret
}

// AirtableConfig configures the manual-review task table.
type AirtableConfig struct {
	APIURL string
	Token  Secret
	Base   string
	Table  string
}

// MifielConfig configures electronic contract signing.
type MifielConfig struct {
	APIURL    string
	AppID     string
	AppSecret Secret
	// CallbackToken is the unguessable path token Mifiel callbacks must carry.
	CallbackToken Secret
}

// KibanConfig configures the credit bureau query.
type KibanConfig struct {
	APIURL string
	APIKey Secret
}

// HaseConfig configures CMu's internal risk score.
type HaseConfig struct {
	URL    string
	APIKey Secret
	// ApprovalThreshold is the minimum score (0–1000) that approves a client.
	ApprovalThreshold int
}

// MifactConfig configures invoice-mifact-v3, polled for service-order invoices.
type MifactConfig struct {
	URL      string
	User     string
	Password Secret
}

// SVConfig configures the SV clinic-history service.
type SVConfig struct {
	URL   string
	Token Secret
}

// SPEIConfig holds the bank-transfer instructions shown for payments above the
// Conekta limit.
type SPEIConfig struct {
	CLABE       string
	Bank        string
	Beneficiary string
}

// Config is the server's whole configuration. Only cmd/cmu-server reads it from
// the environment (LoadConfig); zero fields mean the defaults documented in
// ConfigVars.
type Config struct {
	Addr string
	// PublicURL is the base URL (scheme, host, optional path; no trailing
	// slash) at which providers reach this server, behind a proxy the
	// proxy's; empty = the local URL of Addr (see PublicBaseURL).
	PublicURL        string
	Mode             Mode
	DatabaseURL      Secret
	JWTSecret        Secret
	JWTPublicKeyFile string
	// BodyLimitBytes caps every request body; zero means 1 MiB.
	BodyLimitBytes int64
	LogLevel       slog.Level
	// AllowedOrigins are host patterns (as coder/websocket OriginPatterns) whose
	// browsers may open the WebSocket and call the API cross-origin.
	AllowedOrigins []string

	Odoo     OdooConfig
	Conekta  ConektaConfig
	GNV      GNVConfig
	MetaMap  MetaMapConfig
	Airtable AirtableConfig
	Mifiel   MifielConfig
	Kiban    KibanConfig
	Hase     HaseConfig
	Mifact   MifactConfig
	SV       SVConfig
	SPEI     SPEIConfig
}

// PublicBaseURL is the base of the URLs this server gives out for others to
// call it back (Mifiel's callback_url…): CMU_PUBLIC_URL, or the local URL of
// CMU_ADDR when unset (see LocalURL).
func (c Config) PublicBaseURL() string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	return LocalURL(c.Addr)
}

// LocalURL is the http URL at which a process listening on addr (host:port)
// is reached from the same machine: a wildcard or empty host becomes
// 127.0.0.1.
func LocalURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// DefaultBodyLimit is the request body limit used when Config.BodyLimitBytes is zero.
const DefaultBodyLimit = 1 << 20

func (c Config) bodyLimit() int64 {
	if c.BodyLimitBytes <= 0 {
		return DefaultBodyLimit
	}
	return c.BodyLimitBytes
}

// LogValue implements slog.LogValuer: the configuration without any secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("public_url", c.PublicBaseURL()),
		slog.String("mode", string(c.Mode)),
		slog.String("database", RedactURL(c.DatabaseURL.Reveal())),
		slog.String("odoo_url", RedactURL(c.Odoo.URL)),
		slog.String("odoo_db", c.Odoo.DB),
		slog.String("odoo_protocol", c.Odoo.Protocol),
		slog.Int64("body_limit_bytes", c.bodyLimit()),
		slog.String("log_level", c.LogLevel.String()),
	)
}

// RedactURL removes the password (and any query string, which may hold
// credentials) from a URL-like string for logging.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		if strings.Contains(s, "?") {
			return s[:strings.Index(s, "?")] + "?[REDACTED]"
		}
		return s
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	return u.Redacted()
}

// ConfigVar describes one environment variable the server reads.
type ConfigVar struct {
	// Name is the environment variable.
	Name string
	// Default is the value used when the variable is unset ("" = none).
	Default string
	// DefaultDoc, when set, is the default the README shows for a variable
	// whose default is derived from others (Default is then empty).
	DefaultDoc string
	// Description says what it configures, in English, for the README.
	Description string
	// Secret marks values that are redacted in logs.
	Secret bool
	// RequiredInProduction makes production start fail when it is empty.
	RequiredInProduction bool
	// Aliases are older names accepted when Name is unset.
	Aliases []string

	set func(c *Config, v string) error
}

// ConfigVars returns the table of every environment variable LoadConfig reads,
// in README order. The table is built on each call; callers may modify it.
func ConfigVars() []ConfigVar {
	str := func(f func(c *Config) *string) func(*Config, string) error {
		return func(c *Config, v string) error { *f(c) = v; return nil }
	}
	sec := func(f func(c *Config) *Secret) func(*Config, string) error {
		return func(c *Config, v string) error { *f(c) = Secret(v); return nil }
	}
	urlv := func(f func(c *Config) *string) func(*Config, string) error {
		return func(c *Config, v string) error {
			if v == "" {
				*f(c) = ""
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("must be an http(s) URL")
			}
			*f(c) = strings.TrimRight(v, "/")
			return nil
		}
	}
	return []ConfigVar{
		{Name: "CMU_ADDR", Default: "127.0.0.1:8080", Description: "listen address (host:port)", set: func(c *Config, v string) error {
			if _, _, err := splitHostPort(v); err != nil {
				return err
			}
			c.Addr = v
			return nil
		}},
		{Name: "CMU_PUBLIC_URL", DefaultDoc: "http://CMU_ADDR", Description: "public base URL of this server as providers reach it (behind a proxy or load balancer, its https URL, optionally with a path prefix); the callback URLs given to providers (Mifiel) are built on it", set: func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
				return errors.New("must be an absolute http(s) URL such as https://cmu.example.com")
			}
			if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
				return errors.New("must not hold credentials, a query or a fragment")
			}
			c.PublicURL = strings.TrimRight(v, "/")
			return nil
		}},
		{Name: "CMU_MODE", Default: "development", Description: "development (embedded defaults, fake Odoo and providers, printed token) or production (all secrets required)", set: func(c *Config, v string) error {
			switch Mode(v) {
			case ModeDevelopment, ModeProduction:
				c.Mode = Mode(v)
				return nil
			}
			return errors.New(`must be "development" or "production"`)
		}},
		{Name: "CMU_DATABASE_URL", Default: "file:cmu.db", Description: "server database: an SQLite file URL (file:cmu.db) or a PostgreSQL URL (postgres://…)", Secret: true, set: func(c *Config, v string) error {
			if _, err := dialectOf(v); err != nil {
				return err
			}
			c.DatabaseURL = Secret(v)
			return nil
		}},
		{Name: "CMU_JWT_SECRET", Description: "HS256 secret for advisor tokens (at least 32 bytes); development uses a built-in secret when unset", Secret: true, set: func(c *Config, v string) error {
			if v != "" && len(v) < 32 {
				return errors.New("must be at least 32 bytes")
			}
			c.JWTSecret = Secret(v)
			return nil
		}},
		{Name: "CMU_JWT_PUBLIC_KEY_FILE", Description: "PEM file with the RSA public key for RS256 advisor tokens (instead of CMU_JWT_SECRET)", set: str(func(c *Config) *string { return &c.JWTPublicKeyFile })},
		{Name: "CMU_BODY_LIMIT_BYTES", Default: strconv.Itoa(DefaultBodyLimit), Description: "maximum request body size in bytes (larger bodies get 413)", set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 || n > 64<<20 {
				return errors.New("must be an integer between 1024 and 67108864")
			}
			c.BodyLimitBytes = n
			return nil
		}},
		{Name: "CMU_LOG_LEVEL", Default: "info", Description: "log level: debug, info, warn or error", set: func(c *Config, v string) error {
			var l slog.Level
			if err := l.UnmarshalText([]byte(v)); err != nil {
				return errors.New("must be debug, info, warn or error")
			}
			c.LogLevel = l
			return nil
		}},
		{Name: "CMU_ALLOWED_ORIGINS", Description: "comma-separated browser origin host patterns (e.g. app.cmu.mx,*.cmu.mx) allowed for the WebSocket and CORS", set: func(c *Config, v string) error {
			c.AllowedOrigins = splitList(v)
			return nil
		}},

		{Name: "ODOO_URL", Description: "Odoo base URL; empty in development = in-process fake Odoo with demo data", RequiredInProduction: true, set: urlv(func(c *Config) *string { return &c.Odoo.URL })},
		{Name: "ODOO_DB", Description: "Odoo database name", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.Odoo.DB })},
		{Name: "ODOO_USER", Description: "Odoo login of the integration user", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.Odoo.User })},
		{Name: "ODOO_PASSWORD", Description: "Odoo password (or use ODOO_API_KEY)", Secret: true, set: sec(func(c *Config) *Secret { return &c.Odoo.Password })},
		{Name: "ODOO_API_KEY", Description: "Odoo API key (preferred over ODOO_PASSWORD)", Secret: true, set: sec(func(c *Config) *Secret { return &c.Odoo.APIKey })},
		{Name: "ODOO_PROTOCOL", Description: "xmlrpc, jsonrpc or json2; empty = detect from the server version", set: func(c *Config, v string) error {
			switch v {
			case "", "xmlrpc", "jsonrpc", "json2":
				c.Odoo.Protocol = v
				return nil
			}
			return errors.New(`must be "xmlrpc", "jsonrpc" or "json2"`)
		}},

		{Name: "CONEKTA_API_URL", Default: "https://api.conekta.io", Description: "Conekta API base URL", set: urlv(func(c *Config) *string { return &c.Conekta.APIURL })},
		{Name: "CONEKTA_API_KEY", Description: "Conekta private API key", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.Conekta.APIKey })},
		{Name: "CONEKTA_WEBHOOK_PUBLIC_KEY_FILE", Description: "PEM file with Conekta's webhook signing public key", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.Conekta.WebhookPublicKeyFile })},

		{Name: "GNV_API_URL", Description: "GNV station network API base URL", RequiredInProduction: true, set: urlv(func(c *Config) *string { return &c.GNV.APIURL })},
		{Name: "GNV_API_KEY", Description: "GNV station network API key", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.GNV.APIKey })},
		{Name: "GNV_WEBHOOK_SECRET", Description: "Standard Webhooks secret (whsec_…) of the consumption webhook", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.GNV.WebhookSecret })},
		{Name: "GNV_ALLOWED_CIDRS", Description: "comma-separated source networks allowed to call the consumption webhook; empty = any", set: func(c *Config, v string) error {
			c.GNV.AllowedCIDRs = nil
			for _, s := range splitList(v) {
				p, err := netip.ParsePrefix(s)
				if err != nil {
					a, aerr := netip.ParseAddr(s)
					if aerr != nil {
						return fmt.Errorf("%q is not a CIDR or IP address", s)
					}
					p = netip.PrefixFrom(a, a.BitLen())
				}
				c.GNV.AllowedCIDRs = append(c.GNV.AllowedCIDRs, p.Masked())
			}
			return nil
		}},

		{Name: "METAMAP_API_URL", Default: "https://api.prod.metamap.com", Description: "MetaMap API base URL", set: urlv(func(c *Config) *string { return &c.MetaMap.APIURL })},
		{Name: "METAMAP_CLIENT_ID", Description: "MetaMap OAuth client id", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.MetaMap.ClientID })},
		{Name: "METAMAP_CLIENT_SECRET", Description: "MetaMap OAuth client secret", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.MetaMap.ClientSecret })},
		{Name: "METAMAP_WEBHOOK_SECRET", Description: "MetaMap webhook secret (x-signature HMAC key)", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.MetaMap.WebhookSecret })},

		{Name: "AIRTABLE_API_URL", Default: "https://api.airtable.com", Description: "Airtable API base URL", set: urlv(func(c *Config) *string { return &c.Airtable.APIURL })},
		{Name: "AIRTABLE_TOKEN", Description: "Airtable personal access token", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.Airtable.Token })},
		{Name: "AIRTABLE_BASE", Description: "Airtable base id of the manual-review tasks", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.Airtable.Base })},
		{Name: "AIRTABLE_TABLE", Description: "Airtable table of the manual-review tasks", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.Airtable.Table })},

		{Name: "MIFIEL_API_URL", Default: "https://app.mifiel.com/api/v1", Description: "Mifiel API base URL (sandbox: https://app-sandbox.mifiel.com/api/v1)", set: urlv(func(c *Config) *string { return &c.Mifiel.APIURL })},
		{Name: "MIFIEL_APP_ID", Description: "Mifiel APP_ID", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.Mifiel.AppID })},
		{Name: "MIFIEL_APP_SECRET", Description: "Mifiel APP_SECRET (HMAC-SHA1 request signing)", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.Mifiel.AppSecret })},
		{Name: "MIFIEL_CALLBACK_TOKEN", Description: "unguessable token Mifiel callbacks must carry (query parameter token)", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.Mifiel.CallbackToken })},

		{Name: "KIBAN_API_URL", Description: "KIBAN API base URL", RequiredInProduction: true, set: urlv(func(c *Config) *string { return &c.Kiban.APIURL })},
		{Name: "KIBAN_API_KEY", Description: "KIBAN API key (x-api-key)", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.Kiban.APIKey })},

		{Name: "HASE_URL", Description: "HASE risk-score service base URL", RequiredInProduction: true, set: urlv(func(c *Config) *string { return &c.Hase.URL })},
		{Name: "HASE_API_KEY", Description: "HASE API key", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.Hase.APIKey })},
		{Name: "HASE_APPROVAL_THRESHOLD", Default: "600", Description: "minimum HASE score (0–1000) that approves a client", set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1000 {
				return errors.New("must be an integer between 0 and 1000")
			}
			c.Hase.ApprovalThreshold = n
			return nil
		}},

		{Name: "MIFACT_URL", Aliases: []string{"URL_INVOICE_MIFACT_V3"}, Description: "invoice-mifact-v3 base URL", RequiredInProduction: true, set: urlv(func(c *Config) *string { return &c.Mifact.URL })},
		{Name: "MIFACT_USER", Aliases: []string{"INVOICE_MIFACT_USERNAME", "USERNAME_ADMIN"}, Description: "invoice-mifact-v3 username", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.Mifact.User })},
		{Name: "MIFACT_PASSWORD", Aliases: []string{"INVOICE_MIFACT_PASSWORD", "PASSWORD_ADMIN"}, Description: "invoice-mifact-v3 password", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.Mifact.Password })},

		{Name: "SV_URL", Description: "SV clinic-history service base URL", RequiredInProduction: true, set: urlv(func(c *Config) *string { return &c.SV.URL })},
		{Name: "SV_TOKEN", Description: "SV bearer token", Secret: true, RequiredInProduction: true, set: sec(func(c *Config) *Secret { return &c.SV.Token })},

		{Name: "SPEI_CLABE", Description: "18-digit CLABE shown in SPEI instructions (payments above 20,000 MXN)", RequiredInProduction: true, set: func(c *Config, v string) error {
			if v != "" && !validCLABE(v) {
				return errors.New("must be an 18-digit CLABE with a valid check digit")
			}
			c.SPEI.CLABE = v
			return nil
		}},
		{Name: "SPEI_BANK", Description: "bank name shown in SPEI instructions", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.SPEI.Bank })},
		{Name: "SPEI_BENEFICIARY", Description: "beneficiary shown in SPEI instructions", RequiredInProduction: true, set: str(func(c *Config) *string { return &c.SPEI.Beneficiary })},
	}
}

// ConfigError reports an invalid, unknown or missing environment variable.
type ConfigError struct {
	Var    string
	Reason string
}

// Error returns "config: VAR: reason".
func (e *ConfigError) Error() string { return "config: " + e.Var + ": " + e.Reason }

// LoadConfig reads the configuration through getenv. environ, when non-nil,
// lists the process environment as os.Environ does; any CMU_* variable in it
// that the server does not know is an error, so typos fail at start. Every
// returned error is a *ConfigError (joined with errors.Join when several) naming
// the variable; secret values never appear in it.
func LoadConfig(getenv func(string) string, environ []string) (Config, error) {
	vars := ConfigVars()
	var errs []error
	known := make(map[string]bool, len(vars))
	for _, v := range vars {
		known[v.Name] = true
	}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "CMU_") && !known[name] && !strings.HasPrefix(name, "CMU_TEST_") {
			errs = append(errs, &ConfigError{Var: name, Reason: "unknown variable (see the README's configuration list)"})
		}
	}
	var c Config
	for _, v := range vars {
		val, from := strings.TrimSpace(getenv(v.Name)), v.Name
		for _, a := range v.Aliases {
			if val != "" {
				break
			}
			val, from = strings.TrimSpace(getenv(a)), a
		}
		if val == "" {
			val, from = v.Default, v.Name
		}
		if val == "" {
			continue
		}
		if err := v.set(&c, val); err != nil {
			errs = append(errs, &ConfigError{Var: from, Reason: "invalid value: " + err.Error()})
		}
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	if c.JWTSecret != "" && c.JWTPublicKeyFile != "" {
		errs = append(errs, &ConfigError{Var: "CMU_JWT_PUBLIC_KEY_FILE", Reason: "set either CMU_JWT_SECRET or CMU_JWT_PUBLIC_KEY_FILE, not both"})
	}
	if c.Mode == ModeProduction {
		for _, v := range vars {
			if v.RequiredInProduction && configEmpty(getenv, v) {
				errs = append(errs, &ConfigError{Var: v.Name, Reason: "required in production"})
			}
		}
		if c.JWTSecret == "" && c.JWTPublicKeyFile == "" {
			errs = append(errs, &ConfigError{Var: "CMU_JWT_SECRET", Reason: "required in production (or CMU_JWT_PUBLIC_KEY_FILE)"})
		}
		if c.JWTSecret.Reveal() == DevJWTSecret {
			errs = append(errs, &ConfigError{Var: "CMU_JWT_SECRET", Reason: "the development secret is not allowed in production"})
		}
		if c.Odoo.APIKey == "" && c.Odoo.Password == "" {
			errs = append(errs, &ConfigError{Var: "ODOO_API_KEY", Reason: "required in production (or ODOO_PASSWORD)"})
		}
	}
	if c.Mode == ModeDevelopment && c.JWTSecret == "" && c.JWTPublicKeyFile == "" {
		c.JWTSecret = DevJWTSecret
	}
	return c, errors.Join(errs...)
}

func configEmpty(getenv func(string) string, v ConfigVar) bool {
	for _, n := range append([]string{v.Name}, v.Aliases...) {
		if strings.TrimSpace(getenv(n)) != "" {
			return false
		}
	}
	return v.Default == ""
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func splitHostPort(v string) (string, int, error) {
	i := strings.LastIndex(v, ":")
	if i < 0 {
		return "", 0, errors.New("must be host:port")
	}
	p, err := strconv.Atoi(v[i+1:])
	if err != nil || p < 0 || p > 65535 {
		return "", 0, errors.New("port must be a number between 0 and 65535")
	}
	return v[:i], p, nil
}

// validCLABE checks the 18 digits and the CLABE check digit (weights 3,7,1 mod 10).
func validCLABE(s string) bool {
	if len(s) != 18 {
		return false
	}
	w := [3]int{3, 7, 1}
	sum := 0
	for i := 0; i < 18; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		if i < 17 {
			sum += (int(s[i]-'0') * w[i%3]) % 10
		}
	}
	return int(s[17]-'0') == (10-sum%10)%10
}

const (
	configMarkdownBegin = "<!-- cmu-server configuration: generated by server.ConfigMarkdown -->"
	configMarkdownEnd   = "<!-- end cmu-server configuration -->"
)

// ConfigMarkdown renders ConfigVars as the README's markdown table, between
// marker comments so a test can check the README stays in sync.
func ConfigMarkdown() string {
	var b strings.Builder
	b.WriteString(configMarkdownBegin + "\n")
	b.WriteString("| variable | default | description |\n| --- | --- | --- |\n")
	for _, v := range ConfigVars() {
		def := "—"
		if v.Default != "" {
			def = "`" + v.Default + "`"
		} else if v.DefaultDoc != "" {
			def = "`" + v.DefaultDoc + "`"
		}
		desc := v.Description
		var notes []string
		if v.Secret {
			notes = append(notes, "secret, never logged")
		}
		if v.RequiredInProduction {
			notes = append(notes, "required in production")
		}
		if len(v.Aliases) > 0 {
			notes = append(notes, "also read from "+strings.Join(v.Aliases, ", "))
		}
		if len(notes) > 0 {
			desc += " (" + strings.Join(notes, "; ") + ")"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.Name, def, strings.ReplaceAll(desc, "|", "\\|"))
	}
	b.WriteString(configMarkdownEnd + "\n")
	return b.String()
}
