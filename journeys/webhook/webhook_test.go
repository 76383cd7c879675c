package webhook_test

import (
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

func TestVerifySignature(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"delivery_id":"d1"}`)
	sig := webhook.Sign("s3cret", now.Unix(), body)
	ts := "1700000000"
	tests := []struct {
		name, secret, sig, ts string
		body                  []byte
		now                   time.Time
		ok                    bool
	}{
		{"good", "s3cret", sig, ts, body, now, true},
		{"tampered body", "s3cret", sig, ts, []byte(`{"delivery_id":"d2"}`), now, false},
		{"wrong secret", "other", sig, ts, body, now, false},
		{"replayed later", "s3cret", sig, ts, body, now.Add(10 * time.Minute), false},
		{"other timestamp", "s3cret", sig, "1700000001", body, now, false},
		{"garbage", "s3cret", "v1=00", ts, body, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.VerifySignature(tt.secret, tt.sig, tt.ts, tt.body, tt.now, 0)
			if (err == nil) != tt.ok {
				t.Errorf("got %v, want ok=%v", err, tt.ok)
			}
			if err != nil && journeys.ErrorCode(err) != journeys.EUNAUTHORIZED {
				t.Errorf("code %q", journeys.ErrorCode(err))
			}
		})
	}
}

func TestWebhookValidate(t *testing.T) {
	for _, u := range []string{"ftp://x/y", "file:///etc/passwd", "javascript:alert(1)", "http://", "//x", "http://u:p@x/"} {
		w := journeys.Webhook{URL: u, Segment: "*"}
		if err := w.Validate(); journeys.ErrorCode(err) != journeys.EINVALID {
			t.Errorf("%q: got %v", u, err)
		}
	}
	w := journeys.Webhook{URL: "https://hooks.example/x", Segment: "cart_abandoners"}
	if err := w.Validate(); err != nil || len(w.Events) != 2 {
		t.Errorf("good webhook: %v %v", err, w.Events)
	}
}
