package report_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// nodeSeqs: b has two sessions through view at column 1, d only a second
// one (the first, on which d is counted, is home > home > view).
var nodeSeqs = []journeys.Sequence{
	seq("a", "home@0 view@1 cart@2 buy@3"),
	seq("b", "home@0 view@1 home@100 view@101"),
	seq("c", "view@0 cart@1"),
	seq("d", "home@0 home@1 view@2 home@100 view@101"),
	seq("e", "search@0 cart@1 buy@2"),
}

func TestNodePeople(t *testing.T) {
	tests := []struct {
		name         string
		q            report.NodeQuery
		want         []string // the page
		total, drawn int
		units        int
		next         int // -1 for the last page
	}{
		{"first steps", report.NodeQuery{Path: report.PathQuery{Depth: 2}, Column: 1, Step: "view"},
			[]string{"a", "b"}, 2, 2, 4, -1},
		{"a person once however many sessions pass", report.NodeQuery{Path: report.PathQuery{Depth: 2}, Column: 0, Step: "home"},
			[]string{"a", "b", "d"}, 3, 3, 5, -1},
		{"markers are nodes", report.NodeQuery{Path: report.PathQuery{Start: "view", Depth: 2}, Column: 1, Step: report.MarkExit},
			[]string{"b", "d"}, 2, 2, 4, -1},
		{"to a step: paths end at the last column", report.NodeQuery{Path: report.PathQuery{End: "buy", Depth: 5}, Column: 3, Step: "cart"},
			[]string{"a", "e"}, 2, 2, 2, -1},
		{"to a step: a short path starts later", report.NodeQuery{Path: report.PathQuery{End: "buy", Depth: 5}, Column: 1, Step: report.MarkStart},
			[]string{"e"}, 1, 1, 1, -1},
		{"to a step: a full path starts at column 0", report.NodeQuery{Path: report.PathQuery{End: "buy", Depth: 5}, Column: 0, Step: report.MarkStart},
			[]string{"a"}, 1, 1, 1, -1},
		{"whole journeys", report.NodeQuery{Path: report.PathQuery{Depth: 2, Unit: journeys.UnitJourney}, Column: 1, Step: "view"},
			[]string{"a", "b"}, 2, 2, 2, -1},
		{"rarer paths are not drawn", report.NodeQuery{Path: report.PathQuery{Depth: 2, Limit: 1}, Column: 1, Step: "cart"},
			[]string{"c", "e"}, 2, 0, 2, -1},
		{"first page", report.NodeQuery{Path: report.PathQuery{Depth: 2}, Column: 0, Step: "home", Limit: 2},
			[]string{"a", "b"}, 3, 3, 5, 2},
		{"last page", report.NodeQuery{Path: report.PathQuery{Depth: 2}, Column: 0, Step: "home", Offset: 2, Limit: 2},
			[]string{"d"}, 3, 3, 5, -1},
		{"past the end", report.NodeQuery{Path: report.PathQuery{Depth: 2}, Column: 0, Step: "home", Offset: 9},
			[]string{}, 3, 3, 5, -1},
		{"nobody", report.NodeQuery{Path: report.PathQuery{Depth: 2}, Column: 1, Step: "nowhere"},
			[]string{}, 0, 0, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			if err := q.Normalize(); err != nil {
				t.Fatal(err)
			}
			nc := report.NewNodeCounter(q, journeys.StepRules{}, 0)
			for _, s := range nodeSeqs {
				nc.Add(s)
			}
			got := nc.Report()
			next := -1
			if got.NextOffset != nil {
				next = *got.NextOffset
			}
			if !slices.Equal(got.People, tt.want) || got.Total != tt.total || got.Drawn != tt.drawn || got.Units != tt.units || next != tt.next {
				t.Errorf("got %v (total %d, drawn %d, units %d, next %d), want %v (total %d, drawn %d, units %d, next %d)",
					got.People, got.Total, got.Drawn, got.Units, next, tt.want, tt.total, tt.drawn, tt.units, tt.next)
			}
			// The map's node: the people and units of the paths through it,
			// all of them (ranked as the report ranks them) or the top Limit.
			all := q.Path
			all.Limit = report.MaxPathLimit
			pc := report.NewPathCounter(all, journeys.StepRules{}, 0)
			for _, s := range nodeSeqs {
				pc.Add(s)
			}
			people, units, drawn := 0, 0, 0
			for i, p := range pc.Report().Paths {
				at := q.Column - q.Path.StartColumn(len(p.Steps))
				if at >= 0 && at < len(p.Steps) && p.Steps[at] == q.Step {
					people, units = people+p.People, units+p.Units
					if i < q.Path.Limit {
						drawn += p.People
					}
				}
			}
			if people != got.Total || units != got.Units || drawn != got.Drawn {
				t.Errorf("the paths through the node hold %d people, %d units, %d drawn; the node %d, %d, %d",
					people, units, drawn, got.Total, got.Units, got.Drawn)
			}
		})
	}
}

func TestNodeQueryValidation(t *testing.T) {
	tests := []struct {
		name string
		q    report.NodeQuery
		want string
	}{
		{"defaults", report.NodeQuery{Step: "a"}, ""},
		{"last column", report.NodeQuery{Path: report.PathQuery{Depth: 3}, Column: 2, Step: "a"}, ""},
		{"column past the depth", report.NodeQuery{Path: report.PathQuery{Depth: 3}, Column: 3, Step: "a"}, "column: 3 is not from 0 to 2"},
		{"negative column", report.NodeQuery{Column: -1, Step: "a"}, "column: -1 is not from 0 to 4"},
		{"no step", report.NodeQuery{}, "step: empty step"},
		{"negative offset", report.NodeQuery{Step: "a", Offset: -1}, "offset: -1 is negative"},
		{"limit too large", report.NodeQuery{Step: "a", Limit: report.MaxNodeLimit + 1}, "limit: 100001 is not from 1 to 100000"},
		{"bad path", report.NodeQuery{Path: report.PathQuery{Depth: 21}, Step: "a"}, "path.depth: 21 is more than the maximum 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Normalize()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || journeys.ErrorCode(err) != journeys.EINVALID {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestAnalyticsNodePeopleAndDropped(t *testing.T) {
	a := &report.Analytics{Store: &fakeReader{seqs: nodeSeqs}}
	ctx := context.Background()
	np, err := a.NodePeople(ctx, report.NodeQuery{Path: report.PathQuery{Depth: 2}, Column: 1, Step: "view"})
	if err != nil || !slices.Equal(np.People, []string{"a", "b"}) || np.Query.Limit != report.DefaultNodeLimit {
		t.Errorf("node people %+v, %v", np, err)
	}
	if _, err := a.NodePeople(ctx, report.NodeQuery{Step: "view", Column: 7}); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("bad column: %v", err)
	}
	f := report.Funnel{Steps: []report.FunnelStep{{Step: "home"}, {Step: "view"}, {Step: "buy"}}}
	ids, err := a.FunnelDroppedIDs(ctx, report.DroppedQuery{Funnel: f, Step: 2, Limit: 1})
	if want := []string{"b", "d"}; err != nil || !slices.Equal(ids, want) {
		t.Errorf("dropped ids %v (%v), want %v (every one, whatever the limit)", ids, err, want)
	}
}
