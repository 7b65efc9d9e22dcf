package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults of [HandlerConfig].
const (
	// DefaultMaxBodyBytes is the body size limit when HandlerConfig.MaxBodyBytes
	// is 0: 1 MiB, well above any provider's largest event.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultStoreTimeout bounds the inbox write of one delivery when
	// HandlerConfig.StoreTimeout is 0.
	DefaultStoreTimeout = 10 * time.Second
)

// MaxEventIDBytes is the longest event id the intake stores; a delivery whose
// id is longer, not UTF-8 or holds a NUL byte is refused with 401.
const MaxEventIDBytes = 255

// HandlerConfig configures the intake endpoint of one provider. Zero fields mean
// the documented defaults.
type HandlerConfig struct {
	// Provider names the provider; it is the first half of the inbox key and
	// selects the processing function. Required.
	Provider string
	// Verifier authenticates deliveries. Required.
	Verifier Verifier
	// Inbox stores accepted deliveries: a [Store], or a [Batcher] in front of
	// one (recommended on SQLite). Required.
	Inbox Inserter
	// AllowSource, when set, is asked first whether the request may come from
	// where it does (for example GNV's source-IP allowlist over r.RemoteAddr);
	// false refuses it with 401 before the body is read.
	AllowSource func(r *http.Request) bool
	// MaxBodyBytes limits the body; a larger one is answered 413. 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// KeepHeaders lists the request headers stored with a delivery. Nil keeps
	// every header except credentials (Authorization, Proxy-Authorization,
	// Cookie), which are never stored.
	KeepHeaders []string
	// StoreTimeout bounds the inbox write; when it passes the request is
	// answered 503. 0 means DefaultStoreTimeout. The write is not cancelled when
	// the provider disconnects: it finishes, and the provider's retry is then a
	// duplicate.
	StoreTimeout time.Duration
	// Respond, when set, builds the 200 response body (encoded as JSON) after
	// the delivery is committed — for providers whose answer carries data, such
	// as GNV's counts of accepted, duplicate and unmatched records. d is the
	// delivery as stored (ID 0 when duplicate is true). It runs synchronously,
	// so keep it short. When it fails the delivery stays accepted: the error is
	// logged and the default body is sent.
	Respond func(ctx context.Context, d Delivery, duplicate bool) (any, error)
	// Notify, when set, is called after a new delivery is committed, typically
	// with a Processor's Wake so that processing starts without waiting for the
	// next poll.
	Notify func()
	// Now is the clock for ReceivedAt; nil means time.Now.
	Now func() time.Time
	// Logger receives one line per refused or failed delivery; nil discards.
	Logger *slog.Logger
	// Observer receives intake metrics; nil means none.
	Observer Observer
}

// Handler is the http.Handler of one provider's webhook endpoint: it verifies,
// stores and acknowledges deliveries as the package documentation describes. It
// answers only POST (405 otherwise). Responses are JSON:
// {"statusCode":200,"message":"…","id":N,"duplicate":false} on success (or the
// Respond hook's body) and {"statusCode":N,"message":"…"} with a Spanish message
// on errors: 401 refused, 405 wrong method, 413 too large, 503 inbox unavailable
// (with Retry-After), 500 a verifier that names no event.
type Handler struct {
	cfg  HandlerConfig
	keep map[string]bool
}

// NewHandler validates cfg and returns the provider's intake handler.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	if cfg.Provider == "" || cfg.Verifier == nil || cfg.Inbox == nil {
		return nil, errors.New("webhooks: handler needs Provider, Verifier and Inbox")
	}
	if cfg.MaxBodyBytes < 0 || cfg.StoreTimeout < 0 {
		return nil, errors.New("webhooks: handler: negative MaxBodyBytes or StoreTimeout")
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.StoreTimeout == 0 {
		cfg.StoreTimeout = DefaultStoreTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	h := &Handler{cfg: cfg}
	if cfg.KeepHeaders != nil {
		h.keep = make(map[string]bool, len(cfg.KeepHeaders))
		for _, k := range cfg.KeepHeaders {
			h.keep[http.CanonicalHeaderKey(k)] = true
		}
	}
	return h, nil
}

// Spanish messages of the intake's responses.
const (
	msgAccepted     = "Webhook recibido"
	msgDuplicate    = "Webhook duplicado: ya se había recibido"
	msgMethod       = "Método no permitido: use POST"
	msgTooLarge     = "El cuerpo del webhook excede el tamaño permitido"
	msgUnreadable   = "No se pudo leer el cuerpo del webhook"
	msgUnavailable  = "Bandeja de webhooks no disponible; reintente más tarde"
	msgNoEventID    = "El verificador no identificó el evento"
	msgBadEventID   = "Identificador de evento inválido"
	msgSource       = "Origen del webhook no permitido"
	msgNotSigned    = "Webhook sin firma"
	msgBadHeader    = "Encabezado de firma inválido"
	msgBadSignature = "Firma del webhook inválida"
	msgTooOld       = "Webhook vencido: la marca de tiempo es demasiado antigua"
	msgTooNew       = "Webhook rechazado: la marca de tiempo está en el futuro"
	msgRefused      = "Webhook rechazado: no se pudo verificar"
)

func refusalMessage(err error) string {
	switch {
	case errors.Is(err, ErrNotSigned):
		return msgNotSigned
	case errors.Is(err, ErrInvalidHeader):
		return msgBadHeader
	case errors.Is(err, ErrNoValidSignature):
		return msgBadSignature
	case errors.Is(err, ErrTooOld):
		return msgTooOld
	case errors.Is(err, ErrTooNew):
		return msgTooNew
	}
	return msgRefused
}

// errSourceNotAllowed is what the Observer sees for an AllowSource refusal.
var errSourceNotAllowed = errors.New("webhooks: source not allowed")

// ackBody is the default 200 response.
type ackBody struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	ID         int64  `json:"id,omitempty"`
	Duplicate  bool   `json:"duplicate"`
}

