package cmu

import (
	"context"
	"fmt"

	"github.com/cmu-mx/cmu/odoo"
)

// File is a file to attach to an Odoo record (ir.attachment).
type File struct {
	Name     string // unique per record: an attachment of this name already on the record is reused
	Mimetype string // e.g. "application/json", "application/pdf"
	Data     []byte
}

// attach returns the id of the attachment named f.Name on model/id,
// creating it when absent (two calls at most).
func (s *Service) attach(ctx context.Context, model string, id int64, f File) (int64, error) {
	if f.Name == "" {
		return 0, invalid("file", "%v", errNoFileName)
	}
	ids, err := s.c.Search(ctx, odoo.ModelAttachment, odoo.And(odoo.Eq("res_model", model), odoo.Eq("res_id", id), odoo.Eq("name", f.Name)),
		&odoo.SearchOptions{Limit: 1})
	if err != nil {
		return 0, fmt.Errorf("look up attachment %q: %w", f.Name, err)
	}
	if len(ids) > 0 {
		return ids[0], nil
	}
	v := map[string]any{"name": f.Name, "type": "binary", "datas": f.Data, "res_model": model, "res_id": id}
	if f.Mimetype != "" {
		v["mimetype"] = f.Mimetype
	}
	aid, err := s.c.Create(ctx, odoo.ModelAttachment, v, nil)
	if err != nil {
		return 0, fmt.Errorf("attach %q: %w", f.Name, err)
	}
	return aid, nil
}

// AttachFiles attaches files to the record model/id (e.g. a saved quote's
// JSON and PDF on its crm.lead, invoice PDFs on a won lead) and returns the
// attachment ids in order. A file whose name is already attached to the
// record is not attached twice (its existing id is returned), so a retry
// after a failure completes the set.
func (s *Service) AttachFiles(ctx context.Context, model string, id int64, files ...File) ([]int64, error) {
	out := make([]int64, 0, len(files))
	for _, f := range files {
		aid, err := s.attach(ctx, model, id, f)
		if err != nil {
			return out, fmt.Errorf("cmu: attach to %s %d: %w", model, id, err)
		}
		out = append(out, aid)
	}
	return out, nil
}
