package odoo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"
	"github.com/shopspring/decimal"
)

// benchPartner is the typed row the benchmarks decode into.
type benchPartner struct {
	ID          int64           `odoo:"id"`
	Name        string          `odoo:"name"`
	DisplayName string          `odoo:"display_name"`
	Email       String          `odoo:"email"`
	Phone       String          `odoo:"phone"`
	Mobile      String          `odoo:"mobile"`
	ParentID    Many2One        `odoo:"parent_id"`
	CountryID   Many2One        `odoo:"country_id"`
	StateID     Many2One        `odoo:"state_id"`
	CategoryID  []int64         `odoo:"category_id"`
	ChildIDs    []int64         `odoo:"child_ids"`
	IsCompany   bool            `odoo:"is_company"`
	Active      bool            `odoo:"active"`
	CreateDate  DateTime        `odoo:"create_date"`
	WriteDate   DateTime        `odoo:"write_date"`
	Date        Date            `odoo:"date"`
	Comment     String          `odoo:"comment"`
	Website     String          `odoo:"website"`
	Ref         String          `odoo:"ref"`
	VAT         String          `odoo:"vat"`
	CreditLimit decimal.Decimal `odoo:"credit_limit"`
	Street      String          `odoo:"street"`
	City        String          `odoo:"city"`
	Zip         String          `odoo:"zip"`
	Lang        Selection       `odoo:"lang"`
	CompanyType Selection       `odoo:"company_type"`
}

// benchRows builds n search_read rows shaped like Odoo's res.partner
// answers: many2one pairs and false, id lists, dates, datetimes, monetary
// doubles, booleans, false for empty fields and HTML with entities.
func benchRows(n int) []any {
	rows := make([]any, n)
	for i := range n {
		id := int64(3000 + i)
		m2o := func(ok bool, id int64, name string) any {
			if !ok {
				return false
			}
			return []any{id, name}
		}
		str := func(ok bool, s string) any {
			if !ok {
				return false
			}
			return s
		}
		rows[i] = map[string]any{
			"id":           id,
			"name":         fmt.Sprintf("Operador %d Pérez & Hijos <Ruta %d>", i, i%40),
			"display_name": fmt.Sprintf("Ruta %d Ecatepec, Operador %d Pérez & Hijos", i%40, i),
			"email":        str(i%3 != 0, fmt.Sprintf("operador%d@example.mx", i)),
			"phone":        str(i%2 == 0, "+52 55 1234 5678"),
			"mobile":       false,
			"parent_id":    m2o(i%5 != 0, 6, "Ruta 27 Ecatepec"),
			"country_id":   []any{int64(156), "Mexico"},
			"state_id":     m2o(i%4 != 0, 1520, "Estado de México (MX)"),
			"category_id":  []any{int64(4), int64(5 + i%3)},
			"child_ids":    []any{},
			"is_company":   i%10 == 0,
			"active":       true,
			"create_date":  fmt.Sprintf("2026-11-%02d %02d:%02d:%02d", 1+i%28, i%24, i%60, (i*7)%60),
			"write_date":   "2026-11-22 21:46:39",
			"date":         str(i%2 == 1, fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28)),
			"comment":      str(i%3 == 0, "<p>Ecosistema de transportistas &amp; socios</p>"),
			"website":      false,
			"ref":          fmt.Sprintf("CMU-%05d", i),
			"vat":          false,
			"credit_limit": json.Number(fmt.Sprintf("%d.%02d", 1000+i*37, i%100)),
			"street":       str(i%6 != 0, fmt.Sprintf("Av. Central %d", i)),
			"city":         "Ecatepec",
			"zip":          str(i%7 != 0, "55000"),
			"lang":         "es_MX",
			"company_type": str(true, "person"),
		}
	}
	return rows
}

func benchXML(rows []any) []byte {
	var buf bytes.Buffer
	buf.WriteString("<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n")
	enc := encoder{plans: &planCache{}, w: &xmlWriter{buf: &buf}}
	if err := enc.encode(rows, 0); err != nil {
		panic(err)
	}
	buf.WriteString("</param>\n</params>\n\n</methodResponse>\n")
	return buf.Bytes()
}

