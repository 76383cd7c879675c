package synth_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

func TestShop(t *testing.T) {
	tests := []struct {
		name   string
		cfg    synth.ShopConfig
		people int // people to read when Events is 0
	}{
		{"one event", synth.ShopConfig{Seed: 1, Prefix: "a-", Events: 1}, 0},
		{"20,000 events", synth.ShopConfig{Seed: 1, Prefix: "b-", Events: 20_000}, 0},
		{"another seed", synth.ShopConfig{Seed: 7, Events: 5_000}, 0},
		{"no end", synth.ShopConfig{Seed: 3, Prefix: "c-"}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := synth.NewShop(tt.cfg)
			rules := journeys.DefaultStepRules()
			ids := map[string]bool{}
			total, people := 0, 0
			for s.Next() {
				evs := s.At()
				if len(evs) == 0 {
					t.Fatalf("person %d has no events", people)
				}
				if got, want := evs[0].Person, fmt.Sprintf("%sp%07d", tt.cfg.Prefix, people); got != want {
					t.Errorf("person %d: id %q, want %q", people, got, want)
				}
				for i, e := range evs {
					if want := fmt.Sprintf("%s%d", tt.cfg.Prefix, total); e.ID != want || ids[e.ID] {
						t.Fatalf("event %d: id %q (seen before: %v), want %q", total, e.ID, ids[e.ID], want)
					}
					ids[e.ID] = true
					if step, keep := rules.Step(e); !keep || step != e.Name || e.Type != journeys.TypeTrack {
						t.Errorf("event %s (%s %q): the default rules give step %q, keep %v; want its name", e.ID, e.Type, e.Name, step, keep)
					}
					if i > 0 && e.Time.Before(evs[i-1].Time) {
						t.Errorf("event %s at %v, before the one before it (%v)", e.ID, e.Time, evs[i-1].Time)
					}
					total++
				}
				people++
				if tt.cfg.Events == 0 && people == tt.people {
					break
				}
			}
			if n := tt.cfg.Events; n > 0 && (total < n || total >= n+200) {
				t.Errorf("generated %d events, want %d to %d", total, n, n+199)
			}
			if n := tt.cfg.Events; n > 0 && s.Next() {
				t.Errorf("Next after the end: true, want false")
			}
		})
	}
}

func TestShopIsSeeded(t *testing.T) {
	cfg := synth.ShopConfig{Seed: 5, Prefix: "x-", Events: 3_000}
	a, b := synth.ShopEvents(cfg), synth.ShopEvents(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of the same config differ")
	}
	cfg.Seed = 6
	if c := synth.ShopEvents(cfg); reflect.DeepEqual(a, c) {
		t.Fatal("seeds 5 and 6 give the same events")
	}
}

func ExampleShop() {
	s := synth.NewShop(synth.ShopConfig{Seed: 1, Prefix: "demo-", Events: 1000})
	s.Next()
	for _, e := range s.At()[:4] {
		fmt.Println(e.Person, e.Time.Format("2006-01-02 15:04:05"), e.Channel, e.Device, e.Name)
	}
	// Output:
	// demo-p0000000 2024-01-02 06:08:38 email desktop email_open
	// demo-p0000000 2024-01-04 20:08:54 email desktop email_open
	// demo-p0000000 2024-01-04 20:10:29 email desktop email_click
	// demo-p0000000 2024-01-04 20:12:14 email desktop product_view
}
