package fetch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
)

// FuzzGuard checks the address guard against the standard library's own
// classification (net.IP's methods, written separately from netip's):
// whatever the 16 bytes, an address the default policy lets through is
// none of loopback, private, link-local, multicast, unspecified, CGNAT,
// broadcast or cloud metadata, in its IPv6 form, as IPv4-mapped and as the
// IPv4 address inside; metadata stays refused with everything allowed; and
// the dialer hook decides as the policy does.
func FuzzGuard(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::1", "169.254.169.254", "100.100.100.200", "fd00:ec2::254", "10.0.0.1",
		"100.64.0.1", "0.0.0.0", "::", "255.255.255.255", "224.0.0.1", "ff02::1", "fe80::1", "8.8.8.8", "2606:4700::1111", "64:ff9b::7f00:1"} {
		b := netip.MustParseAddr(s).As16()
		f.Add(b[:])
	}
	cgnat := &net.IPNet{IP: net.IPv4(100, 64, 0, 0), Mask: net.CIDRMask(10, 32)}
	metadata := []net.IP{net.ParseIP("169.254.169.254"), net.ParseIP("169.254.170.2"), net.ParseIP("100.100.100.200"), net.ParseIP("fd00:ec2::254")}
	fe, err := New(Options{AllowLoopback: true, AllowPrivate: true})
	if err != nil {
		f.Fatal(err)
	}
	fd, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var b [16]byte
		copy(b[:], raw)
		a := netip.AddrFrom16(b)
		for _, addr := range []netip.Addr{a, a.Unmap()} {
			ip := net.IP(addr.AsSlice())
			err := policy{}.check(addr)
			if err == nil {
				internal := ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
					ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || cgnat.Contains(ip) ||
					ip.Equal(net.IPv4bcast)
				for _, m := range metadata {
					internal = internal || ip.Equal(m)
				}
				if internal {
					t.Fatalf("%s allowed by the default policy, but net.IP says it is internal", addr)
				}
			} else if !errors.Is(err, ErrRefused) {
				t.Fatalf("%s: %v is not ErrRefused", addr, err)
			}
			for _, m := range metadata {
				if ip.Equal(m) && (policy{allowLoopback: true, allowPrivate: true}).check(addr) == nil {
					t.Fatalf("metadata address %s allowed with everything allowed", addr)
				}
			}
			if (ip.IsLoopback() || ip.IsMulticast() || ip.IsUnspecified()) && (policy{allowPrivate: true}).check(addr) == nil {
				t.Fatalf("%s allowed by allowPrivate", addr)
			}
			if (ip.IsPrivate() || ip.IsLinkLocalUnicast() || cgnat.Contains(ip)) && (policy{allowLoopback: true}).check(addr) == nil {
				t.Fatalf("%s allowed by allowLoopback", addr)
			}
			if classify(addr) != classify(a) {
				t.Fatalf("%s is %s, its mapped form %s is %s", addr, classify(addr), a, classify(a))
			}
			network := "tcp6"
			if addr.Is4() {
				network = "tcp4"
			}
			ap := netip.AddrPortFrom(addr, 443).String()
			for _, c := range []struct {
				f   *Fetcher
				pol policy
			}{{fd, policy{}}, {fe, policy{allowLoopback: true, allowPrivate: true}}} {
				if got, want := c.f.control(context.Background(), network, ap, nil), c.pol.check(addr); (got == nil) != (want == nil) {
					t.Fatalf("control(%s %s) = %v, policy says %v", network, ap, got, want)
				}
			}
		}
	})
}
