package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Headers of a webhook request. Verify a delivery with VerifySignature:
// recompute HMAC-SHA256(secret, timestamp + "." + body), compare in constant
// time with the hex after "v1=", and refuse old timestamps (replays).
const (
	HeaderSignature   = "X-Journeygraph-Signature"  // "v1=" + hex HMAC-SHA256(secret, timestamp "." body)
	HeaderTimestamp   = "X-Journeygraph-Timestamp"  // Unix seconds of this attempt
	HeaderDelivery    = "X-Journeygraph-Delivery"   // the delivery id
	HeaderIdempotency = "Idempotency-Key"           // the delivery id again, the same on every attempt
	HeaderAttempt     = "X-Journeygraph-Attempt"    // 1, 2, ...
	HeaderEventType   = "X-Journeygraph-Event-Type" // segment.entered, segment.left, segment.drifted, person.state_changed, test
	signatureVersion  = "v1="
	defaultTolerance  = 5 * time.Minute
)

// DeliveryBody is the JSON body of a webhook request.
type DeliveryBody struct {
	DeliveryID string          `json:"delivery_id"`
	WebhookID  string          `json:"webhook_id"`
	Event      json.RawMessage `json:"event"`
}

// Sign returns the signature header value of body sent at Unix time ts.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return signatureVersion + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a received webhook: signature and timestamp are the
// HeaderSignature and HeaderTimestamp values. It returns an EUNAUTHORIZED
// *Error when the signature does not match or the timestamp is further than
// tolerance (5 minutes when 0) from now.
func VerifySignature(secret, signature, timestamp string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = defaultTolerance
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return journeys.Errorf(journeys.EUNAUTHORIZED, "webhook: bad timestamp %s", journeys.Quote(timestamp))
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return journeys.Errorf(journeys.EUNAUTHORIZED, "webhook: timestamp %d outside the %v tolerance", ts, tolerance)
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(strings.TrimSpace(signature))) {
		return journeys.Errorf(journeys.EUNAUTHORIZED, "webhook: signature does not match")
	}
	return nil
}
