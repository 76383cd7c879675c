package webhook_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

func mustAllow(t *testing.T, s string) webhook.AllowList {
	t.Helper()
	a, err := webhook.ParseAllowList(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestParseAllowList(t *testing.T) {
	tests := []struct {
		in, want string // want: the list's String, or the error's message
		ok       bool
	}{
		{"", "", true},
		{" 127.0.0.1/32 , receiver.internal ,", "127.0.0.1/32,receiver.internal", true},
		{"10.1.2.3/8,::1,Hooks.Example.", "10.0.0.0/8,::1/128,hooks.example", true},
		{"::ffff:127.0.0.1", "127.0.0.1/32", true},
		{"a,http://x", `webhook allow list: item 2 "http://x" is not a host name, IP address or CIDR prefix`, false},
		{"10.0.0.0/33", `webhook allow list: item 1 "10.0.0.0/33" is not a host name, IP address or CIDR prefix`, false},
		{"host:80", `webhook allow list: item 1 "host:80" is not a host name, IP address or CIDR prefix`, false},
		{"-bad.example", `webhook allow list: item 1 "-bad.example" is not a host name, IP address or CIDR prefix`, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := webhook.ParseAllowList(tt.in)
			switch {
			case tt.ok && err != nil:
				t.Fatalf("got %v, want %q", err, tt.want)
			case tt.ok && a.String() != tt.want:
				t.Errorf("got %q, want %q", a.String(), tt.want)
			case !tt.ok && (journeys.ErrorCode(err) != journeys.EINVALID || err.Error() != tt.want):
				t.Errorf("got %v, want invalid %q", err, tt.want)
			}
		})
	}
}

func TestCheckDestination(t *testing.T) {
	// A fake resolver: the names these tests use.
	dns := map[string][]string{
		"hooks.example":     {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
		"metadata.example":  {"169.254.169.254"},
		"split.example":     {"93.184.215.14", "10.0.0.7"}, // one internal address is enough to refuse
		"receiver.internal": {"10.1.2.3"},
	}
	lookup := func(_ context.Context, host string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, s := range dns[host] {
			out = append(out, netip.MustParseAddr(s))
		}
		if out == nil {
			return nil, errors.New("no such host")
		}
		return out, nil
	}
	tests := []struct {
		name, allow, url string
		want             string // "" for allowed, else part of the problem
	}{
		{"public address", "", "https://93.184.215.14/h", ""},
		{"public name", "", "https://hooks.example/h", ""},
		{"public IPv6", "", "http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8080/h", ""},
		{"loopback", "", "http://127.0.0.1:8080/h", "127.0.0.1 is a loopback address"},
		{"loopback elsewhere in 127/8", "", "http://127.1.2.3/h", "is a loopback address"},
		{"IPv6 loopback", "", "http://[::1]/h", "::1 is a loopback address"},
		{"IPv4-mapped loopback", "", "http://[::ffff:127.0.0.1]/h", "is a loopback address"},
		{"NAT64 of a private address", "", "http://[64:ff9b::a00:1]/h", "is a private address"},
		{"6to4 of loopback", "", "http://[2002:7f00:1::1]/h", "is a loopback address"},
		{"cloud metadata", "", "http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"},
		{"IPv6 link-local", "", "http://[fe80::1%25eth0]/h", "is a link-local address"},
		{"10/8", "", "http://10.0.0.1/h", "10.0.0.1 is a private address"},
		{"172.16/12", "", "http://172.31.255.255/h", "is a private address"},
		{"just outside 172.16/12", "", "http://172.32.0.1/h", ""},
		{"192.168/16", "", "https://192.168.1.1/h", "is a private address"},
		{"unique local", "", "http://[fd00::1]/h", "is a private address"},
		{"CGNAT", "", "http://100.64.0.1/h", "is a carrier-grade NAT address"},
		{"unspecified", "", "http://0.0.0.0:80/h", "is an unspecified address"},
		{"IPv6 unspecified", "", "http://[::]/h", "is an unspecified address"},
		{"multicast", "", "http://224.0.0.1/h", "is a multicast address"},
		{"broadcast", "", "http://255.255.255.255/h", "is a reserved or broadcast address"},
		{"name of a metadata address", "", "http://metadata.example/h", `host "metadata.example" does not resolve to a public address`},
		{"name with one internal address", "", "http://split.example/h", `host "split.example" does not resolve to a public address`},
		{"unknown name: the same answer", "", "http://nowhere.example/h", `host "nowhere.example" does not resolve to a public address`},
		{"not http", "", "ftp://hooks.example/h", "want an absolute http or https URL"},
		{"allowed prefix", "127.0.0.1/32", "http://127.0.0.1:8080/h", ""},
		{"outside the allowed prefix", "127.0.0.1/32", "http://127.0.0.2:8080/h", "is a loopback address"},
		{"allowed wide prefix", "10.0.0.0/8", "http://10.9.9.9/h", ""},
		{"allowed name", "receiver.internal", "http://RECEIVER.internal./h", ""},
		{"allowed name, not its address", "receiver.internal", "http://10.1.2.3/h", "is a private address"},
		{"name resolving into an allowed prefix", "10.0.0.0/8", "http://receiver.internal/h", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &webhook.Dispatcher{Allow: mustAllow(t, tt.allow), Lookup: lookup}
			err := d.CheckDestination(context.Background(), tt.url)
			if tt.want == "" {
				if err != nil {
					t.Errorf("got %v, want allowed", err)
				}
				return
			}
			var e *journeys.Error
			if !errors.As(err, &e) || e.Code != journeys.EINVALID || len(e.Details) != 1 || e.Details[0].Field != "url" ||
				!strings.Contains(e.Details[0].Problem, tt.want) {
				t.Errorf("got %#v, want an invalid url containing %q", err, tt.want)
			}
		})
	}
}

// sendTo makes one delivery attempt to url with d.
func sendTo(d *webhook.Dispatcher, url string) (int, error) {
	return d.Send(context.Background(), webhook.TestDelivery(journeys.Webhook{ID: "wh_t", URL: url, Secret: "s", Segment: "*"}, time.Now()))
}

// counter is a receiver counting its requests, answering with status.
type counter struct {
	n      atomic.Int64
	status int
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	w.WriteHeader(c.status)
}

// TestSendChecksAtConnect: a delivery connects only to an allowed address,
// whatever was checked when the webhook was registered: an internal
// address, or a name that resolves to one when the delivery connects (as
// after DNS rebinding), is refused before any byte is sent.
func TestSendChecksAtConnect(t *testing.T) {
	rc := &counter{status: http.StatusOK}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	byName := "http://localhost:" + strconv.Itoa(port) + "/h" // resolved by the system at connect time
	tests := []struct {
		name, allow, url string
		want             int // HTTP status; 0: refused
	}{
		{"loopback refused", "", srv.URL, 0},
		{"name resolving to loopback refused", "", byName, 0},
		{"other allowed prefix", "10.0.0.0/8", srv.URL, 0},
		{"allowed prefix", "127.0.0.1/32", srv.URL, http.StatusOK},
		{"allowed name", "localhost", byName, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rc.n.Load()
			status, err := sendTo(&webhook.Dispatcher{Allow: mustAllow(t, tt.allow)}, tt.url)
			got := rc.n.Load() - before
			if tt.want == 0 {
				if status != 0 || !errors.Is(err, webhook.ErrNotDelivered) || got != 0 {
					t.Errorf("got %d, %v, %d requests; want refused before connecting", status, err, got)
				}
				return
			}
			if status != tt.want || err != nil || got != 1 {
				t.Errorf("got %d, %v, %d requests; want %d once", status, err, got, tt.want)
			}
		})
	}
}

