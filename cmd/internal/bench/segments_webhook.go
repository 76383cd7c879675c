package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/webhook"
	"github.com/journeygraph/journeygraph/web"
)

// arrival is a webhook delivery received: the person it is about, when,
// and whether its signature checked.
type arrival struct {
	person string
	at     time.Time
	signed bool
}

// benchWebhookLatency ingests one add_to_cart per new person through the
// segment hook, whose Segmenter evaluates in memory (cache; or by the
// store's Cypher with --webhook-engine cypher), and times the
// arrival of the signed cart_abandoners delivery at a loopback receiver,
// while other events stream in at o.stream a second through the same
// hook, for at most o.streamFor: events of the generated people (to
// "existing") or each of a new person (to "new").
func benchWebhookLatency(ctx context.Context, store *graph.Store, cache *inmem.Cache, prefix string, people []string, to string, o segmentsOptions, stdout io.Writer) error {
	secret := "whsec_bench_" + randomTag()
	arrived := make(chan arrival, o.webhooks+16)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		body, _ := io.ReadAll(r.Body)
		var dl webhook.DeliveryBody
		var ev journeys.WebhookEvent
		if json.Unmarshal(body, &dl) == nil {
			_ = json.Unmarshal(dl.Event, &ev)
		}
		err := webhook.VerifySignature(secret, r.Header.Get(webhook.HeaderSignature), r.Header.Get(webhook.HeaderTimestamp), body, at, 0)
		select {
		case arrived <- arrival{person: ev.Person, at: at, signed: err == nil}:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	seg := prefix + segment.SegmentCartAbandoners
	hook, err := store.CreateWebhook(ctx, journeys.Webhook{ID: prefix + "hook-" + to, URL: recv.URL, Secret: secret, Segment: seg, Events: []string{journeys.KindEntered}})
	if err != nil {
		return err
	}
	defer store.DeleteWebhook(context.Background(), hook.ID)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The hook re-evaluates the benchmark's segment only (not every stored
	// one), in memory, and the dispatcher delivers the benchmark's webhook
	// only.
	a := app.New(store, app.Config{Rules: journeys.DefaultStepRules(), WriteSegments: []string{seg}, WebhookPrefix: hook.ID,
		WebhookAllow: webhook.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}}) // the loopback receiver
	si := a.Segmenting
	engine := &timedEngine{engine: cache, prefix: prefix}
	if o.webhookEngine == "cypher" {
		engine.engine = store
	} else {
		// As serve does with its cache: writes hand their events over.
		a.Ingester.Store = &ingest.Coalescer{Writer: inmem.WriteThrough{Writer: store, Cache: cache}}
		engine.cache = cache
	}
	si.Segments.Engine = engine
	var errs errorCount
	si.OnError, a.Webhooks.OnError = errs.add, errs.add
	go a.Webhooks.Run(ctx)
	go si.Run(ctx)

	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	streamCtx, stopStream := context.WithTimeout(ctx, o.streamFor)
	defer stopStream()
	var streamed atomic.Int64
	var streamErr error
	streamDone := make(chan time.Duration, 1)
	if to == "new" {
		people = nil
	}
	go func() {
		took, err := streamEvents(streamCtx, si, prefix+"stream-"+run+"-", people, o.stream, &streamed)
		streamErr = err
		streamDone <- took
	}()

	// Samples one after the other while the stream runs; one that does not
	// arrive within lostAfter counts as lostAfter.
	const lostAfter = 10 * time.Second
	lat := make([]time.Duration, 0, o.webhooks)
	unsigned, lost := 0, 0
	for i := 0; i < o.webhooks && streamCtx.Err() == nil; i++ {
		person := fmt.Sprintf("%slat-%s-%d", prefix, run, i)
		t := time.Now().UTC()
		e := journeys.Event{ID: journeys.EventID(person, "add_to_cart", t, nil), Type: journeys.TypeTrack, Person: person, Name: "add_to_cart", Time: t}
		start := time.Now()
		if _, err := si.Ingest(ctx, []journeys.Event{e}); err != nil {
			return err
		}
		timeout := time.After(lostAfter)
	wait:
		for {
			select {
			case got := <-arrived:
				if got.person != person {
					continue // a late delivery of an earlier sample
				}
				lat = append(lat, got.at.Sub(start))
				if !got.signed {
					unsigned++
				}
				break wait
			case <-timeout:
				lat, lost = append(lat, lostAfter), lost+1
				break wait
			}
		}
	}
	stopStream()
	took := <-streamDone
	if streamErr != nil {
		return fmt.Errorf("event stream: %w", streamErr)
	}
	p95 := pct(lat, 95)
	fmt.Fprintf(stdout, "\nevent to signed webhook (cart_abandoners, %s engine, loopback) while streaming %d events/s to %s people for %v (%d sent, %.0f/s achieved):\n",
		o.webhookEngine, o.stream, to, took.Round(time.Second), streamed.Load(), float64(streamed.Load())/took.Seconds())
	fmt.Fprintf(stdout, "  %d samples: p50 %v  p95 %v%s (goal %v)  max %v; %d lost (not there after %v), %d unsigned or badly signed\n",
		len(lat), pct(lat, 50), p95, mark(p95, goalWebhook), goalWebhook, pct(lat, 100), lost, lostAfter, unsigned)
	engine.report(stdout)
	if n, first := errs.get(); n > 0 {
		fmt.Fprintf(stdout, "  %d errors of the segment hook or the dispatcher; the first: %v\n", n, first)
	}
	return nil
}

