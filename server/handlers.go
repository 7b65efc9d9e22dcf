package server

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/shopspring/decimal"
)

// unavailable answers every request of an area whose service is not plugged in.
func (s *Server) unavailable(area string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, NewError(KindUnavailable, "Servicio no disponible: "+area))
	})
}

func advisorOf(r *http.Request) Advisor {
	a, _ := AdvisorFrom(r.Context())
	return a
}

// pathID parses a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	v := httprouter.ParamsFromContext(r.Context()).ByName(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, NewError(KindInvalid, "El parámetro "+name+" debe ser un número entero positivo")
	}
	return id, nil
}

// jsonHandler decodes and validates a body of type Req, calls fn and writes its
// result with status.
func jsonHandler[Req any, Resp any](s *Server, status int, fn func(ctx context.Context, r *http.Request, req *Req) (Resp, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decodeJSON[Req](s, w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp, err := fn(r.Context(), r, &req)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, status, resp)
	})
}

func (s *Server) handleListClients() http.Handler {
	if s.deps.Clients == nil {
		return s.unavailable("clientes")
	}
	return pagedHandler(s, func(r *http.Request, q url.Values) *ListClientsParams {
		return &ListClientsParams{Page: 1, PageSize: 50, Search: q.Get("search"), Market: Market(q.Get("market")), Scope: advisorOf(r).Scope()}
	}, func(p *ListClientsParams) (*int, *int) { return &p.Page, &p.PageSize }, s.deps.Clients.ListClients)
}

func (s *Server) handleListUnmatchedGNV() http.Handler {
	if s.deps.GNVUnmatched == nil {
		return s.unavailable("GNV")
	}
	return pagedHandler(s, func(_ *http.Request, q url.Values) *ListUnmatchedGNVParams {
		return &ListUnmatchedGNVParams{Page: 1, PageSize: 50, Placas: strings.ToUpper(strings.TrimSpace(q.Get("placas")))}
	}, func(p *ListUnmatchedGNVParams) (*int, *int) { return &p.Page, &p.PageSize }, s.deps.GNVUnmatched.ListUnmatchedGNV)
}

// pagedHandler answers a paginated GET: params builds the parameters (with
// their defaults) from the query, page points at their page and pageSize
// fields, which the page and pageSize query parameters override; the result
// is validated, passed to list and its answer written as 200 JSON.
func pagedHandler[P, R any](s *Server, params func(*http.Request, url.Values) *P, page func(*P) (*int, *int),
	list func(context.Context, P) (R, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		p := params(r, q)
		n, size := page(p)
		if err := pageParams(q, n, size); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.validateStruct(r.Context(), p); err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := list(r.Context(), *p)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// pageParams reads the page and pageSize query parameters into page and
// size (left as they are when absent).
func pageParams(q url.Values, page, size *int) error {
	for _, f := range []struct {
		name string
		dst  *int
	}{{"page", page}, {"pageSize", size}} {
		if v := q.Get(f.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return NewError(KindInvalid, "El parámetro "+f.name+" debe ser un número entero")
			}
			*f.dst = n
		}
	}
	return nil
}

func (s *Server) handleGetClient() http.Handler {
	if s.deps.Clients == nil {
		return s.unavailable("clientes")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		c, err := s.deps.Clients.GetClient(r.Context(), id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !advisorOf(r).MayActOn(id, c.Market) {
			s.writeError(w, r, forbiddenClient(id))
			return
		}
		writeJSON(w, http.StatusOK, c)
	})
}

func (s *Server) handleCreateEvent() http.Handler {
	if s.deps.Clients == nil {
		return s.unavailable("clientes")
	}
	return jsonHandler(s, http.StatusCreated, func(ctx context.Context, r *http.Request, req *CreateEventRequest) (*EventLogEntry, error) {
		if err := s.authorizeClient(ctx, req.ClientID); err != nil {
			return nil, err
		}
		return s.deps.Clients.CreateEvent(ctx, advisorOf(r).ID, *req)
	})
}

func (s *Server) handleCreateSavingsPlan() http.Handler {
	if s.deps.Plans == nil {
		return s.unavailable("planes")
	}
	return jsonHandler(s, http.StatusCreated, func(ctx context.Context, _ *http.Request, req *CreateSavingsPlanRequest) (*Plan, error) {
		if err := s.authorizeClient(ctx, req.ClientID); err != nil {
			return nil, err
		}
		return s.deps.Plans.CreateSavingsPlan(ctx, *req)
	})
}

func (s *Server) handleCreatePaymentPlan() http.Handler {
	if s.deps.Plans == nil {
		return s.unavailable("planes")
	}
	return jsonHandler(s, http.StatusCreated, func(ctx context.Context, _ *http.Request, req *CreatePaymentPlanRequest) (*PaymentPlan, error) {
		if err := s.authorizeClient(ctx, req.ClientID); err != nil {
			return nil, err
		}
		return s.deps.Plans.CreatePaymentPlan(ctx, *req)
	})
}

func (s *Server) handleListGroups() http.Handler {
	if s.deps.Groups == nil {
		return s.unavailable("grupos de crédito colectivo")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gs, err := s.deps.Groups.ListGroups(r.Context(), advisorOf(r).Scope())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if gs == nil {
			gs = []Group{}
		}
		writeJSON(w, http.StatusOK, gs)
	})
}

