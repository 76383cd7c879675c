package chain

import (
	"container/heap"
	"context"
	"hash/maphash"
	"math"
	"slices"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
)

// maxDistinctPaths bounds the distinct paths Friction keeps for scoring (a
// variable so that tests can make it overflow).
var maxDistinctPaths = 200_000

// distinctPaths keeps the distinct paths of at least min steps, with how
// many units took each and the first person and start. Paths are found by
// a hash of their steps, and told apart by comparing them.
type distinctPaths struct {
	min, limit int
	// hash is the paths' hash: nil for maphash (tests make paths collide).
	hash     func(steps []string, converted bool) uint64
	h        maphash.Hash     // seeded at random on first use
	first    map[uint64]int32 // hash → index in paths of the first path with it
	next     []int32          // index of the next path with the same hash, or -1
	paths    []ImprobableJourney
	arena    []string // the paths' steps, back to back
	overflow bool
}

func newDistinctPaths(minLen int) *distinctPaths {
	return &distinctPaths{min: minLen, limit: maxDistinctPaths, first: make(map[uint64]int32)}
}

func (d *distinctPaths) add(p *journeys.ConversionPath) {
	if d.overflow || len(p.Steps) < d.min {
		return
	}
	d.count(p.Steps, p.Converted, p.Person, p.Start, 1)
}

// sum returns the hash of a path.
func (d *distinctPaths) sum(steps []string, converted bool) uint64 {
	if d.hash != nil {
		return d.hash(steps, converted)
	}
	d.h.Reset()
	if converted {
		d.h.WriteByte(1)
	} else {
		d.h.WriteByte(0)
	}
	for _, s := range steps {
		d.h.WriteString(s)
		d.h.WriteByte(0)
	}
	return d.h.Sum64()
}

// count adds people units who took steps (first person and start given).
func (d *distinctPaths) count(steps []string, converted bool, person string, start int64, people int) {
	sum := d.sum(steps, converted)
	k, ok := d.first[sum]
	for ok {
		if j := &d.paths[k]; j.Converted == converted && slices.Equal(j.Steps, steps) {
			j.People += people
			if person < j.Person || (person == j.Person && start < j.Start) {
				j.Person, j.Start = person, start
			}
			return
		}
		if d.next[k] < 0 {
			break // k is the last path with this hash
		}
		k = d.next[k]
	}
	if len(d.paths) == d.limit {
		d.overflow, d.first, d.next, d.paths = true, nil, nil, nil
		return
	}
	id := int32(len(d.paths))
	if ok {
		d.next[k] = id
	} else {
		d.first[sum] = id
	}
	d.next = append(d.next, -1)
	if cap(d.arena)-len(d.arena) < len(steps) {
		d.arena = make([]string, 0, max(64<<10, len(steps)))
	}
	n := len(d.arena)
	d.arena = append(d.arena, steps...)
	d.paths = append(d.paths, ImprobableJourney{Person: person, People: people, Start: start,
		Steps: d.arena[n:len(d.arena):len(d.arena)], Converted: converted})
}

// merge adds the paths of o (over other units) to d.
func (d *distinctPaths) merge(o *distinctPaths) {
	if o.overflow {
		d.overflow, d.first, d.next, d.paths = true, nil, nil, nil
	}
	for _, j := range o.paths {
		if d.overflow {
			return
		}
		d.count(j.Steps, j.Converted, j.Person, j.Start, j.People)
	}
}

// improbable scores the kept paths and returns the n least likely per step.
func (d *distinctPaths) improbable(chain *markov.Chain, n int) []ImprobableJourney {
	h := &journeyHeap{}
	for _, j := range d.paths {
		h.offer(scoreJourney(chain, j), n)
	}
	return h.sorted()
}

// rescore reads the store again and scores every unit of at least
// q.MinLength steps.
func (c *Chains) rescore(ctx context.Context, tq journeys.TouchQuery, opt journeys.PathOptions, chain *markov.Chain, q FrictionQuery) ([]ImprobableJourney, error) {
	h := &journeyHeap{}
	err := streamTouches(ctx, c.Store, tq, func(seq journeys.TouchSequence) error {
		opt.Paths(seq, func(p *journeys.ConversionPath) {
			if len(p.Steps) >= q.MinLength {
				h.offer(scoreJourney(chain, ImprobableJourney{Person: p.Person, People: 1, Start: p.Start,
					Steps: slices.Clone(p.Steps), Converted: p.Converted}), q.Improbable)
			}
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h.sorted(), nil
}

func scoreJourney(chain *markov.Chain, j ImprobableJourney) ImprobableJourney {
	sc := chain.Score(markov.Path{Steps: j.Steps, Converted: j.Converted})
	j.LogLikelihood, j.PerStep = sc.LogLikelihood, sc.PerStep
	return j
}

// journeyHeap keeps the n least likely journeys: a max-heap on PerStep
// (then on the path key, for a deterministic answer).
type journeyHeap []ImprobableJourney

func moreImprobable(a, b ImprobableJourney) bool { // a is more improbable than b
	if a.PerStep != b.PerStep {
		return a.PerStep < b.PerStep
	}
	if a.Person != b.Person {
		return a.Person < b.Person
	}
	return strings.Join(a.Steps, ">") < strings.Join(b.Steps, ">")
}

func (h journeyHeap) Len() int           { return len(h) }
func (h journeyHeap) Less(i, j int) bool { return moreImprobable(h[j], h[i]) }
func (h journeyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *journeyHeap) Push(x any)        { *h = append(*h, x.(ImprobableJourney)) }
func (h *journeyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (h *journeyHeap) offer(j ImprobableJourney, n int) {
	if math.IsNaN(j.PerStep) || math.IsInf(j.PerStep, 0) {
		return
	}
	if h.Len() < n {
		heap.Push(h, j)
	} else if n > 0 && moreImprobable(j, (*h)[0]) {
		(*h)[0] = j
		heap.Fix(h, 0)
	}
}

func (h *journeyHeap) sorted() []ImprobableJourney {
	out := slices.Clone(*h)
	slices.SortFunc(out, func(a, b ImprobableJourney) int {
		if moreImprobable(a, b) {
			return -1
		}
		if moreImprobable(b, a) {
			return 1
		}
		return 0
	})
	return out
}
