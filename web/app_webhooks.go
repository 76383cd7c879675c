package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// hookRow is one webhook of the list with its delivery log.
type hookRow struct {
	journeys.Webhook
	Deliveries []journeys.Delivery // the stored log (test sends too), newest first
}

// Limits of the webhooks page.
const (
	pageHooks      = 50
	pageDeliveries = 20
)

// webhooksData is the webhooks page's.
type webhooksData struct {
	layout
	Off          string            // why webhooks are not served
	Notice       string            // the outcome of a test send
	Created      *journeys.Webhook // the webhook just registered, with its secret (shown once)
	Form         *journeys.Webhook // the registration form's values
	Problems     []journeys.RowError
	SegmentNames []string // the segments a webhook may follow
	Hooks        []hookRow
	More         bool // more webhooks than the page lists
}

func (*webhooksData) pageName() string { return "webhooks" }

// registerWebhookPages adds the webhooks page and its forms under /app, on
// g (the admin role's: webhook URLs and delivery logs are the admin's).
// The page shows a message instead when webhooks are not served.
func (s *Server) registerWebhookPages(g *gin.RouterGroup) {
	g.GET("/webhooks", func(c *gin.Context) { s.webhooksPage(c, http.StatusOK, &webhooksData{}) })
	g.POST("/webhooks", s.webhookCreatePost)
	g.POST("/webhooks/:id/test", s.webhookTestPost)
}

// webhooksPage lists the webhooks with their delivery logs and the form
// that registers one; data may carry a notice, the new secret or problems.
func (s *Server) webhooksPage(c *gin.Context, status int, data *webhooksData) {
	if s.hookStore == nil || s.hookSender == nil {
		data.Off = "Webhooks are not configured on this server (serve wires them with the graph store)."
		s.render(c, http.StatusOK, data)
		return
	}
	ctx := c.Request.Context()
	hooks, err := s.hookStore.Webhooks(ctx)
	if err == nil && s.segStore != nil {
		var segs []journeys.Segment
		if segs, err = s.segStore.Segments(ctx); err == nil {
			names := make([]string, len(segs))
			for i, sg := range segs {
				names[i] = sg.Name
			}
			data.SegmentNames = names
		}
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	sort.Slice(hooks, func(i, j int) bool { return hooks[i].CreatedAt.After(hooks[j].CreatedAt) })
	data.More = len(hooks) > pageHooks
	rows := make([]hookRow, 0, min(len(hooks), pageHooks))
	for _, h := range hooks[:min(len(hooks), pageHooks)] {
		ds, err := s.hookStore.Deliveries(ctx, h.ID, pageDeliveries)
		if err != nil {
			s.renderError(c, data, err)
			return
		}
		rows = append(rows, hookRow{Webhook: h, Deliveries: ds})
	}
	data.Hooks = rows
	if data.Form == nil {
		data.Form = &journeys.Webhook{Segment: "*", Events: []string{journeys.KindEntered, journeys.KindLeft}}
	}
	s.render(c, status, data)
}

// webhookCreatePost registers a webhook from the form and shows its secret
// once.
func (s *Server) webhookCreatePost(c *gin.Context) {
	w := journeys.Webhook{URL: strings.TrimSpace(c.PostForm("url")), Segment: strings.TrimSpace(c.PostForm("segment")),
		Events: c.PostFormArray("events")}
	data := &webhooksData{Form: &w}
	if s.hookStore == nil {
		s.webhooksPage(c, http.StatusOK, data)
		return
	}
	if err := s.validateWebhook(c.Request.Context(), &w); err != nil {
		data.Error, data.Problems = journeys.ErrorMessage(err), problemsOf(err)
		s.webhooksPage(c, http.StatusBadRequest, data)
		return
	}
	created, err := s.hookStore.CreateWebhook(c.Request.Context(), w)
	if err != nil {
		data.Error = journeys.ErrorMessage(err)
		if journeys.ErrorCode(err) == journeys.EINTERNAL {
			s.cfg.Log.WithError(err).Error("create webhook")
			data.Error = "internal error"
		}
		s.webhooksPage(c, http.StatusOK, data)
		return
	}
	data.Created, data.Form = &created, nil
	s.webhooksPage(c, http.StatusOK, data)
}

// webhookTestPost sends a signed test event now (the API's test send) and
// shows the outcome in the page and in the webhook's log.
func (s *Server) webhookTestPost(c *gin.Context) {
	data := &webhooksData{}
	if s.hookStore == nil || s.hookSender == nil {
		s.webhooksPage(c, http.StatusOK, data)
		return
	}
	ctx := c.Request.Context()
	w, err := s.hookStore.Webhook(ctx, c.Param("id"))
	if err != nil {
		data.Error = journeys.ErrorMessage(err)
		s.webhooksPage(c, http.StatusOK, data)
		return
	}
	d, _, err := s.sendTest(ctx, w)
	switch {
	case err != nil:
		s.renderError(c, data, err)
		return
	case d.Status == journeys.DeliveryFailed:
		data.Error = fmt.Sprintf("Test to %s failed: %s", w.URL, d.LastError)
	default:
		data.Notice = fmt.Sprintf("Test delivered to %s: HTTP %d.", w.URL, d.LastStatus)
	}
	s.webhooksPage(c, http.StatusOK, data)
}
