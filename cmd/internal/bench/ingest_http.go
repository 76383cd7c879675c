package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/web"
)

// httpKey is the write key of postFile's server.
const httpKey = "bench-write-key"

// postFile sends the rows of the JSONL file at path (importRow, people
// under prefix) to the events API of a server on loopback that stores them
// with in, in bodies of batch items (a JSON array, in file order), from
// writers concurrent clients, and returns how long they took, from the
// first request to the last answer. The bodies are built before the clock
// starts; parsing, validating and storing them are timed, as a campaign
// tool streaming its events would see them.
func postFile(ctx context.Context, store *graph.Store, in web.Ingester, path, prefix string, batch, writers int) (time.Duration, ingest.ImportResult, error) {
	bodies, err := httpBodies(path, prefix, batch)
	if err != nil {
		return 0, ingest.ImportResult{}, err
	}
	srv := web.New(web.Config{WriteKeys: []string{httpKey}}, in, store, store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, ingest.ImportResult{}, err
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String() + "/api/v1/events"
	client := &http.Client{Timeout: 5 * time.Minute}

	var (
		mu    sync.Mutex
		res   ingest.ImportResult
		first error
		wg    sync.WaitGroup
	)
	next := make(chan []byte)
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range next {
				got, err := postBatch(ctx, client, url, body)
				mu.Lock()
				res.Accepted += got.Accepted
				res.Duplicates += got.Duplicates
				res.Rejected += got.RejectedTotal
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, b := range bodies {
		next <- b
	}
	close(next)
	wg.Wait()
	return time.Since(start), res, first
}

// ingestAnswer is the part of the events API's answer postFile counts.
type ingestAnswer struct {
	Accepted      int `json:"accepted"`
	Duplicates    int `json:"duplicates"`
	RejectedTotal int `json:"rejected_total"`
}

// postBatch sends one body and reads the answer; anything but 200 is an
// error.
func postBatch(ctx context.Context, client *http.Client, url string, body []byte) (ingestAnswer, error) {
	var a ingestAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return a, err
	}
	req.Header.Set("Authorization", "Bearer "+httpKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(resp.Body)
	if err != nil {
		return a, err
	}
	if resp.StatusCode != http.StatusOK {
		return a, fmt.Errorf("bench: POST /api/v1/events: %s: %s", resp.Status, msg)
	}
	return a, json.Unmarshal(msg, &a)
}

// httpBodies turns the rows of the JSONL file at path into Segment-style
// track items (the fields import's mapping reads, where the events API
// reads them), batch to a body.
func httpBodies(path, prefix string, batch int) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	type campaign struct {
		Name string `json:"name,omitempty"`
	}
	type device struct {
		Type string `json:"type,omitempty"`
	}
	type page struct {
		URL string `json:"url,omitempty"`
	}
	type itemContext struct {
		Channel  string    `json:"channel,omitempty"`
		Campaign *campaign `json:"campaign,omitempty"`
		Device   *device   `json:"device,omitempty"`
		Page     *page     `json:"page,omitempty"`
	}
	type item struct {
		UserID     string         `json:"userId"`
		Event      string         `json:"event"`
		Timestamp  string         `json:"timestamp"`
		Context    itemContext    `json:"context"`
		Properties map[string]any `json:"properties,omitempty"`
	}
	var bodies [][]byte
	var items []item
	flush := func() error {
		if len(items) == 0 {
			return nil
		}
		b, err := json.Marshal(items)
		bodies = append(bodies, b)
		items = items[:0]
		return err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r importRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, err
		}
		it := item{UserID: prefix + r.User, Event: r.Event, Timestamp: r.TS, Context: itemContext{Channel: r.Channel}}
		if r.Campaign != "" {
			it.Context.Campaign = &campaign{Name: r.Campaign}
		}
		if r.Device != "" {
			it.Context.Device = &device{Type: r.Device}
		}
		if r.URL != "" {
			it.Context.Page = &page{URL: r.URL}
		}
		if r.Product != "" || r.Value != 0 {
			it.Properties = map[string]any{}
			if r.Product != "" {
				it.Properties["product_id"] = r.Product
			}
			if r.Value != 0 {
				it.Properties["value"] = r.Value
			}
		}
		items = append(items, it)
		if len(items) == batch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return bodies, flush()
}

// runHTTPTable posts the same n events (the time-sorted file) in bodies of
// each size from clients concurrent clients to a server wired as serve
// wires it, whose Coalescer merges the requests waiting into shared
// writes, and to one where every request writes its own batches, rounds
// times (alternating which goes first), and prints the median events/s of
// each and the median and range of the rounds' ratios.
func runHTTPTable(ctx context.Context, store *graph.Store, n int, sizes []int, clients, rounds int, stdout, stderr io.Writer) error {
	_, paths, n, people, remove, err := tempImportFiles(n)
	if err != nil {
		return err
	}
	defer remove()
	fmt.Fprintf(stdout, "\nHTTP: the same %d email-heavy events of %d people, time-sorted, POSTed from %d clients, %d rounds (medians)\n",
		n, people, clients, rounds)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "events a body\tcoalesced ev/s\trequests alone ev/s\tratio\tratio range\t")
	for _, size := range sizes {
		var co, alone, ratio []float64
		for r := range rounds {
			var rate [2]float64 // coalesced, alone
			for k := range 2 {
				coalesced := (k+r)%2 == 0
				d, err := postOnce(ctx, store, paths["time-sorted"], n, size, clients, coalesced)
				if err != nil {
					return err
				}
				fmt.Fprintf(stderr, "round %d: bodies of %d, coalesced %v: %.1f s\n", r+1, size, coalesced, d.Seconds())
				if coalesced {
					rate[0] = float64(n) / d.Seconds()
				} else {
					rate[1] = float64(n) / d.Seconds()
				}
			}
			co, alone, ratio = append(co, rate[0]), append(alone, rate[1]), append(ratio, rate[0]/rate[1])
		}
		fmt.Fprintf(tw, "%d\t%.0f\t%.0f\t%.2f\t%.2f–%.2f\t\n", size, median(co), median(alone), median(ratio), slices.Min(ratio), slices.Max(ratio))
	}
	return tw.Flush()
}

// postOnce posts the file's n events under a fresh prefix (deleted
// afterwards) through serve's Ingester, or, unless coalesced, one whose
// requests each write their own batches, and returns how long it took.
func postOnce(ctx context.Context, store *graph.Store, path string, n, size, clients int, coalesced bool) (time.Duration, error) {
	prefix := "bench-http-" + randomTag() + "-"
	defer store.DeletePrefix(context.Background(), prefix)
	in := app.New(store, app.Config{Rules: journeys.DefaultStepRules()}).Ingester
	if !coalesced {
		alone := *in
		alone.Store = store
		in = &alone
	}
	d, res, err := postFile(ctx, store, in, path, prefix, size, clients)
	if err == nil && (res.Accepted+res.Duplicates != n || res.Rejected != 0) {
		err = fmt.Errorf("bench: HTTP, bodies of %d: %d accepted, %d duplicates, %d rejected of %d events", size, res.Accepted, res.Duplicates, res.Rejected, n)
	}
	return d, err
}
