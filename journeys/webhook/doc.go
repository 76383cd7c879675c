// Package webhook delivers the outbox: the Dispatcher claims due deliveries,
// POSTs them signed (Sign, HMAC-SHA256 over timestamp and body) and retries
// with backoff; receivers check a delivery with VerifySignature. It is the
// only package besides web that speaks HTTP.
package webhook
