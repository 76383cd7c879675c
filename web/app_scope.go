package web

import (
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// reportScope is the scope of a report page as its filter form shows it.
type reportScope struct {
	Prefix  string // person_prefix, kept in a hidden field
	From    string
	To      string
	Segment string
}

// pageScope reads the filter of a report page (from, to, channel, device,
// person_prefix and segment, as the JSON API) and the scope echoing it.
func pageScope(c *gin.Context) (journeys.Filter, reportScope, error) {
	scope := reportScope{Prefix: c.Query("person_prefix"), From: c.Query("from"), To: c.Query("to"), Segment: c.Query("segment")}
	f, err := filterParams(c)
	return f, scope, err
}

// scopeQuery returns the query string keeping the page's scope, to which
// extra parameters are added.
func scopeQuery(c *gin.Context, extra url.Values) string {
	v := url.Values{}
	for _, k := range []string{"person_prefix", "from", "to", "channel", "device", "segment"} {
		if x := c.Query(k); x != "" {
			v.Set(k, x)
		}
	}
	for k, xs := range extra {
		v[k] = xs
	}
	return v.Encode()
}

// withParam returns a copy of v with k set to x.
func withParam(v url.Values, k, x string) url.Values {
	out := url.Values{}
	for key, xs := range v {
		out[key] = xs
	}
	out.Set(k, x)
	return out
}
