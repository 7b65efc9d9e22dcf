package cotizador_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/cotizador"
)

// ExampleCotizador_Quote quotes the Edomex demo package with insurance.
func ExampleCotizador_Quote() {
	c := &cotizador.Cotizador{
		Packages: cotizador.DemoSource{},
		Now:      func() time.Time { return time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC) },
	}
	q, err := c.Quote(context.Background(), cotizador.Request{
		Market:      cotizador.MarketEdomex,
		Client:      cotizador.Client{Name: "Juana Pérez", LeadID: 42},
		Components:  []string{"seguro"},
		DownPayment: decimal.RequireFromString("50000"),
		Term:        156,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("total:", cotizador.FormatMXN(q.Subtotal))
	fmt.Println("financiado:", cotizador.FormatMXN(q.Financed))
	fmt.Println("pago semanal:", cotizador.FormatMXN(q.Schedule.Payment))
	fmt.Println("CAT:", q.Schedule.CATString())
	fmt.Println("último pago:", q.Schedule.Rows[155].DueDate.Format("2006-01-02"))
	// Output:
	// total: 250,000.00
	// financiado: 200,000.00
	// pago semanal: 2,322.18
	// CAT: 45.5
	// último pago: 2029-01-01
}

// ExampleValidationError shows the Spanish messages of broken rules.
func ExampleValidationError() {
	c := &cotizador.Cotizador{Packages: cotizador.DemoSource{}}
	_, err := c.Quote(context.Background(), cotizador.Request{
		Market:      cotizador.MarketEdomex,
		Components:  []string{"seguro"},
		DownPayment: decimal.RequireFromString("30000"),
		Term:        100,
		Start:       time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
	})
	var ve *cotizador.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Errors {
			fmt.Printf("%s [%s]: %s\n", f.Field, f.Rule, f.Message)
		}
	}
	// Output:
	// term [plazo_permitido]: El plazo de 100 pagos no está permitido para edomex; plazos permitidos: 104, 156 y 208 pagos semanales
	// down_payment [enganche_minimo]: El enganche mínimo para edomex es 20% (50,000.00 MXN)
}

// ExampleVerifyQuote shows the save-time check refusing a quote whose
// table was edited after it left the server.
func ExampleVerifyQuote() {
	ctx := context.Background()
	src := cotizador.DemoSource{}
	q, err := cotizador.NewQuote(cotizador.DemoPackages()[0], cotizador.Request{
		Market:      cotizador.MarketEdomex,
		DownPayment: decimal.RequireFromString("47600"),
		Term:        104,
		Start:       time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
	}, time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("as computed:", cotizador.VerifyQuote(ctx, src, q))

	q.Schedule.Rows[10].Interest = q.Schedule.Rows[10].Interest.Sub(decimal.RequireFromString("0.01"))
	err = cotizador.VerifyQuote(ctx, src, q)
	var me *cotizador.MismatchError
	if errors.As(err, &me) {
		fmt.Println("edited:", me.Field)
	}
	// Output:
	// as computed: <nil>
	// edited: schedule.rows[10].interest
}
