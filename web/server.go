package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/journeys"
)

// Ingester stores a batch of validated events (ingest.Ingester).
type Ingester interface {
	Ingest(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error)
}

// Pinger says whether the store answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config holds the server's settings.
type Config struct {
	WriteKeys      []string        // API keys with the ingest role: send events only
	ReadKeys       []string        // API keys with the read role: reports, segments, members, exports
	AdminKeys      []string        // API keys with the admin role: everything (see Role)
	MaxBodyBytes   int64           // request body limit; 5 MiB when 0
	Limits         journeys.Limits // event validation limits
	SessionTimeout time.Duration   // journeys.DefaultSessionTimeout when 0
	Log            logrus.FieldLogger
	Now            func() time.Time // time.Now when nil
}

// Server is the HTTP surface of journeygraph.
type Server struct {
	cfg      Config
	ingest   Ingester
	journeys journeys.JourneyReader
	store    Pinger
	analyst  Analyst        // reports; nil until SetAnalyst
	steps    StepRuleEditor // nil unless WithStepRules
	eraser   PeopleEraser   // nil unless WithErasure
	circuit  *Circuit       // nil unless WithCircuit
	router   *gin.Engine
	keys     credentials // the API keys with their roles
	app      *app        // the web app; nil unless WithApp

	segSvc     SegmentService // optional surfaces (see Option)
	segStore   SegmentReader
	hookStore  journeys.WebhookStore
	hookSender WebhookSender
	models     *modelSurface // friction, attribution, models; nil unless WithModels
	metrics    Metrics       // nil unless WithMetrics

	vocab    VocabularyReader  // the segment builder's menus; nil unless WithVocabulary
	clusters ClusterDiscoverer // discovered segments; nil unless WithClusters

	propensity PropensityReporter // propensity validation reports; nil unless WithPropensity
	drift      DriftReporter      // segment drift; nil unless WithDrift
}

// Option adds an optional surface to the server.
type Option func(*Server)

// New builds the server and its routes; opts add optional surfaces.
func New(cfg Config, ingest Ingester, jr journeys.JourneyReader, store Pinger, opts ...Option) *Server {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 5 << 20
	}
	if cfg.Log == nil {
		l := logrus.New()
		l.Out = io.Discard
		cfg.Log = l
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, ingest: ingest, journeys: jr, store: store, router: gin.New(), keys: apiCredentials(cfg)}
	// Routes match the escaped path, so an id holding "/" (sent as %2F) is
	// one parameter; pathParams unescapes them (gin's own unescaping is a
	// query's: it turns "+" into a space).
	s.router.UseEscapedPath, s.router.UnescapePathValues = true, false
	for _, o := range opts {
		o(s)
	}
	if s.metrics != nil {
		s.router.Use(s.observeRequests()) // first: it sees the status a panic turns into
	}
	s.router.Use(s.logRequests(), gin.CustomRecovery(s.recovered), s.pathParams, s.guard)
	s.router.NoRoute(func(c *gin.Context) {
		s.fail(c, journeys.Errorf(journeys.ENOTFOUND, "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	s.registerAPIRoutes(s.router)
	if s.app != nil {
		s.registerAppRoutes(s.router.Group(""))
	}
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

func (s *Server) logRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		s.cfg.Log.WithFields(logrus.Fields{
			"method": c.Request.Method, "path": c.Request.URL.Path, "status": c.Writer.Status(),
			"ms": time.Since(start).Milliseconds(),
		}).Info("request")
	}
}

// pathParams unescapes the path parameters, which are matched escaped:
// "a%2Fb" is the id "a/b", "a+b" stays "a+b".
func (s *Server) pathParams(c *gin.Context) {
	for i, p := range c.Params {
		v, err := url.PathUnescape(p.Value)
		if err != nil {
			s.fail(c, journeys.Errorf(journeys.EINVALID, "%s: %q is not a valid escaped path segment", p.Key, p.Value))
			return
		}
		c.Params[i].Value = v
	}
}

func (s *Server) recovered(c *gin.Context, v any) {
	s.cfg.Log.WithField("panic", v).Error("handler panicked")
	s.fail(c, journeys.Errorf(journeys.EINTERNAL, "internal error"))
}
