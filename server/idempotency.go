package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Idempotency-Key handling (routes marked Idempotent in routes.go):
//
//   - The key is scoped to the advisor and the route; it must be 1–255 characters.
//   - The first request with a key runs and, unless it ends in a 5xx (or the
//     client went away), its status, Content-Type and body are stored for 24 h.
//   - A repeat with the same key and the same body (SHA-256 of method, path and
//     body) gets the stored response with the header Idempotent-Replayed: true;
//     the handler does not run again.
//   - A repeat with the same key and a different body gets 422.
//   - A repeat while the first is still running gets 409 with Retry-After: 1
//     (it does not wait); a run that has not finished after 2 minutes is
//     presumed dead (crashed instance) and the key may be taken over.
//   - A 5xx result is not stored: the key is released so the client can retry.

var errIdempotencyInFlight = errors.New("server: idempotent request in flight")

const idempotencyStaleAfter = 2 * time.Minute

type idempotencyStore struct {
	db  *DB
	now func() time.Time
	ttl time.Duration
}

type storedResponse struct {
	hash        string
	state       string
	status      int
	contentType string
	body        []byte
	createdAt   int64
	expiresAt   int64
}

// begin claims key for a new execution (fresh == true) or returns the stored
// record of a previous one.
func (st *idempotencyStore) begin(ctx context.Context, scope, key, hash string) (fresh bool, rec *storedResponse, err error) {
	for attempt := 0; attempt < 3; attempt++ {
		now := st.now()
		res, err := st.db.SQL.ExecContext(ctx, st.db.rebind(`INSERT INTO idempotency_keys
			(scope, idem_key, request_hash, state, created_at, expires_at) VALUES (?, ?, ?, 'in_flight', ?, ?)
			ON CONFLICT (scope, idem_key) DO NOTHING`), scope, key, hash, now.UnixMilli(), now.Add(st.ttl).UnixMilli())
		if err != nil {
			return false, nil, fmt.Errorf("server: idempotency insert: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return true, nil, nil
		}
		var r storedResponse
		err = st.db.SQL.QueryRowContext(ctx, st.db.rebind(`SELECT request_hash, state, response_status, content_type,
			response_body, created_at, expires_at FROM idempotency_keys WHERE scope = ? AND idem_key = ?`), scope, key).
			Scan(&r.hash, &r.state, &r.status, &r.contentType, &r.body, &r.createdAt, &r.expiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			continue // released or purged meanwhile: try to insert again
		}
		if err != nil {
			return false, nil, fmt.Errorf("server: idempotency read: %w", err)
		}
		if r.expiresAt <= now.UnixMilli() {
			if _, err := st.db.SQL.ExecContext(ctx, st.db.rebind(`DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND expires_at = ?`), scope, key, r.expiresAt); err != nil {
				return false, nil, fmt.Errorf("server: idempotency expire: %w", err)
			}
			continue
		}
		if r.hash == hash && r.state == "in_flight" && r.createdAt <= now.Add(-idempotencyStaleAfter).UnixMilli() {
			res, err := st.db.SQL.ExecContext(ctx, st.db.rebind(`UPDATE idempotency_keys SET created_at = ?
				WHERE scope = ? AND idem_key = ? AND state = 'in_flight' AND created_at = ?`), now.UnixMilli(), scope, key, r.createdAt)
			if err != nil {
				return false, nil, fmt.Errorf("server: idempotency take over: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				return true, nil, nil
			}
			continue
		}
		return false, &r, nil
	}
	return false, nil, errors.New("server: idempotency key contended")
}

func (st *idempotencyStore) complete(ctx context.Context, scope, key string, status int, contentType string, body []byte) error {
	_, err := st.db.SQL.ExecContext(ctx, st.db.rebind(`UPDATE idempotency_keys SET state = 'done', response_status = ?,
		content_type = ?, response_body = ? WHERE scope = ? AND idem_key = ?`), status, contentType, body, scope, key)
	if err != nil {
		return fmt.Errorf("server: idempotency store response: %w", err)
	}
	return nil
}

func (st *idempotencyStore) release(ctx context.Context, scope, key string) error {
	_, err := st.db.SQL.ExecContext(ctx, st.db.rebind(`DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND state = 'in_flight'`), scope, key)
	if err != nil {
		return fmt.Errorf("server: idempotency release: %w", err)
	}
	return nil
}

// PurgeIdempotencyKeys deletes keys expired at now and returns how many. Run it
// from a cron job.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.SQL.ExecContext(ctx, db.rebind(`DELETE FROM idempotency_keys WHERE expires_at <= ?`), now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("server: purge idempotency keys: %w", err)
	}
	return res.RowsAffected()
}

// captureWriter buffers a handler's response so it can be stored before it is sent.
type captureWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

func (s *Server) idempotent(rt route, next http.Handler) http.Handler {
	if s.idem == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if _, sent := r.Header["Idempotency-Key"]; !sent {
			next.ServeHTTP(w, r)
			return
		}
		if key == "" || len(key) > 255 {
			s.writeError(w, r, NewError(KindInvalid, "El encabezado Idempotency-Key debe tener entre 1 y 255 caracteres"))
			return
		}
		body, err := s.readBody(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		sum := sha256.New()
		io.WriteString(sum, r.Method+"\n"+r.URL.Path+"\n")
		sum.Write(body)
		hash := hex.EncodeToString(sum.Sum(nil))
		scope := advisorOf(r).ID + " " + rt.Method + " " + rt.Path
		fresh, rec, err := s.idem.begin(r.Context(), scope, key, hash)
		switch {
		case err != nil:
			s.writeError(w, r, err)
			return
		case !fresh && rec.hash != hash:
			s.writeError(w, r, NewError(KindUnprocessable, "La Idempotency-Key ya se usó con un cuerpo de solicitud distinto"))
			return
		case !fresh && rec.state == "in_flight":
			s.writeError(w, r, WrapError(KindConflict, "Una solicitud con la misma Idempotency-Key está en curso; reintente en un momento", errIdempotencyInFlight))
			return
		case !fresh:
			s.metrics.idemReplay()
			if rec.contentType != "" {
				w.Header().Set("Content-Type", rec.contentType)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(rec.status)
			_, _ = w.Write(rec.body)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		cw := &captureWriter{header: w.Header()}
		ctx := context.WithoutCancel(r.Context())
		func() {
			defer func() {
				if v := recover(); v != nil {
					_ = s.idem.release(ctx, scope, key)
					panic(v)
				}
			}()
			next.ServeHTTP(cw, r)
		}()
		if cw.status == 0 {
			cw.status = http.StatusOK
		}
		if cw.status >= 500 || cw.status == 499 {
			err = s.idem.release(ctx, scope, key)
		} else {
			err = s.idem.complete(ctx, scope, key, cw.status, cw.header.Get("Content-Type"), cw.body.Bytes())
		}
		if err != nil {
			s.log.ErrorContext(ctx, "idempotency bookkeeping failed", "error", err.Error(), "route", rt.Path)
		}
		w.Header().Set("Content-Length", strconv.Itoa(cw.body.Len()))
		w.WriteHeader(cw.status)
		_, _ = w.Write(cw.body.Bytes())
	})
}
