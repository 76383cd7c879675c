package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// progress shows an import's progress: a bar redrawn in place on a terminal,
// plain lines every few seconds otherwise (logs, CI).
type progress struct {
	w       io.Writer
	tty     bool
	start   time.Time
	last    time.Time
	drawn   bool
	minWait time.Duration
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now(), minWait: 5 * time.Second}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty, p.minWait = true, 200*time.Millisecond
		}
	}
	return p
}

func (p *progress) update(ip ingest.ImportProgress) {
	now := time.Now()
	if now.Sub(p.last) < p.minWait {
		return
	}
	p.last = now
	frac := 0.0
	if ip.Size > 0 {
		frac = min(1, float64(ip.BytesRead)/float64(ip.Size))
	}
	rate := float64(ip.Accepted+ip.Duplicates) / max(now.Sub(p.start).Seconds(), 1e-3)
	if p.tty {
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %d accepted, %d duplicates, %d rejected, %.0f events/s ",
			strings.Repeat("#", n), strings.Repeat(" ", width-n), frac*100, ip.Accepted, ip.Duplicates, ip.Rejected, rate)
		p.drawn = true
		return
	}
	fmt.Fprintf(p.w, "import %s: %.0f%% read, %d accepted, %d duplicates, %d rejected, %.0f events/s\n",
		ip.File, frac*100, ip.Accepted, ip.Duplicates, ip.Rejected, rate)
}

// done ends the bar's line.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
	p.start, p.last = time.Now(), time.Time{}
}