// TestDNSRebinding: a name that resolved to a public address when the
// webhook was registered and resolves to loopback when a delivery connects
// is refused at the connection.
func TestDNSRebinding(t *testing.T) {
	rc := &counter{status: http.StatusOK}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	url := "http://localhost:" + strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port) + "/h"
	d := &webhook.Dispatcher{Lookup: func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil // what the name said at registration
	}}
	if err := d.CheckDestination(context.Background(), url); err != nil {
		t.Fatalf("registration: %v, want allowed", err)
	}
	status, err := sendTo(d, url) // the system resolver now says 127.0.0.1
	if status != 0 || !errors.Is(err, webhook.ErrNotDelivered) || rc.n.Load() != 0 {
		t.Errorf("got %d, %v, %d requests; want refused before connecting", status, err, rc.n.Load())
	}
}

// TestSendDoesNotFollowRedirects: a 3xx is a failed delivery with its
// status, and the signed body never reaches where it points.
func TestSendDoesNotFollowRedirects(t *testing.T) {
	target := &counter{status: http.StatusOK}
	inside := httptest.NewServer(target)
	defer inside.Close()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, inside.URL+"/admin", code)
		}))
		status, err := sendTo(&webhook.Dispatcher{Allow: mustAllow(t, "127.0.0.1/32")}, redirect.URL)
		redirect.Close()
		want := "receiver answered HTTP " + strconv.Itoa(code) + ": redirects are not followed"
		if status != code || err == nil || err.Error() != want {
			t.Errorf("%d: got %d, %v; want %d, %q", code, status, err, code, want)
		}
	}
	if n := target.n.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests, want none", n)
	}
}

