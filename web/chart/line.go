package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Point is one value of a chart, with its axis label.
type Point struct {
	Label string
	Value float64
}

// Line draws points as a small SVG line chart with a filled area, the
// maximum on the axis and up to 8 labels. Only numbers and escaped labels
// reach the markup. Charts are drawn server-side: the page needs no script.
func Line(points []Point, title string) template.HTML {
	const w, h, left, bottom, top = 640.0, 180.0, 48.0, 24.0, 10.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	if len(points) == 0 {
		b.WriteString(`<text x="50%" y="50%" text-anchor="middle">no data</text></svg>`)
		return template.HTML(b.String())
	}
	maxV := 0.0
	for _, p := range points {
		maxV = math.Max(maxV, p.Value)
	}
	if maxV == 0 {
		maxV = 1
	}
	x := func(i int) float64 {
		if len(points) == 1 {
			return left + (w-left)/2
		}
		return left + float64(i)*(w-left-8)/float64(len(points)-1)
	}
	y := func(v float64) float64 { return top + (h-top-bottom)*(1-v/maxV) }
	var line strings.Builder
	for i, p := range points {
		fmt.Fprintf(&line, "%.1f,%.1f ", x(i), y(p.Value))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, left, h-bottom, w, h-bottom)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.0f" text-anchor="end">%s</text>`, left-6, top+8, FormatInt(int(maxV)))
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">0</text>`, left-6, h-bottom)
	fmt.Fprintf(&b, `<polygon class="area" points="%.1f,%.1f %s%.1f,%.1f"/>`, x(0), h-bottom, line.String(), x(len(points)-1), h-bottom)
	fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.TrimSpace(line.String()))
	step := max(1, (len(points)+7)/8)
	for i := 0; i < len(points); i += step {
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x(i), h-6, template.HTMLEscapeString(points[i].Label))
	}
	for i, p := range points {
		fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="2.5"><title>%s: %s</title></circle>`,
			x(i), y(p.Value), template.HTMLEscapeString(p.Label), FormatInt(int(p.Value)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Sparkline draws a segment's size trend (its members at each point) as a
// tiny SVG line; each point's title gives its label and size. It is empty
// without points.
func Sparkline(points []Point, title string) template.HTML {
	const w, h = 120.0, 28.0
	if len(points) == 0 {
		return ""
	}
	maxV := 1.0
	for _, p := range points {
		maxV = max(maxV, p.Value)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %.0f %.0f" role="img" aria-label="size trend of %s">`, w, h, template.HTMLEscapeString(title))
	x := func(i int) float64 { return 3 + float64(i)*(w-6)/float64(len(points)-1) }
	y := func(v float64) float64 { return h - 3 - (h-6)*v/maxV }
	var pts strings.Builder
	for i, p := range points {
		fmt.Fprintf(&pts, "%.1f,%.1f ", x(i), y(p.Value))
	}
	fmt.Fprintf(&b, `<polyline points="%s"/>`, strings.TrimSpace(pts.String()))
	for i, p := range points {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2"><title>%s: %s members</title></circle>`,
			x(i), y(p.Value), template.HTMLEscapeString(p.Label), FormatInt(int(p.Value)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
