package cmu

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/shopspring/decimal"
)

// ProductPackage is what a market sells on instalments and on what terms
// (x_cmu_product_package with its x_cmu_package_component lines). Rates
// are fractions (0.36 = 36 %); prices are MXN including taxes. Odoo stores
// the numbers as floats; they are read back from the wire text, so values
// with up to 15 significant digits come back exactly.
type ProductPackage struct {
	ID             int64
	Code           string // natural key, e.g. "edomex-taxi-gnv"
	Name           string
	Market         Market
	Components     []PackageComponent
	AnnualRate     decimal.Decimal
	Terms          []int // allowed numbers of payments, ascending
	Frequency      amortization.Frequency
	Method         amortization.Method
	MinDownPayment decimal.Decimal // fraction of the chosen components' total
	IVARate        decimal.Decimal // IVA on interest
	Commission     decimal.Decimal // opening commission, fraction of the financed amount
	Active         bool
}

// PackageComponent is one product of a package.
type PackageComponent struct {
	ID         int64
	Code       string // e.g. "vehiculo"
	Name       string
	ProductRef string // product.product default_code
	ProductID  int64
	Price      decimal.Decimal
	Required   bool
}

// Component returns the component with code.
func (p *ProductPackage) Component(code string) (PackageComponent, bool) {
	i := slices.IndexFunc(p.Components, func(c PackageComponent) bool { return c.Code == code })
	if i < 0 {
		return PackageComponent{}, false
	}
	return p.Components[i], true
}

// Total is the sum of every component's price.
func (p *ProductPackage) Total() decimal.Decimal {
	t := decimal.Zero
	for _, c := range p.Components {
		t = t.Add(c.Price)
	}
	return t
}

// Validate checks the package's data.
func (p *ProductPackage) Validate() error {
	switch {
	case strings.TrimSpace(p.Code) == "":
		return invalid("package code", "required")
	case strings.TrimSpace(p.Name) == "":
		return invalid("package name", "required")
	case !p.Market.Valid():
		return invalid("package market", "unknown market %q", p.Market)
	case len(p.Components) == 0:
		return invalid("package components", "at least one")
	case len(p.Terms) == 0:
		return invalid("package terms", "at least one")
	case !p.Frequency.Valid():
		return invalid("package frequency", "unknown frequency %q", p.Frequency)
	case p.AnnualRate.IsNegative() || p.MinDownPayment.IsNegative() || p.MinDownPayment.GreaterThan(decimal.NewFromInt(1)) ||
		p.IVARate.IsNegative() || p.Commission.IsNegative():
		return invalid("package rates", "must be fractions ≥ 0 (down payment ≤ 1)")
	}
	for _, t := range p.Terms {
		if t <= 0 {
			return invalid("package terms", "must be positive")
		}
	}
	for _, c := range p.Components {
		if c.Code == "" || c.Name == "" || c.ProductRef == "" || !c.Price.IsPositive() {
			return invalid("package component", "%q needs a code, name, product reference and a positive price", c.Code)
		}
	}
	return nil
}

type packageRow struct {
	ID             int64           `odoo:"id"`
	Name           odoo.String     `odoo:"x_name"`
	Code           odoo.String     `odoo:"x_code"`
	Market         odoo.Selection  `odoo:"x_market"`
	AnnualRate     decimal.Decimal `odoo:"x_annual_rate"`
	Terms          odoo.String     `odoo:"x_terms"`
	Frequency      odoo.Selection  `odoo:"x_frequency"`
	Method         odoo.Selection  `odoo:"x_method"`
	MinDownPayment decimal.Decimal `odoo:"x_min_down_payment"`
	IVARate        decimal.Decimal `odoo:"x_iva_rate"`
	Commission     decimal.Decimal `odoo:"x_commission"`
	Active         bool            `odoo:"x_active"`
}

var packageFields = []string{"id", "x_name", "x_code", "x_market", "x_annual_rate", "x_terms", "x_frequency", "x_method",
	"x_min_down_payment", "x_iva_rate", "x_commission", "x_active"}

type componentRow struct {
	ID         int64           `odoo:"id"`
	Name       odoo.String     `odoo:"x_name"`
	PackageID  odoo.Many2One   `odoo:"x_package_id"`
	Code       odoo.String     `odoo:"x_code"`
	ProductRef odoo.String     `odoo:"x_product_ref"`
	ProductID  odoo.Many2One   `odoo:"x_product_id"`
	Price      decimal.Decimal `odoo:"x_price"`
	Required   bool            `odoo:"x_required"`
	Sequence   int64           `odoo:"x_sequence"`
}

