package journeys

import "time"

// SurvivalQuery asks, for everyone who entered Segment before AsOf, when
// they started (their first entry, or their first event when FromFirstSeen)
// and when they first did Step at or after that start and before AsOf.
type SurvivalQuery struct {
	Segment       string
	Step          string
	AsOf          time.Time
	FromFirstSeen bool
}

// SurvivalTime is one person's row of a SurvivalQuery: Done is when they
// first did the step (zero: not by the query's AsOf, censored there).
type SurvivalTime struct {
	Person string    `json:"person"`
	Start  time.Time `json:"start"`
	Done   time.Time `json:"done,omitzero"`
}