func benchJSON2(rows []any) []byte {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, &planCache{}, rows); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func benchJSONRPC(rows []any) []byte {
	return append(append([]byte(`{"jsonrpc": "2.0", "id": 18, "result": `), benchJSON2(rows)...), '}')
}

// ---- baseline: what skilld-labs/go-odoo does ----
//
// go-odoo calls kolo/xmlrpc, which decodes the XML into an interface{} tree,
// then converts each map into its model struct by reflection over
// `xmlrpc:"…"` tags, wrapping every field in a pointer type (*String,
// *Many2One, *Relation, *Time, *Float…) and reading false as nil. The types
// and conversion below re-create that approach for the benchmark.

type (
	blString   struct{ v string }
	blInt      struct{ v int64 }
	blBool     struct{ v bool }
	blFloat    struct{ v float64 }
	blTime     struct{ v time.Time }
	blSel      struct{ v any }
	blMany2One struct {
		ID   int64
		Name string
	}
	blRelation struct{ ids []int64 }
)

type baselinePartner struct {
	ID          *blInt      `xmlrpc:"id,omitempty"`
	Name        *blString   `xmlrpc:"name,omitempty"`
	DisplayName *blString   `xmlrpc:"display_name,omitempty"`
	Email       *blString   `xmlrpc:"email,omitempty"`
	Phone       *blString   `xmlrpc:"phone,omitempty"`
	Mobile      *blString   `xmlrpc:"mobile,omitempty"`
	ParentID    *blMany2One `xmlrpc:"parent_id,omitempty"`
	CountryID   *blMany2One `xmlrpc:"country_id,omitempty"`
	StateID     *blMany2One `xmlrpc:"state_id,omitempty"`
	CategoryID  *blRelation `xmlrpc:"category_id,omitempty"`
	ChildIDs    *blRelation `xmlrpc:"child_ids,omitempty"`
	IsCompany   *blBool     `xmlrpc:"is_company,omitempty"`
	Active      *blBool     `xmlrpc:"active,omitempty"`
	CreateDate  *blTime     `xmlrpc:"create_date,omitempty"`
	WriteDate   *blTime     `xmlrpc:"write_date,omitempty"`
	Date        *blTime     `xmlrpc:"date,omitempty"`
	Comment     *blString   `xmlrpc:"comment,omitempty"`
	Website     *blString   `xmlrpc:"website,omitempty"`
	Ref         *blString   `xmlrpc:"ref,omitempty"`
	VAT         *blString   `xmlrpc:"vat,omitempty"`
	CreditLimit *blFloat    `xmlrpc:"credit_limit,omitempty"`
	Street      *blString   `xmlrpc:"street,omitempty"`
	City        *blString   `xmlrpc:"city,omitempty"`
	Zip         *blString   `xmlrpc:"zip,omitempty"`
	Lang        *blSel      `xmlrpc:"lang,omitempty"`
	CompanyType *blSel      `xmlrpc:"company_type,omitempty"`
}

func baselineDecode(body []byte, out *[]baselinePartner) error {
	resp := xmlrpc.Response(body)
	if err := resp.Err(); err != nil {
		return err
	}
	var tree any
	if err := resp.Unmarshal(&tree); err != nil {
		return err
	}
	list, ok := tree.([]any)
	if !ok {
		return fmt.Errorf("baseline: not a list")
	}
	st := reflect.TypeFor[baselinePartner]()
	res := reflect.MakeSlice(reflect.SliceOf(st), len(list), len(list))
	for i, row := range list {
		m := row.(map[string]any)
		sv := reflect.New(st).Elem()
		byTag := map[string]reflect.Value{}
		for j := range sv.NumField() {
			byTag[strings.Split(st.Field(j).Tag.Get("xmlrpc"), ",")[0]] = sv.Field(j)
		}
		for k, dv := range m {
			f, ok := byTag[k]
			if !ok {
				continue
			}
			if v := baselineValue(f.Type().Elem().Name(), dv); v != nil {
				f.Set(reflect.ValueOf(v))
			}
		}
		res.Index(i).Set(sv)
	}
	*out = res.Interface().([]baselinePartner)
	return nil
}

func baselineValue(typeName string, dv any) any {
	if dv == nil || (reflect.ValueOf(dv).Kind() == reflect.Bool && typeName != "blBool") {
		return nil
	}
	switch typeName {
	case "blString":
		if s, ok := dv.(string); ok {
			return &blString{s}
		}
	case "blInt":
		return &blInt{dv.(int64)}
	case "blBool":
		return &blBool{dv.(bool)}
	case "blFloat":
		return &blFloat{dv.(float64)}
	case "blSel":
		return &blSel{dv}
	case "blTime":
		s := dv.(string)
		layout := DateFormat
		if len(s) > 10 {
			layout = DateTimeFormat
		}
		t, _ := time.Parse(layout, s)
		return &blTime{t}
	case "blMany2One":
		l := dv.([]any)
		name, _ := l[1].(string)
		id, _ := l[0].(int64)
		return &blMany2One{ID: id, Name: name}
	case "blRelation":
		l := dv.([]any)
		ids := make([]int64, len(l))
		for i := range l {
			ids[i] = l[i].(int64)
		}
		return &blRelation{ids}
	}
	return nil
}

// ---- benchmarks ----

const benchN = 2000

func benchClient(b *testing.B) *Client {
	c, err := NewClient("http://odoo.invalid", WithDatabase("db"), WithLogin("u", "p"), WithAPIKey("k"))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func benchHTTP(body []byte) *httpResult {
	return &httpResult{status: http.StatusOK, ctype: "application/json", body: bytes.NewBuffer(body)}
}

func BenchmarkSearchRead2000(b *testing.B) {
	rows := benchRows(benchN)
	xmlBody, rpcBody, j2Body := benchXML(rows), benchJSONRPC(rows), benchJSON2(rows)
	r := &request{model: "res.partner", method: "search_read"}

	b.Run("baseline-kolo-xmlrpc+reflect", func(b *testing.B) {
		b.SetBytes(int64(len(xmlBody)))
		b.ReportAllocs()
		for b.Loop() {
			var out []baselinePartner
			if err := baselineDecode(xmlBody, &out); err != nil {
				b.Fatal(err)
			}
			if len(out) != benchN {
				b.Fatal(len(out))
			}
		}
	})
	// References for the JSON design choice: the standard library's token
	// stream alone (before any value is stored), and its generic tree.
	b.Run("ref-encoding-json-Token-loop-only", func(b *testing.B) {
		b.SetBytes(int64(len(j2Body)))
		b.ReportAllocs()
		for b.Loop() {
			dec := json.NewDecoder(bytes.NewReader(j2Body))
			dec.UseNumber()
			n := 0
			for {
				_, err := dec.Token()
				if err != nil {
					break
				}
				n++
			}
			if n < benchN {
				b.Fatal(n)
			}
		}
	})
	b.Run("ref-encoding-json-tree", func(b *testing.B) {
		b.SetBytes(int64(len(j2Body)))
		b.ReportAllocs()
		for b.Loop() {
			var out []map[string]any
			if err := json.Unmarshal(j2Body, &out); err != nil || len(out) != benchN {
				b.Fatal(err)
			}
		}
	})
	b.Run("xmlrpc", func(b *testing.B) {
		c := benchClient(b)
		t := &xmlrpcTransport{c: c}
		b.SetBytes(int64(len(xmlBody)))
		b.ReportAllocs()
		for b.Loop() {
			var out []benchPartner
			h := benchHTTP(xmlBody)
			if err := t.decode("call", r, h, &out); err != nil {
				b.Fatal(err)
			}
			if len(out) != benchN {
				b.Fatal(len(out))
			}
		}
	})
	b.Run("jsonrpc", func(b *testing.B) {
		c := benchClient(b)
		t := &jsonrpcTransport{c: c}
		b.SetBytes(int64(len(rpcBody)))
		b.ReportAllocs()
		for b.Loop() {
			var out []benchPartner
			if err := t.decode("call", r, benchHTTP(rpcBody), &out); err != nil {
				b.Fatal(err)
			}
			if len(out) != benchN {
				b.Fatal(len(out))
			}
		}
	})
	b.Run("json2", func(b *testing.B) {
		c := benchClient(b)
		t := &json2Transport{c: c}
		b.SetBytes(int64(len(j2Body)))
		b.ReportAllocs()
		for b.Loop() {
			var out []benchPartner
			if err := t.decode("call", r, benchHTTP(j2Body), &out, false); err != nil {
				b.Fatal(err)
			}
			if len(out) != benchN {
				b.Fatal(len(out))
			}
		}
	})
}

// TestBenchDataDecodesAlike checks that the benchmark bodies decode into the
// same rows on every path, baseline included, so the comparison is fair.
func TestBenchDataDecodesAlike(t *testing.T) {
	rows := benchRows(50)
	c, err := NewClient("http://odoo.invalid", WithAPIKey("k"))
	if err != nil {
		t.Fatal(err)
	}
	r := &request{model: "res.partner", method: "search_read"}
	var x, j, k []benchPartner
	if err := (&xmlrpcTransport{c: c}).decode("call", r, benchHTTP(benchXML(rows)), &x); err != nil {
		t.Fatal(err)
	}
	if err := (&jsonrpcTransport{c: c}).decode("call", r, benchHTTP(benchJSONRPC(rows)), &j); err != nil {
		t.Fatal(err)
	}
	if err := (&json2Transport{c: c}).decode("call", r, benchHTTP(benchJSON2(rows)), &k, false); err != nil {
		t.Fatal(err)
	}
	var base []baselinePartner
	if err := baselineDecode(benchXML(rows), &base); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x, j) || !reflect.DeepEqual(x, k) {
		t.Fatal("protocols decode the benchmark rows differently")
	}
	for i := range x {
		if x[i].Name != base[i].Name.v || x[i].ParentID.ID != (func() int64 {
			if base[i].ParentID == nil {
				return 0
			}
			return base[i].ParentID.ID
		})() || len(x[i].CategoryID) != len(base[i].CategoryID.ids) {
			t.Fatalf("row %d: ours %+v, baseline %+v", i, x[i], base[i])
		}
		if x[i].Email.Valid != (base[i].Email != nil) {
			t.Fatalf("row %d email validity differs", i)
		}
		if !strings.Contains(x[i].Name, "&") || !strings.Contains(x[i].Name, "<") {
			t.Fatalf("row %d: entities not decoded: %q", i, x[i].Name)
		}
	}
}

