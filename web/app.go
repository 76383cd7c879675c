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
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// AppConfig configures the web app (the HTML pages under /app).
type AppConfig struct {
	Passwords  []string // accepted at sign-in (the read and write API keys are added by New)
	Secret     string   // signs session cookies; random per process when empty
	Conversion string   // the step that counts as a conversion; "purchase" when empty
}

// app holds the web app's state.
type app struct {
	cfg      AppConfig
	auth     *appAuth
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

// parsePages parses every templates/NAME.html (but layout.html) as the page
// NAME, rendered inside layout.html.
func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"pct":     func(f float64) string { return formatPct(f) },
		"num":     formatInt,
		"day":     func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"clock":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
		"seconds": formatSeconds,
		"deref":   func(p *string) string { return *p },
		"derefF":  func(p *float64) float64 { return *p },
		"derefI":  func(p *int) int { return *p },
		"pathesc": url.PathEscape,
	}
	pages := map[string]*template.Template{}
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		pages[name] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return pages
}

// registerAppRoutes adds the sign-in pages and the app under /app.
func (s *Server) registerAppRoutes(g *gin.RouterGroup) {
	s.app.auth = newAppAuth(s.app.cfg.Secret, append(append(append([]string{}, s.app.cfg.Passwords...),
		s.cfg.ReadKeys...), s.cfg.WriteKeys...), s.cfg.Now)
	static, _ := fs.Sub(staticFS, "static")
	g.StaticFS("/static", http.FS(static))
	g.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/app") })
	g.GET("/login", s.loginPage)
	g.POST("/login", s.login)
	app := g.Group("/app", s.requireSignIn())
	app.POST("/logout", s.logout)
	app.GET("", s.overviewPage)
	app.GET("/people", s.personPage)
	app.GET("/people/:id", s.personPage)
	s.registerSegmentPages(app)
	s.registerAnalyticsPages(app)
	s.registerPathsPages(app)
}

// render writes a page with the layout's common data.
func (s *Server) render(c *gin.Context, status int, page string, data gin.H) {
	data["Page"] = page
	data["CSRF"] = c.GetString("csrf")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("X-Frame-Options", "DENY")
	c.Header("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; script-src 'self'; frame-ancestors 'none'")
	c.Status(status)
	if err := s.app.pages[page].Execute(c.Writer, data); err != nil {
		s.cfg.Log.WithError(err).WithField("page", page).Error("render")
	}
}

// renderError shows an error inside the page that failed.
func (s *Server) renderError(c *gin.Context, page string, data gin.H, err error) {
	code := journeys.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	msg := journeys.ErrorMessage(err)
	if code == journeys.EINTERNAL {
		s.cfg.Log.WithError(err).WithField("page", page).Error("page failed")
		msg = "internal error"
	}
	data["Error"] = msg
	s.render(c, status, page, data)
}

func (s *Server) loginPage(c *gin.Context) {
	s.render(c, http.StatusOK, "login", gin.H{"Next": safeNext(c.Query("next"))})
}

func (s *Server) login(c *gin.Context) {
	next := safeNext(c.PostForm("next"))
	if !s.app.auth.checkPassword(c.PostForm("password")) {
		s.render(c, http.StatusUnauthorized, "login", gin.H{"Next": next, "Error": "wrong password"})
		return
	}
	setSessionCookie(c, s.app.auth.newSession(), int(sessionTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c *gin.Context) {
	setSessionCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps redirects after sign-in inside the app.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/app") || strings.HasPrefix(next, "//") {
		return "/app"
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
