package web

import (
	"math"
	"sync"
	"time"
)

// Sign-in throttle: each client address has a bucket of signInBurst tokens
// that refills one every signInRefill; a wrong password takes a token, and
// an empty bucket refuses sign-ins (429 with Retry-After) until a token is
// back. Ten guesses, then one every six seconds: 600 an hour, not 300 in
// five seconds.
const (
	signInBurst   = 10
	signInRefill  = 6 * time.Second
	signInClients = 10000 // buckets kept; beyond, full ones are dropped, then every new client shares one
)

// signInThrottle limits wrong passwords per client address.
type signInThrottle struct {
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]bucket
}

// bucket is a client's tokens as of a time.
type bucket struct {
	tokens float64
	at     time.Time
}

func newSignInThrottle(now func() time.Time) *signInThrottle {
	return &signInThrottle{now: now, buckets: map[string]bucket{}}
}

// level is b's tokens at now.
func (b bucket) level(now time.Time) float64 {
	return math.Min(signInBurst, b.tokens+float64(now.Sub(b.at))/float64(signInRefill))
}

// wait says how long client must wait before trying a password: 0 when it
// may now.
func (t *signInThrottle) wait(client string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	b, ok := t.buckets[t.key(client)]
	if !ok {
		return 0
	}
	if lvl := b.level(now); lvl < 1 {
		return time.Duration((1 - lvl) * float64(signInRefill))
	}
	return 0
}

// fail takes a token from client's bucket: a wrong password.
func (t *signInThrottle) fail(client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if _, ok := t.buckets[client]; !ok && len(t.buckets) >= signInClients {
		for k, b := range t.buckets {
			if b.level(now) >= signInBurst {
				delete(t.buckets, k)
			}
		}
	}
	key := t.key(client)
	b, ok := t.buckets[key]
	lvl := float64(signInBurst)
	if ok {
		lvl = b.level(now)
	}
	t.buckets[key] = bucket{tokens: math.Max(0, lvl-1), at: now}
}

// key is client's bucket: its own, or the shared one when there are too
// many clients to keep one each.
func (t *signInThrottle) key(client string) string {
	if _, ok := t.buckets[client]; ok || len(t.buckets) < signInClients {
		return client
	}
	return "*"
}
