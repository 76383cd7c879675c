package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

func gzipped(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

func post(s *Server, path, encoding string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer w")
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

// TestIngestGzip: gzip bodies are inflated within the body limit; a bomb is
// refused with 413 after reading no more than the limit.
func TestIngestGzip(t *testing.T) {
	batch := "[" + good + "]"
	large := "[" + strings.Repeat(good+",", 40) + good + "]" // over 2,048 bytes inflated, far under compressed
	tests := []struct {
		name, path, encoding string
		body                 []byte
		status               int
		want                 string
	}{
		{"gzip batch", "/api/v1/events", "gzip", gzipped(t, batch), 200, `"accepted":1`},
		{"gzip segment batch route", "/v1/batch", "gzip", gzipped(t, `{"batch":`+batch+`}`), 200, `"accepted":1`},
		{"gzip single track", "/v1/track", "x-gzip", gzipped(t, good), 200, `"accepted":1`},
		{"inflates over the limit", "/api/v1/events", "gzip", gzipped(t, large), 413, `inflates to more than 2048 bytes`},
		{"gzip bomb", "/api/v1/events", "gzip", gzipped(t, strings.Repeat(" ", 50<<20)), 413, `"code":"too_large"`},
		{"compressed body over the limit", "/api/v1/events", "gzip", gzipped(t, noise(8192)), 413, `larger than 2048 bytes`},
		{"not gzip", "/api/v1/events", "gzip", []byte(batch), 400, `not gzip data`},
		{"truncated gzip", "/api/v1/events", "gzip", gzipped(t, batch)[:20], 400, `"code":"invalid"`},
		{"unsupported encoding", "/api/v1/events", "br", []byte(batch), 400, `Content-Encoding: \"br\" is not supported`},
		{"identity", "/api/v1/events", "identity", []byte(batch), 200, `"accepted":1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &fakeIngester{}
			w := post(newTestServer(in, &fakeStore{}), tt.path, tt.encoding, tt.body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Fatalf("got %d %s, want %d containing %s", w.Code, w.Body, tt.status, tt.want)
			}
			if tt.status != 200 && len(in.got) != 0 {
				t.Errorf("events reached the store on a %d answer", tt.status)
			}
		})
	}
}

// noise is n bytes that do not compress, the same in every run.
func noise(n int) string {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(b)
	return string(b)
}

// bigServer is a test server with the default 5 MiB body limit.
func bigServer(in *fakeIngester) *Server {
	return New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, Now: func() time.Time { return now }}, in, &fakeStore{}, &fakeStore{})
}

// emptyObjects is a body of n bytes or so of "{}" items.
func emptyObjects(size int) []byte {
	n := size / 3
	return []byte("[" + strings.Repeat("{},", n-1) + "{}]")
}

// TestIngestErrorAnswerBounded: a 5 MiB body of empty objects (1.7M bad
// items) answers 400 with 100 items listed, the total and the truncated
// flag, in a few kilobytes; with one good item (and 1 MiB of bad ones), 200
// the same way.
func TestIngestErrorAnswerBounded(t *testing.T) {
	body := emptyObjects(5<<20 - 200)
	w := post(bigServer(&fakeIngester{}), "/api/v1/events", "", body)
	if w.Code != 400 || w.Body.Len() > 16<<10 {
		t.Fatalf("got %d with %d bytes, want 400 in at most 16 KiB", w.Code, w.Body.Len())
	}
	var e errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatal(err)
	}
	n := (5<<20 - 200) / 3
	if len(e.Error.Details) != journeys.MaxListedRows || e.Error.Total != n || !e.Error.Truncated ||
		!strings.Contains(e.Error.Message, "the first 100 are listed") {
		t.Errorf("listed %d, total %d, truncated %v (%s); want %d, %d, true", len(e.Error.Details), e.Error.Total, e.Error.Truncated, e.Error.Message, journeys.MaxListedRows, n)
	}

	in := &fakeIngester{}
	body = emptyObjects(1 << 20)
	n = (1 << 20) / 3
	mixed := append([]byte("["+good+","), body[1:]...)
	w = post(bigServer(in), "/api/v1/events", "", mixed)
	var res ingestResponse
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 200 || w.Body.Len() > 16<<10 {
		t.Fatalf("got %d with %d bytes (%v), want 200 in at most 16 KiB", w.Code, w.Body.Len(), err)
	}
	if res.Accepted != 1 || len(res.Rejected) != journeys.MaxListedRows || res.RejectedTotal != n || !res.Truncated || res.Rejected[0].Row != 1 {
		t.Errorf("accepted %d, listed %d, total %d, truncated %v; want 1, 100, %d, true", res.Accepted, len(res.Rejected), res.RejectedTotal, res.Truncated, n)
	}
}

// TestFailListsAtMostMaxRows: any error with many details is cut the same
// way, with its total.
func TestFailListsAtMostMaxRows(t *testing.T) {
	s := newTestServer(&fakeIngester{}, &fakeStore{})
	details := make([]journeys.RowError, 250)
	s.router.GET("/many", func(c *gin.Context) {
		s.fail(c, &journeys.Error{Code: journeys.EINVALID, Message: "bad", Details: details})
	})
	w := do(s, http.MethodGet, "/many", "", "")
	var e errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != 400 {
		t.Fatalf("%d %s (%v)", w.Code, w.Body, err)
	}
	if len(e.Error.Details) != journeys.MaxListedRows || e.Error.Total != 250 || !e.Error.Truncated {
		t.Errorf("listed %d, total %d, truncated %v; want 100, 250, true", len(e.Error.Details), e.Error.Total, e.Error.Truncated)
	}
}
