package chart

import (
	"flag"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name.svg, or rewrites the file with
// -update.
func golden(t *testing.T, name string, got template.HTML) {
	t.Helper()
	file := filepath.Join("testdata", name+".svg")
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./web/chart -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("drawing differs from %s (run go test ./web/chart -update and review the diff):\ngot  %s\nwant %s", file, got, want)
	}
}

// noRawText checks that no unescaped "<b>" of the data reached the markup.
func noRawText(t *testing.T, svg template.HTML) {
	t.Helper()
	if strings.Contains(string(svg), "<b>") {
		t.Errorf("unescaped text in SVG: %s", svg)
	}
}

func TestLine(t *testing.T) {
	days := func(n int) []Point {
		var ps []Point
		for i := range n {
			ps = append(ps, Point{Label: "Jan " + string(rune('A'+i)), Value: float64(i * i * 100)})
		}
		return ps
	}
	tests := []struct {
		name   string
		points []Point
		title  string
	}{
		{"line_days", days(5), "events per day"},
		{"line_many", days(20), "events per day"},
		{"line_one", []Point{{Label: "Jan 1", Value: 1234567}}, "events per day"},
		{"line_zeros", []Point{{Label: "a"}, {Label: "b"}}, "members at the end of each day"},
		{"line_empty", nil, "events per day"},
		{"line_escaped", []Point{{Label: "<b>x</b>", Value: 2}, {Label: "y", Value: 3}}, `<b>"t"</b>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Line(tt.points, tt.title)
			noRawText(t, got)
			golden(t, tt.name, got)
		})
	}
}

func TestSparkline(t *testing.T) {
	if got := Sparkline(nil, "vip"); got != "" {
		t.Errorf("Sparkline(nil) = %q, want empty", got)
	}
	tests := []struct {
		name   string
		points []Point
		title  string
	}{
		{"spark_trend", []Point{{Label: "before", Value: 10}, {Label: "Jan 2", Value: 12}, {Label: "Jan 3", Value: 9}}, "vip"},
		{"spark_flat_zero", []Point{{Label: "before"}, {Label: "Jan 2"}}, "empty"},
		{"spark_escaped", []Point{{Label: "<b>", Value: 1}, {Label: "Jan 2", Value: 2}}, "<b>seg</b>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sparkline(tt.points, tt.title)
			noRawText(t, got)
			golden(t, tt.name, got)
		})
	}
}

func TestFunnelBars(t *testing.T) {
	tests := []struct {
		name string
		rep  report.FunnelReport
	}{
		{"funnel_three_steps", report.FunnelReport{Steps: []report.FunnelStepReport{
			{Step: "view", People: 1200, FromPrevious: 1, FromFirst: 1},
			{Step: "add_to_cart", People: 300, DropOff: 900, FromPrevious: 0.25, FromFirst: 0.25},
			{Step: "<b>buy</b>", People: 30, DropOff: 270, FromPrevious: 0.1, FromFirst: 0.025},
		}}},
		{"funnel_nobody", report.FunnelReport{Steps: []report.FunnelStepReport{{Step: "view"}, {Step: "buy"}}}},
		{"funnel_empty", report.FunnelReport{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FunnelBars(tt.rep)
			noRawText(t, got)
			golden(t, tt.name, got)
		})
	}
}

func TestCreditBars(t *testing.T) {
	tc := chain.TouchCredit{Touch: "email", Markov: chain.Credit{Conversions: 1.5},
		FirstTouch: chain.Credit{Conversions: 3}, LastTouch: chain.Credit{Conversions: 0.25}}
	tests := []struct {
		name string
		tc   chain.TouchCredit
		top  float64
	}{
		{"credit_scaled", tc, 3},
		{"credit_no_top", tc, 0},
		{"credit_negative", chain.TouchCredit{Markov: chain.Credit{Conversions: -1}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, CreditBars(tt.tc, tt.top))
		})
	}
}

func TestStateDiagram(t *testing.T) {
	three := chain.ModelView{
		States: []chain.StateView{
			{Index: 0, Label: "browsers", Size: 100, Share: 0.6},
			{Index: 1, Label: "<b>buyers</b>", Size: 20, Share: 0.3},
			{Index: 2, Label: "gone", Size: 0, Share: 0.1},
		},
		Transitions: [][]float64{{0.8, 0.15, 0.05}, {0.3, 0.6, 0.1}, {0, 0.5, 0.5}},
	}
	tests := []struct {
		name string
		v    chain.ModelView
		minP float64
	}{
		{"states_three", three, 0.1},
		{"states_all_edges", three, 0},
		{"states_one", chain.ModelView{States: []chain.StateView{{Label: "all", Size: 5}}, Transitions: [][]float64{{1}}}, 0.1},
		{"states_short_matrix", chain.ModelView{States: three.States}, 0.1},
		{"states_none", chain.ModelView{}, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StateDiagram(tt.v, tt.minP)
			noRawText(t, got)
			golden(t, tt.name, got)
		})
	}
}

func TestSankeySVG(t *testing.T) {
	paths := []report.Path{
		path(5, "view", "cart", "buy"), path(3, "view", "cart", "(exit)"), path(2, "view", "(exit)"), path(1, "view", "view", "cart"),
	}
	linked := LayoutSankey(paths, 3, false)
	for i := range linked.Nodes {
		linked.Nodes[i].Href = "/app/map?node=" + linked.Nodes[i].Step
	}
	linked.Friction = map[[2]string]float64{{"view", "(exit)"}: 1.25}
	tests := []struct {
		name string
		sk   Sankey
	}{
		{"sankey_from", LayoutSankey(paths, 3, false)},
		{"sankey_to", LayoutSankey([]report.Path{path(4, "view", "cart", "buy"), path(2, "(start)", "cart", "buy"), path(1, "(start)", "buy")}, 3, true)},
		{"sankey_links_friction", linked},
		{"sankey_empty", LayoutSankey(nil, 3, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, tt.sk.SVG("journey map"))
		})
	}
}

func TestIsMarker(t *testing.T) {
	for _, tt := range []struct {
		step string
		want bool
	}{{report.MarkStart, true}, {report.MarkExit, true}, {report.MarkGap, true}, {"view", false}, {"", false}} {
		if got := IsMarker(tt.step); got != tt.want {
			t.Errorf("IsMarker(%q) = %v, want %v", tt.step, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	ints := []struct {
		n    int
		want string
	}{{0, "0"}, {12, "12"}, {123, "123"}, {1234, "1,234"}, {1234567, "1,234,567"}, {-1234, "-1,234"}, {-12, "-12"}}
	for _, tt := range ints {
		if got := FormatInt(tt.n); got != tt.want {
			t.Errorf("FormatInt(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	pcts := []struct {
		f    float64
		want string
	}{{0, "0.0%"}, {1, "100.0%"}, {0.12345, "12.3%"}, {2.0 / 3, "66.7%"}, {math.Inf(1), "+Inf%"}}
	for _, tt := range pcts {
		if got := FormatPct(tt.f); got != tt.want {
			t.Errorf("FormatPct(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestCurve(t *testing.T) {
	sil := []Point{{"k=2", 0.41}, {"k=3", 0.58}, {"k=4", 0.52}, {"k=5", -0.05}}
	tests := []struct {
		name   string
		points []Point
		mark   int
		title  string
	}{
		{"curve_silhouette", sil, 1, "silhouette per k"},
		{"curve_flat", []Point{{"k=2", 3}, {"k=3", 3}}, -1, "flat"},
		{"curve_one", []Point{{"k=2", 120.5}}, 0, "one k"},
		{"curve_thousands", []Point{{"k=2", 232.4}, {"k=3", 1987.6}, {"k=4", 12345}}, 1, "Calinski–Harabasz per k"},
		{"curve_empty", nil, -1, "none"},
		{"curve_escaped", []Point{{"<b>k</b>", 1}, {"k=3", 2}}, 0, "<b>title</b>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svg := Curve(tc.points, tc.mark, tc.title)
			noRawText(t, svg)
			golden(t, tc.name, svg)
		})
	}
}

func TestScatter(t *testing.T) {
	dots := []Dot{{0, 0, 0, "a"}, {1, 2, 0, "b"}, {-3, 1, 1, "c"}, {2, -2, 12, "d"}, {0.5, 0.5, -1, "e"}}
	marks := []Dot{{0.5, 1, 0, "cluster 0"}, {-3, 1, 1, "cluster 1 <b>x</b>"}}
	tests := []struct {
		name        string
		dots, marks []Dot
		title       string
	}{
		{"scatter_groups", dots, marks, "people by cluster"},
		{"scatter_one_point", []Dot{{1, 1, 0, "only"}}, nil, "one"},
		{"scatter_empty", nil, nil, "none"},
		{"scatter_escaped", []Dot{{0, 0, 0, "<b>id</b>"}, {1, 1, 1, "y"}}, nil, "<b>t</b>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svg := Scatter(tc.dots, tc.marks, tc.title)
			noRawText(t, svg)
			golden(t, tc.name, svg)
		})
	}
}
