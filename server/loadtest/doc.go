// Package loadtest holds the load, latency and soak measurements of the CMu
// reference server (package server composed by server/app). It has no API:
// everything is in its tests and benchmarks, all over real loopback sockets,
// bounded in count and time, stopping by themselves.
//
// A plain run executes reduced versions of every measurement as regular
// tests (under ~40 s on a loaded 2-core machine):
//
//	go test ./server/loadtest
//
// CMU_LOADTEST=1 runs the full sizes; -v prints the measured numbers (lines
// starting with "RESULT"):
//
//	CMU_LOADTEST=1 go test -v -run . -timeout 20m ./server/loadtest
//
// # WebSocket fan-out (TestWebSocketFanout, BenchmarkWebSocketFanout)
//
// N advisors connect to GET /ws of a server.NewServer behind an
// httptest.Server with valid tokens (coder/websocket clients); events whose
// data carries the publishing time (Unix ns) are published on the server's
// Hub, and every client records the event-to-delivery latency and checks that
// it received every event, in order, exactly once. A second phase connects
// slow clients (tiny receive buffer, never read) and floods them: they must
// be dropped by the hub (bounded queue) while the other clients keep
// receiving every event with a latency well under the hub's write timeout.
// Default: 200 clients; CMU_LOADTEST=1: 2,000 clients. The benchmark always
// uses 2,000 clients, one published event per iteration (ns/op is the time
// until every client has the event), and reports p50/p99 latency:
//
//	go test -run '^$' -bench WebSocketFanout -benchtime 200x ./server/loadtest
//
// Each client costs two file descriptors (both ends live in the test
// process); the test raises the soft RLIMIT_NOFILE to what it needs and
// skips, saying so, when the hard limit is too low.
//
// # GET /api/clients (TestListClientsLoad)
//
// app.BuildWith in development mode seeds the fake Odoo (odootest) with
// demo clients (cmu.SeedOptions.Clients) and the test drives pages of 50
// with C concurrent goroutines for a fixed duration, reporting requests/s,
// p50/p99 latency and Odoo calls per request (the fake's call counter). It
// asserts the number of Odoo calls per request is the same for page 1 and
// the last page, and for page sizes 1 and 50. Default: 10,000 clients, 4
// goroutines for 3 s; CMU_LOADTEST=1: 10,000 clients, 1, 4 and 16
// goroutines for 15 s each.
//
// # Soak with Odoo faults (TestSoakOdooFaults)
//
// For a duration (default 10 s; CMU_LOADTEST=1: 60 s; CMU_SOAK_DURATION
// overrides, e.g. "2m") the fake Odoo cycles through healthy, HTTP 503 and
// latency-spike phases (odootest fault injection) while signed GNV
// consumption webhooks and PWA calls continue. Afterwards the faults are
// cleared and the test asserts: every webhook the server acknowledged with
// 200 was processed (each of its contributions exists in Odoo exactly once)
// and none was dead-lettered; the Go heap in use stayed under a stated
// bound; PWA calls succeed again once Odoo is back; no PWA call got a status
// other than 200, 502, 503 or 504.
package loadtest
