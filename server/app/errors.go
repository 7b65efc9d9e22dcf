package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cmu-mx/cmu/cotizador"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/internal/odooapp"
)

// retryable is satisfied by every provider error type (*conekta.APIError,
// *gnv.APIError, the transport errors of providers/internal/apiclient…).
type retryable interface {
	error
	Retryable() bool
}

// mapError turns a library error into the *server.Error that chooses the HTTP
// answer. what names the operation in Spanish for messages ("el cliente 42").
// Odoo's errors (and *server.Error, passed through) are odooapp.Known's;
// then cmu's and cotizador's rule errors, then provider errors; anything
// else is returned as is.
func mapError(err error, what string) error {
	if m := odooapp.Known(err, what); m != nil || err == nil {
		return m
	}
	switch {
	case errors.Is(err, cmu.ErrTransitionRefused):
		if re, ok := errors.AsType[*cmu.RuleError](err); ok {
			return server.WrapError(server.KindUnprocessable, ruleMessage(re), err)
		}
	case errors.Is(err, cmu.ErrInvalid):
		if ie, ok := errors.AsType[*cmu.InvalidError](err); ok {
			return server.WrapError(server.KindUnprocessable, fmt.Sprintf("Dato inválido (%s): %s", ie.Field, ie.Reason), err)
		}
	case errors.Is(err, cotizador.ErrInvalidQuote):
		if ve, ok := errors.AsType[*cotizador.ValidationError](err); ok {
			msgs := make([]string, 0, len(ve.Errors))
			for _, fe := range ve.Errors {
				msgs = append(msgs, fe.Message)
			}
			return server.WrapError(server.KindUnprocessable, strings.Join(msgs, "; "), err)
		}
	case errors.Is(err, cotizador.ErrQuoteMismatch):
		if me, ok := errors.AsType[*cotizador.MismatchError](err); ok {
			return server.WrapError(server.KindUnprocessable, me.Error(), err)
		}
	case errors.Is(err, cotizador.ErrNoPackage):
		return server.WrapError(server.KindNotFound, "No hay paquete de productos activo para "+what, err)
	}
	if r, ok := errors.AsType[retryable](err); ok {
		if r.Retryable() {
			return server.WrapError(server.KindUnavailable, "Proveedor no disponible: "+what, err)
		}
		return server.WrapError(server.KindBadGateway, "El proveedor rechazó la operación: "+what, err)
	}
	return err
}

// ruleMessage explains a refused group transition in Spanish.
func ruleMessage(e *cmu.RuleError) string {
	g := fmt.Sprintf("El grupo %q no puede pasar a pago colectivo", e.GroupName)
	switch e.Rule {
	case cmu.RuleHasMembers:
		return g + ": no tiene integrantes"
	case cmu.RuleMembersActive:
		return g + ": hay integrantes que no están activos (" + strings.Join(e.Inactive, ", ") + ")"
	case cmu.RuleSavingsTarget:
		return fmt.Sprintf("%s: el ahorro (%s MXN) no alcanza la meta (%s MXN)", g,
			cotizador.FormatMXN(e.Balance), cotizador.FormatMXN(e.Target))
	case cmu.RulePhase:
		return g + ": no está en fase de ahorro"
	}
	return g + ": regla " + string(e.Rule)
}

// invalid is a 400 with a Spanish message.
func invalid(format string, args ...any) error {
	return server.NewError(server.KindInvalid, fmt.Sprintf(format, args...))
}

// unprocessable is a 422 with a Spanish message.
func unprocessable(format string, args ...any) error {
	return server.NewError(server.KindUnprocessable, fmt.Sprintf(format, args...))
}
