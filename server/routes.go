package server

import "net/http"

// route is one entry of the API map: how it is served and how it is documented
// in /openapi.json.
type route struct {
	Method  string
	Path    string // httprouter pattern
	Name    string // OpenAPI operationId
	Tag     string
	Summary string
	// Auth requires an advisor token (Authorization: Bearer; /ws also ?token=).
	Auth bool
	// Idempotent honours the Idempotency-Key header (POSTs that create things).
	Idempotent bool
	// Request is a zero value of the JSON body type (nil = no body); RawBody
	// documents a provider webhook body taken verbatim.
	Request any
	RawBody bool
	Query   []queryParam
	// Status and Response document the success answer.
	Status   int
	Response any
	// Text marks a non-JSON success body (metrics).
	Text    bool
	Handler http.Handler
}

type queryParam struct {
	Name, Type, Description string
}

// routes is the map of every route the server answers.
func (s *Server) routes() []route {
	return []route{
		// Clients and events.
		{Method: "GET", Path: "/api/clients", Name: "listClients", Tag: "clients", Summary: "Clientes paginados con contacto, ecosistema, planes con saldos, órdenes de venta, documentos y grupo",
			Auth: true, Status: 200, Response: ClientPage{}, Handler: s.handleListClients(),
			Query: []queryParam{{"page", "integer", "página (desde 1, por defecto 1)"}, {"pageSize", "integer", "tamaño de página (1–200, por defecto 50)"}, {"search", "string", "texto a buscar en nombre, placas o RFC"}, {"market", "string", "edomex o aguascalientes"}}},
		{Method: "GET", Path: "/api/clients/:id", Name: "getClient", Tag: "clients", Summary: "Un cliente",
			Auth: true, Status: 200, Response: Client{}, Handler: s.handleGetClient()},
		{Method: "POST", Path: "/api/events", Name: "createEvent", Tag: "clients", Summary: "Registrar un evento en el historial del cliente",
			Auth: true, Idempotent: true, Request: CreateEventRequest{}, Status: 201, Response: EventLogEntry{}, Handler: s.handleCreateEvent()},

		// Plans.
		{Method: "POST", Path: "/api/savings-plans", Name: "createSavingsPlan", Tag: "plans", Summary: "Abrir un plan de ahorro",
			Auth: true, Idempotent: true, Request: CreateSavingsPlanRequest{}, Status: 201, Response: Plan{}, Handler: s.handleCreateSavingsPlan()},
		{Method: "POST", Path: "/api/payment-plans", Name: "createPaymentPlan", Tag: "plans", Summary: "Abrir un plan de venta a plazo",
			Auth: true, Idempotent: true, Request: CreatePaymentPlanRequest{}, Status: 201, Response: PaymentPlan{}, Handler: s.handleCreatePaymentPlan()},

		// Collective credit.
		{Method: "GET", Path: "/api/collective-credit-groups", Name: "listGroups", Tag: "groups", Summary: "Grupos de crédito colectivo",
			Auth: true, Status: 200, Response: []Group{}, Handler: s.handleListGroups()},
		{Method: "POST", Path: "/api/collective-credit-groups", Name: "createGroup", Tag: "groups", Summary: "Crear un grupo de crédito colectivo",
			Auth: true, Idempotent: true, Request: CreateGroupRequest{}, Status: 201, Response: Group{}, Handler: s.handleCreateGroup()},
		{Method: "POST", Path: "/api/collective-credit-groups/:id/transition-to-payment", Name: "transitionGroupToPayment", Tag: "groups", Summary: "Pasar un grupo de ahorro a pago colectivo",
			Auth: true, Idempotent: true, Status: 200, Response: Group{}, Handler: s.handleTransitionGroup()},

		// Cotizador.
		{Method: "GET", Path: "/api/cotizador/paquete/:mercado", Name: "getPackage", Tag: "cotizador", Summary: "Paquete de productos de un mercado (edomex, aguascalientes)",
			Auth: true, Status: 200, Response: ProductPackage{}, Handler: s.handleGetPackage()},
		{Method: "POST", Path: "/api/cotizador/save", Name: "saveQuote", Tag: "cotizador", Summary: "Guardar una cotización (JSON y PDF) en la oportunidad",
			Auth: true, Idempotent: true, Request: SaveQuoteRequest{}, Status: 201, Response: SavedQuote{}, Handler: s.handleSaveQuote()},

		// GNV.
		{Method: "POST", Path: "/api/gnv/activate-collection", Name: "activateGNVCollection", Tag: "gnv", Summary: "Activar el cobro de sobreprecio por litro para unas placas",
			Auth: true, Idempotent: true, Request: ActivateCollectionRequest{}, Status: 201, Response: GNVActivation{}, Handler: s.handleActivateCollection()},
		{Method: "GET", Path: "/api/gnv/unmatched", Name: "listUnmatchedGNV", Tag: "gnv", Summary: "Consumos GNV de placas sin cliente, pendientes de aplicar (los más antiguos primero)",
			Auth: true, Status: 200, Response: UnmatchedGNVPage{}, Handler: s.handleListUnmatchedGNV(),
			Query: []queryParam{{"placas", "string", "solo los consumos de estas placas"}, {"page", "integer", "página (desde 1, por defecto 1)"}, {"pageSize", "integer", "tamaño de página (1–200, por defecto 50)"}}},
		{Method: "POST", Path: "/api/gnv/webhook/consumption", Name: "gnvConsumptionWebhook", Tag: "webhooks", Summary: "Webhook de consumos GNV (Standard Webhooks)",
			RawBody: true, Status: 200, Response: WebhookAck{}, Handler: s.handleWebhook(ProviderGNV)},

		// Payments.
		{Method: "POST", Path: "/api/payments/generate-link", Name: "generatePaymentLink", Tag: "payments", Summary: "Liga de pago Conekta, o instrucciones SPEI para más de 20,000 MXN",
			Auth: true, Idempotent: true, Request: GenerateLinkRequest{}, Status: 201, Response: PaymentLink{}, Handler: s.handleGenerateLink()},
		{Method: "POST", Path: "/api/payments/webhook/conekta", Name: "conektaWebhook", Tag: "webhooks", Summary: "Webhook de Conekta",
			RawBody: true, Status: 200, Response: WebhookAck{}, Handler: s.handleWebhook(ProviderConekta)},

		// KYC.
		{Method: "POST", Path: "/api/kyc/webhook/metamap", Name: "metamapWebhook", Tag: "webhooks", Summary: "Webhook de MetaMap (estado de documentos; revisión manual → tarea en Airtable)",
			RawBody: true, Status: 200, Response: WebhookAck{}, Handler: s.handleWebhook(ProviderMetaMap)},

		// Contracts.
		{Method: "POST", Path: "/api/contracts/send", Name: "sendContract", Tag: "contracts", Summary: "Enviar un contrato a firma electrónica",
			Auth: true, Idempotent: true, Request: SendContractRequest{}, Status: 201, Response: ContractSent{}, Handler: s.handleSendContract()},
		{Method: "POST", Path: "/api/contracts/webhook/mifiel", Name: "mifielWebhook", Tag: "webhooks", Summary: "Callback de Mifiel (mueve la etapa de la oportunidad)",
			RawBody: true, Status: 200, Response: WebhookAck{}, Handler: s.handleWebhook(ProviderMifiel),
			Query: []queryParam{{"token", "string", "token de callback (MIFIEL_CALLBACK_TOKEN)"}}},

		// Credit.
		{Method: "POST", Path: "/api/credit/analyze", Name: "analyzeCredit", Tag: "credit", Summary: "Análisis de crédito: KIBAN y luego HASE → Aprobado/Rechazado",
			Auth: true, Idempotent: true, Request: AnalyzeCreditRequest{}, Status: 200, Response: CreditDecision{}, Handler: s.handleAnalyzeCredit()},

		// Opportunity process (spelling as the PWA sends it).
		{Method: "PUT", Path: "/opportunity/update-opportunity-procces/:id", Name: "updateOpportunityProcess", Tag: "opportunity", Summary: "Proceso de oportunidad: datos, cita, cierre ganado con factura directa u órdenes de servicio",
			Auth: true, Request: OpportunityProcessRequest{}, Status: 200, Response: OpportunityProcessResponse{}, Handler: s.handleUpdateOpportunity()},

		// Live events.
		{Method: "GET", Path: "/ws", Name: "websocket", Tag: "live", Summary: "WebSocket de eventos {type, data}: client:updated, eventlog:new, notification:new",
			Auth: true, Status: 101, Handler: s.hub.handler(s.cfg.AllowedOrigins),
			Query: []queryParam{{"token", "string", "token del asesor (los navegadores no pueden enviar encabezados en WebSocket)"}}},

		// Operations.
		{Method: "GET", Path: "/healthz", Name: "healthz", Tag: "operations", Summary: "El proceso está vivo", Status: 200, Response: Health{}, Handler: s.handleHealthz()},
		{Method: "GET", Path: "/readyz", Name: "readyz", Tag: "operations", Summary: "Base de datos y Odoo alcanzables", Status: 200, Response: Health{}, Handler: s.handleReadyz()},
		{Method: "GET", Path: "/metrics", Name: "metrics", Tag: "operations", Summary: "Métricas Prometheus", Status: 200, Text: true, Handler: s.metrics.Handler()},
		{Method: "GET", Path: "/openapi.json", Name: "openapi", Tag: "operations", Summary: "Este documento OpenAPI 3.1", Status: 200, Response: map[string]any{}, Handler: s.handleOpenAPI()},
	}
}