type errorBody struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cfg := &h.cfg
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{http.StatusMethodNotAllowed, msgMethod})
		return
	}
	if cfg.AllowSource != nil && !cfg.AllowSource(r) {
		cfg.Observer.Refused(cfg.Provider, errSourceNotAllowed)
		cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook refused: source not allowed",
			slog.String("provider", cfg.Provider), slog.String("remote", r.RemoteAddr))
		writeJSON(w, http.StatusUnauthorized, errorBody{http.StatusUnauthorized, msgSource})
		return
	}
	if r.ContentLength > cfg.MaxBodyBytes {
		h.tooLarge(w, r.ContentLength)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cfg.MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.tooLarge(w, -1)
			return
		}
		cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook body unreadable",
			slog.String("provider", cfg.Provider), slog.Any("err", err))
		writeJSON(w, http.StatusBadRequest, errorBody{http.StatusBadRequest, msgUnreadable})
		return
	}
	ev, err := cfg.Verifier.Verify(r.Header, body)
	if err != nil {
		cfg.Observer.Refused(cfg.Provider, err)
		cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook refused",
			slog.String("provider", cfg.Provider), slog.String("remote", r.RemoteAddr), slog.Any("err", err))
		writeJSON(w, http.StatusUnauthorized, errorBody{http.StatusUnauthorized, refusalMessage(err)})
		return
	}
	if ev.ID == "" {
		cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "webhook verifier returned no event id",
			slog.String("provider", cfg.Provider))
		writeJSON(w, http.StatusInternalServerError, errorBody{http.StatusInternalServerError, msgNoEventID})
		return
	}
	if len(ev.ID) > MaxEventIDBytes || !utf8.ValidString(ev.ID) || strings.ContainsRune(ev.ID, 0) {
		cfg.Observer.Refused(cfg.Provider, ErrInvalidHeader)
		cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook refused: unusable event id",
			slog.String("provider", cfg.Provider), slog.Int("id_bytes", len(ev.ID)))
		writeJSON(w, http.StatusUnauthorized, errorBody{http.StatusUnauthorized, msgBadEventID})
		return
	}
	d := Delivery{
		Provider:   cfg.Provider,
		EventID:    ev.ID,
		Type:       strings.ReplaceAll(strings.ToValidUTF8(ev.Type, "\uFFFD"), "\x00", ""),
		OccurredAt: ev.OccurredAt,
		ReceivedAt: cfg.Now().UTC().Truncate(time.Microsecond),
		Header:     h.keptHeaders(r.Header),
		Body:       body,
		State:      StatePending,
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), cfg.StoreTimeout)
	res, err := cfg.Inbox.Insert(ctx, []Delivery{d})
	cancel()
	if err == nil && len(res) != 1 {
		err = fmt.Errorf("webhooks: inbox returned %d results for 1 delivery", len(res))
	}
	if err != nil {
		cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "webhook inbox write failed",
			slog.String("provider", cfg.Provider), slog.String("event_id", ev.ID), slog.Any("err", err))
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{http.StatusServiceUnavailable, msgUnavailable})
		return
	}
	d.ID = res[0].ID
	dup := res[0].Duplicate
	if dup {
		cfg.Observer.Duplicate(cfg.Provider)
	} else {
		cfg.Observer.Accepted(cfg.Provider)
		if cfg.Notify != nil {
			cfg.Notify()
		}
	}
	var out any = ackBody{StatusCode: http.StatusOK, Message: msgAccepted, ID: d.ID, Duplicate: dup}
	if dup {
		out = ackBody{StatusCode: http.StatusOK, Message: msgDuplicate, Duplicate: true}
	}
	if cfg.Respond != nil {
		v, err := cfg.Respond(r.Context(), d, dup)
		if err != nil {
			cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "webhook response hook failed",
				slog.String("provider", cfg.Provider), slog.String("event_id", ev.ID), slog.Any("err", err))
		} else {
			out = v
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) tooLarge(w http.ResponseWriter, n int64) {
	h.cfg.Logger.LogAttrs(context.Background(), slog.LevelWarn, "webhook body too large",
		slog.String("provider", h.cfg.Provider), slog.Int64("content_length", n),
		slog.Int64("limit", h.cfg.MaxBodyBytes))
	w.Header().Set("Connection", "close")
	writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{http.StatusRequestEntityTooLarge, msgTooLarge})
}

// keptHeaders copies the headers to store, never credentials.
func (h *Handler) keptHeaders(in http.Header) http.Header {
	out := make(http.Header, len(in))
	for k, v := range in {
		switch k {
		case "Authorization", "Proxy-Authorization", "Cookie":
			continue
		}
		if h.keep != nil && !h.keep[k] {
			continue
		}
		out[k] = append([]string(nil), v...)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"statusCode":500,"message":"Error interno al responder"}`)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
