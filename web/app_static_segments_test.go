package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// validatingSegments is fakeSegments whose Save validates first, as
// segment.Segmenter does.
type validatingSegments struct{ *fakeSegments }

func (v validatingSegments) Save(ctx context.Context, s journeys.Segment) (journeys.Segment, journeys.RefreshResult, error) {
	if err := s.Validate(); err != nil {
		return journeys.Segment{}, journeys.RefreshResult{}, err
	}
	return v.fakeSegments.Save(ctx, s)
}

// Create is Save for a new name.
func (v validatingSegments) Create(ctx context.Context, s journeys.Segment) (journeys.Segment, journeys.RefreshResult, error) {
	if _, ok := v.segs[s.Name]; ok {
		return journeys.Segment{}, journeys.RefreshResult{}, journeys.Errorf(journeys.ECONFLICT, "segment %q exists", s.Name)
	}
	return v.Save(ctx, s)
}

// staticServer is pageServer with segments served by a fake holding the
// built-in "vip".
func staticServer(t *testing.T, seqs []journeys.Sequence) (*Server, *fakeSegments, func(method, path string, form url.Values) *httptest.ResponseRecorder) {
	t.Helper()
	f := &fakeSegments{segs: map[string]journeys.Segment{"vip": {Name: "vip", BuiltIn: true, Version: 1}}}
	st := &fakeStore{}
	srv := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, st, st,
		WithApp(AppConfig{Passwords: []string{"pw"}}, nil), WithSegments(validatingSegments{f}, f))
	srv.SetAnalyst(&report.Analytics{Store: &fakeSequences{seqs: seqs}})
	session := srv.app.auth.newSession("pw")
	sess, _ := srv.app.auth.session(session)
	csrf := srv.app.auth.csrfToken(sess.nonce)
	do := func(method, path string, form url.Values) *httptest.ResponseRecorder {
		var req *http.Request
		if method == http.MethodGet {
			req = httptest.NewRequest(method, path, nil)
		} else {
			if form.Get("csrf") == "-" {
				form.Del("csrf")
			} else {
				form.Set("csrf", csrf)
			}
			req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	return srv, f, do
}

// manyViewers: 57 people who only viewed, z who went on to the cart, and
// two sessions of y both through cart (y counts once).
func manyViewers() []journeys.Sequence {
	var seqs []journeys.Sequence
	for i := range pageNodePeople + 7 {
		seqs = append(seqs, steps(fmt.Sprintf("p%03d", i), "view"))
	}
	y := steps("y", "view", "cart")
	y.Events = append(y.Events, journeys.StepEvent{Step: "view", TS: 1e8}, journeys.StepEvent{Step: "cart", TS: 1e8 + 60000})
	return append(seqs, steps("z", "view", "cart"), y, steps(`<b>"x"?#</b>`, "home", "cart"))
}

func TestMapNodePeoplePage(t *testing.T) {
	_, _, do := staticServer(t, manyViewers())
	tests := []struct {
		name, path string
		status     int
		want, not  []string
	}{
		{"a node lists its people, as many as the map counts", "/app/map?step=view&depth=2&node=1:cart", 200, []string{
			`id="node-people"`, `id="node-total">2<`, `data-step="cart" data-col="1" data-people="2"`,
			`href="/app/people/y"`, `href="/app/people/z"`, "3 sessions pass through this node",
			`action="/app/map/segment?depth=2&amp;dir=from&amp;node=1%3Acart&amp;step=view&amp;unit=session#node-people"`,
			`name="csrf" value="`, `value="through_cart_col2"`, "Save these 2 people as segment"}, []string{"p000"}},
		{"first page", "/app/map?step=view&depth=2&node=1:(exit)", 200, []string{
			`id="node-total">57<`, `href="/app/people/p049"`, `node=1%3A%28exit%29&amp;offset=50&amp;step=view`, "Save these 57 people as segment"},
			[]string{"p050", "← previous"}},
		{"second page", "/app/map?step=view&depth=2&node=1:(exit)&offset=50", 200, []string{`href="/app/people/p056"`, "← previous"},
			[]string{"p049", `id="node-next"`}},
		{"to a step: columns end at it", "/app/map?step=cart&dir=to&depth=3&node=1:view", 200, []string{`id="node-total">2<`, `href="/app/people/z"`}, nil},
		{"ids are escaped", "/app/map?depth=2&node=0:home", 200, []string{`href="/app/people/%3Cb%3E%22x%22%3F%23%3C%2Fb%3E"`, `&lt;b&gt;&#34;x&#34;?#&lt;/b&gt;`}, []string{`<b>"x"`}},
		{"nobody: no form", "/app/map?step=view&depth=2&node=1:nowhere", 200, []string{`id="node-total">0<`}, []string{`id="save-segment"`}},
		{"bad node", "/app/map?step=view&depth=2&node=cart", 400, []string{"node: &#34;cart&#34; is not column:step"}, nil},
		{"column off the map", "/app/map?step=view&depth=2&node=5:cart", 400, []string{"column: 5 is not from 0 to 1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(http.MethodGet, tt.path, nil)
			body := w.Body.String()
			if w.Code != tt.status {
				t.Errorf("status %d, want %d:\n%s", w.Code, tt.status, body)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q:\n%s", want, body)
				}
			}
			for _, not := range tt.not {
				if strings.Contains(body, not) {
					t.Errorf("page has %q", not)
				}
			}
		})
	}
	// Without segments the people are listed, without the form.
	srv, cookie, _ := pageServer(t, manyViewers(), nil)
	if body := getPage(srv, cookie, "/app/map?step=view&depth=2&node=1:cart").Body.String(); !strings.Contains(body, `id="node-total">2<`) || strings.Contains(body, `id="save-segment"`) {
		t.Errorf("without segments: want the people and no form:\n%s", body)
	}
}