func (s *Server) handleCreateGroup() http.Handler {
	if s.deps.Groups == nil {
		return s.unavailable("grupos de crédito colectivo")
	}
	return jsonHandler(s, http.StatusCreated, func(ctx context.Context, r *http.Request, req *CreateGroupRequest) (*Group, error) {
		adv := advisorOf(r)
		for _, id := range req.MemberIDs {
			if !adv.MayActOn(id, req.Market) {
				if err := s.authorizeClient(ctx, id); err != nil {
					return nil, err
				}
			}
		}
		return s.deps.Groups.CreateGroup(ctx, *req)
	})
}

func (s *Server) handleTransitionGroup() http.Handler {
	if s.deps.Groups == nil {
		return s.unavailable("grupos de crédito colectivo")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		g, err := s.deps.Groups.TransitionToPayment(r.Context(), id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, g)
	})
}

func (s *Server) handleGetPackage() http.Handler {
	if s.deps.Cotizador == nil {
		return s.unavailable("cotizador")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := Market(httprouter.ParamsFromContext(r.Context()).ByName("mercado"))
		if !m.Valid() {
			s.writeError(w, r, NewError(KindNotFound, "Mercado desconocido: use edomex o aguascalientes"))
			return
		}
		p, err := s.deps.Cotizador.Package(r.Context(), m)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	})
}

func (s *Server) handleSaveQuote() http.Handler {
	if s.deps.Cotizador == nil {
		return s.unavailable("cotizador")
	}
	return jsonHandler(s, http.StatusCreated, func(ctx context.Context, r *http.Request, req *SaveQuoteRequest) (*SavedQuote, error) {
		if err := s.authorizeClient(ctx, req.ClientID); err != nil {
			return nil, err
		}
		return s.deps.Cotizador.SaveQuote(ctx, advisorOf(r).ID, *req)
	})
}

func (s *Server) handleActivateCollection() http.Handler {
	if s.deps.GNV == nil {
		return s.unavailable("GNV")
	}
	return jsonHandler(s, http.StatusCreated, func(ctx context.Context, _ *http.Request, req *ActivateCollectionRequest) (*GNVActivation, error) {
		if err := s.authorizeClient(ctx, req.ClientID); err != nil {
			return nil, err
		}
		return s.deps.GNV.ActivateCollection(ctx, *req)
	})
}

func (s *Server) handleGenerateLink() http.Handler {
	if s.deps.Payments == nil {
		return s.unavailable("pagos")
	}
	return jsonHandler(s, http.StatusCreated, func(ctx context.Context, _ *http.Request, req *GenerateLinkRequest) (*PaymentLink, error) {
		if err := s.authorizeClient(ctx, req.ClientID); err != nil {
			return nil, err
		}
		amount := decimal.RequireFromString(req.Amount) // validated by the money tag
		if PaymentMethodFor(amount) == PaymentSPEI {
			return s.deps.Payments.SPEIInstructions(ctx, req.ClientID, amount)
		}
		return s.deps.Payments.ConektaLink(ctx, req.ClientID, amount)
	})
}