// TestSendHidesWhatAnswered: a closed port, a port that accepts and hangs
// up, one that answers something other than HTTP and one that never
// answers all give the caller the same error (no "refused" versus "EOF"
// to map the network with); the log has the details (the transport's
// error, whose wording depends on timing). An HTTP answer gives its status
// code only.
func TestSendHidesWhatAnswered(t *testing.T) {
	closed := listen(t)
	closedURL := "http://" + closed.Addr().String() + "/h"
	closed.Close()
	hangUp := listen(t)
	go serveConns(hangUp, func(c net.Conn) { c.Close() })
	notHTTP := listen(t)
	go serveConns(notHTTP, func(c net.Conn) { c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n")); c.Close() })
	silent := listen(t)
	go serveConns(silent, func(c net.Conn) {}) // accepts, never answers: the attempt times out
	teapot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "internal-admin/1.0")
		http.Error(w, "secret internal page", http.StatusTeapot)
	}))
	defer teapot.Close()

	tests := []struct {
		name, url string
		status    int
		want      string // the error callers see
	}{
		{"closed port", closedURL, 0, "could not deliver (no HTTP answer)"},
		{"hangs up", "http://" + hangUp.Addr().String() + "/h", 0, "could not deliver (no HTTP answer)"},
		{"not HTTP", "http://" + notHTTP.Addr().String() + "/h", 0, "could not deliver (no HTTP answer)"},
		{"never answers", "http://" + silent.Addr().String() + "/h", 0, "could not deliver (no HTTP answer)"},
		{"HTTP error", teapot.URL, http.StatusTeapot, "receiver answered HTTP 418"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, hook := logtest.NewNullLogger()
			d := &webhook.Dispatcher{Allow: mustAllow(t, "127.0.0.1/32"), Log: log, Timeout: 300 * time.Millisecond}
			status, err := sendTo(d, tt.url)
			if status != tt.status || err == nil || err.Error() != tt.want {
				t.Errorf("got %d, %v; want %d, %q", status, err, tt.status, tt.want)
			}
			e := hook.LastEntry()
			if e == nil || e.Level != logrus.WarnLevel || e.Data["webhook"] != "wh_t" {
				t.Fatalf("log entry %v, want a warning for wh_t", e)
			}
			if cause, _ := e.Data[logrus.ErrorKey].(error); tt.status == 0 && (cause == nil || !strings.Contains(cause.Error(), "127.0.0.1:")) {
				t.Errorf("logged cause %v, want the transport's error", cause)
			}
			if tt.status != 0 && e.Data["status"] != tt.status {
				t.Errorf("logged status %v, want %d", e.Data["status"], tt.status)
			}
		})
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// serveConns hands every connection of ln to handle until ln closes; the
// connections left open close with the test.
func serveConns(ln net.Listener, handle func(net.Conn)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		handle(c)
	}
}
