package web

import (
	"context"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
)

// improbableModels lists one improbable journey of person.
type improbableModels struct {
	*fakeModels
	person string
}

func (f improbableModels) Friction(ctx context.Context, q chain.FrictionQuery) (chain.FrictionReport, error) {
	rep, err := f.fakeModels.Friction(ctx, q)
	rep.Improbable = []chain.ImprobableJourney{{Person: f.person, People: 1, Steps: []string{"view"}}}
	return rep, err
}

// TestPagesLinkPeoplePathEscaped: the pages that list people link each to
// the person page with the id escaped as one path segment.
func TestPagesLinkPeoplePathEscaped(t *testing.T) {
	const id, esc = "a/b?c#d%e f", "a%2Fb%3Fc%23d%25e%20f"
	srv, cookie, _ := pageServer(t, []journeys.Sequence{steps(id, "view"), steps("x", "view", "cart")}, nil)
	im := improbableModels{&fakeModels{}, id}
	WithModels(im, im)(srv)
	for _, page := range []string{"/app/funnels?steps=view,cart&at=1", "/app/map?step=view&depth=2&node=1:(exit)", "/app/friction"} {
		w := getPage(srv, cookie, page)
		if want := `href="/app/people/` + esc + `"`; w.Code != 200 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d, lacks %s:\n%s", page, w.Code, want, w.Body)
		}
	}
}
