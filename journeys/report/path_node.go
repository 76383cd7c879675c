package report

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
)

// Node page limits.
const (
	DefaultNodeLimit = 100                       // people per page when no limit is given
	MaxNodeLimit     = journeys.MaxSegmentPeople // most people per page: all that a segment can list
)

// NodeQuery asks for the people behind one node of a journey map drawn
// from the paths of Path: the step Step at column Column.
//
// The columns are the map's (see PathQuery.StartColumn): a path starts at
// column 0, except under a query with an End, whose paths end at the last
// column, Depth − 1, so that the End steps line up.
type NodeQuery struct {
	Path   PathQuery `json:"path"`
	Column int       `json:"column"` // 0..Path.Depth−1
	Step   string    `json:"step"`   // a step, or a marker such as MarkExit
	Offset int       `json:"offset"`
	Limit  int       `json:"limit"` // 1..MaxNodeLimit; DefaultNodeLimit when 0
}

// Normalize fills the defaults and validates q; errors of the path query
// name their field under "path." ("path.depth: ...").
func (q *NodeQuery) Normalize() error {
	if err := q.Path.Normalize(); err != nil {
		var e *journeys.Error
		if !errors.As(err, &e) {
			return err
		}
		for i := range e.Details {
			e.Details[i].Field = "path." + e.Details[i].Field
		}
		e.Message = "path." + e.Message
		return e
	}
	if q.Limit == 0 {
		q.Limit = DefaultNodeLimit
	}
	switch {
	case q.Column < 0 || q.Column >= q.Path.Depth:
		return journeys.InvalidField("column", "%d is not from 0 to %d (depth %d)", q.Column, q.Path.Depth-1, q.Path.Depth)
	case q.Offset < 0:
		return journeys.InvalidField("offset", "%d is negative", q.Offset)
	case q.Limit < 1 || q.Limit > MaxNodeLimit:
		return journeys.InvalidField("limit", "%d is not from 1 to %d", q.Limit, MaxNodeLimit)
	}
	if err := journeys.ValidStep("step", q.Step); err != nil {
		return err
	}
	return nil
}

// StartColumn returns the map column of the first step of a path of n
// steps (a Path.Steps of a report of q): Depth − n when q has an End (paths
// line up on it at the last column), else 0. A path of Start to End cut
// with MarkGap has Depth + 1 steps: its first one falls off the map.
func (q PathQuery) StartColumn(n int) int {
	if q.End != "" {
		return q.Depth - n
	}
	return 0
}

// through says whether a path has the node's step at the node's column.
func (q NodeQuery) through(steps []string) bool {
	i := q.Column - q.Path.StartColumn(len(steps))
	return i >= 0 && i < len(steps) && steps[i] == q.Step
}

// NodePeople is one page of the people behind a journey-map node, and
// their number.
//
// People, not units: each person counts once, on the path of their first
// unit in scope, exactly as Path.People counts them, so Total is the sum of
// People over every path through the node, and Drawn over the top
// PathQuery.Limit paths: the node's count on a map drawn from the
// PathReport. A person is listed once however many of their units pass the
// node, and not at all when only a later unit does (such units count in
// Units, like Path.Units).
type NodePeople struct {
	Query      NodeQuery `json:"query"`
	Total      int       `json:"total"` // people behind the node, over all pages
	Drawn      int       `json:"drawn"` // of Total, those on the top Path.Limit paths
	Units      int       `json:"units"` // units through the node, every unit in scope
	Offset     int       `json:"offset"`
	People     []string  `json:"people"`      // ids, sorted
	NextOffset *int      `json:"next_offset"` // nil on the last page
}

// NodeCounter collects the people behind one node while counting the paths
// of its query (one sequence per person); Report returns them.
type NodeCounter struct {
	q      NodeQuery
	pc     *PathCounter
	people []nodePerson
	units  int
}

// nodePerson is someone behind the node, with the path they are counted on.
type nodePerson struct {
	id   string
	path *Path
}

// NewNodeCounter returns a counter for q, which must be normalised (see
// NodeQuery.Normalize), with the given step rules' collapsing and session
// timeout.
func NewNodeCounter(q NodeQuery, rules journeys.StepRules, timeout journeys.Duration) *NodeCounter {
	nc := &NodeCounter{q: q, pc: NewPathCounter(q.Path, rules, timeout)}
	nc.pc.visit = nc.visit
	return nc
}

// Add counts one person's sequence.
func (nc *NodeCounter) Add(seq journeys.Sequence) { nc.pc.Add(seq) }

func (nc *NodeCounter) visit(person string, p *Path, counted bool) {
	if !nc.q.through(p.Steps) {
		return
	}
	nc.units++
	if counted {
		nc.people = append(nc.people, nodePerson{id: person, path: p})
	}
}

// Report returns the page of people asked for, sorted by id, and the
// counts.
func (nc *NodeCounter) Report() NodePeople {
	rep := nc.pc.Report()
	drawn := make(map[*Path]bool, len(rep.Paths))
	for _, p := range rep.Paths {
		drawn[nc.pc.counts[strings.Join(p.Steps, "\x1f")]] = true
	}
	sort.Slice(nc.people, func(i, j int) bool { return nc.people[i].id < nc.people[j].id })
	np := NodePeople{Query: nc.q, Total: len(nc.people), Units: nc.units, Offset: nc.q.Offset, People: []string{}}
	for _, x := range nc.people {
		if drawn[x.path] {
			np.Drawn++
		}
	}
	if nc.q.Offset < len(nc.people) {
		end := min(nc.q.Offset+nc.q.Limit, len(nc.people))
		for _, x := range nc.people[nc.q.Offset:end] {
			np.People = append(np.People, x.id)
		}
		if end < len(nc.people) {
			np.NextOffset = &end
		}
	}
	return np
}

// NodePeople returns a page of the people behind a node of the journey map
// of q.Path (see NodePeople for who counts).
func (a *Analytics) NodePeople(ctx context.Context, q NodeQuery) (NodePeople, error) {
	if err := q.Normalize(); err != nil {
		return NodePeople{}, err
	}
	nc := NewNodeCounter(q, a.rules(), a.SessionTimeout)
	if err := a.each(ctx, q.Path.Filter, q.Path.Unit == journeys.UnitSession, nc.Add); err != nil {
		return NodePeople{}, fmt.Errorf("node people: %w", err)
	}
	return nc.Report(), nil
}
