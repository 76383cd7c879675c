package synth_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys/synth"
)

func TestShopProducts(t *testing.T) {
	plain := synth.ShopEvents(synth.ShopConfig{Seed: 2, Events: 20_000})
	with := synth.ShopEvents(synth.ShopConfig{Seed: 2, Events: 20_000, Products: 100})
	for _, e := range plain {
		if e.Product != "" {
			t.Fatalf("event %s has product %q without Products", e.ID, e.Product)
		}
	}
	about := map[string]bool{"product_view": true, "add_to_cart": true, "add_to_wishlist": true, "remove_from_cart": true, "purchase": true}
	cart := map[string]map[string]bool{} // person → products added to the cart
	counts := map[string]int{}
	for _, e := range with {
		if got := e.Product != ""; got != about[e.Name] {
			t.Fatalf("event %s (%s) has product %q; want one: %v", e.ID, e.Name, e.Product, about[e.Name])
		}
		if e.Product == "" {
			continue
		}
		counts[e.Product]++
		if k, err := strconv.Atoi(strings.TrimPrefix(e.Product, "sku-")); err != nil || k < 1 || k > 100 {
			t.Fatalf("event %s: product %q outside sku-1..sku-100", e.ID, e.Product)
		}
		switch e.Name {
		case "add_to_cart":
			if cart[e.Person] == nil {
				cart[e.Person] = map[string]bool{}
			}
			cart[e.Person][e.Product] = true
		case "purchase":
			if !cart[e.Person][e.Product] {
				t.Errorf("event %s: %s bought %q, never added to the cart", e.ID, e.Person, e.Product)
			}
		}
	}
	if counts["sku-1"] <= counts["sku-100"] {
		t.Errorf("sku-1 in %d events, sku-100 in %d: want the first the more popular", counts["sku-1"], counts["sku-100"])
	}
}
