package inmem

import (
	"context"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
)

// Vocabulary lists the values the people held have: the steps and raw
// names of their events, the keys of the events' stored properties and of
// the people's traits, the channels and campaigns seen, and the decoded
// hidden states. The segment builder fills its menus with it. It reads
// what the cache holds now, without syncing first (a menu need not wait
// for the last seconds' writes, nor for the first load: before it the
// lists are empty).
func (c *Cache) Vocabulary(ctx context.Context) (journeys.Vocabulary, error) {
	s := c.snap.Load()
	if s == nil {
		return journeys.NewVocabulary(nil, nil, nil, nil, nil, nil, nil), nil
	}
	var steps, names, channels, campaigns, props, traits, states = ids{}, ids{}, ids{}, ids{}, ids{}, ids{}, ids{}
	for _, p := range s.people {
		if err := ctx.Err(); err != nil {
			return journeys.Vocabulary{}, err
		}
		for _, e := range p.events {
			steps[e.step], names[e.name] = true, true
			channels[e.channel], campaigns[e.campaign] = true, true
		}
		for i, pr := range p.props {
			if uint32(i) < p.attrs {
				if pr.key != 0 && s.strs[pr.key] == "hmm_state" && pr.kind == propString {
					states[uint32(pr.bits)] = true
				}
				traits[pr.key] = true
			} else {
				props[pr.key] = true
			}
		}
	}
	keys := func(m ids, prefix string) map[string]bool {
		out := map[string]bool{}
		for id := range m {
			if k, ok := strings.CutPrefix(s.strs[id], prefix); ok {
				out[k] = true
			}
		}
		return out
	}
	return journeys.NewVocabulary(keys(steps, ""), keys(names, ""), keys(props, journeys.PropPrefix),
		keys(traits, journeys.TraitPrefix), keys(channels, ""), keys(campaigns, ""), keys(states, "")), nil
}

// ids is a set of interned string ids.
type ids map[uint32]bool