func TestSaveReportPeopleAsSegment(t *testing.T) {
	_, f, do := staticServer(t, manyViewers())
	mapNode := "/app/map/segment?step=view&depth=2&node=1:(exit)"
	dropped := "/app/funnels/segment?steps=view,cart&at=1"
	tests := []struct {
		name, path, segment string
		status              int
		location            string   // of a redirect
		want                []string // in the page, or the people saved
	}{
		{"without the CSRF token", mapNode, "x", 403, "", []string{"CSRF"}},
		{"every person behind the node, not the page", mapNode, "viewers", 303, "/app/segments/viewers?saved=1", nil},
		{"a taken name", mapNode, "vip", 409, "", []string{`id="save-error"`, "segment &#34;vip&#34; exists", `value="vip"`, `id="node-people"`}},
		{"a bad name", mapNode, "no spaces", 400, "", []string{`id="save-error"`, "is not a segment name"}},
		{"nobody behind the node", "/app/map/segment?step=view&depth=2&node=1:nowhere", "none", 400, "", []string{"nobody to save"}},
		{"a bad node", "/app/map/segment?step=view&depth=2&node=x", "n", 400, "", []string{"node:"}},
		{"every person who dropped", dropped, "dropped", 303, "/app/segments/dropped?saved=1", nil},
		{"dropped, a taken name", dropped, "vip", 409, "", []string{`id="save-error"`, `id="dropped"`, "Dropped before cart: 57 people"}},
		{"dropped, bad step", "/app/funnels/segment?steps=view,cart&at=5", "d", 400, "", []string{"step: 5 is not from 1 to 1"}},
		{"dropped, no step", "/app/funnels/segment?steps=view,cart", "d", 400, "", []string{"at: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"name": {tt.segment}}
			if tt.status == 403 {
				form.Set("csrf", "-")
			}
			w := do(http.MethodPost, tt.path, form)
			body := w.Body.String()
			if w.Code != tt.status || w.Header().Get("Location") != tt.location {
				t.Fatalf("%d to %q, want %d to %q:\n%s", w.Code, w.Header().Get("Location"), tt.status, tt.location, body)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q:\n%s", want, body)
				}
			}
			if tt.status != 303 {
				if _, saved := f.segs[tt.segment]; saved && tt.segment != "vip" {
					t.Errorf("segment %q saved", tt.segment)
				}
				return
			}
			seg := f.segs[tt.segment]
			if len(seg.Where.People) != pageNodePeople+7 || seg.Where.People[0] != "p000" || !slices.IsSorted(seg.Where.People) || seg.Description == "" {
				t.Errorf("saved %d people from %v (%q), want the 57 viewers", len(seg.Where.People), seg.Where.People[:min(3, len(seg.Where.People))], seg.Description)
			}
		})
	}
}

