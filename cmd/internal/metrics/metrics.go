// Package metrics holds journeygraph's Prometheus collectors: one Set per
// server, on its own registry (never the global default one, so that tests
// can build several servers), served in the text exposition format.
//
// It is the one package that imports the Prometheus client. The services
// do not: each declares the small observer interface it needs (web.Observer,
// segment.Observer, graph.ErrorCounter) and Set implements them; the journey
// cache and the webhook outbox are observed from outside (WatchCache,
// Outbox). The wiring (cmd/internal/app) builds the Set and hands it round.
// Label values are bounded: HTTP routes are gin's templates, never the raw
// path; methods, statuses and outcomes come from short fixed lists; segment
// names are the stored segments'.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Set is the collectors of one server and the registry they are on. Its
// methods are safe for concurrent use.
type Set struct {
	reg     *prometheus.Registry
	handler http.Handler

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	events          *prometheus.CounterVec
	ingestDuration  prometheus.Histogram
	segmentDuration *prometheus.HistogramVec
	segmentMembers  *prometheus.GaugeVec
	deliveries      *prometheus.CounterVec
	queueAge        prometheus.Histogram
	neo4jErrors     *prometheus.CounterVec
}

// New returns a Set on a new registry, with the Go runtime's and the
// process's collectors.
func New() *Set {
	reg := prometheus.NewRegistry()
	s := &Set{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "journeygraph_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status.",
		}, []string{"method", "route", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "journeygraph_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route template.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "journeygraph_events_total",
			Help: "Events received over HTTP, by outcome: accepted (stored), duplicate (stored before), rejected (a bad row).",
		}, []string{"outcome"}),
		ingestDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "journeygraph_ingest_batch_duration_seconds",
			Help:    "Time to store one received batch of valid events, until committed.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		segmentDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "journeygraph_segment_evaluation_duration_seconds",
			Help:    "Time to evaluate a segment in a refresh, by segment and scope (all: everyone; people: the people a write touched).",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"segment", "scope"}),
		segmentMembers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "journeygraph_segment_members",
			Help: "Members of a segment at its last evaluation for everyone.",
		}, []string{"segment"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "journeygraph_webhook_deliveries_total",
			Help: "Webhook delivery attempts recorded, by outcome: delivered, retry (to be attempted again), failed (gave up), cancelled (webhook deleted).",
		}, []string{"outcome"}),
		queueAge: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "journeygraph_webhook_queue_age_seconds",
			Help:    "Age of a webhook delivery (since it was queued) when claimed for an attempt.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15, 60, 300, 1800, 3600, 21600},
		}),
		neo4jErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "journeygraph_neo4j_errors_total",
			Help: "Failed Neo4j transactions, by kind: unavailable (unreachable, or retries exhausted), timeout, query (refused by the server).",
		}, []string{"kind"}),
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		s.requests, s.requestDuration, s.events, s.ingestDuration, s.segmentDuration, s.segmentMembers,
		s.deliveries, s.queueAge, s.neo4jErrors)
	s.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return s
}

// Registry is the registry the collectors are on.
func (s *Set) Registry() *prometheus.Registry { return s.reg }

// ServeHTTP answers a scrape with every collector of the Set.
func (s *Set) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// ObserveRequest counts one answered HTTP request and its duration. route
// is the route's template ("/api/v1/people/:id/journey"), never the raw
// path; a method outside the standard ones counts as "other".
func (s *Set) ObserveRequest(method, route string, status int, took time.Duration) {
	method = knownMethod(method)
	s.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	s.requestDuration.WithLabelValues(method, route).Observe(took.Seconds())
}

// knownMethod returns method when it is a standard HTTP method, else
// "other": a client cannot make up label values.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// ObserveEvents counts the events of one received batch by outcome.
func (s *Set) ObserveEvents(accepted, duplicates, rejected int) {
	s.events.WithLabelValues("accepted").Add(float64(accepted))
	s.events.WithLabelValues("duplicate").Add(float64(duplicates))
	s.events.WithLabelValues("rejected").Add(float64(rejected))
}

// ObserveIngest records the time one batch of valid events took to store.
func (s *Set) ObserveIngest(took time.Duration) { s.ingestDuration.Observe(took.Seconds()) }

// ObserveEvaluation records one evaluation of a segment: its duration,
// and, when it was for everyone, its members.
func (s *Set) ObserveEvaluation(segment string, everyone bool, members int, took time.Duration) {
	scope := "people"
	if everyone {
		scope = "all"
		s.segmentMembers.WithLabelValues(segment).Set(float64(members))
	}
	s.segmentDuration.WithLabelValues(segment, scope).Observe(took.Seconds())
}

// ForgetSegment drops the series of a deleted segment.
func (s *Set) ForgetSegment(segment string) {
	s.segmentMembers.DeleteLabelValues(segment)
	s.segmentDuration.DeletePartialMatch(prometheus.Labels{"segment": segment})
}

// CountNeo4jError counts one failed Neo4j transaction of kind
// (graph.ErrUnavailable, ErrTimeout, ErrQuery).
func (s *Set) CountNeo4jError(kind string) { s.neo4jErrors.WithLabelValues(kind).Inc() }
