package cmu

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/odoo"
)

// Event is a client history event to record.
type Event struct {
	ClientID int64
	LeadID   int64  // optional: the note is posted on the lead too
	Type     string // short machine name, e.g. "pago_recibido", "kyc_revision_manual"
	Message  string // plain text
	Author   string // advisor or system name shown in the note
}

// HistoryEntry is one note of a client's history.
type HistoryEntry struct {
	ID        int64
	Model     string // res.partner or crm.lead
	ResID     int64
	Type      string
	Message   string // plain text
	Author    string
	CreatedAt time.Time // UTC
}

// PostEvent posts ev as an internal chatter note (mail.message, subtype
// note) on the client and, when LeadID is set, on the lead. Odoo 17 answers
// message_post with an id and 19 with a list: both work. It returns the
// message ids (partner's first).
func (s *Service) PostEvent(ctx context.Context, ev Event) ([]int64, error) {
	if ev.ClientID == 0 {
		return nil, invalid("client", "required")
	}
	if strings.TrimSpace(ev.Type) == "" || strings.TrimSpace(ev.Message) == "" {
		return nil, invalid("event", "type and message are required")
	}
	body := noteBody(ev)
	ids, err := s.note(ctx, odoo.ModelPartner, ev.ClientID, "cmu:"+ev.Type, body)
	if err != nil {
		return nil, fmt.Errorf("cmu: post %s event on client %d: %w", ev.Type, ev.ClientID, err)
	}
	if ev.LeadID != 0 {
		more, err := s.note(ctx, odoo.ModelLead, ev.LeadID, "cmu:"+ev.Type, body)
		if err != nil {
			return ids, fmt.Errorf("cmu: post %s event on lead %d of client %d: %w", ev.Type, ev.LeadID, ev.ClientID, err)
		}
		ids = append(ids, more...)
	}
	return ids, nil
}

func noteBody(ev Event) string {
	var b strings.Builder
	b.WriteString("<p>")
	if ev.Author != "" {
		b.WriteString("<b>")
		b.WriteString(html.EscapeString(ev.Author))
		b.WriteString(":</b> ")
	}
	b.WriteString(strings.ReplaceAll(html.EscapeString(ev.Message), "\n", "<br>"))
	b.WriteString("</p>")
	return b.String()
}

// note posts an internal note on a mail.thread record. The event type
// travels in the subject ("cmu:<type>"), the author and text in the body.
func (s *Service) note(ctx context.Context, model string, id int64, subject, body string) ([]int64, error) {
	return PostNote(ctx, s.c, model, id, subject, body)
}

// PostNote posts body (HTML) as an internal note (mail.message, subtype
// note) with the given subject on record id of a mail.thread model, the way
// PostEvent does, and returns the new message ids (Odoo 17 answers with an
// id, 19 with a list). It is for callers that format their own note body;
// errors are the connector's, unwrapped.
func PostNote(ctx context.Context, c *odoo.Client, model string, id int64, subject, body string) ([]int64, error) {
	var res any
	err := c.Call(ctx, model, "message_post", []any{[]int64{id}}, map[string]any{
		"body": body, "subject": subject, "message_type": "comment", "subtype_xmlid": "mail.mt_note",
		// Odoo 17+ escapes a str body (only a Markup, which RPC cannot
		// carry, stays HTML) unless told the body is HTML; it then
		// sanitizes it.
		"body_is_html": true,
	}, &res)
	if err != nil {
		return nil, err
	}
	return idsOf(res), nil
}

type messageRow struct {
	ID       int64         `odoo:"id"`
	Body     odoo.String   `odoo:"body"`
	Subject  odoo.String   `odoo:"subject"`
	Model    odoo.String   `odoo:"model"`
	ResID    int64         `odoo:"res_id"`
	AuthorID odoo.Many2One `odoo:"author_id"`
	Date     odoo.DateTime `odoo:"date"`
}

var (
	tagPattern    = regexp.MustCompile(`<[^>]*>`)
	authorPattern = regexp.MustCompile(`^\s*<p[^>]*>\s*<b>([^<]*):</b>`)
)

// History returns a client's CMu events, newest first: the notes posted by
// PostEvent on the partner and on its leads (two calls).
func (s *Service) History(ctx context.Context, clientID int64, limit int) ([]HistoryEntry, error) {
	leads, err := s.c.Search(ctx, odoo.ModelLead, odoo.Eq("partner_id", clientID), nil)
	if err != nil {
		return nil, fmt.Errorf("cmu: history of client %d: leads: %w", clientID, err)
	}
	dom := odoo.And(odoo.Cond("subject", odoo.OpEqLike, "cmu:%"), odoo.Or(
		odoo.And(odoo.Eq("model", odoo.ModelPartner), odoo.Eq("res_id", clientID)),
		odoo.And(odoo.Eq("model", odoo.ModelLead), odoo.In("res_id", nonNil(leads)))))
	var rows []messageRow
	if err := s.c.SearchRead(ctx, odoo.ModelMessage, dom, &odoo.SearchOptions{
		Fields: []string{"id", "body", "subject", "model", "res_id", "author_id", "date"}, Order: "id desc", Limit: limit}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: history of client %d: %w", clientID, err)
	}
	out := make([]HistoryEntry, len(rows))
	for i, m := range rows {
		e := HistoryEntry{ID: m.ID, Model: m.Model.Value, ResID: m.ResID, Type: strings.TrimPrefix(m.Subject.Value, "cmu:"), CreatedAt: m.Date.Time}
		e.Author, e.Message = parseNote(m.Body.Value)
		if e.Author == "" {
			e.Author = m.AuthorID.Name
		}
		out[i] = e
	}
	return out, nil
}

// parseNote reads back the author and plain-text message of a note body
// written by noteBody (or any HTML body: tags are dropped).
func parseNote(body string) (author, message string) {
	if am := authorPattern.FindStringSubmatch(body); am != nil {
		author = html.UnescapeString(am[1])
		body = authorPattern.ReplaceAllString(body, "")
	}
	body = strings.ReplaceAll(body, "<br>", "\n")
	return author, strings.TrimSpace(html.UnescapeString(tagPattern.ReplaceAllString(body, "")))
}