// BenchmarkSearchRead2000Paired interleaves the baseline and our decoder in
// the same loop, so that both see the same machine load, and reports the
// speed-up (baseline time / our time) as a metric. Its ns/op includes the
// forced collections between the two and is not meaningful by itself.
func BenchmarkSearchRead2000Paired(b *testing.B) {
	rows := benchRows(benchN)
	xmlBody, rpcBody, j2Body := benchXML(rows), benchJSONRPC(rows), benchJSON2(rows)
	r := &request{model: "res.partner", method: "search_read"}
	c := benchClient(b)
	ours := map[string]func() error{
		"xmlrpc": func() error {
			var out []benchPartner
			return (&xmlrpcTransport{c: c}).decode("call", r, benchHTTP(xmlBody), &out)
		},
		"jsonrpc": func() error {
			var out []benchPartner
			return (&jsonrpcTransport{c: c}).decode("call", r, benchHTTP(rpcBody), &out)
		},
		"json2": func() error {
			var out []benchPartner
			return (&json2Transport{c: c}).decode("call", r, benchHTTP(j2Body), &out, false)
		},
	}
	for _, name := range []string{"xmlrpc", "jsonrpc", "json2"} {
		b.Run(name, func(b *testing.B) {
			var base, mine time.Duration
			for b.Loop() {
				// Each side starts on a collected heap, so neither pays for
				// the other's garbage.
				runtime.GC()
				t0 := time.Now()
				var out []baselinePartner
				if err := baselineDecode(xmlBody, &out); err != nil {
					b.Fatal(err)
				}
				base += time.Since(t0)
				out = nil
				runtime.GC()
				t1 := time.Now()
				if err := ours[name](); err != nil {
					b.Fatal(err)
				}
				mine += time.Since(t1)
			}
			b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "baseline-ns/op")
			b.ReportMetric(float64(mine.Nanoseconds())/float64(b.N), "ours-ns/op")
			b.ReportMetric(float64(base)/float64(mine), "speedup")
		})
	}
}
