package chain

import (
	"context"
	"slices"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
)

// AttributionQuery asks which touches earn the conversions: Markov removal
// effects (exact, see markov.Attribute) beside first- and last-touch and
// linear credit, over steps, channels or campaigns.
type AttributionQuery struct {
	Filter journeys.Filter     `json:"filter"`
	By     journeys.Touchpoint `json:"by"`   // channel (default), campaign or step
	Unit   journeys.Unit       `json:"unit"` // journey (default for channels and campaigns), session (default for steps)
	// Conversion, Unsubscribe and Collapse as in PathOptions.
	Conversion  string `json:"conversion"`
	Unsubscribe string `json:"unsubscribe"`
	Collapse    bool   `json:"collapse,omitempty"`
}

// Normalize fills the defaults and validates q (an *Error with code
// EINVALID naming the field).
func (q *AttributionQuery) Normalize() error {
	if err := q.Filter.Validate(); err != nil {
		return err
	}
	if q.By == "" {
		q.By = journeys.ByChannel
	}
	opt := q.pathOptions()
	if err := opt.Normalize(); err != nil {
		return err
	}
	q.By, q.Unit, q.Conversion, q.Unsubscribe = opt.By, opt.Unit, opt.Conversion, opt.Unsubscribe
	return nil
}

func (q *AttributionQuery) pathOptions() journeys.PathOptions {
	return journeys.PathOptions{Unit: q.Unit, By: q.By, Conversion: q.Conversion, Unsubscribe: q.Unsubscribe, Collapse: q.Collapse}
}

// Credit is the conversions and value credited to a touch by a rule.
type Credit struct {
	Conversions float64 `json:"conversions"`
	Value       float64 `json:"value"`
}

// TouchCredit is the attribution of one touch (step, channel or campaign).
type TouchCredit struct {
	Touch string `json:"touch"`
	// RemovalEffect is 1 − P(conversion without it) / P(conversion);
	// ValueRemovalEffect the same for the expected value.
	RemovalEffect      float64 `json:"removal_effect"`
	ValueRemovalEffect float64 `json:"value_removal_effect"`
	Markov             Credit  `json:"markov"`
	FirstTouch         Credit  `json:"first_touch"`
	LastTouch          Credit  `json:"last_touch"`
	Linear             Credit  `json:"linear"`
}

// AttributionReport is the answer to an AttributionQuery. The Markov,
// first-touch, last-touch and linear credits each add up to Conversions
// and Value (up to rounding).
type AttributionReport struct {
	Query          AttributionQuery `json:"query"`
	People         int              `json:"people"`
	Journeys       float64          `json:"journeys"`
	Conversions    float64          `json:"conversions"`
	Value          float64          `json:"value"`
	ConversionRate float64          `json:"conversion_rate"`
	Touches        []TouchCredit    `json:"touches"` // by Markov conversions, then touch
	// SkippedValues counts the conversion values left out of Value and
	// the credits: not finite numbers (NaN, ±Inf stored by an older
	// version) or sums that would overflow. Their conversions count.
	SkippedValues int `json:"skipped_values,omitempty"`
}

// Attribution streams the paths of q and attributes their conversions.
func (c *Chains) Attribution(ctx context.Context, q AttributionQuery) (AttributionReport, error) {
	if err := q.Normalize(); err != nil {
		return AttributionReport{}, err
	}
	opt := q.pathOptions()
	_ = opt.Normalize()
	pp, err := c.pathParts(ctx, journeys.TouchQuery{Filter: q.Filter}, opt)
	if err != nil {
		return AttributionReport{}, err
	}
	at, err := markov.AttributeParts(pp.sequences(), markovOptions(opt), nil)
	pp.Close()
	if err != nil {
		return AttributionReport{}, markovError("attribution", err)
	}
	rep := AttributionReport{Query: q, People: pp.people(), Journeys: at.Journeys, Conversions: at.Conversions,
		Value: at.Value, ConversionRate: at.ConversionRate, SkippedValues: pp.skipped()}
	unsub := opt.UnsubscribeStep()
	for _, cr := range at.Credits {
		if unsub != "" && cr.Label == unsub {
			continue // the unsubscribe step absorbs: it is no touch
		}
		rep.Touches = append(rep.Touches, TouchCredit{Touch: cr.Label,
			RemovalEffect: cr.RemovalEffect, ValueRemovalEffect: cr.ValueRemovalEffect,
			Markov: Credit(cr.Markov), FirstTouch: Credit(cr.FirstTouch), LastTouch: Credit(cr.LastTouch), Linear: Credit(cr.Linear)})
	}
	slices.SortStableFunc(rep.Touches, func(a, b TouchCredit) int {
		if a.Markov.Conversions != b.Markov.Conversions {
			if a.Markov.Conversions > b.Markov.Conversions {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Touch, b.Touch)
	})
	return rep, nil
}
