package graph_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// taobaoCounts reads the Taobao excerpt directly and counts, per the
// cart-abandoner rule over the whole file, the users whose last add to cart
// ("cart") has no purchase ("buy") after it, and the users who added to cart
// and never bought. It also returns the last timestamp.
func taobaoCounts(t *testing.T, path string) (lastCartNoBuy, neverBought int, last time.Time) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	lastCart, lastBuy := map[string]int64{}, map[string]int64{}
	var maxTS int64
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		// user_id,item_id,category_id,behavior_type,timestamp
		col := strings.Split(sc.Text(), ",")
		ts, err := strconv.ParseInt(col[4], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		maxTS = max(maxTS, ts)
		switch col[3] {
		case "cart":
			lastCart[col[0]] = max(lastCart[col[0]], ts)
		case "buy":
			lastBuy[col[0]] = max(lastBuy[col[0]], ts)
		}
	}
	for u, c := range lastCart {
		b, bought := lastBuy[u]
		if !bought {
			neverBought++
		}
		if b == c {
			t.Fatalf("user %s bought and carted in the same second: the order is the events' ids", u)
		}
		if !bought || b < c {
			lastCartNoBuy++
		}
	}
	return lastCartNoBuy, neverBought, time.Unix(maxTS, 0).UTC()
}

// TestCartAbandonersOnTaobao imports the real Taobao excerpt and checks the
// cart-abandoner definition (with a window covering the whole data) against
// counts computed straight from the file.
func TestCartAbandonersOnTaobao(t *testing.T) {
	s := graphtest.Open(t)
	path := filepath.Join(graphtest.RepoRoot(), "testdata", "demo", "taobao_200users.csv.gz")
	wantLast, wantNever, last := taobaoCounts(t, path)
	if wantNever != 46 {
		t.Fatalf("independent count of users who added to cart and never bought = %d, want 46", wantNever)
	}
	prefix := graphtest.RunID(t)
	events := graphtest.DemoEvents(t, "taobao_200users.csv.gz", "taobao", prefix)
	ctx := context.Background()
	in := &ingest.Ingester{Store: s, Rules: journeys.DefaultStepRules()}
	if _, err := in.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	asOf := last.Add(time.Second)
	for _, tt := range []struct {
		name, def string
		want      int
	}{
		// The built-in's definition with the window widened to the whole data (first event 2017-09-11).
		{"built-in rule", `{"name":"a","where":{"not_followed":{"first":"add_to_cart","then":"purchase"},"within":"120d","after":"last"}}`, wantLast},
		{"never bought", `{"name":"a","where":{"all":[{"did":"add_to_cart","within":"120d"},{"did_not":"purchase"}]}}`, wantNever},
	} {
		seg, err := journeys.ParseSegment([]byte(tt.def))
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.EvaluateSegment(ctx, seg.Compile(asOf, defaultOutbound), journeys.SegmentScope{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want {
			t.Errorf("%s: %d members, want %d (counted from the file)", tt.name, len(got), tt.want)
		}
	}
}
