package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/synth"
	"github.com/journeygraph/journeygraph/journeys/webhook"
	"github.com/journeygraph/journeygraph/web"
)

const benchSegmentsUsage = `usage: journeygraph bench segments [flags]

Generates about --events events with planted behaviours (journeys/synth),
loads them under bench-segments-<events>- (kept with --keep and reused by
the next run), then measures:
  1. full recompute of each built-in segment over them (evaluation alone,
     first refresh that writes every member, steady refresh with no change);
  2. event-to-webhook latency on loopback: an add_to_cart ingested through
     the segment hook until the signed cart_abandoners delivery arrives;
  3. members lookup under load: GET /api/v1/segments/NAME/members at --rate
     requests/s for --duration over loopback HTTP.
`

func runBenchSegments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench segments", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchSegmentsUsage); fs.PrintDefaults() }
	events := fs.Int("events", 1_000_000, "events to generate (about)")
	keep := fs.Bool("keep", false, "keep the generated events for the next run (else they are deleted)")
	webhooks := fs.Int("webhooks", 200, "event-to-webhook samples")
	rate := fs.Int("rate", 2000, "members lookups per second")
	duration := fs.Duration("duration", 10*time.Second, "members lookup load duration")
	cfg := neo4jFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	prefix := fmt.Sprintf("bench-segments-%d-", *events)
	asOf := time.Now().UTC().Truncate(time.Second)
	// ~2.9 planted + 15 noise events per person, 28 kinds.
	perKind := max(1, *events/18/len(synth.Kinds()))
	if _, _, err := store.Journey(ctx, prefix+"abandoner-00000", 1); journeys.ErrorCode(err) == journeys.ENOTFOUND {
		d := synth.Generate(synth.Config{Seed: 1, AsOf: asOf, Prefix: prefix, PerKind: perKind, Noise: 30})
		fmt.Fprintf(stdout, "loading %d generated events of %d people...\n", len(d.Events), len(d.Kinds))
		start := time.Now()
		in := &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}
		if _, err := in.Ingest(ctx, d.Events); err != nil {
			return err
		}
		if err := store.SetPersonScores(ctx, d.Scores); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "loaded in %v\n", time.Since(start).Round(time.Second))
	} else if err != nil {
		return err
	} else {
		fmt.Fprintf(stdout, "reusing the events kept under %s (windows relative to now)\n", prefix)
	}
	var names []string
	defer func() {
		for _, n := range names {
			_ = store.DeleteSegment(context.Background(), n)
		}
		if !*keep {
			if n, err := store.DeletePrefix(context.Background(), prefix); err == nil {
				fmt.Fprintf(stdout, "deleted %d events\n", n)
			}
		}
	}()
	sg := &segment.Segmenter{Store: store}
	scope := journeys.SegmentScope{Prefix: prefix}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "segment\tmembers\tevaluate ms\tfirst refresh ms\tsteady refresh ms\t")
	for _, b := range segment.BuiltInSegments() {
		b.Name, b.BuiltIn = prefix+b.Name, false
		if _, err := store.SaveSegment(ctx, b, asOf); err != nil {
			return err
		}
		names = append(names, b.Name)
		start := time.Now()
		ids, err := store.EvaluateSegment(ctx, b.Compile(time.Now(), journeys.DefaultOutbound), scope)
		if err != nil {
			return err
		}
		eval := time.Since(start)
		first, err := sg.Refresh(ctx, []string{b.Name}, scope, "bench", time.Time{})
		if err != nil {
			return err
		}
		steady, err := sg.Refresh(ctx, []string{b.Name}, scope, "bench", time.Time{})
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", b.Name[len(prefix):], len(ids), eval.Milliseconds(), first[0].TookMS, steady[0].TookMS)
	}
	tw.Flush()
	if err := benchWebhookLatency(ctx, store, prefix, *webhooks, stdout); err != nil {
		return err
	}
	return benchMembersLookup(ctx, store, sg, prefix+segment.SegmentNeverEngaged, *rate, *duration, stdout)
}

// benchWebhookLatency ingests one add_to_cart per new person through the
// segment hook and times its arrival at a loopback receiver.
func benchWebhookLatency(ctx context.Context, store *graph.Store, prefix string, n int, stdout io.Writer) error {
	arrived := make(chan time.Time, n)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- time.Now()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	seg := prefix + segment.SegmentCartAbandoners
	hook, err := store.CreateWebhook(ctx, journeys.Webhook{ID: prefix + "hook", URL: recv.URL, Segment: seg, Events: []string{journeys.KindEntered}})
	if err != nil {
		return err
	}
	defer store.DeleteWebhook(context.Background(), hook.ID)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	disp := &webhook.Dispatcher{Store: store, Prefix: hook.ID}
	sg := &segment.Segmenter{Store: store, OnChange: disp.Notify}
	si := segment.NewSegmentingIngester(&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}, onlySegment(sg, seg))
	go disp.Run(ctx)
	go si.Run(ctx)
	lat := make([]time.Duration, 0, n)
	run := time.Now().UnixNano()
	for i := range n {
		person := fmt.Sprintf("%slat-%d-%d", prefix, run, i)
		t := time.Now().UTC()
		e := journeys.Event{ID: journeys.EventID(person, "add_to_cart", t, nil), Type: journeys.TypeTrack, Person: person, Name: "add_to_cart", Time: t}
		start := time.Now()
		if _, err := si.Ingest(ctx, []journeys.Event{e}); err != nil {
			return err
		}
		select {
		case at := <-arrived:
			lat = append(lat, at.Sub(start))
		case <-time.After(10 * time.Second):
			return fmt.Errorf("webhook %d did not arrive in 10 s", i)
		}
	}
	fmt.Fprintf(stdout, "event to webhook (%d samples, loopback): p50 %v  p95 %v  max %v\n", n, pct(lat, 50), pct(lat, 95), pct(lat, 100))
	return nil
}

// onlySegment makes the hook evaluate one segment (the benchmark's), not
// every stored one.
func onlySegment(sg *segment.Segmenter, name string) *segment.Segmenter {
	return &segment.Segmenter{Store: singleSegment{sg.Store, name}, OnChange: sg.OnChange}
}

type singleSegment struct {
	journeys.SegmentStore
	name string
}

// Segments returns the one segment.
func (s singleSegment) Segments(ctx context.Context) ([]journeys.Segment, error) {
	seg, err := s.Segment(ctx, s.name)
	return []journeys.Segment{seg}, err
}

// benchMembersLookup serves the API on loopback and sends members requests
// at a fixed rate (open loop: a slow answer does not slow the sender; a
// late send counts from when it was due).
func benchMembersLookup(ctx context.Context, store *graph.Store, sg *segment.Segmenter, seg string, rate int, d time.Duration, stdout io.Writer) error {
	// As serve does: member pages through a cache that membership changes clear.
	reader := cachedMembers{store, &segment.MemberCache{Source: store}}
	srv := web.New(web.Config{ReadKeys: []string{"r"}, WriteKeys: []string{"w"}}, nil, store, store, web.WithSegments(sg, reader))
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
	fmt.Fprintf(stdout, "  (same with wrk: wrk -t4 -c64 -d10s -R%d -H 'Authorization: Bearer KEY' 'http://127.0.0.1:8080/api/v1/segments/never_engaged/members?limit=50')\n", rate)
	return nil
}

func pct(xs []time.Duration, p int) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := min(len(s)-1, len(s)*p/100)
	return s[i].Round(10 * time.Microsecond)
}
