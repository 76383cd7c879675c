package web

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/web/chart"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// AppConfig configures the web app (the HTML pages under /app).
type AppConfig struct {
	Passwords  []string // accepted at sign-in with the admin role, besides the read and admin API keys
	Secret     string   // signs session cookies; random per process when empty
	Conversion string   // the step that counts as a conversion; "purchase" when empty
}

// app holds the web app's state.
type app struct {
	cfg      AppConfig
	auth     *appAuth
	throttle *signInThrottle
	pages    map[string]*template.Template
	overview journeys.OverviewReader
}

// WithApp serves the web app, reading activity through overview.
func WithApp(cfg AppConfig, overview journeys.OverviewReader) Option {
	return func(s *Server) {
		if cfg.Conversion == "" {
			cfg.Conversion = "purchase"
		}
		s.app = &app{cfg: cfg, overview: overview, pages: parsePages()}
	}
}

// templateFuncs are the functions the templates call to format values.
var templateFuncs = template.FuncMap{
	"pct":     chart.FormatPct,
	"num":     chart.FormatInt,
	"day":     func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"clock":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
	"seconds": formatSeconds,
	"deref":   func(p *string) string { return *p },
	"derefF":  func(p *float64) float64 { return *p },
	"derefI":  func(p *int) int { return *p },
	"pathesc": url.PathEscape,
}

// parsePages parses every templates/NAME.html (but layout.html) as the page
// NAME, rendered inside layout.html.
func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		pages[name] = template.Must(template.New("layout.html").Funcs(templateFuncs).
			ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return pages
}

// registerAppRoutes adds the sign-in pages, the app's static files and the
// pages under /app, which need a signed-in session: the read role (read and
// admin keys, the UI passwords) to look, the admin role to change.
func (s *Server) registerAppRoutes(g *gin.RouterGroup) {
	creds := append(apiCredentials(s.cfg), credentials{}.add(RoleAdmin, s.app.cfg.Passwords...)...)
	s.app.auth = newAppAuth(s.app.cfg.Secret, creds, s.cfg.Now)
	s.app.throttle = newSignInThrottle(s.cfg.Now)
	static, _ := fs.Sub(staticFS, "static")
	g.StaticFS("/static", http.FS(static))
	g.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/app") })
	g.GET("/login", s.loginPage)
	g.POST("/login", s.login)
	read := g.Group("/app", s.requireSignIn(), s.requireRole(RoleRead))
	admin := read.Group("", s.requireRole(RoleAdmin))
	read.POST("/logout", s.logout)
	read.GET("", s.overviewPage)
	read.GET("/people", s.personPage)
	read.GET("/people/:id", s.personPage)
	s.registerSegmentPages(read)
	s.registerWebhookPages(admin)
	s.registerAnalyticsPages(read, admin)
	s.registerPathsPages(read)
	s.registerClusterPages(read, admin)
}
