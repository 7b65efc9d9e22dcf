package odooapp

import (
	"context"
	"errors"
	"html"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/server"
)

// Known maps the errors every service meets talking to Odoo to a
// *server.Error; what names the object in Spanish for the message ("la
// oportunidad 42"). A *server.Error passes through. It returns nil for nil
// and for errors it does not know, so that a caller can try its own.
func Known(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*server.Error](err); ok {
		return err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return server.WrapError(server.KindTimeout, "Tiempo de espera agotado: "+what, err)
	case errors.Is(err, context.Canceled):
		return server.WrapError(server.KindUnavailable, "Solicitud cancelada: "+what, err)
	case errors.Is(err, cmu.ErrNotFound), errors.Is(err, odoo.ErrNotFound):
		return server.WrapError(server.KindNotFound, "No encontrado: "+what, err)
	case errors.Is(err, cmu.ErrNotProvisioned):
		return server.WrapError(server.KindUnavailable, "Odoo no tiene el esquema de CMu (ejecute Ensure)", err)
	}
	if oe, ok := errors.AsType[*odoo.Error](err); ok {
		switch oe.Kind {
		case odoo.KindTransport, odoo.KindProtocol, odoo.KindAccessDenied:
			return server.WrapError(server.KindUnavailable, "Odoo no disponible", err)
		case odoo.KindMissingError:
			return server.WrapError(server.KindNotFound, "No encontrado: "+what, err)
		case odoo.KindValidationError, odoo.KindUserError:
			return server.WrapError(server.KindUnprocessable, "Odoo rechazó la operación: "+oe.Message, err)
		}
		return server.WrapError(server.KindBadGateway, "Odoo respondió con un error", err)
	}
	return nil
}

// Error is [Known] for an error that came from Odoo: an error Known does
// not recognise is 503 "Odoo no disponible: <what>". Error(nil) is nil.
func Error(err error, what string) error {
	if err == nil {
		return nil
	}
	if m := Known(err, what); m != nil {
		return m
	}
	return server.WrapError(server.KindUnavailable, "Odoo no disponible: "+what, err)
}

// LatestLead returns the id of the client's most recent opportunity
// (crm.lead, highest id), 0 when it has none, in one call. Errors are the
// connector's.
func LatestLead(ctx context.Context, c *odoo.Client, clientID int64) (int64, error) {
	ids, err := c.Search(ctx, odoo.ModelLead, odoo.Eq("partner_id", clientID), &odoo.SearchOptions{Order: "id desc", Limit: 1})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// Note is a chatter note in cmu's history format: subject "cmu:<Type>",
// body `<p data-cmu-event="Type"><b>Author:</b> Text()</p>`, so that
// cmu.Service.History lists it with its author.
type Note struct {
	Type    string // event type, e.g. "cita_agendada"
	Author  string // shown in bold before the text
	Message string // plain text
	Key     string // idempotency key, kept in the text as "[Key]"
}

// Text is the note's plain text: the message and its key marker.
func (n Note) Text() string { return n.Message + " " + n.marker() }

func (n Note) marker() string { return "[" + n.Key + "]" }

func (n Note) body() string {
	return `<p data-cmu-event="` + html.EscapeString(n.Type) + `"><b>` + html.EscapeString(n.Author) + `:</b> ` +
		html.EscapeString(n.Text()) + `</p>`
}

// PostNoteOnce posts n as an internal note on record id of model (a
// mail.thread: res.partner, crm.lead…) unless a note of that type holding
// its key is already there (one search_count, then message_post through
// cmu.PostNote, flagged as HTML). It returns the new message id and true,
// or 0 and false when the note existed. Errors are the connector's.
func PostNoteOnce(ctx context.Context, c *odoo.Client, model string, id int64, n Note) (int64, bool, error) {
	count, err := c.SearchCount(ctx, odoo.ModelMessage, odoo.And(odoo.Eq("model", model), odoo.Eq("res_id", id),
		odoo.Eq("subject", "cmu:"+n.Type), odoo.Cond("body", odoo.OpILike, html.EscapeString(n.marker()))), nil)
	if err != nil {
		return 0, false, err
	}
	if count > 0 {
		return 0, false, nil
	}
	ids, err := cmu.PostNote(ctx, c, model, id, "cmu:"+n.Type, n.body())
	if err != nil {
		return 0, false, err
	}
	var msgID int64
	if len(ids) > 0 {
		msgID = ids[0]
	}
	return msgID, true, nil
}