// timedEngine evaluates and explains with engine (the journey cache, or the store),
// each scope narrowed to prefix (a Cache holding the people under prefix
// only refuses a scope without it, such as the segment hook's list of
// people), and times each evaluation; with the cache, the hook syncs the
// people of a round first (SyncPeople, timed apart) and evaluates on what
// the cache holds, as serve's hook does.
type timedEngine struct {
	engine interface {
		segment.Evaluator
		segment.Explainer
	}
	prefix string
	cache  *inmem.Cache // the engine when in memory: SyncPeople syncs it

	mu     sync.Mutex
	took   []time.Duration
	people []int           // per evaluation
	syncs  []time.Duration // of SyncPeople
}

// SyncPeople syncs the people in the cache (as the segment hook does with
// a PeopleSyncer engine), timed with the evaluation that follows; with the
// store as the engine it does nothing.
func (te *timedEngine) SyncPeople(ctx context.Context, people []string) error {
	if te.cache == nil {
		return nil
	}
	start := time.Now()
	err := te.cache.SyncPeople(ctx, people)
	te.mu.Lock()
	te.syncs = append(te.syncs, time.Since(start))
	te.mu.Unlock()
	return err
}

// Sync syncs the cache (a Syncer's), if any.
func (te *timedEngine) Sync(ctx context.Context) error {
	if te.cache == nil {
		return nil
	}
	return te.cache.Sync(ctx)
}

// Held is te evaluating on what the cache holds (after SyncPeople),
// or te itself with the store as the engine.
func (te *timedEngine) Held() journeys.SegmentEngine {
	if te.cache == nil {
		return te
	}
	return heldTimed{te}
}

// heldTimed is timedEngine evaluating on the cache's Held engine.
type heldTimed struct{ te *timedEngine }

// EvaluateSegment evaluates p on what the cache holds, timed.
func (h heldTimed) EvaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	return h.te.evaluate(ctx, h.te.cache.Held(), p, scope)
}

// Explain explains with the cache.
func (h heldTimed) Explain(ctx context.Context, people []string, leaves []journeys.EventCond) (map[string]journeys.Explanation, error) {
	return h.te.cache.Explain(ctx, people, leaves)
}

// EvaluateSegment evaluates p with the engine, scope narrowed to the
// prefix.
func (te *timedEngine) EvaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	return te.evaluate(ctx, te.engine, p, scope)
}

// evaluate evaluates p with eng, scope narrowed to the prefix, timed.
func (te *timedEngine) evaluate(ctx context.Context, eng segment.Evaluator, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	if scope.Prefix == "" {
		scope.Prefix = te.prefix
	}
	start := time.Now()
	ids, err := eng.EvaluateSegment(ctx, p, scope)
	te.mu.Lock()
	defer te.mu.Unlock()
	te.took = append(te.took, time.Since(start))
	te.people = append(te.people, len(scope.People))
	return ids, err
}

// Explain explains the entries with the engine.
func (te *timedEngine) Explain(ctx context.Context, people []string, leaves []journeys.EventCond) (map[string]journeys.Explanation, error) {
	return te.engine.Explain(ctx, people, leaves)
}

