package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// WebhookSender makes one signed delivery attempt and checks a webhook's
// destination when it is registered (a *webhook.Dispatcher): CheckDestination
// returns an EINVALID error naming the field "url" for a destination that
// is not allowed.
type WebhookSender interface {
	Send(ctx context.Context, d journeys.Delivery) (int, error)
	CheckDestination(ctx context.Context, url string) error
}

// WithWebhooks serves the webhook routes.
func WithWebhooks(store journeys.WebhookStore, sender WebhookSender) Option {
	return func(s *Server) { s.hookStore, s.hookSender = store, sender }
}

// registerWebhookRoutes adds /webhooks: reads on read, changes and test
// sends on write (registerAPIRoutes gives both to the admin role).
func (s *Server) registerWebhookRoutes(read, write *gin.RouterGroup) {
	if s.hookStore == nil {
		return
	}
	read.GET("/webhooks", s.listWebhooks)
	read.GET("/webhooks/:id", s.getWebhook)
	read.GET("/webhooks/:id/deliveries", s.webhookDeliveries)
	write.POST("/webhooks", s.createWebhook)
	write.DELETE("/webhooks/:id", s.deleteWebhook)
	write.POST("/webhooks/:id/test", s.testWebhook)
}

func (s *Server) listWebhooks(c *gin.Context) {
	hooks, err := s.hookStore.Webhooks(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	if hooks == nil {
		hooks = []journeys.Webhook{}
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": hooks})
}

func (s *Server) getWebhook(c *gin.Context) {
	w, err := s.hookStore.Webhook(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	w.Secret = "" // shown once, at creation
	c.JSON(http.StatusOK, w)
}

// createWebhook stores a subscription and answers with its secret (the only
// time it is shown).
func (s *Server) createWebhook(c *gin.Context) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10))
	if err != nil {
		s.fail(c, journeys.Errorf(journeys.ETOOLARGE, "body: larger than 64 KiB"))
		return
	}
	var in struct {
		URL     string   `json:"url"`
		Segment string   `json:"segment"`
		Events  []string `json:"events"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		s.fail(c, journeys.Errorf(journeys.EINVALID, "body: %v", err))
		return
	}
	w := journeys.Webhook{URL: in.URL, Segment: in.Segment, Events: in.Events}
	if err := s.validateWebhook(c.Request.Context(), &w); err != nil {
		s.fail(c, err)
		return
	}
	created, err := s.hookStore.CreateWebhook(c.Request.Context(), w)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, created)
}

// validateWebhook checks a subscription to register: its fields, then its
// destination.
func (s *Server) validateWebhook(ctx context.Context, w *journeys.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if s.hookSender == nil {
		return nil // nothing delivers; each delivery's connection is checked anyway
	}
	return s.hookSender.CheckDestination(ctx, w.URL)
}

func (s *Server) deleteWebhook(c *gin.Context) {
	if err := s.hookStore.DeleteWebhook(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) webhookDeliveries(c *gin.Context) {
	limit, ok := s.intParam(c, "limit", 100, 1, 1000)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if _, err := s.hookStore.Webhook(ctx, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	ds, err := s.hookStore.Deliveries(ctx, c.Param("id"), limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ds == nil {
		ds = []journeys.Delivery{}
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": ds})
}

// testWebhook sends a signed "test" event now and answers with the
// receiver's status (not through the outbox, not retried); the send is
// recorded in the webhook's delivery log.
func (s *Server) testWebhook(c *gin.Context) {
	ctx := c.Request.Context()
	w, err := s.hookStore.Webhook(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	d, took, err := s.sendTest(ctx, w)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := gin.H{"delivery_id": d.ID, "status": d.LastStatus, "ok": d.Status == journeys.DeliveryDelivered, "took_ms": took.Milliseconds()}
	if d.LastError != "" {
		out["error"] = d.LastError
	}
	c.JSON(http.StatusOK, out)
}

// sendTest sends a signed test event to w now, once, and records it with
// its outcome in w's delivery log. The error is the recording's: a failed
// send shows in the delivery's Status and LastError.
func (s *Server) sendTest(ctx context.Context, w journeys.Webhook) (journeys.Delivery, time.Duration, error) {
	d := webhook.TestDelivery(w, s.cfg.Now())
	start := time.Now()
	status, err := s.hookSender.Send(ctx, d)
	took := time.Since(start)
	d.Attempts, d.LastStatus, d.Status = 1, status, journeys.DeliveryDelivered
	if err != nil {
		d.Status, d.LastError = journeys.DeliveryFailed, err.Error()
	} else {
		d.DeliveredAt = s.cfg.Now()
	}
	d.Secret = ""
	return d, took, s.hookStore.RecordDelivery(ctx, d)
}
