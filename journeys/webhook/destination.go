package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"syscall"

	"github.com/journeygraph/journeygraph/journeys"
)

// AllowList names the internal webhook destinations an operator allows
// (for local receivers, tests and the demo): host names, matched exactly
// and without regard to case, and address prefixes. Every other loopback,
// link-local, private, carrier-grade NAT, unspecified, multicast or
// reserved address is refused, when a webhook is registered and again
// when a delivery connects (see Dispatcher).
type AllowList struct {
	Hosts    []string       // lower case, without a trailing dot
	Prefixes []netip.Prefix // a single address is a /32 or /128
}

var hostNameRE = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$`)

// ParseAllowList parses a comma-separated list of host names, IP addresses
// and CIDR prefixes ("127.0.0.1/32,receiver.internal"); blanks are skipped.
// It returns an EINVALID *Error naming the item at fault.
func ParseAllowList(s string) (AllowList, error) {
	var a AllowList
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			a.Prefixes = append(a.Prefixes, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(item); err == nil {
			ip = ip.Unmap().WithZone("")
			a.Prefixes = append(a.Prefixes, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		host := strings.TrimSuffix(strings.ToLower(item), ".")
		if len(host) > 253 || !hostNameRE.MatchString(host) {
			return AllowList{}, journeys.Errorf(journeys.EINVALID,
				"webhook allow list: item %d %s is not a host name, IP address or CIDR prefix", i+1, journeys.Quote(item))
		}
		a.Hosts = append(a.Hosts, host)
	}
	return a, nil
}

// String returns the list as ParseAllowList reads it.
func (a AllowList) String() string {
	items := make([]string, 0, len(a.Hosts)+len(a.Prefixes))
	for _, p := range a.Prefixes {
		items = append(items, p.String())
	}
	return strings.Join(append(items, a.Hosts...), ",")
}

// allowsHost reports whether host is one of the allowed host names.
func (a AllowList) allowsHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, h := range a.Hosts {
		if h == host {
			return true
		}
	}
	return false
}

// allowsAddr reports whether ip is public or in an allowed prefix; when
// not, it returns what kind of address ip is.
func (a AllowList) allowsAddr(ip netip.Addr) (ok bool, kind string) {
	ip = ip.Unmap().WithZone("")
	for _, p := range a.Prefixes {
		if p.Contains(ip) {
			return true, ""
		}
	}
	kind = internalKind(ip)
	return kind == "", kind
}

// internal lists the ranges webhooks may not reach unless allowed.
var internal = []struct {
	prefix netip.Prefix
	kind   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved or broadcast address"},
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("::/96"), "an IPv4-compatible address"},
	{netip.MustParsePrefix("fc00::/7"), "a private address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
}

// Prefixes that carry an IPv4 address inside an IPv6 one: NAT64 (RFC 6052,
// the last 32 bits) and 6to4 (RFC 3056, bits 16–47).
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// internalKind says what kind of internal address ip is, "" for a public
// one. An IPv6 address that carries an IPv4 one is judged by that.
func internalKind(ip netip.Addr) string {
	if !ip.IsValid() {
		return "not an address"
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return internalKind(netip.AddrFrom4([4]byte(b[12:16])))
		case sixTo4.Contains(ip):
			return internalKind(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, r := range internal {
		if r.prefix.Contains(ip) {
			return r.kind
		}
	}
	return ""
}

// errRefusedAddr is the dial error of a connection to an address the
// allow list refuses (logged, never shown to callers).
var errRefusedAddr = errors.New("destination address refused")

// control is a net.Dialer's Control: it refuses a connection to an
// address not allowed, after DNS resolution and before connecting, so a
// name that resolves to an internal address at delivery time (DNS
// rebinding) is refused like the address itself.
func (a AllowList) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s is not an address", errRefusedAddr, address)
	}
	if ok, kind := a.allowsAddr(ap.Addr()); !ok {
		return fmt.Errorf("%w: %s is %s", errRefusedAddr, ap.Addr(), kind)
	}
	return nil
}

// dialer returns the DialContext of the webhook transport: allowed host
// names are dialled as they are, every other address is checked at
// connect time by control.
func (a AllowList) dialer(base net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	open := base
	checked := base
	checked.Control = a.control
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, _, err := net.SplitHostPort(addr); err == nil && a.allowsHost(host) {
			return open.DialContext(ctx, network, addr)
		}
		return checked.DialContext(ctx, network, addr)
	}
}

// checkURL checks a destination when a webhook is registered: an http or
// https URL whose host is allowed, or whose address (an IP literal, or
// every address the name resolves to with lookup) is public or allowed.
// It returns an EINVALID *Error for the field "url".
func (a AllowList) checkURL(ctx context.Context, raw string, lookup func(context.Context, string) ([]netip.Addr, error)) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return urlProblem("want an absolute http or https URL")
	}
	host := u.Hostname()
	if a.allowsHost(host) {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ok, kind := a.allowsAddr(ip); !ok {
			return urlProblem(fmt.Sprintf("%s is %s; webhooks reach public addresses only, unless the operator's allow list names it", host, kind))
		}
		return nil
	}
	addrs, err := lookup(ctx, host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no address")
	}
	for _, ip := range addrs {
		if ok, _ := a.allowsAddr(ip); !ok && err == nil {
			err = errRefusedAddr
		}
	}
	if err != nil {
		// One answer for a name that does not resolve and one that
		// resolves to an internal address: the registrant learns nothing
		// about the internal network.
		return urlProblem(fmt.Sprintf("host %s does not resolve to a public address; webhooks reach public addresses only, unless the operator's allow list names it", journeys.Quote(host)))
	}
	return nil
}

func urlProblem(problem string) error {
	e := journeys.RowError{Field: "url", Problem: problem}
	return &journeys.Error{Code: journeys.EINVALID, Message: "webhook: " + e.Error(), Details: []journeys.RowError{e}}
}
