package web

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// registerAPIRoutes adds the health checks, the JSON API under /api/v1 and
// Segment's tracking API paths under /v1. Ingest and changes need a write
// key; reads take a read or a write key.
func (s *Server) registerAPIRoutes(r *gin.Engine) {
	s.registerHealthRoutes(r.Group(""))
	api := r.Group("/api/v1")
	s.registerEventRoutes(api.Group("", s.requireKey(s.cfg.WriteKeys)))
	s.registerSegmentCompatRoutes(r.Group("/v1", s.requireKey(s.cfg.WriteKeys)))
	read := api.Group("", s.requireKey(append(append([]string{}, s.cfg.ReadKeys...), s.cfg.WriteKeys...)))
	s.registerPeopleRoutes(read, api.Group("", s.requireKey(s.cfg.WriteKeys)))
	s.registerSegmentRoutes(read, api.Group("", s.requireKey(s.cfg.WriteKeys)))
	s.registerWebhookRoutes(read, api.Group("", s.requireKey(s.cfg.WriteKeys)))
	s.registerAnalyticsRoutes(read)
	s.registerStepRuleRoutes(read, api.Group("", s.requireKey(s.cfg.WriteKeys)))
	s.registerModelRoutes(read, api.Group("", s.requireKey(s.cfg.WriteKeys)))
}

// requireKey accepts a request carrying one of keys as
// "Authorization: Bearer KEY" or, as Segment's libraries send it, as the
// user name of HTTP basic auth.
func (s *Server) requireKey(keys []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		got := ""
		if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
			got = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		} else if user, _, ok := c.Request.BasicAuth(); ok {
			got = user
		}
		if got == "" {
			s.fail(c, journeys.Errorf(journeys.EUNAUTHORIZED, "missing API key: send Authorization: Bearer <key>"))
			return
		}
		for _, k := range keys {
			if k != "" && subtle.ConstantTimeCompare([]byte(got), []byte(k)) == 1 {
				c.Next()
				return
			}
		}
		s.fail(c, journeys.Errorf(journeys.EUNAUTHORIZED, "API key not valid for this route"))
	}
}

// retryAfterSeconds is the hint sent with 503 answers.
const retryAfterSeconds = "5"

// unavailableMessage is the message of every 503 answer.
const unavailableMessage = "the store is unavailable; nothing was stored: retry later"

// errorBody is the one JSON error envelope.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail is an error's code, message and per-row or per-field details.
type errorDetail struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Details []journeys.RowError `json:"details,omitempty"`
}

// fail answers with err in the error envelope. Internal errors are logged
// here, at the edge, and their text is not shown to the client.
func (s *Server) fail(c *gin.Context, err error) {
	code := journeys.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	body := errorDetail{Code: code, Message: journeys.ErrorMessage(err)}
	if jerr, ok := err.(*journeys.Error); ok {
		body.Details = jerr.Details
	}
	switch code {
	case journeys.EINTERNAL:
		s.cfg.Log.WithError(err).WithField("path", c.Request.URL.Path).Error("internal error")
		body.Message = "internal error"
	case journeys.EUNAVAILABLE:
		s.cfg.Log.WithError(err).Warn("store unavailable")
		c.Header("Retry-After", retryAfterSeconds)
		body.Message = unavailableMessage
	}
	c.AbortWithStatusJSON(status, errorBody{Error: body})
}

// decodeBody reads a JSON body into v; unknown fields are refused, so a
// typo does not silently change a report.
func (s *Server) decodeBody(c *gin.Context, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return journeys.Errorf(journeys.ETOOLARGE, "body: larger than %d bytes", s.cfg.MaxBodyBytes)
		}
		return journeys.Errorf(journeys.EINVALID, "body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var jerr *journeys.Error
		if errors.As(err, &jerr) {
			return journeys.Errorf(journeys.EINVALID, "body: %s", jerr.Message)
		}
		return journeys.Errorf(journeys.EINVALID, "body: %v", err)
	}
	return nil
}

// intParam reads an optional whole-number query parameter in [lo, hi].
func (s *Server) intParam(c *gin.Context, key string, def, lo, hi int) (int, bool) {
	v := c.Query(key)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		s.fail(c, journeys.Errorf(journeys.EINVALID, "%s: %q is not a whole number from %d to %d", key, v, lo, hi))
		return 0, false
	}
	return n, true
}

// timeParam reads an optional time query parameter (zero when absent).
func (s *Server) timeParam(c *gin.Context, key string) (time.Time, bool) {
	v := c.Query(key)
	if v == "" {
		return time.Time{}, true
	}
	t, err := journeys.ParseTime(v)
	if err != nil {
		s.fail(c, journeys.Errorf(journeys.EINVALID, "%s: %s", key, journeys.ErrorMessage(err)))
		return time.Time{}, false
	}
	return t, true
}
