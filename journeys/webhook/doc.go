// Package webhook delivers the outbox: the Dispatcher claims due deliveries,
// POSTs them signed (Sign, HMAC-SHA256 over timestamp and body) and retries
// with backoff, each webhook in its own delivery slots; receivers check a
// delivery with VerifySignature. Destinations are checked against an
// AllowList when registered and when connecting. It is the only package
// besides web that speaks HTTP.
package webhook
