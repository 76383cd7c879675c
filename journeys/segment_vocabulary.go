package journeys

import "sort"

// Vocabulary is what a segment builder offers in its menus: the values
// seen in the journeys (steps, event names, property and trait keys,
// channels, campaigns, decoded hidden states), each sorted and cut to
// MaxVocabularyValues, beside the fixed field lists of the definition
// language.
type Vocabulary struct {
	Steps     []string `json:"steps"`
	Events    []string `json:"events"`    // raw event names
	Props     []string `json:"props"`     // event property keys, for "props.<key>"
	Traits    []string `json:"traits"`    // person trait keys, for "traits.<key>"
	Channels  []string `json:"channels"`  // event channel values
	Campaigns []string `json:"campaigns"` // event campaign values
	States    []string `json:"states"`    // decoded hidden state labels

	EventFields  map[string]string `json:"event_fields"`  // EventFields
	SameFields   []string          `json:"same_fields"`   // SameFields
	PersonFields map[string]string `json:"person_fields"` // PersonFields
}

// MaxVocabularyValues is how many values of each kind a Vocabulary lists.
const MaxVocabularyValues = 500

// NewVocabulary builds a Vocabulary from the sets of values seen (any may
// be nil): each sorted, without "", cut to MaxVocabularyValues, and never
// nil; the fixed field lists are filled in.
func NewVocabulary(steps, events, props, traits, channels, campaigns, states map[string]bool) Vocabulary {
	sorted := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			if k != "" {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out[:min(len(out), MaxVocabularyValues)]
	}
	return Vocabulary{
		Steps: sorted(steps), Events: sorted(events), Props: sorted(props), Traits: sorted(traits),
		Channels: sorted(channels), Campaigns: sorted(campaigns), States: sorted(states),
		EventFields: EventFields, SameFields: SameFields, PersonFields: PersonFields,
	}
}
