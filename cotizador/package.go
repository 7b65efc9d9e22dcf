package cotizador

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/amortization"
)

// Market is one of CMu's markets. Its string value is the wire and Odoo
// (x_cmu_market) value.
type Market string

// CMu's markets.
const (
	// MarketEdomex is Estado de México.
	MarketEdomex Market = "edomex"
	// MarketAguascalientes is Aguascalientes.
	MarketAguascalientes Market = "aguascalientes"
)

// Valid reports whether m is a known market.
func (m Market) Valid() bool { return m == MarketEdomex || m == MarketAguascalientes }

// DisplayName is the market's name for people ("Estado de México").
func (m Market) DisplayName() string {
	switch m {
	case MarketEdomex:
		return "Estado de México"
	case MarketAguascalientes:
		return "Aguascalientes"
	}
	return string(m)
}

// ParseMarket returns the Market named s, or ErrUnknownMarket.
func ParseMarket(s string) (Market, error) {
	m := Market(s)
	if !m.Valid() {
		return "", fmt.Errorf("cotizador: market %q: %w", s, ErrUnknownMarket)
	}
	return m, nil
}

// ErrUnknownMarket is returned for a market other than edomex and
// aguascalientes.
var ErrUnknownMarket = errors.New("unknown market")

// ErrNoPackage is returned by a PackageSource that has no package for a
// market.
var ErrNoPackage = errors.New("cotizador: no product package for market")

// Component is one product of a package (vehicle, GNV kit, insurance,
// GPS…).
type Component struct {
	// Code identifies the component within its package ("vehiculo"); a
	// quote request names optional components by Code.
	Code string
	// Name is the description shown to the client.
	Name string
	// ProductRef is the Odoo product reference (default_code).
	ProductRef string
	// Price is the client's price in MXN, taxes included, whole cents.
	Price decimal.Decimal
	// Required components are always part of a quote; optional ones only
	// when the client chooses them.
	Required bool
}

// Package is a product package of one market (Odoo's
// x_cmu_product_package): what can be bought on instalments and on what
// terms. The rules a quote must follow are its data: Terms,
// MinDownPayment and which Components are optional.
type Package struct {
	// ID is the Odoo record id (0 for packages not stored in Odoo).
	ID int64
	// Name is the package's name ("Taxi colectivo GNV Edomex").
	Name string
	// Market the package is sold in.
	Market Market
	// Components, in display order.
	Components []Component
	// AnnualRate is the annual nominal rate as a fraction (0.36).
	AnnualRate decimal.Decimal
	// Terms are the allowed numbers of payments, ascending.
	Terms []int
	// Frequency of the payments.
	Frequency amortization.Frequency
	// Method is the amortization method; empty means French.
	Method amortization.Method
	// MinDownPayment is the minimum down payment (enganche) as a fraction
	// of the chosen components' total (0.20).
	MinDownPayment decimal.Decimal
	// IVARate is the IVA on interest as a fraction (0.16).
	IVARate decimal.Decimal
	// Commission is the opening commission as a fraction of the financed
	// amount (0.02).
	Commission decimal.Decimal
}

// Component returns the component with the given code.
func (p *Package) Component(code string) (Component, bool) {
	for _, c := range p.Components {
		if c.Code == code {
			return c, true
		}
	}
	return Component{}, false
}

// method returns the package's method, French by default.
func (p *Package) method() amortization.Method {
	if p.Method == "" {
		return amortization.French
	}
	return p.Method
}

// Validate checks that the package itself is usable: known market and
// frequency, at least one required component, unique codes, positive
// prices in cents, rates in range and at least one term.
func (p *Package) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !p.Market.Valid() {
		bad("market %q unknown", p.Market)
	}
	if !p.Frequency.Valid() {
		bad("frequency %q unknown", p.Frequency)
	}
	if !p.method().Valid() {
		bad("method %q unknown", p.Method)
	}
	seen := map[string]bool{}
	required := 0
	for _, c := range p.Components {
		if c.Code == "" || seen[c.Code] {
			bad("component code %q empty or repeated", c.Code)
		}
		seen[c.Code] = true
		if !c.Price.IsPositive() || !c.Price.Equal(c.Price.Round(2)) {
			bad("component %q price %s must be positive, in cents", c.Code, c.Price)
		}
		if c.Required {
			required++
		}
	}
	if required == 0 {
		bad("no required component")
	}
	if len(p.Terms) == 0 {
		bad("no allowed terms")
	}
	for _, t := range p.Terms {
		if t < 1 || t > amortization.MaxPeriods {
			bad("term %d out of range", t)
		}
	}
	one := decimal.NewFromInt(1)
	for name, r := range map[string]decimal.Decimal{"annual rate": p.AnnualRate, "minimum down payment": p.MinDownPayment, "IVA": p.IVARate, "commission": p.Commission} {
		if r.IsNegative() || (name != "annual rate" && r.GreaterThanOrEqual(one)) {
			bad("%s %s out of range", name, r)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("cotizador: invalid package %q (%s): %w", p.Name, p.Market, errors.Join(errs...))
	}
	return nil
}

