package profile

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// noZ is the largest |Z| that is rounding, not a difference: a feature
// constant over everyone has centroids a few ulps from 0.
const noZ = 1e-9

// distinct returns the n values of largest |Z| and any tied with the
// n-th (within 1e-9), in order of |Z| then of the features; values with
// |Z| ≤ noZ set nothing apart and are left out.
func distinct(centroid []Value, n int) []Value {
	out := slices.DeleteFunc(slices.Clone(centroid), func(v Value) bool { return math.Abs(v.Z) <= noZ })
	slices.SortStableFunc(out, func(a, b Value) int { return cmp.Compare(math.Abs(b.Z), math.Abs(a.Z)) })
	if n >= len(out) {
		return out
	}
	if n <= 0 {
		return nil
	}
	last := math.Abs(out[n-1].Z)
	for n < len(out) && math.Abs(out[n].Z) >= last-1e-9*math.Max(last, 1) {
		n++
	}
	return out[:n]
}

// word is what a feature says of a cluster when it stands out: an
// adjective ("recent") of a kind (one adjective per kind), a noun
// ("buyers") or a suffix ("from email").
type word struct{ kind, adj, noun, suffix string }

// nouns rank what a cluster is called, the strongest sign first.
var nouns = []string{"buyers", "email clickers", "cart builders", "email openers", "browsers", "email recipients"}

// words returns what feature says when its Z has the sign of high
// (above the population) or not.
func words(feature string, high bool) word {
	switch feature {
	case "recency_days":
		return pick(high, word{kind: "recency", adj: "lapsed"}, word{kind: "recency", adj: "recent"})
	case "events_30d", "events_90d", "sessions_90d", "days_active_90d":
		return pick(high, word{kind: "frequency", adj: "frequent"}, word{kind: "frequency", adj: "occasional"})
	case "value_90d":
		return pick(high, word{kind: "value", adj: "high-value"}, word{kind: "value", adj: "low-value"})
	case "step_purchase_30d":
		return pick(high, word{noun: "buyers"}, word{})
	case "step_email_click_30d", "email_click_rate_90d":
		return pick(high, word{noun: "email clickers"}, word{})
	case "step_email_open_30d", "email_open_rate_90d":
		return pick(high, word{noun: "email openers"}, word{})
	case "email_sent_90d":
		return pick(high, word{noun: "email recipients"}, word{})
	case "step_add_to_cart_30d", "step_checkout_30d":
		return pick(high, word{noun: "cart builders"}, word{})
	case "step_product_view_30d", "step_page_view_30d":
		return pick(high, word{noun: "browsers"}, word{})
	}
	if ch, ok := strings.CutPrefix(feature, "channel_share_"); ok {
		return pick(high, word{suffix: "from " + ch}, word{})
	}
	if high {
		return word{suffix: Reading(feature, 1)} // a hidden state: "likely in state …"
	}
	return word{}
}

func pick(high bool, hi, lo word) word {
	if high {
		return hi
	}
	return lo
}

// SuggestLabel names a cluster from the features that set it apart
// (distinct, by |Z|): their adjectives (the first of each kind: recency,
// frequency, value), the strongest of their nouns (buyers, email clickers,
// cart builders, email openers, browsers, email recipients; "people" when
// none), a channel or a hidden state ("likely in state ready_to_buy"),
// whichever sets it apart more, and ", no purchase" for clickers, openers,
// cart builders and browsers whose centroid shows no purchase and no value.
func SuggestLabel(distinct, centroid []Value) string {
	var adjs []string
	kinds := map[string]bool{}
	rank, suffix := len(nouns), ""
	for _, v := range distinct {
		if math.Abs(v.Z) <= noZ {
			continue
		}
		w := words(v.Feature, v.Z > 0)
		if w.adj != "" && !kinds[w.kind] {
			adjs, kinds[w.kind] = append(adjs, w.adj), true
		}
		if r := slices.Index(nouns, w.noun); r >= 0 && r < rank {
			rank = r
		}
		if suffix == "" {
			suffix = w.suffix
		}
	}
	noun := "people"
	if rank < len(nouns) {
		noun = nouns[rank]
	}
	label := strings.Join(append(adjs, noun), " ")
	if suffix != "" {
		label += " " + suffix
	}
	if noun != "buyers" && noun != "people" && noun != "email recipients" && !bought(centroid) {
		label += ", no purchase"
	}
	return label
}

// bought reports whether a centroid shows purchases or value (unknown
// features count as none).
func bought(centroid []Value) bool {
	for _, v := range centroid {
		if (v.Feature == "step_purchase_30d" && v.Value >= 0.05) || (v.Feature == "value_90d" && v.Value >= 0.5) {
			return true
		}
	}
	return false
}