func TestSaveStatic(t *testing.T) {
	srv, f, _ := staticServer(t, nil)
	ctx := context.Background()
	tests := []struct {
		name  string
		seg   string
		ids   []string
		total int
		code  string
	}{
		{"saved", "mine", []string{"b", "a"}, 2, ""},
		{"nobody", "mine2", nil, 0, journeys.EINVALID},
		{"more than listed", "mine3", []string{"a"}, 2, journeys.ETOOLARGE},
		{"more than a segment lists", "mine4", make([]string, journeys.MaxSegmentPeople+1), journeys.MaxSegmentPeople + 1, journeys.ETOOLARGE},
		{"taken", "vip", []string{"a"}, 1, journeys.ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := srv.saveStatic(ctx, tt.seg, "d", tt.ids, tt.total)
			if code := journeys.ErrorCode(err); code != tt.code {
				t.Errorf("error %v (code %q), want code %q", err, code, tt.code)
			}
		})
	}
	if got := f.segs["mine"].Where.People; !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("saved people %v, want [a b]", got)
	}
	bare, _, _ := pageServer(t, nil, nil)
	if _, err := bare.saveStatic(ctx, "x", "", []string{"a"}, 1); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("without segments: %v, want ENOTFOUND", err)
	}
}

func TestSegmentName(t *testing.T) {
	tests := []struct{ label, suffix, want string }{
		{"through_add_to_cart", "col2", "through_add_to_cart_col2"},
		{"through_(exit)", "col3", "through__exit__col3"},
		{"dropped_before_été", "", "dropped_before__t_"},
		{strings.Repeat("x", 120), "col1", strings.Repeat("x", 90) + "_col1"},
	}
	for _, tt := range tests {
		if got := segmentName(tt.label, tt.suffix); got != tt.want {
			t.Errorf("segmentName(%q, %q) = %q, want %q", tt.label, tt.suffix, got, tt.want)
		}
		if err := journeys.StaticSegment(segmentName(tt.label, tt.suffix), "", []string{"a"}).Validate(); err != nil {
			t.Errorf("%q: %v", segmentName(tt.label, tt.suffix), err)
		}
	}
}

func TestPathPeopleRoute(t *testing.T) {
	srv := newTestServer(&fakeIngester{}, &fakeStore{})
	srv.SetAnalyst(&report.Analytics{Store: &fakeSequences{seqs: manyViewers()}})
	tests := []struct {
		name, path string
		status     int
		want       string
	}{
		{"a page", "/api/v1/paths/people?start=view&depth=2&node=1:cart&page_size=1", 200,
			`"total":2,"drawn":2,"units":3,"offset":0,"people":["y"],"next_offset":1}`},
		{"the next", "/api/v1/paths/people?start=view&depth=2&node=1:cart&page_size=1&offset=1", 200, `"people":["z"],"next_offset":null}`},
		{"to a step", "/api/v1/paths/people?end=cart&depth=3&node=1:view", 200, `"total":2`},
		{"no node", "/api/v1/paths/people?start=view", 400, `"field":"node"`},
		{"bad column", "/api/v1/paths/people?depth=2&node=2:view", 400, `"field":"column"`},
		{"bad page size", "/api/v1/paths/people?node=0:view&page_size=100001", 400, `"field":"limit"`},
		{"bad path", "/api/v1/paths/people?node=0:view&depth=50", 400, `"field":"path.depth"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(srv, "GET", tt.path, "Bearer r", "")
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("GET %s = %d %s, want %d with %s", tt.path, w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
}
