// Package servertest holds the test fixtures the server's packages share:
// a recording WebSocket broker, a PostgreSQL DSN on a throw-away schema and
// a fake Odoo with CMu's schema installed. It does not import package
// server, so that server's own (internal) tests can use it.
package servertest