// clone returns a deep copy, so callers can keep packages immutable.
func (p Package) clone() Package {
	p.Components = slices.Clone(p.Components)
	p.Terms = slices.Clone(p.Terms)
	return p
}

// PackageSource returns the current product package of a market. The
// Odoo-backed implementation lives in odoo/cmu; DemoSource serves
// DemoPackages. Implementations return an error wrapping ErrNoPackage when
// the market has none, and must be safe for concurrent use.
type PackageSource interface {
	Package(ctx context.Context, market Market) (Package, error)
}

// DemoSource is a PackageSource over a fixed set of packages, one per
// market (for development mode, tests and examples). The zero value serves
// DemoPackages.
type DemoSource struct {
	// Packages overrides DemoPackages when non-nil.
	Packages []Package
}

// Package implements PackageSource.
func (s DemoSource) Package(ctx context.Context, market Market) (Package, error) {
	if err := ctx.Err(); err != nil {
		return Package{}, err
	}
	pkgs := s.Packages
	if pkgs == nil {
		pkgs = DemoPackages()
	}
	for _, p := range pkgs {
		if p.Market == market {
			return p.clone(), nil
		}
	}
	return Package{}, fmt.Errorf("%w %q", ErrNoPackage, market)
}

var _ PackageSource = DemoSource{}

// DemoPackages returns realistic packages for both markets, freshly
// allocated on each call: they feed examples, tests and the demo seeder.
//
// Edomex: a GNV collective taxi (sedan 199,900.00 + GNV kit 32,500.00 + GPS
// 5,600.00 required, insurance 12,000.00 optional: 250,000.00 in all), 36 %
// a year, weekly, 104/156/208 weeks, 20 % minimum down payment, 2 %
// commission. Aguascalientes: a 15-passenger van with GNV kit and GPS,
// optional insurance and extended warranty, 30 % a year, quincenal,
// 48/72/96 fortnights, 15 % minimum down payment, 2.5 % commission.
func DemoPackages() []Package {
	d := decimal.RequireFromString
	return []Package{
		{
			Name:   "Taxi colectivo a GNV Edomex",
			Market: MarketEdomex,
			Components: []Component{
				{Code: "vehiculo", Name: "Nissan Versa Sense 2026, versión taxi", ProductRef: "CMU-VEH-VERSA-26", Price: d("199900.00"), Required: true},
				{Code: "kit_gnv", Name: "Kit de conversión a GNV de 5a generación con instalación", ProductRef: "CMU-GNV-KIT5", Price: d("32500.00"), Required: true},
				{Code: "gps", Name: "GPS con botón de pánico e instalación (requisito Semov)", ProductRef: "CMU-GPS-01", Price: d("5600.00"), Required: true},
				{Code: "seguro", Name: "Seguro de transporte público, 1 año", ProductRef: "CMU-SEG-TP-12", Price: d("12000.00")},
			},
			AnnualRate:     d("0.36"),
			Terms:          []int{104, 156, 208},
			Frequency:      amortization.Weekly,
			Method:         amortization.French,
			MinDownPayment: d("0.20"),
			IVARate:        d("0.16"),
			Commission:     d("0.02"),
		},
		{
			Name:   "Urvan pasajeros a GNV Aguascalientes",
			Market: MarketAguascalientes,
			Components: []Component{
				{Code: "vehiculo", Name: "Nissan Urvan 15 pasajeros 2026", ProductRef: "CMU-VEH-URVAN-26", Price: d("749900.00"), Required: true},
				{Code: "kit_gnv", Name: "Kit de conversión a GNV para Urvan con instalación", ProductRef: "CMU-GNV-KIT5-URV", Price: d("48500.00"), Required: true},
				{Code: "gps", Name: "GPS con instalación", ProductRef: "CMU-GPS-01", Price: d("6900.00")},
				{Code: "seguro", Name: "Seguro de transporte público, 1 año", ProductRef: "CMU-SEG-TP-12U", Price: d("38700.00")},
				{Code: "garantia", Name: "Garantía extendida 3 años", ProductRef: "CMU-GAR-3A", Price: d("14900.00")},
			},
			AnnualRate:     d("0.30"),
			Terms:          []int{48, 72, 96},
			Frequency:      amortization.Quincenal,
			Method:         amortization.French,
			MinDownPayment: d("0.15"),
			IVARate:        d("0.16"),
			Commission:     d("0.025"),
		},
	}
}
