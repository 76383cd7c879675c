package inmem

import (
	"fmt"
	"math/rand/v2"

	"github.com/journeygraph/journeygraph/journeys"
)

// genPerson is one generated journey: touches in chain order with each
// touch's product and stored properties, and the person's stored fields.
type genPerson struct {
	id       string
	touches  []journeys.Touch
	products []string
	props    []map[string]any
	fields   map[string]any
}

// genSteps are the generated steps with their weights (per mille): an
// email-heavy mix, email_sent (outbound) the most common.
var genSteps = []struct {
	step   string
	weight int
}{
	{"email_sent", 300}, {"email_open", 120}, {"email_click", 50}, {"page_view", 200}, {"product_view", 180},
	{"add_to_cart", 70}, {"checkout", 30}, {"purchase", 30}, {"unsubscribe", 5}, {"", 15},
}

// genJourneys generates people until they hold at least events events,
// deterministically from seed: times over the 400 days before asOf (and a
// few after it), sessions, urls, channels, campaigns, devices, products,
// values, properties on purchases and sends, and person fields and traits
// on some people.
func genJourneys(seed uint64, events int, asOf int64) []genPerson {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	const day = int64(86400000)
	var out []genPerson
	states := []string{"email_open+email_click", "browsing", "dormant"}
	for n, p := 0, 0; n < events; p++ {
		g := genPerson{id: fmt.Sprintf("p%07d", p)}
		k := 1 + r.IntN(19)
		ts := asOf - r.Int64N(400*day)
		sess := 0
		for i := 0; i < k; i++ {
			gap := r.Int64N(10 * 60000) // mostly minutes apart, in one session
			if r.IntN(10) < 3 {
				gap, sess = r.Int64N(10*day), sess+1
			}
			ts = min(ts+gap, asOf+2*day)
			w, step := r.IntN(1000), ""
			for _, s := range genSteps {
				if w -= s.weight; w < 0 {
					step = s.step
					break
				}
			}
			t := journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: ts, Session: fmt.Sprintf("%s-s%d", g.id, sess)},
				Type: "track", Name: step, Device: []string{"mobile", "desktop", "tablet"}[r.IntN(3)]}
			var product string
			var props map[string]any
			switch step {
			case "":
				t.Type, t.Name, t.Session = "identify", "identify", ""
			case "email_sent", "email_open", "email_click", "unsubscribe":
				t.Channel, t.Campaign = "email", fmt.Sprintf("camp-%d", r.IntN(200))
				if step == "email_sent" {
					t.Session = "" // outbound: no visit
					props = map[string]any{"prop_template": fmt.Sprintf("tpl-%d", r.IntN(30))}
				}
			default:
				t.Channel = []string{"web", "ads", "social"}[r.IntN(3)]
				t.URL = fmt.Sprintf("/p/%d", r.IntN(5000))
				if t.Channel == "ads" {
					t.Campaign = fmt.Sprintf("ads-%d", r.IntN(20))
				}
				if step != "page_view" && step != "checkout" {
					product = fmt.Sprintf("sku-%d", int(r.ExpFloat64()*300)%3000)
					if r.IntN(2) == 0 { // one of the person's three favourites
						product = fmt.Sprintf("sku-%d", (p*7+r.IntN(3))%3000)
					}
				}
				if step == "purchase" {
					t.Value = float64(1+r.IntN(20000)) / 100
					props = map[string]any{"prop_plan": []string{"free", "pro", "gold"}[r.IntN(3)], "prop_seats": int64(1 + r.IntN(9))}
				}
			}
			g.touches = append(g.touches, t)
			g.products = append(g.products, product)
			g.props = append(g.props, props)
		}
		g.fields = map[string]any{"events": int64(k), "last_event": g.touches[k-1].Name}
		if r.IntN(10) < 6 {
			g.fields["hmm_state"] = states[r.IntN(len(states))]
			g.fields["hmm_state_p"] = r.Float64()
			g.fields["p_convert"] = r.Float64()
			g.fields["p_unsubscribe"] = r.Float64()
		}
		if r.IntN(10) < 3 {
			g.fields["trait_country"] = []string{"BE", "FR", "DE", "NL"}[r.IntN(4)]
			g.fields["trait_vip"] = r.IntN(2) == 0
		}
		n += k
		out = append(out, g)
	}
	return out
}
