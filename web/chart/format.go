package chart

import (
	"fmt"
	"strconv"
	"strings"
)

// FormatInt writes 1234567 as 1,234,567.
func FormatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// FormatPct writes a fraction as a percentage with one decimal: 0.1234 as
// 12.3%.
func FormatPct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }
