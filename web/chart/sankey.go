package chart

import (
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/journeygraph/journeygraph/journeys/report"
)

// SankeyNode is one step at one column (depth) of a Sankey diagram.
type SankeyNode struct {
	Col    int
	Step   string
	People int
	X, Y   float64 // top-left corner
	H      float64 // height, People × scale
	Href   string  // where a click on the node leads ("" for none)
}

// SankeyLink is the flow of people from one node to a node of the next
// column. Y0 and Y1 are the tops of the band at its source and target.
type SankeyLink struct {
	From, To int // node indexes
	People   int
	W        float64 // width, People × scale
	Y0, Y1   float64
}

// Sankey is a laid-out diagram: nodes and links in SVG units.
type Sankey struct {
	Nodes  []SankeyNode
	Links  []SankeyLink
	Total  int // people of the paths drawn
	Width  float64
	Height float64
	Scale  float64 // pixels per person
	// Friction marks the links step → step that lose conversions (the
	// friction report's edges), with the conversions each loses.
	Friction map[[2]string]float64
}

// Sankey geometry, in SVG units.
const (
	sankeyWidth  = 960.0
	sankeyHeight = 420.0
	sankeyNodeW  = 14.0
	sankeyPad    = 10.0 // between the nodes of a column
	sankeyLabelW = 130.0
)

// LayoutSankey lays out paths (each followed by some people) as columns by
// position. With alignRight the paths end at the last column (paths to a
// step), otherwise they start at the first. A node's height is its people
// times the scale, and so is every link's width: the links into a node
// (from the previous column) and out of it stack without gaps, so their
// widths add up to the node's height when every path through the node
// comes from, or goes on to, the next column.
func LayoutSankey(paths []report.Path, columns int, alignRight bool) Sankey {
	sk := Sankey{Width: sankeyWidth, Height: sankeyHeight}
	if columns < 1 {
		return sk
	}
	type key struct {
		col  int
		step string
	}
	nodeOf := map[key]int{}
	linkOf := map[[2]int]int{}
	for _, p := range paths {
		if p.People == 0 || len(p.Steps) == 0 {
			continue
		}
		offset := 0
		if alignRight {
			offset = columns - len(p.Steps)
		}
		sk.Total += p.People
		prev := -1
		for i, step := range p.Steps {
			col := offset + i
			if col < 0 || col >= columns {
				prev = -1
				continue
			}
			k := key{col, step}
			n, ok := nodeOf[k]
			if !ok {
				n = len(sk.Nodes)
				nodeOf[k] = n
				sk.Nodes = append(sk.Nodes, SankeyNode{Col: col, Step: step})
			}
			sk.Nodes[n].People += p.People
			if prev >= 0 {
				l, ok := linkOf[[2]int{prev, n}]
				if !ok {
					l = len(sk.Links)
					linkOf[[2]int{prev, n}] = l
					sk.Links = append(sk.Links, SankeyLink{From: prev, To: n})
				}
				sk.Links[l].People += p.People
			}
			prev = n
		}
	}
	// Columns: nodes by people (markers last), then step.
	cols := make([][]int, columns)
	for i, n := range sk.Nodes {
		cols[n.Col] = append(cols[n.Col], i)
	}
	maxPeople, maxNodes := 0, 1
	for _, c := range cols {
		sort.Slice(c, func(a, b int) bool {
			na, nb := sk.Nodes[c[a]], sk.Nodes[c[b]]
			if ma, mb := IsMarker(na.Step), IsMarker(nb.Step); ma != mb {
				return mb
			}
			if na.People != nb.People {
				return na.People > nb.People
			}
			return na.Step < nb.Step
		})
		sum := 0
		for _, i := range c {
			sum += sk.Nodes[i].People
		}
		maxPeople, maxNodes = max(maxPeople, sum), max(maxNodes, len(c))
	}
	if maxPeople == 0 {
		return sk
	}
	sk.Scale = (sankeyHeight - sankeyPad*float64(maxNodes-1)) / float64(maxPeople)
	span := sankeyWidth - sankeyNodeW - sankeyLabelW
	for ci, c := range cols {
		y := 0.0
		for _, i := range c {
			n := &sk.Nodes[i]
			if columns > 1 {
				n.X = float64(ci) * span / float64(columns-1)
			}
			n.Y, n.H = y, float64(n.People)*sk.Scale
			y += n.H + sankeyPad
		}
	}
	// Links stack at both ends in the order of the other end's position.
	order := make([]int, len(sk.Links))
	for i := range order {
		order[i] = i
		sk.Links[i].W = float64(sk.Links[i].People) * sk.Scale
	}
	sort.Slice(order, func(a, b int) bool {
		la, lb := sk.Links[order[a]], sk.Links[order[b]]
		return sk.Nodes[la.To].Y < sk.Nodes[lb.To].Y
	})
	out := make([]float64, len(sk.Nodes))
	for _, i := range order {
		l := &sk.Links[i]
		l.Y0 = sk.Nodes[l.From].Y + out[l.From]
		out[l.From] += l.W
	}
	sort.Slice(order, func(a, b int) bool {
		la, lb := sk.Links[order[a]], sk.Links[order[b]]
		return sk.Nodes[la.From].Y < sk.Nodes[lb.From].Y
	})
	in := make([]float64, len(sk.Nodes))
	for _, i := range order {
		l := &sk.Links[i]
		l.Y1 = sk.Nodes[l.To].Y + in[l.To]
		in[l.To] += l.W
	}
	return sk
}

// IsMarker says whether a path step is one of the path report's markers
// (report.MarkStart, report.MarkExit, report.MarkGap), not a step.
func IsMarker(step string) bool {
	return step == report.MarkExit || step == report.MarkStart || step == report.MarkGap
}

// SVG draws the diagram: bands as stroked curves, nodes as bars linking to
// their Href, labels beside them, people and shares in <title> tooltips.
// Only numbers and escaped text reach the markup.
func (sk Sankey) SVG(title string) template.HTML {
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="sankey" viewBox="-4 -4 %.0f %.0f" role="img" aria-label="%s">`, sk.Width+8, sk.Height+8, esc(title))
	if sk.Total == 0 {
		b.WriteString(`<text x="50%" y="50%" text-anchor="middle">no journeys in scope</text></svg>`)
		return template.HTML(b.String())
	}
	share := func(n int) string { return FormatPct(float64(n) / float64(sk.Total)) }
	for _, l := range sk.Links {
		from, to := sk.Nodes[l.From], sk.Nodes[l.To]
		x0, x1 := from.X+sankeyNodeW, to.X
		y0, y1 := l.Y0+l.W/2, l.Y1+l.W/2
		mx := (x0 + x1) / 2
		class, note := "band", ""
		if lost, ok := sk.Friction[[2]string{from.Step, to.Step}]; ok {
			class, note = "band friction", fmt.Sprintf(" · friction: %.1f conversions lost on this transition", lost)
		}
		fmt.Fprintf(&b, `<path class="%s" d="M%.1f,%.2f C%.1f,%.2f %.1f,%.2f %.1f,%.2f" stroke-width="%.2f" data-from="%s" data-to="%s"><title>%s → %s: %s people (%s)%s</title></path>`,
			class, x0, y0, mx, y0, mx, y1, x1, y1, max(l.W, 0.5), esc(from.Step), esc(to.Step), esc(from.Step), esc(to.Step), FormatInt(l.People), share(l.People), esc(note))
	}
	for _, n := range sk.Nodes {
		class := "node"
		if IsMarker(n.Step) {
			class = "node marker"
		}
		tip := fmt.Sprintf("%s: %s people (%s)", n.Step, FormatInt(n.People), share(n.People))
		if n.Href != "" {
			fmt.Fprintf(&b, `<a href="%s" class="node-link">`, esc(n.Href))
		}
		fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.2f" width="%.0f" height="%.2f" data-step="%s" data-col="%d" data-people="%d"><title>%s</title></rect>`,
			class, n.X, n.Y, sankeyNodeW, max(n.H, 1), esc(n.Step), n.Col, n.People, esc(tip))
		if n.H >= 9 {
			fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.2f" dominant-baseline="middle">%s · %s<title>%s</title></text>`,
				n.X+sankeyNodeW+4, n.Y+n.H/2, esc(n.Step), FormatInt(n.People), esc(tip))
		}
		if n.Href != "" {
			b.WriteString(`</a>`)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
