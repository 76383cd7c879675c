package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// catalogue is a shop's products by popularity: the product of rank k
// (from 1) has weight 1/k^0.8 and the id "sku-<k>".
type catalogue struct {
	ids []string
	cum []float64 // cumulative weights
}

func newCatalogue(n int) *catalogue {
	c := &catalogue{ids: make([]string, n), cum: make([]float64, n)}
	total := 0.0
	for k := range n {
		c.ids[k] = "sku-" + strconv.Itoa(k+1)
		total += 1 / math.Pow(float64(k+1), 0.8)
		c.cum[k] = total
	}
	return c
}

// draw returns a product's rank (from 0) by popularity.
func (c *catalogue) draw(rng *rand.Rand) int {
	x := rng.Float64() * c.cum[len(c.cum)-1]
	i, _ := slices.BinarySearch(c.cum, x)
	return min(i, len(c.cum)-1)
}

// basket is what one person looks at: three favourite products, the one
// viewed last and the one in the cart (-1: none; a purchase empties it).
type basket struct {
	cat              *catalogue
	favs             [3]int
	lastView, inCart int
}

// basket draws a new person's favourites.
func (c *catalogue) basket(rng *rand.Rand) *basket {
	b := &basket{cat: c, lastView: -1, inCart: -1}
	for i := range b.favs {
		b.favs[i] = c.draw(rng)
	}
	return b
}

// product returns the product of the person's next event of step ("" for
// steps about no product, and always with a nil basket), as Shop documents.
func (b *basket) product(rng *rand.Rand, step string) string {
	if b == nil {
		return ""
	}
	switch step {
	case "product_view":
		switch {
		case b.lastView >= 0 && rng.IntN(4) == 0:
		case rng.Float64() < 0.4:
			b.lastView = b.favs[rng.IntN(len(b.favs))]
		default:
			b.lastView = b.cat.draw(rng)
		}
	case "add_to_cart", "add_to_wishlist", "remove_from_cart":
		if b.lastView < 0 {
			b.lastView = b.cat.draw(rng)
		}
		if step == "add_to_cart" {
			b.inCart = b.lastView
		}
	case "purchase":
		if b.inCart >= 0 {
			k := b.inCart
			b.inCart = -1
			return b.cat.ids[k]
		}
		if b.lastView < 0 {
			b.lastView = b.cat.draw(rng)
		}
	default:
		return ""
	}
	return b.cat.ids[b.lastView]
}
