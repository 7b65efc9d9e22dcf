package opportunity

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/internal/odooapp"
)

// meetingName is the calendar.event name, the natural key of the meeting of
// a reservation on a lead.
func meetingName(reservationID string) string { return "Cita CMu · reserva " + reservationID }

// meetingTimes converts the appointment's local date and "HH:MM" range to
// UTC start and stop.
func (s *Service) meetingTimes(a *server.Appointment) (start, stop time.Time, err error) {
	parse := func(hm string) (time.Time, error) {
		return time.ParseInLocation("2006-01-02 15:04", a.Date+" "+hm, s.loc)
	}
	if start, err = parse(a.Start); err != nil {
		return start, stop, server.NewError(server.KindInvalid, "El campo cAppointment no tiene una hora válida")
	}
	if stop, err = parse(a.End); err != nil {
		return start, stop, server.NewError(server.KindInvalid, "El campo cAppointment no tiene una hora válida")
	}
	return start.UTC(), stop.UTC(), nil
}

// scheduleMeeting creates the lead's meeting for the reservation, or moves
// the existing one, and records the appointment in the lead's chatter (once
// per reservation and time). It returns the meeting id and the new note's
// log entry (nil when the note already existed).
func (s *Service) scheduleMeeting(ctx context.Context, lead *leadRow, a *server.Appointment, author string) (int64, *server.EventLogEntry, error) {
	start, stop, err := s.meetingTimes(a)
	if err != nil {
		return 0, nil, err
	}
	name := meetingName(a.ReservationID)
	var desc []string
	for _, kv := range [][2]string{{"Reserva", a.ReservationID}, {"Médico", a.Doctor}, {"Especialidad", a.Specialty},
		{"Consultorio", a.Environment}, {"Tarifa", a.Tariff}} {
		if kv[1] != "" {
			desc = append(desc, kv[0]+": "+kv[1])
		}
	}
	vals := map[string]any{
		"name": name, "start": odoo.NewDateTime(start), "stop": odoo.NewDateTime(stop),
		"res_model": odoo.ModelLead, "res_id": lead.ID, "opportunity_id": lead.ID,
		"description": html.EscapeString(strings.Join(desc, "\n")),
	}
	if a.Environment != "" {
		vals["location"] = a.Environment
	}
	if lead.PartnerID.Valid() {
		vals["partner_ids"] = []odoo.Command{odoo.SetCommand(lead.PartnerID.ID)}
	}
	var found []odoo.CalendarEvent
	if err := s.c.SearchRead(ctx, odoo.ModelCalendarEvent, odoo.And(odoo.Eq("res_model", odoo.ModelLead), odoo.Eq("res_id", lead.ID),
		odoo.Eq("name", name)), &odoo.SearchOptions{Fields: []string{"id", "start", "stop"}, Order: "id", Limit: 1}, &found); err != nil {
		return 0, nil, odooErr(err, "la cita de la oportunidad")
	}
	var id int64
	if len(found) > 0 {
		id = found[0].ID
		if !found[0].Start.Time.Equal(start) || !found[0].Stop.Time.Equal(stop) {
			if err := s.c.Write(ctx, odoo.ModelCalendarEvent, []int64{id}, vals, nil); err != nil {
				return 0, nil, odooErr(err, "la cita de la oportunidad")
			}
		}
	} else {
		if id, err = s.c.Create(ctx, odoo.ModelCalendarEvent, vals, nil); err != nil {
			return 0, nil, odooErr(err, "la cita de la oportunidad")
		}
	}
	local := fmt.Sprintf("%s %s - %s", a.Date, a.Start, a.End)
	msg := fmt.Sprintf("Cita agendada el %s (%s), reserva %s", local, s.loc.String(), a.ReservationID)
	for _, kv := range [][2]string{{"médico", a.Doctor}, {"especialidad", a.Specialty}, {"consultorio", a.Environment}, {"tarifa", a.Tariff}} {
		if kv[1] != "" {
			msg += ", " + kv[0] + " " + kv[1]
		}
	}
	entry, err := s.note(ctx, lead, "cita_agendada", author, msg+".", "reserva "+a.ReservationID+" "+local)
	if err != nil {
		return 0, nil, err
	}
	return id, entry, nil
}

// closingNote records a closing in the lead's chatter once per key.
func (s *Service) closingNote(ctx context.Context, lead *leadRow, author, msg, typ, key string) (*server.EventLogEntry, error) {
	return s.note(ctx, lead, typ, author, msg, key)
}

// note posts an internal note on the lead in cmu's history format (subject
// "cmu:<type>", so that cmu.Service.History lists it) unless a note of that
// type holding key already exists. It returns the log entry of a new note, nil
// for an existing one.
func (s *Service) note(ctx context.Context, lead *leadRow, typ, author, msg, key string) (*server.EventLogEntry, error) {
	n := odooapp.Note{Type: typ, Author: author, Message: msg, Key: key}
	id, posted, err := odooapp.PostNoteOnce(ctx, s.c, odoo.ModelLead, lead.ID, n)
	if err != nil {
		return nil, odooErr(err, "el historial de la oportunidad")
	}
	if !posted {
		return nil, nil
	}
	return &server.EventLogEntry{ID: id, ClientID: lead.PartnerID.ID, LeadID: lead.ID, Type: typ, Message: n.Text(),
		Author: author, CreatedAt: s.now().UTC()}, nil
}