func (s *Server) handleSendContract() http.Handler {
	if s.deps.Contracts == nil {
		return s.unavailable("contratos")
	}
	return jsonHandler(s, http.StatusCreated, func(ctx context.Context, _ *http.Request, req *SendContractRequest) (*ContractSent, error) {
		if err := s.authorizeClient(ctx, req.ClientID); err != nil {
			return nil, err
		}
		return s.deps.Contracts.Send(ctx, *req)
	})
}

func (s *Server) handleAnalyzeCredit() http.Handler {
	if s.deps.Credit == nil {
		return s.unavailable("análisis de crédito")
	}
	return jsonHandler(s, http.StatusOK, func(ctx context.Context, _ *http.Request, req *AnalyzeCreditRequest) (*CreditDecision, error) {
		if err := s.authorizeClient(ctx, req.ClientID); err != nil {
			return nil, err
		}
		return s.deps.Credit.Analyze(ctx, *req)
	})
}

func (s *Server) handleUpdateOpportunity() http.Handler {
	if s.deps.Opportunity == nil {
		return s.unavailable("proceso de oportunidad")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := ParseOpportunityID(httprouter.ParamsFromContext(r.Context()).ByName("id"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		req, err := decodeJSON[OpportunityProcessRequest](s, w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		u, err := ClassifyOpportunityUpdate(id, &req)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		o, err := s.deps.Opportunity.UpdateOpportunityProcess(r.Context(), advisorOf(r).ID, u)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, OpportunityProcessResponse{Success: true, Message: "Opportunity updated successfully", Opportunity: o})
	})
}

// handleWebhook applies the server-side checks (GNV source networks, Mifiel
// callback token) and hands the request to the provider's intake handler, which
// verifies, stores and acknowledges it.
func (s *Server) handleWebhook(p Provider) http.Handler {
	intake := s.deps.Webhooks[p]
	if intake == nil {
		return s.unavailable("webhook de " + string(p))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p == ProviderGNV && !s.sourceAllowed(r) {
			s.writeError(w, r, NewError(KindForbidden, "Origen no permitido para el webhook de GNV"))
			return
		}
		if p == ProviderMifiel && s.cfg.Mifiel.CallbackToken != "" {
			got := r.URL.Query().Get("token")
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Mifiel.CallbackToken.Reveal())) != 1 {
				s.writeError(w, r, NewError(KindUnauthorized, "Token de callback inválido"))
				return
			}
		}
		intake.ServeHTTP(w, r)
	})
}

// sourceAllowed applies GNV_ALLOWED_CIDRS to the connection's peer address.
// Forwarded headers are not trusted.
func (s *Server) sourceAllowed(r *http.Request) bool {
	if len(s.cfg.GNV.AllowedCIDRs) == 0 {
		return true
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range s.cfg.GNV.AllowedCIDRs {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Health is the body of /healthz and /readyz.
type Health struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func (s *Server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, Health{Status: "ok"})
	})
}

// probes returns the readiness checks: the database first, then Deps.Probes.
func (s *Server) probes() []Probe {
	var ps []Probe
	if s.deps.DB != nil {
		ps = append(ps, Probe{Name: "database", Check: s.deps.DB.Ping})
	}
	return append(ps, s.deps.Probes...)
}

func (s *Server) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps := s.probes()
		h := Health{Status: "ok", Checks: make(map[string]string, len(ps))}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, p := range ps {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
				defer cancel()
				res := "ok"
				if err := p.Check(ctx); err != nil {
					res = "error"
					s.log.LogAttrs(r.Context(), slog.LevelWarn, "readiness probe failed", slog.String("probe", p.Name), slog.String("error", err.Error()))
				}
				mu.Lock()
				h.Checks[p.Name] = res
				if res != "ok" {
					h.Status = "unavailable"
				}
				mu.Unlock()
			})
		}
		wg.Wait()
		status := http.StatusOK
		if h.Status != "ok" {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, h)
	})
}
