package web

import (
	"net/http"

	"github.com/journeygraph/journeygraph/journeys"
)

// statusOf maps error codes to HTTP statuses: the one table of it, read
// by the JSON API (fail) and the app (renderError) alike.
var statusOf = map[string]int{
	journeys.EINVALID:      http.StatusBadRequest,
	journeys.EUNAUTHORIZED: http.StatusUnauthorized,
	journeys.EFORBIDDEN:    http.StatusForbidden,
	journeys.ENOTFOUND:     http.StatusNotFound,
	journeys.ECONFLICT:     http.StatusConflict,
	journeys.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	journeys.EUNAVAILABLE:  http.StatusServiceUnavailable,
	journeys.EINTERNAL:     http.StatusInternalServerError,
	journeys.ETIMEOUT:      http.StatusGatewayTimeout,
}
