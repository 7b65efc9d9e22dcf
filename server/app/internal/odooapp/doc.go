// Package odooapp holds what the server's application services (server/app
// and its subpackages contracts, credit and opportunity) do alike with
// Odoo: mapping connector and cmu errors to the *server.Error that chooses
// the HTTP answer ([Error], [Known]), finding a client's latest opportunity
// ([LatestLead]) and posting a chatter note once per key ([PostNoteOnce]).
package odooapp
