package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// ShopConfig says what a Shop generates.
type ShopConfig struct {
	Seed   uint64
	Prefix string // prepended to every person and event id
	// Events stops the generator once this many events were generated: at
	// the end of the session in progress, so a run yields Events to
	// Events+199 events and its last person may be cut short. 0: no end.
	Events int
	// Products, when above 0, puts a product on the views, carts, wishlists
	// and purchases, from a catalogue of that many (see Shop); 0 leaves the
	// events without products (and the output as it always was).
	Products int
}

// Shop generates the journeys of a web shop's visitors, one person at a
// time, seeded: realistic volume for the benchmarks of reports, chains and
// hidden states (and tests that need many ordinary journeys, not exact
// segment members: see Generate for those).
//
// Person n (from 0) has the id Prefix+"p%07d" and one device. Their first
// session starts at a random time in the 60 days from 2024-01-01 UTC, then
// 1+⌊2X⌋ sessions (X exponential with mean 1) follow each other by 1+72X
// hours. A session enters by a channel (web, search, ads, social, email;
// web twice as likely) at page_view or product_view, or at email_open when
// by email, and walks the step chain shopSteps (product views, carts,
// checkouts, purchases, wishlists, signups, email clicks) until it draws
// the end, at most 200 events; events are ⌊e^(1.1Z+3.5)⌋ seconds apart
// (Z standard normal: a median of 33 s). An event's id is Prefix and its
// number in the whole run; its name is the step (TypeTrack, no
// properties). A million events hold about 102,000 people.
//
// With Products, a product_view shows the product viewed just before with
// probability 1/4, else one of the person's three favourites (drawn once,
// by popularity) with probability 2/5, else one drawn by popularity: the
// product of rank k (from 1) has weight 1/k^0.8, and "sku-<k>" is its id.
// add_to_cart, add_to_wishlist and remove_from_cart are about the product
// last viewed, purchase about the product in the cart (the last added
// since the last purchase; else the last viewed).
type Shop struct {
	cfg    ShopConfig
	rng    *rand.Rand
	cat    *catalogue // nil without Products
	person int        // the next person's number
	events int        // events generated so far
	cur    []journeys.Event
}

// NewShop returns a generator positioned before the first person.
func NewShop(cfg ShopConfig) *Shop {
	s := &Shop{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6a6f75726e6579))}
	if cfg.Products > 0 {
		s.cat = newCatalogue(cfg.Products)
	}
	return s
}

// ShopEvents returns every event a Shop of cfg generates, person after
// person; cfg.Events must be set.
func ShopEvents(cfg ShopConfig) []journeys.Event {
	if cfg.Events <= 0 {
		panic("synth: ShopEvents without ShopConfig.Events")
	}
	return collect(NewShop(cfg), cfg.Events+64)
}

// generator streams people's events: Shop and Email.
type generator interface {
	Next() bool
	At() []journeys.Event
}

// collect returns every event g generates, person after person, in a slice
// of capacity size.
func collect(g generator, size int) []journeys.Event {
	out := make([]journeys.Event, 0, size)
	for g.Next() {
		out = append(out, g.At()...)
	}
	return out
}

// shopSteps is the Shop's step chain: from each step, the next steps and
// their weights; "" ends the session.
var shopSteps = map[string][]struct {
	next   string
	weight float64
}{
	"page_view":        {{"page_view", 3}, {"product_view", 5}, {"signup", 0.2}, {"", 2}},
	"product_view":     {{"product_view", 5}, {"page_view", 1}, {"add_to_cart", 1.2}, {"add_to_wishlist", 0.4}, {"", 2.5}},
	"add_to_cart":      {{"product_view", 2}, {"checkout", 1.5}, {"remove_from_cart", 0.3}, {"add_to_cart", 0.3}, {"", 1}},
	"add_to_wishlist":  {{"product_view", 2}, {"", 1}},
	"remove_from_cart": {{"product_view", 1}, {"", 1}},
	"checkout":         {{"purchase", 2}, {"checkout", 0.5}, {"", 1}},
	"purchase":         {{"page_view", 0.5}, {"", 2}},
	"signup":           {{"product_view", 1}, {"", 0.5}},
	"email_open":       {{"email_click", 1}, {"", 2}},
	"email_click":      {{"product_view", 2}, {"page_view", 1}, {"", 0.5}},
}

var (
	shopChannels = []string{"web", "web", "search", "ads", "social", "email"}
	shopDevices  = []string{"mobile", "mobile", "desktop", "tablet"}
	shopStart    = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Next generates the next person's events, and reports false once
// Config.Events were generated.
func (s *Shop) Next() bool {
	n := s.cfg.Events
	if n > 0 && s.events >= n {
		s.cur = nil
		return false
	}
	rng := s.rng
	person := s.cfg.Prefix + "p" + fmt.Sprintf("%07d", s.person)
	s.person++
	device := shopDevices[rng.IntN(len(shopDevices))]
	t := shopStart.Add(time.Duration(rng.Float64() * float64(60*24*time.Hour)))
	sessions := 1 + int(rng.ExpFloat64()*2)
	s.cur = nil
	var b *basket
	if s.cat != nil {
		b = s.cat.basket(rng)
	}
	for i := 0; i < sessions && (n <= 0 || s.events < n); i++ {
		channel := shopChannels[rng.IntN(len(shopChannels))]
		step := "page_view"
		if channel == "email" {
			step = "email_open"
		} else if rng.IntN(2) == 0 {
			step = "product_view"
		}
		for j := 0; step != "" && j < 200; j++ {
			s.cur = append(s.cur, journeys.Event{
				ID: s.cfg.Prefix + strconv.Itoa(s.events), Type: journeys.TypeTrack, Person: person, Name: step,
				Time: t, Channel: channel, Device: device, Product: b.product(rng, step),
			})
			s.events++
			t = t.Add(sessionGap(rng))
			step = pickStep(rng, step)
		}
		t = t.Add(time.Duration(1+rng.ExpFloat64()*72) * time.Hour)
	}
	return true
}

// sessionGap draws the time between two events of a session:
// ⌊e^(1.1Z+3.5)⌋ seconds, a median of 33 s.
func sessionGap(rng *rand.Rand) time.Duration {
	return time.Duration(math.Exp(rng.NormFloat64()*1.1+3.5)) * time.Second
}

// At returns the events of the person Next generated, in time order. The
// slice is the caller's: Next does not reuse it.
func (s *Shop) At() []journeys.Event { return s.cur }

// pickStep draws the step after step from shopSteps.
func pickStep(rng *rand.Rand, step string) string {
	opts := shopSteps[step]
	total := 0.0
	for _, o := range opts {
		total += o.weight
	}
	x := rng.Float64() * total
	for _, o := range opts {
		if x -= o.weight; x < 0 {
			return o.next
		}
	}
	return ""
}
