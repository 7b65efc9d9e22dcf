package odoo

// CommandOp is the code of an x2many write command.
type CommandOp int

// x2many command codes (Odoo's Command.CREATE … Command.SET).
const (
	CmdCreate CommandOp = 0 // create a record from Values and link it
	CmdUpdate CommandOp = 1 // write Values on linked record ID
	CmdDelete CommandOp = 2 // unlink and delete record ID
	CmdUnlink CommandOp = 3 // remove the link to ID (record kept)
	CmdLink   CommandOp = 4 // add a link to ID
	CmdClear  CommandOp = 5 // remove every link
	CmdSet    CommandOp = 6 // replace the links by IDs
)

// Command is one x2many write command; a one2many/many2many field's value in
// create or write is a []Command. Build them with the constructors below.
type Command struct {
	Op     CommandOp
	ID     int64
	Values any     // for create and update: a map or tagged struct
	IDs    []int64 // for set
}

// MarshalOdoo encodes the command as Odoo's (op, id, values) triple.
func (c Command) MarshalOdoo() (any, error) {
	switch c.Op {
	case CmdCreate:
		return []any{int64(CmdCreate), int64(0), c.Values}, nil
	case CmdUpdate:
		return []any{int64(CmdUpdate), c.ID, c.Values}, nil
	case CmdSet:
		ids := c.IDs
		if ids == nil {
			ids = []int64{}
		}
		return []any{int64(CmdSet), int64(0), ids}, nil
	case CmdClear:
		return []any{int64(CmdClear), int64(0), int64(0)}, nil
	}
	return []any{int64(c.Op), c.ID, int64(0)}, nil
}

// CreateCommand creates a related record from vals: (0, 0, vals).
func CreateCommand(vals any) Command { return Command{Op: CmdCreate, Values: vals} }

// UpdateCommand writes vals on related record id: (1, id, vals).
func UpdateCommand(id int64, vals any) Command { return Command{Op: CmdUpdate, ID: id, Values: vals} }

// DeleteCommand deletes related record id: (2, id, 0).
func DeleteCommand(id int64) Command { return Command{Op: CmdDelete, ID: id} }

// UnlinkCommand removes the link to id without deleting it: (3, id, 0).
func UnlinkCommand(id int64) Command { return Command{Op: CmdUnlink, ID: id} }

// LinkCommand links existing record id: (4, id, 0).
func LinkCommand(id int64) Command { return Command{Op: CmdLink, ID: id} }

// ClearCommand removes every link: (5, 0, 0).
func ClearCommand() Command { return Command{Op: CmdClear} }

// SetCommand replaces the links by ids: (6, 0, ids).
func SetCommand(ids ...int64) Command { return Command{Op: CmdSet, IDs: ids} }
