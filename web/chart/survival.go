package chart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/journeygraph/journeygraph/journeys/survival"
)

// Survival draws Kaplan–Meier curves (survival.Curve, at most two read
// well) as step lines over shaded confidence bands: the share of people
// who have not yet done the step (0–100%) against days since their start,
// a dashed line at 50% and a dot at each reached median. Each curve's
// line, band and legend carry the class curve-0, curve-1, …; the legend
// and titles name the segment, its people and its median.
func Survival(curves []survival.Curve, title string) template.HTML {
	const w, h, left, right, bottom = 640.0, 220.0, 48.0, 12.0, 26.0
	top := 12 + 15*float64(len(curves)) // a legend line per curve above the plot
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart survival" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	maxT, drawn := 0.0, false
	for _, c := range curves {
		if n := len(c.Points); n > 0 {
			maxT, drawn = math.Max(maxT, c.Points[n-1].Days), true
		}
	}
	if !drawn {
		b.WriteString(`<text x="50%" y="50%" text-anchor="middle">no data</text></svg>`)
		return template.HTML(b.String())
	}
	if maxT == 0 {
		maxT = 1
	}
	x := func(t float64) float64 { return left + (w-left-right)*t/maxT }
	y := func(s float64) float64 { return top + (h-top-bottom)*(1-s) }
	fmt.Fprintf(&b, `<line class="axis" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, left, h-bottom, w-right, h-bottom)
	fmt.Fprintf(&b, `<line class="axis" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, left, top, left, h-bottom)
	fmt.Fprintf(&b, `<line class="half" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, left, y(0.5), w-right, y(0.5))
	for _, s := range []float64{1, 0.5, 0} {
		fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">%.0f%%</text>`, left-6, y(s)+4, s*100)
	}
	for i := 0; i <= 4; i++ {
		t := maxT * float64(i) / 4
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x(t), h-8, FormatDays(t))
	}
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.0f" text-anchor="end">days</text>`, w-right, h-bottom-4)
	for k, c := range curves {
		if len(c.Points) == 0 {
			continue
		}
		var upper, lower, line []string
		for i, p := range c.Points {
			if i > 0 {
				prev := c.Points[i-1]
				upper = appendXY(upper, x(p.Days), y(prev.Upper))
				lower = appendXY(lower, x(p.Days), y(prev.Lower))
				line = appendXY(line, x(p.Days), y(prev.Survival))
			}
			upper = appendXY(upper, x(p.Days), y(p.Upper))
			lower = appendXY(lower, x(p.Days), y(p.Lower))
			line = appendXY(line, x(p.Days), y(p.Survival))
		}
		for i, j := 0, len(lower)-1; i < j; i, j = i+1, j-1 {
			lower[i], lower[j] = lower[j], lower[i]
		}
		name := template.HTMLEscapeString(c.Segment)
		median := "median not reached"
		if c.MedianDays != nil {
			median = "median " + FormatDays(*c.MedianDays) + " days"
		}
		fmt.Fprintf(&b, `<polygon class="band curve-%d" points="%s %s"/>`, k, strings.Join(upper, " "), strings.Join(lower, " "))
		fmt.Fprintf(&b, `<polyline class="km curve-%d" points="%s"><title>%s: %s people, %s did it, %s</title></polyline>`,
			k, strings.Join(line, " "), name, FormatInt(c.People), FormatInt(c.Done), median)
		if c.MedianDays != nil {
			fmt.Fprintf(&b, `<circle class="median curve-%d" cx="%.1f" cy="%.1f" r="3.5"><title>%s: %s</title></circle>`,
				k, x(*c.MedianDays), y(0.5), name, median)
		}
		fmt.Fprintf(&b, `<text class="legend curve-%d" x="%.0f" y="%.0f">■ %s (%s)</text>`, k, left, 14+15*float64(k),
			template.HTMLEscapeString(shorten(c.Segment, 60)), median)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// shorten cuts s to at most n runes, ending it with "…" when cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// appendXY appends the point "x,y" to pts unless it is pts' last.
func appendXY(pts []string, x, y float64) []string {
	p := fmt.Sprintf("%.1f,%.1f", x, y)
	if len(pts) > 0 && pts[len(pts)-1] == p {
		return pts
	}
	return append(pts, p)
}

// FormatDays writes a number of days with at most one decimal: 2.25 as
// 2.3, 7 as 7.
func FormatDays(d float64) string {
	return strconv.FormatFloat(math.Round(d*10)/10, 'f', -1, 64)
}
