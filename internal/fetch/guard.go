package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
)

// addrClass is what an IP address is, as far as the guard cares.
type addrClass int

const (
	classPublic addrClass = iota
	classLoopback
	classPrivate   // RFC 1918, unique local fc00::/7, site-local, benchmarking
	classLinkLocal // 169.254/16, fe80::/10
	classCGNAT     // 100.64/10: carrier-grade NAT, used inside some clouds
	classMetadata  // cloud instance metadata services
	classMulticast
	classUnspecified
	classReserved // this-network 0/8, 240/4 and broadcast, IETF protocol space, discard, deprecated IPv4-compatible
)

var classNames = [...]string{
	classPublic:      "public",
	classLoopback:    "loopback",
	classPrivate:     "private",
	classLinkLocal:   "link-local",
	classCGNAT:       "shared (CGNAT)",
	classMetadata:    "cloud metadata",
	classMulticast:   "multicast",
	classUnspecified: "unspecified",
	classReserved:    "reserved",
}

func (c addrClass) String() string { return classNames[c] }

// These tables are never written after initialisation.
var (
	// metadataAddrs are instance metadata endpoints, which hand out cloud
	// credentials to anything on the host that asks: the classic SSRF target.
	metadataAddrs = []netip.Addr{
		netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean
		netip.MustParseAddr("169.254.170.2"),   // AWS ECS task credentials
		netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
		netip.MustParseAddr("fd00:ec2::254"),   // AWS over IPv6
	}
	prefixCGNAT = netip.MustParsePrefix("100.64.0.0/10")
	// Prefixes that embed an IPv4 address, which is classified instead: a
	// NAT64 or 6to4 gateway would forward to it.
	prefixNAT64 = netip.MustParsePrefix("64:ff9b::/96")
	prefix6to4  = netip.MustParsePrefix("2002::/16")
	// special are the other ranges no listing image is served from.
	special = []struct {
		prefix netip.Prefix
		class  addrClass
	}{
		{netip.MustParsePrefix("198.18.0.0/15"), classPrivate},    // benchmarking, used inside some data centres
		{netip.MustParsePrefix("fec0::/10"), classPrivate},        // deprecated site-local
		{netip.MustParsePrefix("64:ff9b:1::/48"), classPrivate},   // local-use NAT64
		{netip.MustParsePrefix("0.0.0.0/8"), classReserved},       // "this network": 0.x reaches the local host on Linux
		{netip.MustParsePrefix("240.0.0.0/4"), classReserved},     // reserved, and 255.255.255.255 broadcast
		{netip.MustParsePrefix("192.0.0.0/24"), classReserved},    // IETF protocol assignments
		{netip.MustParsePrefix("::/96"), classReserved},           // deprecated IPv4-compatible addresses
		{netip.MustParsePrefix("100::/64"), classReserved},        // discard-only
		{netip.MustParsePrefix("2001:db8::/32"), classReserved},   // documentation
		{netip.MustParsePrefix("192.0.2.0/24"), classReserved},    // documentation
		{netip.MustParsePrefix("198.51.100.0/24"), classReserved}, // documentation
		{netip.MustParsePrefix("203.0.113.0/24"), classReserved},  // documentation
	}
)

// classify tells what a is. IPv4-mapped IPv6 addresses (::ffff:127.0.0.1)
// are classified as the IPv4 address they carry, because that is where a
// dual-stack socket connects; zones are ignored.
func classify(a netip.Addr) addrClass {
	if !a.IsValid() {
		return classReserved
	}
	a = a.WithZone("").Unmap()
	for _, m := range metadataAddrs {
		if a == m {
			return classMetadata
		}
	}
	if a.Is6() && (prefixNAT64.Contains(a) || prefix6to4.Contains(a)) {
		b := a.As16()
		var v4 [4]byte
		if prefixNAT64.Contains(a) {
			copy(v4[:], b[12:16])
		} else {
			copy(v4[:], b[2:6])
		}
		return classify(netip.AddrFrom4(v4))
	}
	switch {
	case a.IsUnspecified():
		return classUnspecified
	case a.IsLoopback():
		return classLoopback
	case a.IsMulticast():
		return classMulticast
	case a.IsLinkLocalUnicast():
		return classLinkLocal
	case a.IsPrivate():
		return classPrivate
	case prefixCGNAT.Contains(a):
		return classCGNAT
	}
	for _, s := range special {
		if s.prefix.Contains(a) {
			return s.class
		}
	}
	return classPublic
}

// policy decides which address classes may be connected to.
type policy struct {
	allowLoopback bool
	allowPrivate  bool
}

// check returns nil when a may be connected to, or an error wrapping
// ErrRefused that names the address and its class. Cloud metadata,
// multicast, unspecified and reserved addresses are refused whatever the
// options: no listing image is served from them, and the metadata services
// hand out credentials.
func (p policy) check(a netip.Addr) error {
	c := classify(a)
	switch c {
	case classPublic:
		return nil
	case classLoopback:
		if p.allowLoopback {
			return nil
		}
	case classPrivate, classLinkLocal, classCGNAT:
		if p.allowPrivate {
			return nil
		}
	}
	article := "a"
	if strings.ContainsRune("aeiou", rune(c.String()[0])) {
		article = "an"
	}
	return fmt.Errorf("%w: %s is %s %s address", ErrRefused, a, article, c)
}

// control is the net.Dialer ControlContext hook. It runs after DNS
// resolution, with the address about to be connected to, and before the
// connect system call: checking here rather than the URL's host is what
// defeats DNS rebinding (a name that resolved to a public address when
// checked and to 127.0.0.1 when dialled) and redirects to internal hosts,
// since every connection of every redirect hop goes through it.
func (f *Fetcher) control(_ context.Context, network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: network %s", ErrRefused, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unparsable address %q", ErrRefused, address)
	}
	return f.guard(ap)
}

// guardedTransport checks each request, redirect hops included, before the
// underlying transport sees it: the scheme, and the host when it is an IP
// literal. The literal check refuses without creating a socket and still
// applies when Options.Transport replaces the guarded dialer; host names
// can only be checked at connect time, by control.
type guardedTransport struct {
	next http.RoundTripper
	f    *Fetcher
}

func (t *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.f.checkURLHost(req.URL.Scheme, req.URL.Hostname(), req.URL.Port()); err != nil {
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// checkURLHost refuses schemes other than http and https, and hosts that
// are refused IP literals.
func (f *Fetcher) checkURLHost(scheme, host, port string) error {
	if scheme != "http" && scheme != "https" {
		return fmt.Errorf("%w: %q", ErrScheme, scheme)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return nil // a name: checked at connect time
	}
	p := uint16(80)
	if scheme == "https" {
		p = 443
	}
	if port != "" {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return fmt.Errorf("%w: port %q", ErrInvalidURL, port)
		}
		p = uint16(n)
	}
	return f.guard(netip.AddrPortFrom(a, p))
}
