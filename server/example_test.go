package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/server"
	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
	"github.com/shopspring/decimal"
)

// payments is a stand-in PaymentsService; the real one wraps providers/conekta.
type payments struct{}

func (payments) ConektaLink(_ context.Context, clientID int64, amount decimal.Decimal) (*server.PaymentLink, error) {
	return &server.PaymentLink{Method: server.PaymentConekta, ClientID: clientID, Amount: server.NewMoney(amount), URL: "https://pay.conekta.com/checkout/demo"}, nil
}

func (payments) SPEIInstructions(_ context.Context, clientID int64, amount decimal.Decimal) (*server.PaymentLink, error) {
	return &server.PaymentLink{Method: server.PaymentSPEI, ClientID: clientID, Amount: server.NewMoney(amount)}, nil
}

// ExampleNewServer plugs one service into the server and calls it with an
// advisor token; the other areas answer 503 until their services are plugged in.
func ExampleNewServer() {
	cfg := server.Config{Mode: server.ModeDevelopment, JWTSecret: server.DevJWTSecret}
	srv, err := server.NewServer(cfg, server.Deps{Payments: payments{}})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	tok, _ := srv.Authenticator().Sign(server.Claims{Role: server.RoleAdmin, RegisteredClaims: jwt.RegisteredClaims{Subject: "asesor-1"}}, time.Hour)
	call := func(method, path, body string) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := ts.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Print(resp.StatusCode, " ", string(b))
	}
	call("POST", "/api/payments/generate-link", `{"clientId":7,"amount":"1500.00"}`)
	call("POST", "/api/payments/generate-link", `{"clientId":7}`)
	call("GET", "/api/clients", "")
	// Output:
	// 201 {"method":"conekta","clientId":7,"amount":"1500.00","url":"https://pay.conekta.com/checkout/demo"}
	// 400 {"statusCode":400,"message":"El campo amount es obligatorio"}
	// 503 {"statusCode":503,"message":"Servicio no disponible: clientes"}
}

// ExampleClassifyOpportunityUpdate shows the opportunity-process rules the
// PUT /opportunity/update-opportunity-procces/:id handler applies.
func ExampleClassifyOpportunityUpdate() {
	for _, body := range []string{
		`{"cAppointment":"15:30 - 16:00","cDateReservation":"2026-03-02"}`,
		`{"cAppointment":"15:30 - 16:00","cDateReservation":"2026-03-02","reservationId":"R-1"}`,
		`{"cClinicHistory":"HC-9","cFacturas":{"comprobante_soles":"https://files.example/f.pdf","comprobante_dolares":null}}`,
		`{"cClinicHistory":"HC-9","cOrdenesServicio":[101,102]}`,
	} {
		var req server.OpportunityProcessRequest
		if err := req.UnmarshalJSON([]byte(body)); err != nil {
			panic(err)
		}
		u, err := server.ClassifyOpportunityUpdate(42, &req)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("case=%s closing=%q orders=%d\n", u.Case, u.Closing, len(u.ServiceOrders))
	}
	// Output:
	// error: El campo reservationId no puede estar vacío
	// case=appointment closing="" orders=0
	// case=main closing="factura_directa" orders=0
	// case=main closing="orden_servicio_pendiente_factura" orders=2
}

// ExampleHub_Publish connects a WebSocket client as an advisor and publishes a
// client:updated event addressed to the advisors allowed on client 7.
func ExampleHub_Publish() {
	cfg := server.Config{Mode: server.ModeDevelopment, JWTSecret: server.DevJWTSecret}
	srv, err := server.NewServer(cfg, server.Deps{})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Hub().Close()

	tok, _ := srv.Authenticator().Sign(server.Claims{Clients: []int64{7}, RegisteredClaims: jwt.RegisteredClaims{Subject: "asesor-1"}}, time.Hour)
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws?token="+tok, nil)
	if err != nil {
		panic(err)
	}
	defer c.CloseNow()
	for srv.Hub().Clients() < 1 {
		time.Sleep(time.Millisecond)
	}

	srv.Hub().Publish(ctx, server.Event{Type: server.EventClientUpdated, Data: map[string]any{"clientId": 7, "balance": "1500.00"}, ClientID: 7, Market: server.MarketEdomex})
	_, msg, err := c.Read(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(msg))
	// Output:
	// {"type":"client:updated","data":{"balance":"1500.00","clientId":7}}
}
