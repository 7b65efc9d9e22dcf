package server

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the JWT claims of an advisor token. "sub" (the advisor id) and
// "exp" are required. Role "admin" may act on every client; otherwise the
// advisor may act on the clients listed in "clients" and on every client of
// the markets listed in "markets".
type Claims struct {
	jwt.RegisteredClaims
	Name    string   `json:"name,omitempty"`
	Role    string   `json:"role,omitempty"`
	Clients []int64  `json:"clients,omitempty"`
	Markets []Market `json:"markets,omitempty"`
}

// RoleAdmin is the role that may act on every client.
const RoleAdmin = "admin"

// Advisor is the authenticated caller of a PWA route.
type Advisor struct {
	ID      string
	Name    string
	Admin   bool
	Clients []int64
	Markets []Market
}

// Scope returns what the advisor may see, for list operations.
func (a Advisor) Scope() Scope {
	return Scope{AdvisorID: a.ID, All: a.Admin, ClientIDs: a.Clients, Markets: a.Markets}
}

// MayActOn reports whether the advisor may act on a client of the given market
// (market may be empty when unknown).
func (a Advisor) MayActOn(clientID int64, market Market) bool {
	return a.Admin || slices.Contains(a.Clients, clientID) || (market != "" && slices.Contains(a.Markets, market))
}

type advisorKey struct{}

// WithAdvisor returns a context carrying a.
func WithAdvisor(ctx context.Context, a Advisor) context.Context {
	return context.WithValue(ctx, advisorKey{}, a)
}

// AdvisorFrom returns the authenticated advisor of a request context.
func AdvisorFrom(ctx context.Context) (Advisor, bool) {
	a, ok := ctx.Value(advisorKey{}).(Advisor)
	return a, ok
}

// Authenticator verifies advisor tokens (HS256 secret or RS256 public key) and
// signs them when it holds an HS256 secret. It is safe for concurrent use.
type Authenticator struct {
	method jwt.SigningMethod
	key    any // []byte for HS256, *rsa.PublicKey for RS256
	now    func() time.Time
}

// NewAuthenticator builds the token verifier from the configuration: RS256 with
// the PEM public key in cfg.JWTPublicKeyFile, or HS256 with cfg.JWTSecret. now
// may be nil (time.Now).
func NewAuthenticator(cfg Config, now func() time.Time) (*Authenticator, error) {
	if now == nil {
		now = time.Now
	}
	switch {
	case cfg.JWTPublicKeyFile != "":
		pem, err := os.ReadFile(cfg.JWTPublicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("server: read CMU_JWT_PUBLIC_KEY_FILE: %w", err)
		}
		pub, err := jwt.ParseRSAPublicKeyFromPEM(pem)
		if err != nil {
			return nil, fmt.Errorf("server: parse CMU_JWT_PUBLIC_KEY_FILE: %w", err)
		}
		return NewRS256Authenticator(pub, now), nil
	case cfg.JWTSecret != "":
		return NewHS256Authenticator([]byte(cfg.JWTSecret.Reveal()), now), nil
	}
	return nil, errors.New("server: no JWT key configured (CMU_JWT_SECRET or CMU_JWT_PUBLIC_KEY_FILE)")
}

// NewHS256Authenticator verifies and signs HS256 tokens with secret.
func NewHS256Authenticator(secret []byte, now func() time.Time) *Authenticator {
	if now == nil {
		now = time.Now
	}
	return &Authenticator{method: jwt.SigningMethodHS256, key: slices.Clone(secret), now: now}
}

// NewRS256Authenticator verifies RS256 tokens with pub; it cannot sign.
func NewRS256Authenticator(pub *rsa.PublicKey, now func() time.Time) *Authenticator {
	if now == nil {
		now = time.Now
	}
	return &Authenticator{method: jwt.SigningMethodRS256, key: pub, now: now}
}

// Verify parses and checks a token: signature with the configured algorithm
// only, "exp" required and in the future (30 s leeway), "sub" required.
func (a *Authenticator) Verify(token string) (Advisor, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return a.key, nil },
		jwt.WithValidMethods([]string{a.method.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(a.now),
	)
	if err != nil {
		msg := "Token inválido"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "Token expirado"
		}
		return Advisor{}, WrapError(KindUnauthorized, msg, err)
	}
	if strings.TrimSpace(c.Subject) == "" {
		return Advisor{}, NewError(KindUnauthorized, "Token inválido: falta el asesor (sub)")
	}
	return Advisor{ID: c.Subject, Name: c.Name, Admin: c.Role == RoleAdmin, Clients: c.Clients, Markets: c.Markets}, nil
}

// Sign issues an HS256 token for claims, with "iat" now and "exp" now+ttl. It
// fails for an RS256 (verify-only) authenticator.
func (a *Authenticator) Sign(c Claims, ttl time.Duration) (string, error) {
	secret, ok := a.key.([]byte)
	if !ok {
		return "", errors.New("server: this authenticator verifies RS256 tokens and cannot sign")
	}
	now := a.now()
	c.IssuedAt = jwt.NewNumericDate(now)
	c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}

// bearerToken returns the token of "Authorization: Bearer …", or of the
// "token" query parameter when allowQuery (browsers cannot set WebSocket headers).
func bearerToken(r *http.Request, allowQuery bool) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if allowQuery {
		return r.URL.Query().Get("token")
	}
	return ""
}

// requireAdvisor authenticates the request and puts the Advisor in its context.
func (s *Server) requireAdvisor(allowQuery bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := bearerToken(r, allowQuery)
		if tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cmu"`)
			s.writeError(w, r, NewError(KindUnauthorized, "Falta el token de autorización (Authorization: Bearer)"))
			return
		}
		adv, err := s.auth.Verify(tok)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cmu", error="invalid_token"`)
			s.writeError(w, r, err)
			return
		}
		if rec, ok := w.(*statusRecorder); ok {
			rec.advisor = adv.ID
		}
		next.ServeHTTP(w, r.WithContext(WithAdvisor(r.Context(), adv)))
	})
}

// authorizeClient returns nil when the request's advisor may act on clientID,
// a KindForbidden *Error otherwise. When the advisor is restricted by market,
// the client's market is looked up through the clients service.
func (s *Server) authorizeClient(ctx context.Context, clientID int64) error {
	adv, ok := AdvisorFrom(ctx)
	if !ok {
		return NewError(KindUnauthorized, "Falta el token de autorización (Authorization: Bearer)")
	}
	if adv.MayActOn(clientID, "") {
		return nil
	}
	if len(adv.Markets) > 0 && s.deps.Clients != nil {
		m, err := s.deps.Clients.ClientMarket(ctx, clientID)
		if err != nil {
			return err
		}
		if adv.MayActOn(clientID, m) {
			return nil
		}
	}
	return forbiddenClient(clientID)
}

func forbiddenClient(id int64) error {
	return NewError(KindForbidden, fmt.Sprintf("El asesor no puede actuar sobre el cliente %d", id))
}