// report prints the timings of the evaluations.
func (te *timedEngine) report(w io.Writer) {
	te.mu.Lock()
	defer te.mu.Unlock()
	people := slices.Sorted(slices.Values(te.people))
	if len(people) == 0 {
		return
	}
	fmt.Fprintf(w, "  the hook evaluated %d times, a median of %d people each (max %d), in p50 %v p95 %v max %v\n",
		len(te.took), people[len(people)/2], people[len(people)-1], pct(te.took, 50), pct(te.took, 95), pct(te.took, 100))
	if len(te.syncs) > 0 {
		fmt.Fprintf(w, "  its sync of those people before each (the writes' events handed over, the rest read): p50 %v p95 %v max %v\n",
			pct(te.syncs, 50), pct(te.syncs, 95), pct(te.syncs, 100))
	}
}

// streamSteps are the events streamed in, for random generated people:
// none is an add to cart, so no streamed person enters cart_abandoners.
var streamSteps = []string{"email_sent", "email_sent", "email_open", "page_view", "product_view"}

// streamEvents ingests events through si at rate a second until ctx
// ends, each call with the events due since the previous one (at most a
// second's worth), and returns how long it streamed. The events are of
// people drawn from people, or each of a new person (idPrefix+"p"+n) when
// people is empty; their ids start with idPrefix.
func streamEvents(ctx context.Context, si *segment.SegmentingIngester, idPrefix string, people []string, rate int, sent *atomic.Int64) (time.Duration, error) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	begin := time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; {
		select {
		case <-ctx.Done():
			return time.Since(begin), nil
		case <-tick.C:
		}
		due := min(int(time.Since(begin).Seconds()*float64(rate))-n, rate)
		if due <= 0 {
			continue
		}
		batch := make([]journeys.Event, due)
		now := time.Now().UTC()
		for i := range batch {
			name := streamSteps[rng.IntN(len(streamSteps))]
			channel := "web"
			if name == "email_sent" || name == "email_open" {
				channel = "email"
			}
			person := idPrefix + "p" + strconv.Itoa(n+i)
			if len(people) > 0 {
				person = people[rng.IntN(len(people))]
			}
			batch[i] = journeys.Event{ID: idPrefix + strconv.Itoa(n+i), Type: journeys.TypeTrack, Person: person,
				Name: name, Time: now, Channel: channel}
		}
		if _, err := si.Ingest(ctx, batch); err != nil {
			if ctx.Err() != nil {
				return time.Since(begin), nil
			}
			return time.Since(begin), err
		}
		n += due
		sent.Add(int64(due))
	}
}

// benchMembersLookup serves the API on loopback and sends members requests
// at a fixed rate (open loop: a slow answer does not slow the sender; a
// late send counts from when it was due).
func benchMembersLookup(ctx context.Context, a *app.App, seg string, rate int, d time.Duration, stdout io.Writer) error {
	// As serve does: member pages through a cache that membership changes clear.
	srv := web.New(web.Config{ReadKeys: []string{"r"}, WriteKeys: []string{"w"}}, nil, a.Store, a.Store, web.WithSegments(a.Segmenter, a.MemberPages()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String() + "/api/v1/segments/" + seg + "/members?limit=50"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512}, Timeout: 5 * time.Second}
	var mu sync.Mutex
	var lat []time.Duration
	failed := 0
	var wg sync.WaitGroup
	// Request i is due at start + i/rate; one sent late (the sender fell
	// behind) goes at once, and its latency counts from when it was due, as
	// wrk2 measures, so a stall is never hidden.
	interval := time.Second / time.Duration(rate)
	begin := time.Now()
	for i := range int(d / interval) {
		due := begin.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			req.Header.Set("Authorization", "Bearer r")
			start := due
			resp, err := client.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil || resp.StatusCode != http.StatusOK {
				failed++
				return
			}
			lat = append(lat, time.Since(start))
		}()
	}
	sent := time.Since(begin)
	wg.Wait()
	fmt.Fprintf(stdout, "members lookup (%s, limit 50) at %d req/s for %v: %d ok, %d failed, %.0f req/s sent; latency from when due: p50 %v  p99 %v  max %v\n",
		seg, rate, d, len(lat), failed, float64(len(lat)+failed)/sent.Seconds(), pct(lat, 50), pct(lat, 99), pct(lat, 100))
	return nil
}

// errorCount counts the errors of background work and keeps the first.
type errorCount struct {
	mu    sync.Mutex
	n     int
	first error
}

func (c *errorCount) add(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n++; c.first == nil {
		c.first = err
	}
}

func (c *errorCount) get() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, c.first
}
