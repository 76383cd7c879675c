package inmem

import (
	"context"
	"reflect"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestCacheVocabulary(t *testing.T) {
	m := &MemSource{People: map[string]StoredJourney{}}
	spring := MakeTouch("product_view", "Product Viewed", 10, "email", "")
	spring.Campaign = "spring"
	m.Add("a", []journeys.Touch{spring, MakeTouch("add_to_cart", "Product Added", 20, "", "")},
		[]EventDetail{{Props: map[string]any{journeys.PropPrefix + "plan": "pro"}}, {Props: map[string]any{journeys.PropPrefix + "size": int64(2)}}})
	m.SetFields("a", map[string]any{"events": int64(2), "hmm_state": "browsers", journeys.TraitPrefix + "country": "BE"})
	m.Add("b", []journeys.Touch{MakeTouch("", "ping", 15, "push", "")}, nil)
	m.SetFields("b", map[string]any{"hmm_state": "buyers"})
	m.Put("empty")
	c := &Cache{Source: m}
	ctx := context.Background()
	if got, err := c.Vocabulary(ctx); err != nil || len(got.Steps) != 0 || got.Steps == nil || got.EventFields == nil {
		t.Errorf("before the load: %+v, %v; want empty lists and the fixed fields", got, err)
	}
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := c.Vocabulary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := journeys.Vocabulary{
		Steps: []string{"add_to_cart", "product_view"}, Events: []string{"Product Added", "Product Viewed", "ping"},
		Props: []string{"plan", "size"}, Traits: []string{"country"}, Channels: []string{"email", "push"},
		Campaigns: []string{"spring"}, States: []string{"browsers", "buyers"},
		EventFields: journeys.EventFields, SameFields: journeys.SameFields, PersonFields: journeys.PersonFields,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Vocabulary:\ngot  %+v\nwant %+v", got, want)
	}
}
