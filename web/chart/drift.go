package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// DriftDay is one day of a segment's drift chart: its size and its PSI
// (nil when there was nothing to compare).
type DriftDay struct {
	Label string
	Size  float64
	PSI   *float64
}

// Drift draws a segment's size (upper panel) and PSI (lower panel, with
// the threshold as a dashed line and the days above it marked "over")
// over the same days, as one SVG. Only numbers and escaped labels reach
// the markup.
func Drift(days []DriftDay, threshold float64, title string) template.HTML {
	const w, panel, gap, left, bottom, top = 640.0, 110.0, 26.0, 48.0, 22.0, 10.0
	h := top + panel + gap + panel + bottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart drift" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	if len(days) == 0 {
		b.WriteString(`<text x="50%" y="50%" text-anchor="middle">no data</text></svg>`)
		return template.HTML(b.String())
	}
	x := func(i int) float64 {
		if len(days) == 1 {
			return left + (w-left)/2
		}
		return left + float64(i)*(w-left-8)/float64(len(days)-1)
	}
	maxSize, maxPSI := 1.0, threshold*1.5
	for _, d := range days {
		maxSize = math.Max(maxSize, d.Size)
		if d.PSI != nil {
			maxPSI = math.Max(maxPSI, *d.PSI)
		}
	}
	if maxPSI <= 0 {
		maxPSI = 1
	}
	ySize := func(v float64) float64 { return top + panel*(1-v/maxSize) }
	psiTop := top + panel + gap
	yPSI := func(v float64) float64 { return psiTop + panel*(1-v/maxPSI) }

	// Size.
	var line strings.Builder
	for i, d := range days {
		fmt.Fprintf(&line, "%.1f,%.1f ", x(i), ySize(d.Size))
	}
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.0f" text-anchor="end">%s</text>`, left-6, top+8, FormatInt(int(maxSize)))
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">0</text>`, left-6, top+panel)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.0f">members</text>`, left+4, top+8)
	fmt.Fprintf(&b, `<line class="axis" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, left, top+panel, w, top+panel)
	fmt.Fprintf(&b, `<polyline class="line size" points="%s"/>`, strings.TrimSpace(line.String()))
	for i, d := range days {
		fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="2.5"><title>%s: %s members</title></circle>`,
			x(i), ySize(d.Size), template.HTMLEscapeString(d.Label), FormatInt(int(d.Size)))
	}

	// PSI: a polyline per run of days that have one.
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">%.2f</text>`, left-6, psiTop+8, maxPSI)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">0</text>`, left-6, psiTop+panel)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f">PSI</text>`, left+4, psiTop+8)
	fmt.Fprintf(&b, `<line class="axis" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, left, psiTop+panel, w, psiTop+panel)
	fmt.Fprintf(&b, `<line class="threshold" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke-dasharray="4 3"><title>threshold %.2f</title></line>`,
		left, yPSI(threshold), w, yPSI(threshold), threshold)
	var run strings.Builder
	flush := func() {
		if pts := strings.TrimSpace(run.String()); pts != "" {
			fmt.Fprintf(&b, `<polyline class="line psi" points="%s"/>`, pts)
		}
		run.Reset()
	}
	for i, d := range days {
		if d.PSI == nil {
			flush()
			continue
		}
		fmt.Fprintf(&run, "%.1f,%.1f ", x(i), yPSI(*d.PSI))
	}
	flush()
	for i, d := range days {
		if d.PSI == nil {
			continue
		}
		class := "dot psi"
		if *d.PSI > threshold {
			class += " over"
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="2.5"><title>%s: PSI %.3f</title></circle>`,
			class, x(i), yPSI(*d.PSI), template.HTMLEscapeString(d.Label), *d.PSI)
	}
	step := max(1, (len(days)+7)/8)
	for i := 0; i < len(days); i += step {
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x(i), h-6, template.HTMLEscapeString(days[i].Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
