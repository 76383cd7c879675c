package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// layout is the data layout.html reads around every page; every page's
// data embeds it.
type layout struct {
	Page  string // the page's template, which the navigation marks
	CSRF  string // the session's token, sent back by every form
	Error string // shown above the content
	Admin bool   // the session has the admin role: the forms that change things show
}

func (l *layout) frame() *layout { return l }

// pageData is the data of one page: a struct embedding layout, whose
// fields are the ones its template reads.
type pageData interface {
	// pageName is the page's template: templates/NAME.html.
	pageName() string
	// frame is the embedded layout, which render fills.
	frame() *layout
}

// render writes a page with the layout's common data.
func (s *Server) render(c *gin.Context, status int, data pageData) {
	page := data.pageName()
	l := data.frame()
	l.Page = page
	l.CSRF = c.GetString("csrf")
	l.Admin = s.signedInAs(c).Allows(RoleAdmin)
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
func (s *Server) renderError(c *gin.Context, data pageData, err error) {
	code := journeys.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	msg := journeys.ErrorMessage(err)
	if code == journeys.EINTERNAL {
		s.cfg.Log.WithError(err).WithField("page", data.pageName()).Error("page failed")
		msg = "internal error"
	}
	data.frame().Error = msg
	s.render(c, status, data)
}

// formatSeconds writes a gap as 45s, 12m, 3h 5m or 2d 4h.
func formatSeconds(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}
