package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// statusOf maps error codes to HTTP statuses: the one table of it.
var statusOf = map[string]int{
	journeys.EINVALID:      http.StatusBadRequest,
	journeys.EUNAUTHORIZED: http.StatusUnauthorized,
	journeys.ENOTFOUND:     http.StatusNotFound,
	journeys.ECONFLICT:     http.StatusConflict,
	journeys.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	journeys.EUNAVAILABLE:  http.StatusServiceUnavailable,
	journeys.EINTERNAL:     http.StatusInternalServerError,
}

// retryAfterSeconds is the hint sent with 503 answers.
const retryAfterSeconds = "5"

// errorBody is the one JSON error envelope.
type errorBody struct {
	Error errorDetail `json:"error"`
}

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
		body.Message = "the store is unavailable; nothing was stored: retry later"
	}
	c.AbortWithStatusJSON(status, errorBody{Error: body})
}
