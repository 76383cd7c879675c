package graph_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// chainsGen generates synthetic journeys for the chain and model
// benchmarks: people in four planted behaviours (browsers, buyers, email
// readers, churners) over sessions from five channels with campaigns,
// e-commerce steps with purchase values, and email sends, opens, clicks and
// unsubscribes. About 20 events per person.
type chainsGen struct {
	rng    *rand.Rand
	prefix string
	t0     time.Time
}

func newChainsGen(prefix string, seed uint64) *chainsGen {
	return &chainsGen{rng: rand.New(rand.NewPCG(seed, 42)), prefix: prefix,
		t0: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

var genChannels = []struct{ channel, campaign string }{
	{"organic", ""}, {"paid_search", "brand"}, {"paid_search", "generic"},
	{"email", "newsletter"}, {"email", "winback"}, {"social", "spring"}, {"direct", ""},
}

// person returns the events of person i in time order.
func (g *chainsGen) person(i int) []journeys.Event {
	r := g.rng
	id := fmt.Sprintf("%sp%07d", g.prefix, i)
	kind := r.IntN(4) // 0 browser, 1 buyer, 2 email reader, 3 churner
	t := g.t0.Add(time.Duration(r.IntN(60*24)) * time.Hour)
	var out []journeys.Event
	add := func(name, url string, src int, value float64) {
		c := genChannels[src]
		e := journeys.Event{Type: journeys.TypeTrack, Person: id, Name: name, Time: t,
			Channel: c.channel, Campaign: c.campaign, URL: url, Value: value}
		e.ID = fmt.Sprintf("%se%d", id, len(out))
		out = append(out, e)
		t = t.Add(time.Duration(5+r.IntN(240)) * time.Second)
	}
	sessions := 1 + r.IntN(5)
	for s := 0; s < sessions; s++ {
		src := r.IntN(len(genChannels))
		if kind == 2 && r.IntN(2) == 0 {
			src = 3 + r.IntN(2)
			add("email_sent", "", src, 0)
			t = t.Add(time.Duration(1+r.IntN(48)) * time.Hour)
			add("email_open", "", src, 0)
			if r.IntN(3) > 0 {
				add("email_click", "", src, 0)
			}
		}
		if kind == 3 && s == sessions-1 {
			add("email_sent", "", 3, 0)
			if r.IntN(2) == 0 {
				add("email_unsubscribed", "", 3, 0)
			}
			break
		}
		add("page_view", "/", src, 0)
		views := 1 + r.IntN(6)
		for v := 0; v < views; v++ {
			add("product_view", "/p", src, 0)
			if r.IntN(5) == 0 {
				add("page_view", "/", src, 0) // back and forth
			}
		}
		pCart := []int{8, 2, 3, 10}[kind]
		if r.IntN(pCart) == 0 {
			add("add_to_cart", "", src, 0)
			if r.IntN(4) == 0 {
				add("remove_from_cart", "", src, 0)
			} else if r.IntN([]int{4, 1, 2, 6}[kind]+1) == 0 {
				add("page_view", "/checkout", src, 0)
				if r.IntN(3) > 0 {
					add("purchase", "", src, float64(10+r.IntN(190)))
				}
			}
		}
		t = t.Add(time.Duration(1+r.IntN(72)) * time.Hour)
	}
	return out
}
