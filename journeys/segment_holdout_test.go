package journeys_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestParseHoldout(t *testing.T) {
	tests := []struct {
		name    string
		holdout string
		want    *journeys.Holdout
		problem string // the first detail, "" when valid
	}{
		{"share and salt", `{"share": 0.1, "salt": "spring"}`, &journeys.Holdout{Share: 0.1, Salt: "spring"}, ""},
		{"share only", `{"share": 0.5}`, &journeys.Holdout{Share: 0.5}, ""},
		{"zero share", `{"share": 0}`, nil, `holdout.share: 0 is not a share in (0, 0.5]`},
		{"negative share", `{"share": -0.1}`, nil, `holdout.share: -0.1 is not a share in (0, 0.5]`},
		{"share above half", `{"share": 0.6}`, nil, `holdout.share: 0.6 is not a share in (0, 0.5]`},
		{"share as text", `{"share": "10%"}`, nil, `holdout.share: want a number`},
		{"missing share", `{"salt": "x"}`, nil, `holdout.share: missing`},
		{"salt not text", `{"share": 0.1, "salt": 3}`, nil, `holdout.salt: want a string`},
		{"long salt", `{"share": 0.1, "salt": "` + strings.Repeat("s", 201) + `"}`, nil, `holdout.salt: longer than 200 bytes`},
		{"unknown key", `{"share": 0.1, "seed": 1}`, nil, `holdout.seed: unknown key (want share, salt)`},
		{"not an object", `0.1`, nil, `holdout: want {"share": 0.1, "salt": "spring"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := `{"name": "s", "holdout": ` + tt.holdout + `, "where": {"did": "purchase"}}`
			seg, err := journeys.ParseSegment([]byte(def))
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if seg.Holdout == nil || *seg.Holdout != *tt.want {
					t.Fatalf("got holdout %+v, want %+v", seg.Holdout, tt.want)
				}
				if err := seg.Validate(); err != nil {
					t.Fatalf("round trip: %v", err)
				}
				return
			}
			e, ok := err.(*journeys.Error)
			if !ok || e.Code != journeys.EINVALID || len(e.Details) == 0 {
				t.Fatalf("got %v, want an EINVALID *Error with details", err)
			}
			if got := e.Details[0].Field + ": " + e.Details[0].Problem; got != tt.problem {
				t.Errorf("got %q, want %q", got, tt.problem)
			}
		})
	}
}

func TestHoldoutSplit(t *testing.T) {
	const n = 100_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("person-%d", i)
	}
	for _, share := range []float64{0.01, 0.1, 0.25, 0.5} {
		t.Run(fmt.Sprint(share), func(t *testing.T) {
			seg := journeys.Segment{Name: "cart_abandoners", Holdout: &journeys.Holdout{Share: share, Salt: "spring"}}
			control := 0
			for _, id := range ids {
				if seg.Control(id) {
					control++
				}
			}
			// A binomial count: 5 standard deviations.
			sd := math.Sqrt(n * share * (1 - share))
			if got, want := float64(control), n*share; math.Abs(got-want) > 5*sd {
				t.Errorf("got %d in control, want %.0f ± %.0f", control, want, 5*sd)
			}
		})
	}
}

func TestHoldoutDrawDeterministicAndSalted(t *testing.T) {
	// The documented hash: first 8 bytes of SHA-256("u1\x00seg\x00spring")
	// as a big-endian uint64 over 2^64 (computed with sha256sum).
	if got, want := journeys.HoldoutDraw("u1", "seg", "spring"), holdoutGolden; math.Abs(got-want) > 1e-15 {
		t.Errorf("HoldoutDraw(u1, seg, spring) = %.17g, want %.17g", got, want)
	}
	a := journeys.Segment{Name: "seg", Holdout: &journeys.Holdout{Share: 0.5, Salt: "spring"}}
	b := journeys.Segment{Name: "seg", Holdout: &journeys.Holdout{Share: 0.5, Salt: "autumn"}}
	other := journeys.Segment{Name: "seg2", Holdout: &journeys.Holdout{Share: 0.5, Salt: "spring"}}
	const n = 10_000
	sameAgain, differSalt, differSegment := 0, 0, 0
	for i := range n {
		id := fmt.Sprintf("p%d", i)
		if a.Control(id) == a.Control(id) && journeys.HoldoutDraw(id, "seg", "spring") == journeys.HoldoutDraw(id, "seg", "spring") {
			sameAgain++
		}
		if a.Control(id) != b.Control(id) {
			differSalt++
		}
		if a.Control(id) != other.Control(id) {
			differSegment++
		}
	}
	if sameAgain != n {
		t.Errorf("%d of %d assignments repeat, want all", sameAgain, n)
	}
	// Independent halves disagree for half the people: 5 sd is ±250.
	for what, got := range map[string]int{"salt": differSalt, "segment": differSegment} {
		if got < n/2-250 || got > n/2+250 {
			t.Errorf("changing the %s changed %d of %d assignments, want about half", what, got, n)
		}
	}
	if (journeys.Segment{Name: "seg"}).Control("p1") {
		t.Error("a segment without holdout has a control group")
	}
}

// holdoutGolden is 0x4e2bb780d43565b1 / 2^64: `printf 'u1\0seg\0spring' |
// sha256sum` starts with 4e2bb780d43565b1.
const holdoutGolden = 0.30535456557500634
