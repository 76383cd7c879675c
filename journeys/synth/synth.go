// Package synth generates seeded customer journeys for tests, benchmarks
// and the demo; it is the project's one journey generator.
//
// Generate plants behaviours (cart abandoners, buyers, relaunch prospects,
// hyper-engaged, at-risk, sunset, unsubscribed, never engaged, VIP, new)
// and decoys that almost qualify, and Expected computes the exact members
// of every built-in segment by a plain Go reading of their definitions,
// independent of the Cypher compiler: segment tests compare the two, the
// demo adds its email journeys.
//
// Shop streams ordinary web-shop journeys (sessions of views, carts,
// checkouts and purchases over channels and devices) at any volume, person
// by person: the report, chain and hidden-state benchmarks load them.
// Email streams an email list's subscribers over six months (sends every
// few days, opens and clicks by an engagement that varies and decays,
// unsubscribes, and shop sessions for some): the email-heavy shape of the
// segment benchmark, with nothing planted.
package synth

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Config says what to generate.
type Config struct {
	Seed    uint64
	AsOf    time.Time // the evaluation time the behaviours are planted around
	Prefix  string    // prepended to every person id
	PerKind int       // people per planted kind
	Noise   int       // up to this many extra page views per person over the last 120 days (0: none)
}

// Data is a generated population.
type Data struct {
	Events []journeys.Event
	Scores []journeys.PersonScores // propensities of the at-risk kinds
	Kinds  map[string]string       // person → planted kind
}

const day = 24 * time.Hour

// kinds are the planted behaviours: each returns a person's events as
// (step, days before as_of, product) triples.
var kinds = map[string][]planted{
	"abandoner":               {{"product_view", 2.1, "p1"}, {"add_to_cart", 2, "p1"}},
	"abandoner_re":            {{"add_to_cart", 5, "p1"}, {"purchase", 3, "p1"}, {"add_to_cart", 1, "p2"}},
	"abandoner_future_buy":    {{"add_to_cart", 1, "p1"}, {"purchase", -1, "p1"}},
	"abandoner_decoy_bought":  {{"add_to_cart", 2, "p1"}, {"purchase", 1, "p1"}},
	"abandoner_decoy_old":     {{"add_to_cart", 10, "p1"}},
	"buyer":                   {{"product_view", 2.2, "p3"}, {"add_to_cart", 2.1, "p3"}, {"purchase", 2, "p3"}},
	"prospect":                {{"product_view", 6, "p4"}, {"product_view", 4, "p4"}, {"product_view", 1, "p4"}},
	"prospect_decoy_spread":   {{"product_view", 9, "p4"}, {"product_view", 4, "p4"}, {"product_view", 1, "p4"}},
	"prospect_decoy_mixed":    {{"product_view", 6, "p4"}, {"product_view", 4, "p5"}, {"product_view", 1, "p6"}},
	"prospect_decoy_bought":   {{"product_view", 6, "p4"}, {"product_view", 4, "p4"}, {"product_view", 3, "p4"}, {"purchase", 1, "p4"}},
	"hyper":                   {{"email_open", 2, ""}, {"email_click", 2, ""}, {"email_click", 1, ""}},
	"hyper_decoy_one_click":   {{"email_open", 2, ""}, {"email_click", 1, ""}},
	"hyper_decoy_old_open":    {{"email_open", 8, ""}, {"email_click", 5, ""}, {"email_click", 1, ""}},
	"at_risk":                 {{"email_open", 80, ""}, {"email_open", 60, ""}, {"email_open", 40, ""}},
	"at_risk_mailed_browsing": {{"email_open", 80, ""}, {"email_open", 60, ""}, {"email_open", 40, ""}, {"email_sent", 20, ""}, {"email_sent", 10, ""}, {"page_view", 5, ""}, {"email_sent", 2, ""}},
	"at_risk_decoy_recent":    {{"email_open", 80, ""}, {"email_open", 60, ""}, {"email_open", 40, ""}, {"email_open", 5, ""}},
	"at_risk_decoy_clicked":   {{"email_open", 80, ""}, {"email_open", 60, ""}, {"email_open", 40, ""}, {"email_click", 12, ""}},
	"at_risk_decoy_two":       {{"email_open", 80, ""}, {"email_open", 40, ""}},
	"at_risk_decoy_unsub":     {{"email_open", 80, ""}, {"email_open", 60, ""}, {"email_open", 40, ""}, {"unsubscribe", 35, ""}},
	"at_risk_decoy_too_old":   {{"email_open", 100, ""}, {"email_open", 95, ""}, {"email_open", 40, ""}},
	"at_risk_score":           {{"page_view", 3, ""}},
	"at_risk_score_decoy":     {{"page_view", 3, ""}},
	"unsubscribed":            {{"email_open", 20, ""}, {"unsubscribe", 10, ""}},
	"unsubscribed_future":     {{"email_open", 20, ""}, {"unsubscribe", -2, ""}},
	"never_engaged":           {{"email_sent", 60, ""}, {"email_sent", 30, ""}, {"email_sent", 3, ""}},
	"never_engaged_decoy":     {{"email_sent", 60, ""}, {"email_open", 59, ""}},
	"sunset":                  {{"email_sent", 85, ""}, {"email_sent", 70, ""}, {"email_sent", 55, ""}, {"email_sent", 40, ""}, {"email_sent", 25, ""}, {"email_sent", 10, ""}},
	"sunset_old_open":         {{"email_open", 120, ""}, {"email_sent", 85, ""}, {"email_sent", 70, ""}, {"email_sent", 55, ""}, {"email_sent", 40, ""}, {"email_sent", 25, ""}},
	"sunset_decoy_click":      {{"email_sent", 85, ""}, {"email_sent", 70, ""}, {"email_sent", 55, ""}, {"email_sent", 40, ""}, {"email_click", 30, ""}, {"email_sent", 25, ""}, {"email_sent", 10, ""}},
	"sunset_decoy_four":       {{"email_sent", 85, ""}, {"email_sent", 55, ""}, {"email_sent", 25, ""}, {"email_sent", 10, ""}},
	"sunset_decoy_unsub":      {{"email_sent", 85, ""}, {"email_sent", 70, ""}, {"email_sent", 55, ""}, {"email_sent", 40, ""}, {"unsubscribe", 30, ""}, {"email_sent", 25, ""}, {"email_sent", 10, ""}},
	"vip":                     {{"purchase", 200, "p7"}, {"purchase", 100, "p8"}, {"purchase", 3, "p9"}},
	"vip_decoy":               {{"purchase", 400, "p7"}, {"purchase", 100, "p8"}, {"purchase", 3, "p9"}},
	"new":                     {{"page_view", 3, ""}, {"product_view", 2, "p1"}},
	"new_decoy":               {{"page_view", 20, ""}, {"page_view", 3, ""}},
	"new_after_mailing":       {{"email_sent", 20, ""}, {"page_view", 3, ""}},
}

