package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// FunnelBars draws a funnel as horizontal SVG bars, one per step, their
// lengths proportional to the people who reached the step (the first step
// is the full width), with people and conversion in labels and tooltips.
func FunnelBars(rep report.FunnelReport) template.HTML {
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
		tip := fmt.Sprintf("%s: %s people, %s of the first step, %s dropped here", st.Step, FormatInt(st.People), FormatPct(st.FromFirst), FormatInt(st.DropOff))
		fmt.Fprintf(&b, `<text class="label" x="0" y="%.1f" dominant-baseline="middle">%d. %s</text>`, y+rowH/2, i+1, esc(st.Step))
		fmt.Fprintf(&b, `<rect class="track" x="%.0f" y="%.1f" width="%.1f" height="%.0f"/>`, labelW, y+6, w-labelW-110, rowH-12)
		fmt.Fprintf(&b, `<rect class="bar" x="%.0f" y="%.1f" width="%.1f" height="%.0f" data-people="%d"><title>%s</title></rect>`,
			labelW, y+6, bw, rowH-12, st.People, esc(tip))
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f" dominant-baseline="middle">%s · %s</text>`,
			w-104, y+rowH/2, FormatInt(st.People), FormatPct(st.FromFirst))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// CreditBars draws one touch's Markov, first- and last-touch conversions
// as three thin bars scaled to top (the largest credit in the table).
func CreditBars(t chain.TouchCredit, top float64) template.HTML {
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
