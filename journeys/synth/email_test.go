package synth_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

func TestEmail(t *testing.T) {
	end := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		cfg    synth.EmailConfig
		people int // people to read when Events is 0
	}{
		{"one event", synth.EmailConfig{Seed: 1, Prefix: "a-", Events: 1}, 0},
		{"50,000 events", synth.EmailConfig{Seed: 1, Prefix: "b-", Events: 50_000}, 0},
		{"another seed and end", synth.EmailConfig{Seed: 7, Events: 20_000, End: end}, 0},
		{"no end", synth.EmailConfig{Seed: 3, Prefix: "c-"}, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := synth.NewEmail(tt.cfg)
			rules := journeys.DefaultStepRules()
			last := tt.cfg.End
			if last.IsZero() {
				last = synth.EmailEnd
			}
			first := last.Add(-182 * 24 * time.Hour)
			steps := map[string]int{}
			var emails []int // email events per person
			total, people, lastPerson := 0, 0, 0
			for g.Next() {
				evs := g.At()
				if len(evs) == 0 {
					t.Fatalf("person %d has no events", people)
				}
				if got, want := evs[0].Person, fmt.Sprintf("%ss%07d", tt.cfg.Prefix, people); got != want {
					t.Errorf("person %d: id %q, want %q", people, got, want)
				}
				n := 0
				for i, e := range evs {
					if want := fmt.Sprintf("%s%d", tt.cfg.Prefix, total); e.ID != want || e.Person != evs[0].Person {
						t.Fatalf("event %d: id %q of %q, want %q of %q", total, e.ID, e.Person, want, evs[0].Person)
					}
					if step, keep := rules.Step(e); !keep || step != e.Name || e.Type != journeys.TypeTrack {
						t.Errorf("event %s (%s %q): the default rules give step %q, keep %v; want its name", e.ID, e.Type, e.Name, step, keep)
					}
					if i > 0 && e.Time.Before(evs[i-1].Time) {
						t.Errorf("event %s at %v, before the one before it (%v)", e.ID, e.Time, evs[i-1].Time)
					}
					if e.Time.Before(first) || !e.Time.Before(last) {
						t.Errorf("event %s at %v, outside [%v, %v)", e.ID, e.Time, first, last)
					}
					if strings.HasPrefix(e.Name, "email_") || e.Name == "unsubscribe" {
						n++
						if e.Channel != "email" {
							t.Errorf("event %s (%s) on channel %q, want email", e.ID, e.Name, e.Channel)
						}
					}
					steps[e.Name]++
					total++
				}
				emails = append(emails, n)
				people++
				lastPerson = len(evs)
				if tt.cfg.Events == 0 && people == tt.people {
					break
				}
			}
			if n := tt.cfg.Events; n > 0 && (total < n || total-lastPerson >= n) {
				t.Errorf("generated %d events, the last person %d; want %d reached with the last person", total, lastPerson, n)
			}
			if n := tt.cfg.Events; n > 0 && g.Next() {
				t.Errorf("Next after the end: true, want false")
			}
			if total < 10_000 {
				return
			}
			// The shape: mostly sends, a median subscriber with 50 to 100
			// email events, some of everything.
			if share := float64(steps["email_sent"]) / float64(total); share < 0.55 || share > 0.75 {
				t.Errorf("email_sent: %.2f of the events, want 0.55 to 0.75", share)
			}
			slices.Sort(emails)
			if m := emails[len(emails)/2]; m < 50 || m > 100 {
				t.Errorf("median email events per person: %d, want 50 to 100", m)
			}
			for _, s := range []string{"email_open", "email_click", "unsubscribe", "signup", "product_view", "add_to_cart", "purchase"} {
				if steps[s] == 0 {
					t.Errorf("no %s in %d events", s, total)
				}
			}
		})
	}
}

func TestEmailIsSeeded(t *testing.T) {
	cfg := synth.EmailConfig{Seed: 5, Prefix: "x-", Events: 5_000}
	a, b := synth.EmailEvents(cfg), synth.EmailEvents(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of the same config differ")
	}
	cfg.Seed = 6
	if c := synth.EmailEvents(cfg); reflect.DeepEqual(a, c) {
		t.Fatal("seeds 5 and 6 give the same events")
	}
}

func ExampleEmail() {
	g := synth.NewEmail(synth.EmailConfig{Seed: 1, Prefix: "demo-", Events: 1000})
	g.Next()
	g.Next() // the second subscriber
	for _, e := range g.At()[:8] {
		fmt.Println(strings.TrimSpace(fmt.Sprintln(e.Person, e.Time.Format("2006-01-02 15:04:05"), e.Campaign, e.Name, e.Device)))
	}
	// Output:
	// demo-s0000001 2024-01-03 09:45:38 nl-2024-01-03 email_sent
	// demo-s0000001 2024-01-04 02:11:52 nl-2024-01-03 email_open desktop
	// demo-s0000001 2024-01-04 02:13:11 nl-2024-01-03 email_click desktop
	// demo-s0000001 2024-01-04 04:07:51 nl-2024-01-03 email_open desktop
	// demo-s0000001 2024-01-05 09:00:47 nl-2024-01-05 email_sent
	// demo-s0000001 2024-01-05 12:03:46 nl-2024-01-05 email_open desktop
	// demo-s0000001 2024-01-08 09:23:03 nl-2024-01-08 email_sent
	// demo-s0000001 2024-01-11 09:10:40 nl-2024-01-11 email_sent
}
