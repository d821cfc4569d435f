package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestDNSRebinding plays a rebinding attack over real DNS and real sockets.
// 127.0.0.2 stands in for the seller's public image host (the guard hook
// lets it through, and only it); a victim service listens on 127.0.0.1 at
// the same port. The attacker's DNS server (on 127.0.0.1, UDP) answers the
// first A query for a name with the public address and every later one
// with 127.0.0.1. A fetcher that checked the name once and then connected
// (resolving again) would reach the victim; the guard checks the address
// each connection actually goes to, so it never does.
func TestDNSRebinding(t *testing.T) {
	jpg := photo(t, "chelsea.jpg")

	var victimHits atomic.Int64
	victim := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		victimHits.Add(1)
		serve("image/jpeg", jpg)(w, r)
	}))
	victim.Start()
	t.Cleanup(victim.Close)
	port := victim.Listener.Addr().(*net.TCPAddr).Port

	// The "public" host, on the victim's port so that one URL can reach
	// either, depending on what the name resolves to. Every response closes
	// its connection, so each request needs a new one and a new lookup.
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.2", strconv.Itoa(port)))
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2:%d: %v", port, err)
	}
	var publicHits atomic.Int64
	public := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		publicHits.Add(1)
		w.Header().Set("Connection", "close")
		switch {
		case r.URL.Path == "/photo.jpg":
			serve("image/jpeg", jpg)(w, r)
		case strings.HasPrefix(r.URL.Path, "/to/"):
			// A redirect to a name of the attacker's, resolved afresh.
			http.Redirect(w, r, "http://"+strings.TrimPrefix(r.URL.Path, "/to/")+":"+strconv.Itoa(port)+"/photo.jpg", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	public.Listener.Close()
	public.Listener = ln
	public.Start()
	t.Cleanup(public.Close)

	publicAddr := netip.MustParseAddr("127.0.0.2")
	newRebindFetcher := func(t *testing.T, dns *dnsServer) *Fetcher {
		f := newFetcher(t, Options{CacheSize: -1, Timeout: 3 * time.Second})
		f.dialer.Resolver = dns.resolver()
		guard := f.guard
		f.guard = func(ap netip.AddrPort) error {
			if ap.Addr() == publicAddr {
				return nil
			}
			return guard(ap)
		}
		return f
	}
	host := func(name string) string { return "http://" + name + ":" + strconv.Itoa(port) }

	t.Run("second lookup rebinds to loopback", func(t *testing.T) {
		victimHits.Store(0)
		publicHits.Store(0)
		dns := startDNS(t, map[string][]string{"cdn.rebind.test": {"127.0.0.2", "127.0.0.1"}})
		f := newRebindFetcher(t, dns)
		// The first fetch resolves to the public address and succeeds.
		if img := f.Image(context.Background(), host("cdn.rebind.test")+"/photo.jpg"); img.Err != nil {
			t.Fatalf("first fetch: %v", img.Err)
		}
		// The attacker's TTL-0 record now points at loopback.
		img := f.Image(context.Background(), host("cdn.rebind.test")+"/photo.jpg")
		if !errors.Is(img.Err, ErrRefused) || !strings.Contains(img.Err.Error(), "127.0.0.1 is a loopback address") {
			t.Fatalf("second fetch: err = %v, want ErrRefused naming 127.0.0.1 as loopback", img.Err)
		}
		if q := dns.queriesFor("cdn.rebind.test"); q != 2 {
			t.Errorf("%d A queries, want 2 (one per connection)", q)
		}
		if publicHits.Load() != 1 || victimHits.Load() != 0 {
			t.Errorf("public host got %d requests (want 1), victim %d (want 0)", publicHits.Load(), victimHits.Load())
		}
	})

	t.Run("redirect hop to the same name rebinds", func(t *testing.T) {
		victimHits.Store(0)
		publicHits.Store(0)
		dns := startDNS(t, map[string][]string{"shop.rebind.test": {"127.0.0.2", "127.0.0.1"}})
		f := newRebindFetcher(t, dns)
		img := f.Image(context.Background(), host("shop.rebind.test")+"/to/shop.rebind.test")
		if !errors.Is(img.Err, ErrRefused) || !strings.Contains(img.Err.Error(), "loopback") {
			t.Fatalf("err = %v, want ErrRefused (loopback) on the redirect hop", img.Err)
		}
		if !strings.Contains(img.Err.Error(), "redirected to") {
			t.Errorf("error %q does not say it was the redirect that was refused", img.Err)
		}
		if q := dns.queriesFor("shop.rebind.test"); q != 2 {
			t.Errorf("%d A queries, want 2 (the first request and the redirect hop)", q)
		}
		if publicHits.Load() != 1 || victimHits.Load() != 0 {
			t.Errorf("public host got %d requests (want 1), victim %d (want 0)", publicHits.Load(), victimHits.Load())
		}
	})

	t.Run("redirect to internal names", func(t *testing.T) {
		for name, addr := range map[string]string{
			// The victim's own address: a hop the guard let through
			// would land on it.
			"loop.rebind.test":    "127.0.0.1",
			"meta.rebind.test":    "169.254.169.254",
			"alibaba.rebind.test": "100.100.100.200",
			"lan.rebind.test":     "10.1.2.3",
			"cgnat.rebind.test":   "100.64.0.7",
			"zero.rebind.test":    "0.0.0.0",
			"mcast.rebind.test":   "239.1.2.3",
			"bcast.rebind.test":   "255.255.255.255",
		} {
			t.Run(name, func(t *testing.T) {
				victimHits.Store(0)
				dns := startDNS(t, map[string][]string{"shop.rebind.test": {"127.0.0.2"}, name: {addr}})
				f := newRebindFetcher(t, dns)
				img := f.Image(context.Background(), host("shop.rebind.test")+"/to/"+name)
				if victimHits.Load() != 0 {
					t.Errorf("victim got %d requests", victimHits.Load())
				}
				if !errors.Is(img.Err, ErrRefused) || !strings.Contains(img.Err.Error(), addr) {
					t.Fatalf("err = %v, want ErrRefused naming %s", img.Err, addr)
				}
				if dns.queriesFor(name) != 1 {
					t.Errorf("%s was looked up %d times, want 1", name, dns.queriesFor(name))
				}
			})
		}
	})
}
