package chart

import (
	"math"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys/report"
)

func path(people int, steps ...string) report.Path {
	return report.Path{Steps: steps, People: people}
}

func TestLayoutSankeyGeometry(t *testing.T) {
	tests := []struct {
		name       string
		paths      []report.Path
		columns    int
		alignRight bool
		total      int
		nodes      int
	}{
		{"from a step", []report.Path{
			path(5, "view", "cart", "buy"), path(3, "view", "cart", "(exit)"), path(2, "view", "(exit)"), path(1, "view", "view", "cart"),
		}, 3, false, 11, 7},
		{"to a step", []report.Path{
			path(4, "view", "cart", "buy"), path(2, "(start)", "cart", "buy"), path(1, "(start)", "buy"),
		}, 3, true, 7, 5},
		{"one column", []report.Path{path(2, "view"), path(1, "(exit)")}, 1, false, 3, 2},
		{"nothing", nil, 3, false, 0, 0},
	}
	const eps = 1e-9
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sk := LayoutSankey(tt.paths, tt.columns, tt.alignRight)
			if sk.Total != tt.total || len(sk.Nodes) != tt.nodes {
				t.Fatalf("total, nodes = %d, %d, want %d, %d", sk.Total, len(sk.Nodes), tt.total, tt.nodes)
			}
			in, out := make([]float64, len(sk.Nodes)), make([]float64, len(sk.Nodes))
			hasIn, hasOut := make([]bool, len(sk.Nodes)), make([]bool, len(sk.Nodes))
			for _, l := range sk.Links {
				if math.Abs(l.W-float64(l.People)*sk.Scale) > eps {
					t.Errorf("link %v: width %v, want people × scale", l, l.W)
				}
				from, to := sk.Nodes[l.From], sk.Nodes[l.To]
				if to.Col != from.Col+1 {
					t.Errorf("link %s → %s skips from column %d to %d", from.Step, to.Step, from.Col, to.Col)
				}
				// Bands stay inside their nodes.
				if l.Y0 < from.Y-eps || l.Y0+l.W > from.Y+from.H+eps || l.Y1 < to.Y-eps || l.Y1+l.W > to.Y+to.H+eps {
					t.Errorf("link %s → %s leaves its nodes", from.Step, to.Step)
				}
				in[l.To] += l.W
				out[l.From] += l.W
				hasIn[l.To], hasOut[l.From] = true, true
			}
			colBottom := map[int]float64{}
			for i, n := range sk.Nodes {
				if math.Abs(n.H-float64(n.People)*sk.Scale) > eps {
					t.Errorf("node %s: height %v, want people × scale", n.Step, n.H)
				}
				// Every person at a node came from the previous column (left
				// alignment) or goes on to the next one (right alignment).
				if !tt.alignRight && n.Col > 0 && math.Abs(in[i]-n.H) > eps {
					t.Errorf("node %d:%s: links in %v, height %v", n.Col, n.Step, in[i], n.H)
				}
				if tt.alignRight && n.Col < tt.columns-1 && math.Abs(out[i]-n.H) > eps {
					t.Errorf("node %d:%s: links out %v, height %v", n.Col, n.Step, out[i], n.H)
				}
				if in[i] > n.H+eps || out[i] > n.H+eps {
					t.Errorf("node %d:%s: links in %v / out %v exceed height %v", n.Col, n.Step, in[i], out[i], n.H)
				}
				colBottom[n.Col] = max(colBottom[n.Col], n.Y+n.H)
			}
			for col, bottom := range colBottom {
				if bottom > sankeyHeight+eps {
					t.Errorf("column %d ends at %v, below the height %v", col, bottom, sankeyHeight)
				}
			}
		})
	}
}

func TestSankeySVGEscapes(t *testing.T) {
	sk := LayoutSankey([]report.Path{path(2, "<b>x</b>", "cart"), path(2, "<b>x</b>", "(exit)")}, 2, false)
	sk.Nodes[0].Href = "/app/map?node=0:<b>"
	svg := string(sk.SVG("map"))
	if strings.Contains(svg, "<b>") {
		t.Errorf("unescaped step in SVG: %s", svg)
	}
	for _, want := range []string{"&lt;b&gt;x&lt;/b&gt;: 4 people (100.0%)", "cart: 2 people (50.0%)", `href="/app/map?node=0:&lt;b&gt;"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}
