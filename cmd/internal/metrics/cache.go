package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// CacheStats is what WatchCache reads from the journey cache
// (inmem.Cache): its size, and when its last completed sync began (zero
// before the first load).
type CacheStats interface {
	Stats() (people, events int)
	LastSync() time.Time
}

// WatchCache adds the journey cache's size and lag, read at each scrape:
// the lag is the time since its last completed sync began (what a report
// may miss at most, besides the sync it makes first), counted from now
// while it has not loaded yet.
func (s *Set) WatchCache(c CacheStats) {
	watched := time.Now()
	s.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "journeygraph_journey_cache_people",
			Help: "People held in the journey cache.",
		}, func() float64 { people, _ := c.Stats(); return float64(people) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "journeygraph_journey_cache_events",
			Help: "Events held in the journey cache.",
		}, func() float64 { _, events := c.Stats(); return float64(events) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "journeygraph_journey_cache_lag_seconds",
			Help: "Time since the journey cache's last completed sync began (since the server started, before its first load).",
		}, func() float64 {
			last := c.LastSync()
			if last.IsZero() {
				last = watched
			}
			return time.Since(last).Seconds()
		}),
	)
}
