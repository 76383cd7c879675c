package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// EmailConfig says what an Email generates.
type EmailConfig struct {
	Seed   uint64
	Prefix string // prepended to every person and event id
	// Events stops the generator once this many events were generated: at
	// the end of the person in progress, so a run yields Events plus at
	// most that person's events (a few hundred). 0: no end.
	Events int
	// End is when the six months generated end (EmailEnd when zero): every
	// event is before it, and it is the natural as_of of the data.
	End time.Time
}

// EmailEnd is the default EmailConfig.End.
var EmailEnd = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)

// Parameters of the email journeys (see Email).
const (
	emailSpan      = 182 * day // the months generated, before End
	emailProducts  = 5000      // the catalogue of the shop sessions
	emailEveryMin  = 2.5       // days between two sends, the person's mean: uniform in [min, max]
	emailEveryMax  = 4.0
	emailNeverOpen = 0.18 // share of people who never open
	emailDecaying  = 0.40 // share of people whose engagement decays
	emailJoiners   = 0.15 // share of people who sign up during the months generated
	emailShoppers  = 0.45 // share of people who also visit the shop
	emailUnsubBase = 0.001
	emailUnsubTire = 0.005 // extra unsubscribe chance per send, times the engagement lost
)

// Email generates the journeys of an email list's subscribers, one person
// at a time, seeded, over the six months before End: an email-heavy shape
// in which most events are sends, for the segment benchmarks. Nothing is
// planted: at-risk, sunset, never-engaged or hyper-engaged people are
// whoever the draws below make so.
//
// Person n (from 0) has the id Prefix+"s%07d". 85% were subscribed before
// the six months and are mailed from their start; 15% sign up at a
// uniform time within them (a page_view then a signup on the web), and
// are mailed from ten minutes later. Each person has a mean gap between
// sends, uniform in [2.5, 4] days; each gap is that mean times a uniform
// in [0.5, 1.5], and a send (email_sent, campaign "nl-<date>", the
// newsletter of its day) goes out between 09:00 and 11:00. People
// subscribed throughout (and not unsubscribing) get 45 to 75 sends, most
// of them 50 to 100 email events with their opens and clicks.
//
// Engagement: 18% never open; the others open a send with probability
// p0 = 0.04 + 0.6·U^1.6 (U uniform: a mean of 0.27), times the appeal of
// its newsletter (uniform in [0.7, 1.3], one per day, shared by everyone),
// at most 0.95. For 40% of people it decays: from a time uniform between
// 60 days before the six months and their end, it is multiplied by
// e^(-t/τ), τ uniform in [10, 40] days. An open comes e^(1.3Z)·3 h after
// the send (Z standard normal; at most 6 days), and is opened again with
// probability 1/5 (e^(1.5Z) h later). An open leads to an email_click
// (e^Z minutes later) with the person's click-to-open probability, uniform
// in [0.05, 0.35]. Each send is followed by an unsubscribe (e^(1.2Z)·2 h
// later; no send after it) with probability 0.001 + 0.005·(1 − f), f the
// person's engagement left (1 without decay).
//
// Shopping: 45% of people also shop. A click of theirs leads to the site
// with probability 0.6 (a session from email_click on, channel email);
// besides, they visit every 1+G·X days (X exponential with mean 1, G the
// person's, uniform in [7, 45]), skipping a visit with probability
// 0.7·(1 − f), in sessions as Shop's (a channel among web, search, ads and
// social, the step chain of Shop, products of a 5,000-product catalogue
// as ShopConfig.Products describes).
//
// Events are TypeTrack, named by their step (email events on channel
// "email"), in time order (milliseconds), with the ids Prefix and their
// number in the whole run. A million events hold about 13,000 people
// (77 events each on average); two thirds of the events are email_sent,
// 14% email_open, 2% email_click, and a tenth of the people unsubscribe.
type Email struct {
	cfg       EmailConfig
	rng       *rand.Rand
	cat       *catalogue
	start     time.Time // End - six months
	appeal    []float64 // per day from start
	campaigns []string  // per day from start
	person    int       // the next person's number
	events    int       // events generated so far
	cur       []journeys.Event
}

// NewEmail returns a generator positioned before the first person.
func NewEmail(cfg EmailConfig) *Email {
	if cfg.End.IsZero() {
		cfg.End = EmailEnd
	}
	g := &Email{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x656d61696c)), cat: newCatalogue(emailProducts),
		start: cfg.End.Add(-emailSpan)}
	for d := range int(emailSpan/day) + 7 {
		g.appeal = append(g.appeal, 0.7+0.6*g.rng.Float64())
		g.campaigns = append(g.campaigns, "nl-"+g.start.Add(time.Duration(d)*day).Format("2006-01-02"))
	}
	return g
}

// EmailEvents returns every event an Email of cfg generates, person after
// person; cfg.Events must be set.
func EmailEvents(cfg EmailConfig) []journeys.Event {
	if cfg.Events <= 0 {
		panic("synth: EmailEvents without EmailConfig.Events")
	}
	return collect(NewEmail(cfg), cfg.Events+512)
}

// At returns the events of the person Next generated, in time order. The
// slice is the caller's: Next does not reuse it.
func (g *Email) At() []journeys.Event { return g.cur }

// subscriber is one person's draws.
type subscriber struct {
	id             string
	p0, cto        float64 // open probability at full engagement, click-to-open
	decayAt        time.Time
	tau            float64 // days; 0: no decay
	device, web    string  // the devices mail is read on, the site visited on
	shopper        bool
	visitEvery     float64 // days
	basket         *basket
	events         []journeys.Event
	unsubscribedAt time.Time
}

