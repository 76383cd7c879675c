package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

// dataShape is a kind of data the segment benchmark generates.
type dataShape struct {
	name string
	asOf time.Time // when the segments are evaluated: the end of the data
	// first is the id of the first person generated, after the prefix:
	// finding it tells that the data was kept from an earlier run.
	first string
	gen   func(seed uint64, prefix string, events int) personStream
}

// personStream is a generator of journeys, one person at a time
// (synth.Shop, synth.Email).
type personStream interface {
	Next() bool
	At() []journeys.Event
}

// shopAsOf is the end of the sixty days in which synth.Shop's people
// start (their later sessions run on after it, and are not counted).
var shopAsOf = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// shopProducts is the catalogue size of the shop shape.
const shopProducts = 5000

var allShapes = []dataShape{
	{name: "shop", asOf: shopAsOf, first: "p0000000", gen: func(seed uint64, prefix string, events int) personStream {
		return synth.NewShop(synth.ShopConfig{Seed: seed, Prefix: prefix, Events: events, Products: shopProducts})
	}},
	{name: "email", asOf: synth.EmailEnd, first: "s0000000", gen: func(seed uint64, prefix string, events int) personStream {
		return synth.NewEmail(synth.EmailConfig{Seed: seed, Prefix: prefix, Events: events, End: synth.EmailEnd})
	}},
}

// dataShapes returns the shapes --shape names.
func dataShapes(name string) ([]dataShape, error) {
	if name == "both" {
		return allShapes, nil
	}
	for _, s := range allShapes {
		if s.name == name {
			return []dataShape{s}, nil
		}
	}
	return nil, errNoShape
}

// generated says what was generated: the number of events and the
// people's ids, in order.
type generated struct {
	events int
	people []string
}

// loadChunk is how many events (whole people) go to one Ingest call.
const loadChunk = 50_000

// loadStored generates n events of sh under prefix and ingests them with
// a's Ingester, unless the store holds them already (kept by --keep).
func loadStored(ctx context.Context, a *app.App, sh dataShape, prefix string, n int, seed uint64, stdout io.Writer) (generated, error) {
	var d generated
	_, _, err := a.Store.Journey(ctx, prefix+sh.first, 1)
	load := journeys.ErrorCode(err) == journeys.ENOTFOUND
	if err != nil && !load {
		return d, err
	}
	if !load {
		fmt.Fprintf(stdout, "reusing the events kept under %s\n", prefix)
	}
	start := time.Now()
	gen := sh.gen(seed, prefix, n)
	var chunk []journeys.Event
	flush := func() error {
		if len(chunk) > 0 && load {
			if _, err := a.Ingester.Ingest(ctx, chunk); err != nil {
				return err
			}
		}
		chunk = chunk[:0]
		return nil
	}
	for gen.Next() {
		evs := gen.At()
		d.events += len(evs)
		d.people = append(d.people, evs[0].Person)
		if chunk = append(chunk, evs...); len(chunk) >= loadChunk {
			if err := flush(); err != nil {
				return d, err
			}
		}
	}
	if err := flush(); err != nil {
		return d, err
	}
	if load {
		took := time.Since(start)
		fmt.Fprintf(stdout, "loaded %d generated events of %d people into Neo4j in %v (%.0f events/s)\n",
			d.events, len(d.people), took.Round(time.Second), float64(d.events)/took.Seconds())
	}
	return d, nil
}

// loadCache loads cache and prints its size, load time and heap: the heap
// in use after a collection, before and after the load.
func loadCache(ctx context.Context, cache *inmem.Cache, stdout io.Writer) error {
	before := heapInUse()
	start := time.Now()
	if err := cache.Load(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	after := heapInUse()
	people, events := cache.Stats()
	mib := float64(int64(after)-int64(before)) / (1 << 20)
	fmt.Fprintf(stdout, "journey cache: %d people, %d events loaded in %v; heap +%.0f MiB = %.1f MiB per 1M events\n",
		people, events, took.Round(time.Millisecond), mib, mib/(float64(events)/1e6))
	return nil
}

// heapInUse returns the bytes of live heap objects after a collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// generatedSource returns n generated events of sh under prefix, held as
// the store would hold them, in a journey source for a Cache.
func generatedSource(sh dataShape, prefix string, n int, seed uint64) (*staticSource, generated) {
	rules := journeys.DefaultStepRules()
	src := &staticSource{MemSource: &inmem.MemSource{People: map[string]inmem.StoredJourney{}}}
	var d generated
	for gen := sh.gen(seed, prefix, n); gen.Next(); {
		j := storedJourney(rules, gen.At())
		src.People[j.Person] = j
		d.events += len(j.Touches)
		d.people = append(d.people, j.Person)
	}
	src.ids = slices.Sorted(slices.Values(d.people))
	return src, d
}

// storedJourney returns one person's generated events as the store
// returns them (graph.Store.Journeys): touches in chain order (time, then
// id) with their steps by rules, products, and the person's fields events
// and last_event.
func storedJourney(rules journeys.StepRules, evs []journeys.Event) inmem.StoredJourney {
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b journeys.Event) int {
		return cmp.Or(cmp.Compare(a.Time.UnixMilli(), b.Time.UnixMilli()), strings.Compare(a.ID, b.ID))
	})
	j := inmem.StoredJourney{Person: evs[0].Person, Touched: staticTouched,
		Touches: make([]journeys.Touch, len(evs)), Details: make([]inmem.EventDetail, len(evs)),
		Fields: map[string]any{"events": int64(len(evs)), "last_event": evs[len(evs)-1].Name}}
	for i, e := range evs {
		step, keep := rules.Step(e)
		if !keep {
			step = ""
		}
		j.Touches[i] = journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: e.Time.UnixMilli(), Session: e.Session},
			Type: e.Type, Name: e.Name, URL: e.URL, Channel: e.Channel, Campaign: e.Campaign, Device: e.Device, Value: e.Value}
		j.Details[i].Product = e.Product
	}
	return j
}

// staticTouched is the touched time of every generated journey.
const staticTouched = 1

// staticSource is a MemSource that never changes, with its ids sorted
// once: pages of people are found by binary search (MemSource sorts every
// id for each page), and a sync looking for changes (after staticTouched)
// finds none without a pass over every person, as the store's index of
// touched times does.
type staticSource struct {
	*inmem.MemSource
	ids []string
}

// PeopleAfter lists the ids after after, in order.
func (s *staticSource) PeopleAfter(_ context.Context, prefix, after string, limit int) ([]string, error) {
	i, found := slices.BinarySearch(s.ids, max(after, prefix))
	if found && after >= prefix {
		i++
	}
	j := i
	for j < len(s.ids) && j-i < limit && strings.HasPrefix(s.ids[j], prefix) {
		j++
	}
	return s.ids[i:j], nil
}

// TouchedSince returns the people stamped at or after since.
func (s *staticSource) TouchedSince(ctx context.Context, prefix string, since int64) (map[string]int64, error) {
	if since > staticTouched {
		return map[string]int64{}, nil
	}
	return s.MemSource.TouchedSince(ctx, prefix, since)
}