var componentFields = []string{"id", "x_name", "x_package_id", "x_code", "x_product_ref", "x_product_id", "x_price", "x_required", "x_sequence"}

func formatTerms(t []int) string {
	s := make([]string, len(t))
	for i, n := range t {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func parseTerms(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func (p *ProductPackage) vals() map[string]any {
	method := p.Method
	if method == "" {
		method = amortization.French
	}
	return map[string]any{"x_name": p.Name, "x_code": p.Code, "x_market": string(p.Market), "x_annual_rate": p.AnnualRate,
		"x_terms": formatTerms(p.Terms), "x_frequency": string(p.Frequency), "x_method": string(method),
		"x_min_down_payment": p.MinDownPayment, "x_iva_rate": p.IVARate, "x_commission": p.Commission, "x_active": true}
}

// SavePackage creates or updates a package by Code, with its components by
// component code (components no longer listed are deleted) and the
// products they sell (product.product by default_code, created when
// missing). It returns the package id. Re-runnable.
func (s *Service) SavePackage(ctx context.Context, p ProductPackage) (int64, error) {
	if err := p.Validate(); err != nil {
		return 0, err
	}
	products, err := s.ensureProducts(ctx, p.Components)
	if err != nil {
		return 0, fmt.Errorf("cmu: save package %s: %w", p.Code, err)
	}
	ids, err := s.c.Search(ctx, ModelPackage, odoo.Eq("x_code", p.Code), &odoo.SearchOptions{Limit: 1})
	if err != nil {
		return 0, fmt.Errorf("cmu: save package %s: look up: %w", p.Code, err)
	}
	var id int64
	if len(ids) > 0 {
		id = ids[0]
		if err := s.c.Write(ctx, ModelPackage, []int64{id}, p.vals(), nil); err != nil {
			return 0, fmt.Errorf("cmu: save package %s: %w", p.Code, err)
		}
	} else if id, err = s.c.Create(ctx, ModelPackage, p.vals(), nil); err != nil {
		return 0, fmt.Errorf("cmu: save package %s: create: %w", p.Code, err)
	}
	var comps []componentRow
	if err := s.c.SearchRead(ctx, ModelComponent, odoo.Eq("x_package_id", id), &odoo.SearchOptions{Fields: []string{"id", "x_code"}}, &comps); err != nil {
		return 0, fmt.Errorf("cmu: save package %s: read components: %w", p.Code, err)
	}
	var create []map[string]any
	for i, c := range p.Components {
		v := map[string]any{"x_name": c.Name, "x_package_id": id, "x_code": c.Code, "x_product_ref": c.ProductRef,
			"x_product_id": products[c.ProductRef], "x_price": c.Price, "x_required": c.Required, "x_sequence": (i + 1) * 10}
		j := slices.IndexFunc(comps, func(r componentRow) bool { return r.Code.Value == c.Code })
		if j < 0 {
			create = append(create, v)
			continue
		}
		if err := s.c.Write(ctx, ModelComponent, []int64{comps[j].ID}, v, nil); err != nil {
			return 0, fmt.Errorf("cmu: save package %s: component %s: %w", p.Code, c.Code, err)
		}
	}
	if len(create) > 0 {
		if _, err := s.c.CreateMany(ctx, ModelComponent, create, nil); err != nil {
			return 0, fmt.Errorf("cmu: save package %s: create components: %w", p.Code, err)
		}
	}
	var stale []int64
	for _, r := range comps {
		if _, ok := p.Component(r.Code.Value); !ok {
			stale = append(stale, r.ID)
		}
	}
	if len(stale) > 0 {
		if err := s.c.Unlink(ctx, ModelComponent, stale, nil); err != nil {
			return 0, fmt.Errorf("cmu: save package %s: delete stale components: %w", p.Code, err)
		}
	}
	return id, nil
}

// Packages returns the active packages of a market ("" for all), with
// their components (two calls).
func (s *Service) Packages(ctx context.Context, m Market) ([]ProductPackage, error) {
	dom := odoo.Eq("x_active", true)
	if m != "" {
		if !m.Valid() {
			return nil, invalid("market", "unknown market %q", m)
		}
		dom = odoo.And(dom, odoo.Eq("x_market", string(m)))
	}
	return s.packages(ctx, dom)
}

// Package returns one package by id, or an error wrapping ErrNotFound.
func (s *Service) Package(ctx context.Context, id int64) (*ProductPackage, error) {
	ps, err := s.packages(ctx, odoo.Eq("id", id))
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("cmu: package %d: %w", id, ErrNotFound)
	}
	return &ps[0], nil
}

func (s *Service) packages(ctx context.Context, dom odoo.Domain) ([]ProductPackage, error) {
	var rows []packageRow
	if err := s.c.SearchRead(ctx, ModelPackage, dom, &odoo.SearchOptions{Fields: packageFields, Order: "id"}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: read packages: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var comps []componentRow
	if err := s.c.SearchRead(ctx, ModelComponent, odoo.In("x_package_id", ids), &odoo.SearchOptions{Fields: componentFields, Order: "x_sequence, id"}, &comps); err != nil {
		return nil, fmt.Errorf("cmu: read package components: %w", err)
	}
	out := make([]ProductPackage, len(rows))
	for i, r := range rows {
		p := ProductPackage{ID: r.ID, Code: r.Code.Value, Name: r.Name.Value, Market: Market(r.Market.Value),
			AnnualRate: r.AnnualRate, Terms: parseTerms(r.Terms.Value), Frequency: amortization.Frequency(r.Frequency.Value),
			Method: amortization.Method(r.Method.Value), MinDownPayment: r.MinDownPayment, IVARate: r.IVARate,
			Commission: r.Commission, Active: r.Active}
		for _, c := range comps {
			if c.PackageID.ID == r.ID {
				p.Components = append(p.Components, PackageComponent{ID: c.ID, Code: c.Code.Value, Name: c.Name.Value,
					ProductRef: c.ProductRef.Value, ProductID: c.ProductID.ID, Price: c.Price.Round(2), Required: c.Required})
			}
		}
		out[i] = p
	}
	return out, nil
}

// DemoPackages returns CMu's demo packages for both markets — the same
// values as cotizador.DemoPackages (which this package does not import) —
// freshly allocated on each call.
func DemoPackages() []ProductPackage {
	d := decimal.RequireFromString
	return []ProductPackage{
		{
			Code: "edomex-taxi-gnv", Name: "Taxi colectivo a GNV Edomex", Market: MarketEdomex,
			Components: []PackageComponent{
				{Code: "vehiculo", Name: "Nissan Versa Sense 2026, versión taxi", ProductRef: "CMU-VEH-VERSA-26", Price: d("199900.00"), Required: true},
				{Code: "kit_gnv", Name: "Kit de conversión a GNV de 5a generación con instalación", ProductRef: "CMU-GNV-KIT5", Price: d("32500.00"), Required: true},
				{Code: "gps", Name: "GPS con botón de pánico e instalación (requisito Semov)", ProductRef: "CMU-GPS-01", Price: d("5600.00"), Required: true},
				{Code: "seguro", Name: "Seguro de transporte público, 1 año", ProductRef: "CMU-SEG-TP-12", Price: d("12000.00")},
			},
			AnnualRate: d("0.36"), Terms: []int{104, 156, 208}, Frequency: amortization.Weekly, Method: amortization.French,
			MinDownPayment: d("0.20"), IVARate: d("0.16"), Commission: d("0.02"), Active: true,
		},
		{
			Code: "ags-urvan-gnv", Name: "Urvan pasajeros a GNV Aguascalientes", Market: MarketAguascalientes,
			Components: []PackageComponent{
				{Code: "vehiculo", Name: "Nissan Urvan 15 pasajeros 2026", ProductRef: "CMU-VEH-URVAN-26", Price: d("749900.00"), Required: true},
				{Code: "kit_gnv", Name: "Kit de conversión a GNV para Urvan con instalación", ProductRef: "CMU-GNV-KIT5-URV", Price: d("48500.00"), Required: true},
				{Code: "gps", Name: "GPS con instalación", ProductRef: "CMU-GPS-01", Price: d("6900.00")},
				{Code: "seguro", Name: "Seguro de transporte público, 1 año", ProductRef: "CMU-SEG-TP-12U", Price: d("38700.00")},
				{Code: "garantia", Name: "Garantía extendida 3 años", ProductRef: "CMU-GAR-3A", Price: d("14900.00")},
			},
			AnnualRate: d("0.30"), Terms: []int{48, 72, 96}, Frequency: amortization.Quincenal, Method: amortization.French,
			MinDownPayment: d("0.15"), IVARate: d("0.16"), Commission: d("0.025"), Active: true,
		},
	}
}
