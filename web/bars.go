package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// funnelBars draws a funnel as horizontal SVG bars, one per step, their
// lengths proportional to the people who reached the step (the first step
// is the full width), with people and conversion in labels and tooltips.
func funnelBars(rep report.FunnelReport) template.HTML {
	const w, rowH, labelW = 640.0, 34.0, 150.0
	esc := template.HTMLEscapeString
	var b strings.Builder
	h := rowH * float64(max(1, len(rep.Steps)))
	fmt.Fprintf(&b, `<svg class="bars" viewBox="0 0 %.0f %.0f" role="img" aria-label="funnel">`, w, h)
	first := 0
	if len(rep.Steps) > 0 {
		first = rep.Steps[0].People
	}
	for i, st := range rep.Steps {
		y := float64(i) * rowH
		frac := 0.0
		if first > 0 {
			frac = float64(st.People) / float64(first)
		}
		bw := (w - labelW - 110) * frac
		tip := fmt.Sprintf("%s: %s people, %s of the first step, %s dropped here", st.Step, formatInt(st.People), formatPct(st.FromFirst), formatInt(st.DropOff))
		fmt.Fprintf(&b, `<text class="label" x="0" y="%.1f" dominant-baseline="middle">%d. %s</text>`, y+rowH/2, i+1, esc(st.Step))
		fmt.Fprintf(&b, `<rect class="track" x="%.0f" y="%.1f" width="%.1f" height="%.0f"/>`, labelW, y+6, w-labelW-110, rowH-12)
		fmt.Fprintf(&b, `<rect class="bar" x="%.0f" y="%.1f" width="%.1f" height="%.0f" data-people="%d"><title>%s</title></rect>`,
			labelW, y+6, bw, rowH-12, st.People, esc(tip))
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f" dominant-baseline="middle">%s · %s</text>`,
			w-104, y+rowH/2, formatInt(st.People), formatPct(st.FromFirst))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// creditBars draws one touch's Markov, first- and last-touch conversions
// as three thin bars scaled to top (the largest credit in the table).
func creditBars(t chain.TouchCredit, top float64) template.HTML {
	const w, barH = 160.0, 5.0
	if top <= 0 {
		top = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="credit" viewBox="0 0 %.0f %.0f" role="img" aria-label="credit">`, w, 3*barH+4)
	for i, v := range []struct {
		class string
		name  string
		c     float64
	}{{"markov", "Markov", t.Markov.Conversions}, {"first", "first touch", t.FirstTouch.Conversions}, {"last", "last touch", t.LastTouch.Conversions}} {
		fmt.Fprintf(&b, `<rect class="%s" x="0" y="%.0f" width="%.1f" height="%.0f"><title>%s: %.2f conversions</title></rect>`,
			v.class, float64(i)*(barH+2), math.Max(0, w*v.c/top), barH, v.name, v.c)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// stateDiagram draws hidden states on a circle: each a disc whose area is
// proportional to its people, arrows for the transitions between different
// states with probability at least minP (width by probability), labels and
// sizes in tooltips.
func stateDiagram(v chain.ModelView, minP float64) template.HTML {
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
				x0, y0, x1, y1, 1+5*p, esc(v.States[i].Label), esc(v.States[j].Label), formatPct(p))
		}
	}
	for i, s := range v.States {
		stay := 0.0
		if i < len(v.Transitions) && i < len(v.Transitions[i]) {
			stay = v.Transitions[i][i]
		}
		tip := fmt.Sprintf("%s: %s people now, %s of events, stays %s", s.Label, formatInt(s.Size), formatPct(s.Share), formatPct(stay))
		fmt.Fprintf(&b, `<circle class="state s%d" cx="%.1f" cy="%.1f" r="%.1f" data-size="%d"><title>%s</title></circle>`,
			i%6, xs[i], ys[i], rs[i], s.Size, esc(tip))
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, xs[i], ys[i]+rs[i]+14, esc(s.Label))
		fmt.Fprintf(&b, `<text class="size" x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="middle">%s</text>`, xs[i], ys[i], formatInt(s.Size))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