// engagement returns the share of p0 left at t.
func (s *subscriber) engagement(t time.Time) float64 {
	if s.tau == 0 || t.Before(s.decayAt) {
		return 1
	}
	return math.Exp(-t.Sub(s.decayAt).Hours() / 24 / s.tau)
}

// Next generates the next person's events, and reports false once
// Config.Events were generated.
func (g *Email) Next() bool {
	if n := g.cfg.Events; n > 0 && g.events >= n {
		g.cur = nil
		return false
	}
	rng := g.rng
	s := &subscriber{id: g.cfg.Prefix + fmt.Sprintf("s%07d", g.person), cto: 0.05 + 0.3*rng.Float64(),
		device: shopDevices[rng.IntN(2)*2], web: shopDevices[rng.IntN(len(shopDevices))], basket: g.cat.basket(rng)}
	g.person++
	if rng.Float64() >= emailNeverOpen {
		s.p0 = 0.04 + 0.6*math.Pow(rng.Float64(), 1.6)
	}
	if rng.Float64() < emailDecaying {
		s.decayAt = g.start.Add(time.Duration((rng.Float64()*242 - 60) * float64(day)))
		s.tau = 10 + 30*rng.Float64()
	}
	if s.shopper = rng.Float64() < emailShoppers; s.shopper {
		s.visitEvery = 7 + 38*rng.Float64()
	}
	every := emailEveryMin + (emailEveryMax-emailEveryMin)*rng.Float64()
	first := g.start.Add(time.Duration(rng.Float64() * every * float64(day)))
	visits := g.start
	if rng.Float64() < emailJoiners {
		joined := g.start.Add(time.Duration(rng.Float64() * float64(emailSpan)))
		s.add("page_view", joined, "web", s.web, "", "")
		s.add("signup", joined.Add(sessionGap(rng)), "web", s.web, "", "")
		first, visits = joined.Add(10*time.Minute), joined
	}
	g.mail(s, first, every)
	if s.shopper {
		g.visit(s, visits)
	}
	g.cur = g.finish(s.events)
	return true
}

// mail sends from first on, every days on average, with the person's
// opens, clicks, click-through sessions and unsubscribe.
func (g *Email) mail(s *subscriber, first time.Time, every float64) {
	rng := g.rng
	for t := first; t.Before(g.cfg.End); t = t.Add(time.Duration(every * (0.5 + rng.Float64()) * float64(day))) {
		d := int(t.Sub(g.start) / day)
		sent := g.start.Add(time.Duration(d)*day + 9*time.Hour + time.Duration(rng.Float64()*float64(2*time.Hour)))
		campaign := g.campaigns[d]
		s.add("email_sent", sent, "email", "", campaign, "")
		f := s.engagement(sent)
		if rng.Float64() < min(0.95, s.p0*f*g.appeal[d]) {
			open := sent.Add(min(6*day, time.Duration(math.Exp(1.3*rng.NormFloat64())*float64(3*time.Hour))))
			s.add("email_open", open, "email", s.device, campaign, "")
			if rng.Float64() < 0.2 {
				s.add("email_open", open.Add(time.Duration(math.Exp(1.5*rng.NormFloat64())*float64(time.Hour))), "email", s.device, campaign, "")
			}
			if rng.Float64() < s.cto {
				click := open.Add(time.Duration(math.Exp(rng.NormFloat64()) * float64(time.Minute)))
				s.add("email_click", click, "email", s.device, campaign, "")
				if s.shopper && rng.Float64() < 0.6 {
					g.session(s, pickStep(rng, "email_click"), click.Add(sessionGap(rng)), "email", s.device)
				}
			}
		}
		if rng.Float64() < emailUnsubBase+emailUnsubTire*(1-f) {
			s.add("unsubscribe", sent.Add(time.Duration(math.Exp(1.2*rng.NormFloat64())*float64(2*time.Hour))), "email", s.device, campaign, "")
			return
		}
	}
}

// visit adds the person's own visits to the shop from from on.
func (g *Email) visit(s *subscriber, from time.Time) {
	rng := g.rng
	for t := from; ; {
		t = t.Add(time.Duration((1 + rng.ExpFloat64()*s.visitEvery) * float64(day)))
		if !t.Before(g.cfg.End) {
			return
		}
		if rng.Float64() < 0.7*(1-s.engagement(t)) {
			continue
		}
		channel := shopChannels[rng.IntN(len(shopChannels)-1)] // not email
		step := "page_view"
		if rng.IntN(2) == 0 {
			step = "product_view"
		}
		g.session(s, step, t, channel, s.web)
	}
}

// session walks Shop's step chain from step at t.
func (g *Email) session(s *subscriber, step string, t time.Time, channel, device string) {
	for j := 0; step != "" && j < 200; j++ {
		s.add(step, t, channel, device, "", s.basket.product(g.rng, step))
		t = t.Add(sessionGap(g.rng))
		step = pickStep(g.rng, step)
	}
}

// add appends an event of the person (its id is set by finish).
func (s *subscriber) add(step string, t time.Time, channel, device, campaign, product string) {
	s.events = append(s.events, journeys.Event{Type: journeys.TypeTrack, Person: s.id, Name: step,
		Time: t.UTC().Truncate(time.Millisecond), Channel: channel, Device: device, Campaign: campaign, Product: product})
}

// finish drops the events at or after End, sorts the rest by time and
// numbers them.
func (g *Email) finish(evs []journeys.Event) []journeys.Event {
	evs = slices.DeleteFunc(evs, func(e journeys.Event) bool { return !e.Time.Before(g.cfg.End) })
	slices.SortStableFunc(evs, func(a, b journeys.Event) int { return a.Time.Compare(b.Time) })
	for i := range evs {
		evs[i].ID = g.cfg.Prefix + strconv.Itoa(g.events)
		g.events++
	}
	return evs
}