type planted struct {
	step    string
	daysAgo float64 // negative: after as_of (must be ignored)
	product string
}

// scores are the P(unsubscribe) planted on the score kinds.
var scores = map[string]float64{"at_risk_score": 0.8, "at_risk_score_decoy": 0.6}

// Kinds returns the planted kind names, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Generate returns PerKind people of every kind (ids Prefix+kind+"-"+n),
// with their events in random order of kinds and jittered times.
func Generate(cfg Config) Data {
	r := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed))
	d := Data{Kinds: map[string]string{}}
	for _, kind := range Kinds() {
		for n := 0; n < cfg.PerKind; n++ {
			person := fmt.Sprintf("%s%s-%05d", cfg.Prefix, kind, n)
			d.Kinds[person] = kind
			for i, pl := range kinds[kind] {
				// Jitter keeps the planted order and windows: at most 1 h, earlier.
				t := cfg.AsOf.Add(-time.Duration(pl.daysAgo*float64(day)) - time.Duration(r.IntN(3600))*time.Second - time.Duration(i)*time.Millisecond)
				d.Events = append(d.Events, event(person, pl.step, pl.product, t))
			}
			for i := r.IntN(cfg.Noise + 1); i > 0 && cfg.Noise > 0; i-- {
				t := cfg.AsOf.Add(-time.Duration(r.Float64() * float64(120*day)))
				d.Events = append(d.Events, event(person, "page_view", "", t))
			}
			if p, ok := scores[kind]; ok {
				p := p
				d.Scores = append(d.Scores, journeys.PersonScores{Person: person, PUnsubscribe: &p})
			}
		}
	}
	return d
}

func event(person, step, product string, t time.Time) journeys.Event {
	t = t.UTC().Truncate(time.Millisecond)
	props := map[string]any(nil)
	if product != "" {
		props = map[string]any{"product": product}
	}
	e := journeys.Event{ID: journeys.EventID(person, step, t, props), Type: journeys.TypeTrack, Person: person,
		Name: step, Step: step, Time: t, Product: product}
	if step == "email_open" || step == "email_click" || step == "email_sent" {
		e.Channel, e.Campaign = "email", "spring"
	}
	return e
}
