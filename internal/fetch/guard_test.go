package fetch

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		addr string
		want addrClass
	}{
		{"8.8.8.8", classPublic},
		{"151.101.1.140", classPublic},
		{"2a04:4e42::81", classPublic},
		{"127.0.0.1", classLoopback},
		{"127.255.255.254", classLoopback},
		{"::1", classLoopback},
		{"::ffff:127.0.0.1", classLoopback}, // IPv4-mapped: a dual-stack socket reaches 127.0.0.1
		{"10.0.0.1", classPrivate},
		{"172.16.0.1", classPrivate},
		{"172.31.255.255", classPrivate},
		{"172.32.0.1", classPublic},
		{"192.168.1.1", classPrivate},
		{"::ffff:10.1.2.3", classPrivate},
		{"fc00::1", classPrivate},
		{"fd12:3456::1", classPrivate},
		{"fec0::1", classPrivate},
		{"198.18.0.1", classPrivate},
		{"169.254.1.1", classLinkLocal},
		{"fe80::1", classLinkLocal},
		{"fe80::1%eth0", classLinkLocal},
		{"169.254.169.254", classMetadata},
		{"::ffff:169.254.169.254", classMetadata},
		{"169.254.170.2", classMetadata},
		{"100.100.100.200", classMetadata},
		{"fd00:ec2::254", classMetadata},
		{"100.64.0.1", classCGNAT},
		{"100.127.255.255", classCGNAT},
		{"100.128.0.1", classPublic},
		{"224.0.0.1", classMulticast},
		{"239.255.255.250", classMulticast},
		{"ff02::1", classMulticast},
		{"ff0e::1", classMulticast},
		{"0.0.0.0", classUnspecified},
		{"::", classUnspecified},
		{"::ffff:0.0.0.0", classUnspecified},
		{"0.1.2.3", classReserved},
		{"255.255.255.255", classReserved},
		{"240.0.0.1", classReserved},
		{"::127.0.0.1", classReserved}, // deprecated IPv4-compatible
		{"192.0.2.10", classReserved},
		{"64:ff9b::7f00:1", classLoopback},      // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", classMetadata},   // NAT64 of 169.254.169.254
		{"64:ff9b::808:808", classPublic},       // NAT64 of 8.8.8.8
		{"2002:a00:1::1", classPrivate},         // 6to4 of 10.0.0.1
		{"2002:7f00:1::1", classLoopback},       // 6to4 of 127.0.0.1
		{"2002:808:808::1", classPublic},        // 6to4 of 8.8.8.8
		{"64:ff9b:1::a00:1", classPrivate},      // local-use NAT64
		{"2001:db8::1", classReserved},          // documentation
		{"100::1", classReserved},               // discard-only
		{"2606:4700:4700::1111", classPublic},   // a public resolver
		{"::ffff:8.8.8.8", classPublic},         // mapped public stays public
		{"2001:0:4136:e378::1", classPublic},    // Teredo: reached through a relay, not locally
		{"fd00:ec2::253", classPrivate},         // near the metadata address, still ULA
		{"169.254.169.253", classLinkLocal},     // AWS DNS, link-local
		{"::ffff:169.254.170.2", classMetadata}, // mapped ECS credentials endpoint
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := classify(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("classify(%s) = %s, want %s", tt.addr, got, tt.want)
			}
		})
	}
	if got := classify(netip.Addr{}); got != classReserved {
		t.Errorf("classify(invalid) = %s, want reserved", got)
	}
}

func TestPolicy(t *testing.T) {
	none := policy{}
	loop := policy{allowLoopback: true}
	priv := policy{allowPrivate: true}
	both := policy{allowLoopback: true, allowPrivate: true}
	tests := []struct {
		addr   string
		pol    policy
		allow  bool
		reason string // in the error when refused
	}{
		{"93.184.215.14", none, true, ""},
		{"127.0.0.1", none, false, "loopback"},
		{"127.0.0.1", loop, true, ""},
		{"127.0.0.1", priv, false, "loopback"},
		{"::ffff:127.0.0.1", none, false, "loopback"},
		{"::1", loop, true, ""},
		{"10.0.0.1", none, false, "private"},
		{"10.0.0.1", loop, false, "private"},
		{"10.0.0.1", priv, true, ""},
		{"fc00::1", priv, true, ""},
		{"169.254.1.1", none, false, "link-local"},
		{"169.254.1.1", priv, true, ""},
		{"100.64.0.1", none, false, "CGNAT"},
		{"100.64.0.1", priv, true, ""},
		// Metadata and the rest stay refused whatever is allowed.
		{"169.254.169.254", both, false, "metadata"},
		{"::ffff:169.254.169.254", both, false, "metadata"},
		{"fd00:ec2::254", both, false, "metadata"},
		{"100.100.100.200", both, false, "metadata"},
		{"224.0.0.1", both, false, "multicast"},
		{"0.0.0.0", both, false, "unspecified"},
		{"::", both, false, "unspecified"},
		{"255.255.255.255", both, false, "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := tt.pol.check(netip.MustParseAddr(tt.addr))
			if tt.allow {
				if err != nil {
					t.Fatalf("check(%s) with %+v: %v, want allowed", tt.addr, tt.pol, err)
				}
				return
			}
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("check(%s) with %+v = %v, want ErrRefused", tt.addr, tt.pol, err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("check(%s): %q does not say %q", tt.addr, err, tt.reason)
			}
		})
	}
}

// TestControl checks the dialer hook directly: it is what sees the
// resolved address at connect time.
func TestControl(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		network  string
		address  string
		refused  bool
		contains string
	}{
		{"public v4", Options{}, "tcp4", "93.184.215.14:443", false, ""},
		{"public v6", Options{}, "tcp6", "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443", false, ""},
		{"loopback", Options{}, "tcp4", "127.0.0.1:8080", true, "loopback"},
		{"loopback allowed", Options{AllowLoopback: true}, "tcp4", "127.0.0.1:8080", false, ""},
		{"loopback v6", Options{}, "tcp6", "[::1]:80", true, "loopback"},
		{"mapped loopback", Options{}, "tcp6", "[::ffff:127.0.0.1]:80", true, "loopback"},
		{"metadata", Options{AllowLoopback: true}, "tcp4", "169.254.169.254:80", true, "metadata"},
		{"metadata v6", Options{AllowPrivate: true}, "tcp6", "[fd00:ec2::254]:80", true, "metadata"},
		{"private", Options{}, "tcp4", "10.0.0.1:80", true, "private"},
		{"private allowed", Options{AllowPrivate: true}, "tcp4", "10.0.0.1:80", false, ""},
		{"link-local with zone", Options{}, "tcp6", "[fe80::1%eth0]:80", true, "link-local"},
		{"udp", Options{}, "udp4", "93.184.215.14:53", true, "udp4"},
		{"unparsable", Options{}, "tcp4", "example.com:80", true, "unparsable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			err = f.control(context.Background(), tt.network, tt.address, nil)
			if !tt.refused {
				if err != nil {
					t.Fatalf("control(%s %s) = %v, want allowed", tt.network, tt.address, err)
				}
				return
			}
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("control(%s %s) = %v, want ErrRefused", tt.network, tt.address, err)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("control: %q does not say %q", err, tt.contains)
			}
		})
	}
}
