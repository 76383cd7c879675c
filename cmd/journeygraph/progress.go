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
// plain lines every few seconds otherwise (logs, CI). A sorted import has
// two phases, reading (and sorting) the file and writing it; each shows its
// share done and an estimate of the time it has left.
type progress struct {
	w       io.Writer
	tty     bool
	start   time.Time // of the import
	phase   string
	since   time.Time // of the phase
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
	if ip.Phase != p.phase {
		p.phase, p.since, p.last = ip.Phase, now, time.Time{}
		if p.drawn {
			fmt.Fprintln(p.w) // keep the finished phase's line
			p.drawn = false
		}
	}
	if now.Sub(p.last) < p.minWait {
		return
	}
	p.last = now
	frac := phaseDone(ip)
	elapsed := now.Sub(p.since)
	rate := float64(ip.Accepted+ip.Duplicates) / max(now.Sub(p.start).Seconds(), 1e-3)
	status := fmt.Sprintf("%s %3.0f%% %s, %d accepted, %d duplicates, %d rejected, %.0f events/s",
		ip.Phase, frac*100, eta(frac, elapsed), ip.Accepted, ip.Duplicates, ip.Rejected, rate)
	if p.tty {
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(p.w, "\r[%s%s] %s ", strings.Repeat("#", n), strings.Repeat(" ", width-n), status)
		p.drawn = true
		return
	}
	fmt.Fprintf(p.w, "import %s: %s\n", ip.File, status)
}

// phaseDone returns the share of the current phase done: of the events to
// write once they are known, else of the file's bytes read.
func phaseDone(ip ingest.ImportProgress) float64 {
	switch {
	case ip.Phase == ingest.PhaseWriting && ip.Total > 0:
		return min(1, float64(ip.Written)/float64(ip.Total))
	case ip.Size > 0:
		return min(1, float64(ip.BytesRead)/float64(ip.Size))
	}
	return 0
}

// eta says how long a phase that took elapsed for frac of its work has left,
// at the same pace.
func eta(frac float64, elapsed time.Duration) string {
	switch {
	case frac >= 1:
		return "done"
	case frac <= 0 || elapsed < time.Second:
		return "ETA --"
	}
	left := time.Duration(float64(elapsed) * (1 - frac) / frac)
	return "ETA " + left.Round(time.Second).String()
}

// done ends the bar's line.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
	p.start, p.last, p.phase = time.Now(), time.Time{}, ""
}
