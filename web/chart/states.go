package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/journeygraph/journeygraph/journeys/chain"
)

// StateDiagram draws hidden states on a circle: each a disc whose area is
// proportional to its people, arrows for the transitions between different
// states with probability at least minP (width by probability), labels and
// sizes in tooltips.
func StateDiagram(v chain.ModelView, minP float64) template.HTML {
	const w, h, ring, rMax, rMin = 560.0, 420.0, 140.0, 46.0, 10.0
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="states" viewBox="0 0 %.0f %.0f" role="img" aria-label="hidden states">`, w, h)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`)
	n := len(v.States)
	if n == 0 {
		b.WriteString(`<text x="50%" y="50%" text-anchor="middle">no states</text></svg>`)
		return template.HTML(b.String())
	}
	biggest := 1
	for _, s := range v.States {
		biggest = max(biggest, s.Size)
	}
	xs, ys, rs := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, s := range v.States {
		a := 2*math.Pi*float64(i)/float64(n) - math.Pi/2
		xs[i], ys[i] = w/2+ring*math.Cos(a), h/2+ring*math.Sin(a)
		if n == 1 {
			xs[i], ys[i] = w/2, h/2
		}
		rs[i] = math.Max(rMin, rMax*math.Sqrt(float64(s.Size)/float64(biggest)))
	}
	for i := range n {
		for j := range n {
			if i == j || i >= len(v.Transitions) || j >= len(v.Transitions[i]) || v.Transitions[i][j] < minP {
				continue
			}
			p := v.Transitions[i][j]
			dx, dy := xs[j]-xs[i], ys[j]-ys[i]
			d := math.Hypot(dx, dy)
			if d == 0 {
				continue
			}
			// Offset sideways so that i→j and j→i do not overlap.
			ox, oy := -dy/d*6, dx/d*6
			x0, y0 := xs[i]+dx/d*rs[i]+ox, ys[i]+dy/d*rs[i]+oy
			x1, y1 := xs[j]-dx/d*(rs[j]+2)+ox, ys[j]-dy/d*(rs[j]+2)+oy
			fmt.Fprintf(&b, `<line class="edge" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke-width="%.1f" marker-end="url(#arrow)"><title>%s → %s: %s</title></line>`,
				x0, y0, x1, y1, 1+5*p, esc(v.States[i].Label), esc(v.States[j].Label), FormatPct(p))
		}
	}
	for i, s := range v.States {
		stay := 0.0
		if i < len(v.Transitions) && i < len(v.Transitions[i]) {
			stay = v.Transitions[i][i]
		}
		tip := fmt.Sprintf("%s: %s people now, %s of events, stays %s", s.Label, FormatInt(s.Size), FormatPct(s.Share), FormatPct(stay))
		fmt.Fprintf(&b, `<circle class="state s%d" cx="%.1f" cy="%.1f" r="%.1f" data-size="%d"><title>%s</title></circle>`,
			i%6, xs[i], ys[i], rs[i], s.Size, esc(tip))
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, xs[i], ys[i]+rs[i]+14, esc(s.Label))
		fmt.Fprintf(&b, `<text class="size" x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="middle">%s</text>`, xs[i], ys[i], FormatInt(s.Size))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
