package web

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// readBody reads a request body of at most MaxBodyBytes. A body sent with
// "Content-Encoding: gzip" (as Segment's libraries send batches) is inflated
// to at most MaxBodyBytes too: reading stops at the limit, so a gzip bomb
// costs no more than one large body. Over either limit the error has code
// ETOOLARGE; a body that is not gzip data, or another encoding, EINVALID.
func (s *Server) readBody(c *gin.Context) ([]byte, error) {
	limit := s.cfg.MaxBodyBytes
	r := io.Reader(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	enc := strings.ToLower(strings.TrimSpace(c.GetHeader("Content-Encoding")))
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, bodyError(err, limit, "body: not gzip data (Content-Encoding: gzip): %v")
		}
		defer zr.Close()
		r = io.LimitReader(zr, limit+1)
	default:
		return nil, journeys.Errorf(journeys.EINVALID, "Content-Encoding: %s is not supported (send gzip or no encoding)", journeys.Quote(enc))
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, bodyError(err, limit, "body: %v")
	}
	if int64(len(body)) > limit {
		return nil, journeys.Errorf(journeys.ETOOLARGE, "body: inflates to more than %d bytes (Content-Encoding: gzip)", limit)
	}
	return body, nil
}

// bodyError maps an error reading a body: over the size limit, ETOOLARGE;
// else EINVALID with the message format (one %v, the error).
func bodyError(err error, limit int64, format string) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return journeys.Errorf(journeys.ETOOLARGE, "body: larger than %d bytes", limit)
	}
	return journeys.Errorf(journeys.EINVALID, format, err)
}
