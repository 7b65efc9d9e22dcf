package cmu

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Sentinels for errors.Is.
var (
	// ErrNotFound: the client, group, lead, package or plan does not exist.
	ErrNotFound = errors.New("cmu: not found")
	// ErrNotProvisioned: CMu's schema (fields, models, plans, stages,
	// journals) is missing from Odoo; run Service.Ensure.
	ErrNotProvisioned = errors.New("cmu: schema not provisioned in Odoo (run Ensure)")
	// ErrSchemaConflict is matched by every *SchemaConflictError.
	ErrSchemaConflict = errors.New("cmu: schema conflict")
	// ErrDuplicate is matched by every *DuplicateError.
	ErrDuplicate = errors.New("cmu: duplicate")
	// ErrTransitionRefused is matched by every *RuleError.
	ErrTransitionRefused = errors.New("cmu: transition refused")
	// ErrInvalid is matched by every *InvalidError.
	ErrInvalid = errors.New("cmu: invalid argument")
)

// SchemaConflictError reports a field that exists in Odoo with another type
// (or relation) than CMu needs. Ensure does not touch it: fix it by hand.
type SchemaConflictError struct {
	Model string // e.g. "res.partner"
	Field string // e.g. "x_cmu_market"
	Want  string // e.g. "selection"
	Got   string // e.g. "char"
}

// Error names the model, field, wanted and existing types.
func (e *SchemaConflictError) Error() string {
	return fmt.Sprintf("cmu: schema conflict: field %s.%s exists as %s, CMu needs %s", e.Model, e.Field, e.Got, e.Want)
}

// Is matches ErrSchemaConflict.
func (e *SchemaConflictError) Is(target error) bool { return target == ErrSchemaConflict }

// DuplicateError reports a record that already exists under the external
// key given (a contribution's transaction id). ExistingID is the record
// already in Odoo, so a caller retrying after a failure can treat it as done.
type DuplicateError struct {
	Model      string // "account.analytic.line"
	Key        string // the external key, e.g. the GNV or Conekta transaction id
	ExistingID int64
}

// Error names the key and the existing record.
func (e *DuplicateError) Error() string {
	return fmt.Sprintf("cmu: duplicate: %s with external id %q already recorded (id %d)", e.Model, e.Key, e.ExistingID)
}

// Is matches ErrDuplicate.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// Rule names a collective-group transition rule.
type Rule string

// Transition rules of a collective credit group (ahorro → pago).
const (
	// RuleHasMembers: the group has at least one member.
	RuleHasMembers Rule = "group_has_members"
	// RuleMembersActive: every member is active.
	RuleMembersActive Rule = "all_members_active"
	// RuleSavingsTarget: the group's savings reach its target.
	RuleSavingsTarget Rule = "savings_reach_target"
	// RulePhase: the group is in the saving phase.
	RulePhase Rule = "phase_is_saving"
)

// RuleError is a refused transition: which group and which rule failed.
type RuleError struct {
	GroupID   int64
	GroupName string
	Rule      Rule
	// Inactive lists the members that are not active (RuleMembersActive).
	Inactive []string
	// Balance and Target are the group's savings and target (RuleSavingsTarget).
	Balance, Target decimal.Decimal
}

// Error says which rule failed, in terms an advisor understands.
func (e *RuleError) Error() string {
	g := fmt.Sprintf("group %d %q", e.GroupID, e.GroupName)
	switch e.Rule {
	case RuleMembersActive:
		return fmt.Sprintf("cmu: transition refused for %s: rule %s: members not active: %s", g, e.Rule, strings.Join(e.Inactive, ", "))
	case RuleSavingsTarget:
		return fmt.Sprintf("cmu: transition refused for %s: rule %s: savings %s below target %s", g, e.Rule, e.Balance.StringFixed(2), e.Target.StringFixed(2))
	case RuleHasMembers:
		return fmt.Sprintf("cmu: transition refused for %s: rule %s: the group has no members", g, e.Rule)
	}
	return fmt.Sprintf("cmu: transition refused for %s: rule %s", g, e.Rule)
}

// Is matches ErrTransitionRefused.
func (e *RuleError) Is(target error) bool { return target == ErrTransitionRefused }

// InvalidError is an argument refused before any call to Odoo.
type InvalidError struct {
	Field  string
	Reason string
}

// Error names the field and the reason.
func (e *InvalidError) Error() string { return fmt.Sprintf("cmu: invalid %s: %s", e.Field, e.Reason) }

// Is matches ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
