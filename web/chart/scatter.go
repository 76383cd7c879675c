package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Curve draws scores (any real values) as a small SVG line chart whose
// axis runs from their minimum to their maximum, with each value written
// at its dot and the point at mark (-1: none) drawn as the chosen one:
// the clusters page's silhouette and Calinski–Harabasz per k.
func Curve(points []Point, mark int, title string) template.HTML {
	const w, h, left, bottom, top = 320.0, 160.0, 44.0, 22.0, 16.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart curve" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	if len(points) == 0 {
		b.WriteString(`<text x="50%" y="50%" text-anchor="middle">no data</text></svg>`)
		return template.HTML(b.String())
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range points {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	x := func(i int) float64 {
		if len(points) == 1 {
			return left + (w-left)/2
		}
		return left + 12 + float64(i)*(w-left-24)/float64(len(points)-1)
	}
	y := func(v float64) float64 { return top + (h-top-bottom)*(hi-v)/(hi-lo) }
	fmt.Fprintf(&b, `<line class="axis" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, left, h-bottom, w, h-bottom)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">%s</text>`, left-6, top+4, score(hi))
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">%s</text>`, left-6, h-bottom, score(lo))
	var line strings.Builder
	for i, p := range points {
		fmt.Fprintf(&line, "%.1f,%.1f ", x(i), y(p.Value))
	}
	fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.TrimSpace(line.String()))
	for i, p := range points {
		class := "dot"
		if i == mark {
			class = "dot chosen"
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="%d"><title>%s: %s</title></circle>`,
			class, x(i), y(p.Value), map[bool]int{true: 5, false: 3}[i == mark], template.HTMLEscapeString(p.Label), score(p.Value))
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x(i), h-6, template.HTMLEscapeString(p.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// score writes a score with three significant digits, or whole with
// thousands separated from 1,000 on.
func score(v float64) string {
	if math.Abs(v) >= 1000 {
		return FormatInt(int(math.Round(v)))
	}
	return fmt.Sprintf("%.3g", v)
}

// Dot is one point of a scatter plot: its coordinates, its group (drawn in
// the group's colour, class g<group mod 10>) and its title.
type Dot struct {
	X, Y  float64
	Group int
	Title string
}

// Scatter draws dots as an SVG scatter plot scaled to their extent, each
// coloured by group; marks (the groups' centres) are drawn over them as
// larger outlined dots labelled with their group. Only numbers and escaped
// titles reach the markup.
func Scatter(dots, marks []Dot, title string) template.HTML {
	const w, h, pad = 640.0, 400.0, 16.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart scatter" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	if len(dots) == 0 {
		b.WriteString(`<text x="50%" y="50%" text-anchor="middle">no data</text></svg>`)
		return template.HTML(b.String())
	}
	x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, d := range append(append([]Dot(nil), dots...), marks...) {
		x0, x1 = math.Min(x0, d.X), math.Max(x1, d.X)
		y0, y1 = math.Min(y0, d.Y), math.Max(y1, d.Y)
	}
	if x1 == x0 {
		x0, x1 = x0-1, x1+1
	}
	if y1 == y0 {
		y0, y1 = y0-1, y1+1
	}
	px := func(v float64) float64 { return pad + (w-2*pad)*(v-x0)/(x1-x0) }
	py := func(v float64) float64 { return h - pad - (h-2*pad)*(v-y0)/(y1-y0) }
	fmt.Fprintf(&b, `<rect class="frame" x="0.5" y="0.5" width="%.0f" height="%.0f"/>`, w-1, h-1)
	for _, d := range dots {
		fmt.Fprintf(&b, `<circle class="pt g%d" cx="%.1f" cy="%.1f" r="3"><title>%s</title></circle>`,
			mod10(d.Group), px(d.X), py(d.Y), template.HTMLEscapeString(d.Title))
	}
	for _, m := range marks {
		fmt.Fprintf(&b, `<g class="mark g%d"><circle cx="%.1f" cy="%.1f" r="9"><title>%s</title></circle><text x="%.1f" y="%.1f" text-anchor="middle">%d</text></g>`,
			mod10(m.Group), px(m.X), py(m.Y), template.HTMLEscapeString(m.Title), px(m.X), py(m.Y)+4, m.Group)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func mod10(g int) int { return ((g % 10) + 10) % 10 }
