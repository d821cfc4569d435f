package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/imagehash"
)

func photo(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "imagehash", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func wantHashes(t *testing.T, data []byte) imagehash.Hashes {
	t.Helper()
	h, err := imagehash.ComputeAll(data, imagehash.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func newFetcher(t *testing.T, opts Options) *Fetcher {
	t.Helper()
	f, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// counted serves h on 127.0.0.1 and counts the requests that reach it.
func counted(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

// serve writes body with the given Content-Type; "-" sends none at all
// (net/http would otherwise sniff one).
func serve(ctype string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if ctype == "-" {
			w.Header()["Content-Type"] = nil
		} else {
			w.Header().Set("Content-Type", ctype)
		}
		_, _ = w.Write(body)
	}
}

// photos serves /img/<name> from imagehash's testdata.
func photos(t *testing.T) (*httptest.Server, *atomic.Int64) {
	return counted(t, func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/img/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join("..", "imagehash", "testdata", filepath.Base(name)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(data)
	})
}

func TestImageHashesLikeComputeAll(t *testing.T) {
	jpg := photo(t, "chelsea.jpg")
	want := wantHashes(t, jpg)
	tests := []struct {
		name  string
		ctype string
	}{
		{"image/jpeg", "image/jpeg"},
		{"no content type, sniffed", "-"},
		{"octet-stream, sniffed", "application/octet-stream"},
		{"parameters", "image/jpeg; q=0.9"},
		{"bad parameter", "image/jpeg;"},
		{"wrong image type", "image/png"}, // the decoder goes by the bytes
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := counted(t, serve(tt.ctype, jpg))
			f := newFetcher(t, Options{AllowLoopback: true})
			u := s.URL + "/p/chelsea.jpg"
			img := f.Image(context.Background(), u)
			if img.Err != nil {
				t.Fatal(img.Err)
			}
			if img.Ref != u {
				t.Errorf("Ref = %q, want %q", img.Ref, u)
			}
			if !reflect.DeepEqual(img.Hashes, want) {
				t.Errorf("hashes %+v, want imagehash.ComputeAll's %+v", img.Hashes, want)
			}
			if st := f.Stats(); st.Fetched != 1 {
				t.Errorf("Stats.Fetched = %d, want 1", st.Fetched)
			}
		})
	}
}

func TestLoopbackRefusedByDefault(t *testing.T) {
	s, n := counted(t, serve("image/jpeg", photo(t, "chelsea.jpg")))
	f := newFetcher(t, Options{})
	img := f.Image(context.Background(), s.URL+"/x.jpg")
	if !errors.Is(img.Err, ErrRefused) {
		t.Fatalf("err = %v, want ErrRefused", img.Err)
	}
	if msg := img.Err.Error(); !strings.Contains(msg, "loopback") || !strings.Contains(msg, "refused") {
		t.Errorf("error %q does not say loopback refused", msg)
	}
	if n.Load() != 0 {
		t.Errorf("%d requests reached the server", n.Load())
	}
	if st := f.Stats(); st.Refused != 1 || st.Failed[ReasonRefused] != 1 {
		t.Errorf("stats %+v, want one refusal", st)
	}
}

// noTransport fails the test if a request gets past the checks in front
// of the transport.
type noTransport struct{ t *testing.T }

func (n noTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("request to %s reached the transport", r.URL)
	return nil, errors.New("unreachable")
}

func TestInternalAddressesRefused(t *testing.T) {
	urls := []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://169.254.169.254:80/latest/meta-data/iam/security-credentials/",
		"http://[fd00:ec2::254]/latest/meta-data/",
		"http://[::ffff:169.254.169.254]/latest/meta-data/",
		"http://10.0.0.1/x.jpg",
		"https://192.168.1.1/x.jpg",
		"http://172.16.5.4:8080/x.jpg",
		"http://100.64.0.1/x.jpg",
		"http://[::1]/",
		"http://[::ffff:127.0.0.1]/",
		"http://127.0.0.1:1/",
		"http://0.0.0.0/",
		"http://[fe80::1%25eth0]/",
		"http://224.0.0.1/",
	}
	// Through the real transport (short timeout, in case anything dials)
	// and through one that fails if reached: refused before any socket.
	for _, transport := range []string{"default", "sentinel"} {
		t.Run(transport, func(t *testing.T) {
			opts := Options{Timeout: 500 * time.Millisecond}
			if transport == "sentinel" {
				opts.Transport = noTransport{t}
			}
			f := newFetcher(t, opts)
			for _, u := range urls {
				t.Run(u, func(t *testing.T) {
					start := time.Now()
					img := f.Image(context.Background(), u)
					if !errors.Is(img.Err, ErrRefused) {
						t.Fatalf("err = %v, want ErrRefused", img.Err)
					}
					if d := time.Since(start); d > 100*time.Millisecond {
						t.Errorf("took %v: refusal should not wait on the network", d)
					}
				})
			}
		})
	}
	t.Run("metadata with everything allowed", func(t *testing.T) {
		f := newFetcher(t, Options{AllowLoopback: true, AllowPrivate: true, Transport: noTransport{t}})
		for _, u := range urls[:4] {
			if img := f.Image(context.Background(), u); !errors.Is(img.Err, ErrRefused) {
				t.Errorf("%s: err = %v, want ErrRefused", u, img.Err)
			}
		}
	})
}

// TestRefusedAtConnect covers host names, whose address is only known at
// connect time: a name that a real DNS server (on 127.0.0.1, over UDP)
// resolves to loopback is refused by the dialer's check of the resolved
// address.
func TestRefusedAtConnect(t *testing.T) {
	s, n := counted(t, serve("image/jpeg", photo(t, "chelsea.jpg")))
	_, port, _ := strings.Cut(strings.TrimPrefix(s.URL, "http://"), ":")
	u := "http://images.example.test:" + port + "/x.jpg"
	tests := []struct {
		name     string
		loopback bool
		want     error
		requests int64
	}{
		{"refused", false, ErrRefused, 0},
		{"allowed", true, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n.Store(0)
			dns := startDNS(t, map[string][]string{"images.example.test": {"127.0.0.1"}})
			f := newFetcher(t, Options{AllowLoopback: tt.loopback, Timeout: 2 * time.Second})
			f.dialer.Resolver = dns.resolver()
			img := f.Image(context.Background(), u)
			if !errors.Is(img.Err, tt.want) || (tt.want == nil && img.Err != nil) {
				t.Fatalf("err = %v, want %v", img.Err, tt.want)
			}
			if tt.want != nil && !strings.Contains(img.Err.Error(), "loopback") {
				t.Errorf("error %q does not say loopback", img.Err)
			}
			if q := dns.queriesFor("images.example.test"); q != 1 {
				t.Errorf("%d A queries, want 1: the name must be resolved at dial time", q)
			}
			if n.Load() != tt.requests {
				t.Errorf("%d requests reached the server, want %d", n.Load(), tt.requests)
			}
		})
	}
}

// TestRedirects lets server a stand in for a public host (the guard hook
// allows its address only) and checks that every hop is guarded.
func TestRedirects(t *testing.T) {
	jpg := photo(t, "chelsea.jpg")
	b, bn := counted(t, serve("image/jpeg", jpg))
	a, an := counted(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/image.jpg":
			serve("image/jpeg", jpg)(w, r)
		case "/to-self":
			http.Redirect(w, r, "/image.jpg", http.StatusFound)
		case "/to-loopback":
			http.Redirect(w, r, b.URL+"/image.jpg", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusMovedPermanently)
		case "/to-private":
			http.Redirect(w, r, "http://10.0.0.1/x.jpg", http.StatusTemporaryRedirect)
		case "/to-ftp":
			http.Redirect(w, r, "ftp://example.com/x.jpg", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		default: // /loop/N redirects to /loop/N+1
			i, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/loop/"))
			http.Redirect(w, r, fmt.Sprintf("/loop/%d", i+1), http.StatusFound)
		}
	})
	allowed := netip.MustParseAddrPort(a.Listener.Addr().String())

	tests := []struct {
		path     string
		want     error
		contains string
	}{
		{"/to-self", nil, ""},
		{"/to-loopback", ErrRefused, "loopback"},
		{"/to-metadata", ErrRefused, "metadata"},
		{"/to-private", ErrRefused, "private"},
		{"/to-ftp", ErrScheme, "ftp"},
		{"/to-file", ErrScheme, "file"},
		{"/loop/0", ErrRedirects, "3"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			an.Store(0)
			f := newFetcher(t, Options{Timeout: 2 * time.Second})
			guard := f.guard
			f.guard = func(ap netip.AddrPort) error {
				if ap == allowed {
					return nil
				}
				return guard(ap)
			}
			img := f.Image(context.Background(), a.URL+tt.path)
			if tt.want == nil {
				if img.Err != nil {
					t.Fatal(img.Err)
				}
				return
			}
			if !errors.Is(img.Err, tt.want) {
				t.Fatalf("err = %v, want %v", img.Err, tt.want)
			}
			if !strings.Contains(img.Err.Error(), tt.contains) {
				t.Errorf("error %q does not mention %q", img.Err, tt.contains)
			}
			if bn.Load() != 0 {
				t.Errorf("the loopback server got %d requests", bn.Load())
			}
		})
	}
	t.Run("loop stops after MaxRedirects", func(t *testing.T) {
		an.Store(0)
		f := newFetcher(t, Options{MaxRedirects: 2})
		f.guard = func(netip.AddrPort) error { return nil }
		img := f.Image(context.Background(), a.URL+"/loop/0")
		if !errors.Is(img.Err, ErrRedirects) {
			t.Fatalf("err = %v, want ErrRedirects", img.Err)
		}
		if got := an.Load(); got != 3 {
			t.Errorf("%d requests, want 3 (the original and 2 redirects)", got)
		}
	})
	t.Run("no redirects", func(t *testing.T) {
		f := newFetcher(t, Options{MaxRedirects: -1})
		f.guard = func(netip.AddrPort) error { return nil }
		if img := f.Image(context.Background(), a.URL+"/to-self"); !errors.Is(img.Err, ErrRedirects) {
			t.Fatalf("err = %v, want ErrRedirects", img.Err)
		}
	})
}

func TestFailures(t *testing.T) {
	jpg := photo(t, "chelsea.jpg")
	html := []byte("<!DOCTYPE html><html><body>not an image</body></html>")
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    Options
		url     string // instead of the server's
		want    error
		reason  Reason
		cached  bool
	}{
		{name: "html", handler: serve("text/html; charset=utf-8", html), want: ErrNotImage, reason: ReasonNotImage, cached: true},
		{name: "json", handler: serve("application/json", []byte(`{}`)), want: ErrNotImage, reason: ReasonNotImage, cached: true},
		{name: "untyped html", handler: serve("-", html), want: ErrNotImage, reason: ReasonNotImage, cached: true},
		{name: "octet-stream html", handler: serve("application/octet-stream", html), want: ErrNotImage, reason: ReasonNotImage, cached: true},
		{name: "image type, html bytes", handler: serve("image/jpeg", html), want: imagehash.ErrUnsupported, reason: ReasonImage, cached: true},
		{name: "truncated jpeg", handler: serve("image/jpeg", jpg[:len(jpg)/3]), want: imagehash.ErrCorrupt, reason: ReasonImage, cached: true},
		{
			name: "content length over MaxBytes",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(jpg)))
				serve("image/jpeg", jpg)(w, r)
			},
			opts: Options{MaxBytes: 10_000}, want: ErrTooLarge, reason: ReasonTooLarge, cached: true,
		},
		{
			name: "chunked body over MaxBytes",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "image/jpeg")
				for i := 0; i < len(jpg); i += 1000 {
					_, _ = w.Write(jpg[i:min(i+1000, len(jpg))])
					w.(http.Flusher).Flush()
				}
			},
			opts: Options{MaxBytes: 10_000}, want: ErrTooLarge, reason: ReasonTooLarge, cached: true,
		},
		{name: "pixels over Limits", handler: serve("image/jpeg", jpg), opts: Options{Limits: imagehash.Limits{MaxPixels: 10_000}}, want: ErrTooLarge, reason: ReasonTooLarge, cached: true},
		{name: "404", handler: http.NotFound, want: ErrStatus, reason: ReasonStatus, cached: true},
		{name: "410", handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) }, want: ErrStatus, reason: ReasonStatus, cached: true},
		{name: "500", handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) }, want: ErrStatus, reason: ReasonStatus},
		{name: "429", handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }, want: ErrStatus, reason: ReasonStatus},
		{
			name: "slow headers",
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			},
			opts: Options{Timeout: 200 * time.Millisecond}, want: ErrTimeout, reason: ReasonTimeout,
		},
		{
			name: "slow body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "image/jpeg")
				_, _ = w.Write(jpg[:100])
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			},
			opts: Options{Timeout: 200 * time.Millisecond}, want: ErrTimeout, reason: ReasonTimeout,
		},
		{name: "ftp", url: "ftp://example.com/x.jpg", want: ErrScheme, reason: ReasonScheme, cached: true},
		{name: "file", url: "file:///etc/passwd", want: ErrScheme, reason: ReasonScheme, cached: true},
		{name: "no scheme", url: "example.com/x.jpg", want: ErrScheme, reason: ReasonScheme, cached: true},
		{name: "no host", url: "http:///x.jpg", want: ErrInvalidURL, reason: ReasonInvalidURL, cached: true},
		{name: "unparsable", url: "http://[::1/x.jpg", want: ErrInvalidURL, reason: ReasonInvalidURL, cached: true},
		{name: "bad port", url: "http://127.0.0.1:99999/x.jpg", want: ErrInvalidURL, reason: ReasonInvalidURL, cached: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.url
			var n *atomic.Int64
			if u == "" {
				var s *httptest.Server
				s, n = counted(t, tt.handler)
				u = s.URL + "/x.jpg"
			}
			opts := tt.opts
			opts.AllowLoopback = true
			f := newFetcher(t, opts)
			start := time.Now()
			img := f.Image(context.Background(), u)
			if !errors.Is(img.Err, tt.want) {
				t.Fatalf("err = %v, want %v", img.Err, tt.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			if got := f.Stats().Failed[tt.reason]; got != 1 {
				t.Errorf("Failed[%s] = %d, want 1 (%v)", tt.reason, got, f.Stats().Failed)
			}
			// A permanent failure is remembered; a transient one is tried
			// again.
			f.Image(context.Background(), u)
			if st := f.Stats(); (st.CacheHits == 1) != tt.cached {
				t.Errorf("cached = %v, want %v", st.CacheHits == 1, tt.cached)
			}
			if n != nil {
				want := int64(2)
				if tt.cached {
					want = 1
				}
				if n.Load() != want {
					t.Errorf("%d requests, want %d", n.Load(), want)
				}
			}
		})
	}
}

func TestCache(t *testing.T) {
	s, n := photos(t)
	t.Run("second fetch from cache", func(t *testing.T) {
		n.Store(0)
		f := newFetcher(t, Options{AllowLoopback: true})
		u := s.URL + "/img/coffee.jpg"
		first := f.Image(context.Background(), u)
		second := f.Image(context.Background(), u)
		if first.Err != nil || second.Err != nil {
			t.Fatal(first.Err, second.Err)
		}
		if !reflect.DeepEqual(first, second) {
			t.Errorf("cached %+v differs from fetched %+v", second, first)
		}
		if n.Load() != 1 {
			t.Errorf("%d requests, want 1", n.Load())
		}
		if st := f.Stats(); st.Fetched != 1 || st.CacheHits != 1 || st.Cached != 1 {
			t.Errorf("stats %+v, want 1 fetched, 1 cache hit, 1 cached", st)
		}
		// The caller's copy is its own.
		if len(first.Hashes.Regions) > 0 {
			first.Hashes.Regions[0].Hash++
			if third := f.Image(context.Background(), u); reflect.DeepEqual(third, first) {
				t.Error("changing a returned Regions slice changed the cache")
			}
		}
	})
	t.Run("exact URL is the key", func(t *testing.T) {
		n.Store(0)
		f := newFetcher(t, Options{AllowLoopback: true})
		f.Image(context.Background(), s.URL+"/img/coffee.jpg")
		f.Image(context.Background(), s.URL+"/img/coffee.jpg?v=2")
		if n.Load() != 2 {
			t.Errorf("%d requests, want 2", n.Load())
		}
	})
	t.Run("least recently used is evicted", func(t *testing.T) {
		n.Store(0)
		f := newFetcher(t, Options{AllowLoopback: true, CacheSize: 2})
		for _, name := range []string{"coffee", "rocket", "coffee", "smarties", "coffee", "rocket"} {
			f.Image(context.Background(), s.URL+"/img/"+name+".jpg")
		}
		// coffee, rocket fetched; coffee hit; smarties fetched, evicting
		// rocket; coffee hit; rocket fetched again.
		if n.Load() != 4 {
			t.Errorf("%d requests, want 4", n.Load())
		}
	})
	t.Run("disabled", func(t *testing.T) {
		n.Store(0)
		f := newFetcher(t, Options{AllowLoopback: true, CacheSize: -1})
		f.Image(context.Background(), s.URL+"/img/coffee.jpg")
		f.Image(context.Background(), s.URL+"/img/coffee.jpg")
		if n.Load() != 2 {
			t.Errorf("%d requests, want 2", n.Load())
		}
	})
}

// TestConcurrentSameURL checks that callers asking for a URL already being
// fetched wait for that fetch instead of sending their own request.
func TestConcurrentSameURL(t *testing.T) {
	jpg := photo(t, "rocket.jpg")
	release := make(chan struct{})
	s, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		serve("image/jpeg", jpg)(w, r)
	})
	f := newFetcher(t, Options{AllowLoopback: true})
	var wg sync.WaitGroup
	imgs := make([]error, 5)
	for i := range imgs {
		wg.Go(func() { imgs[i] = f.Image(context.Background(), s.URL+"/x.jpg").Err })
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	for i, err := range imgs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
	if st := f.Stats(); st.Fetched != 1 || st.Shared+st.CacheHits != 4 {
		t.Errorf("stats %+v, want 1 fetched and 4 shared or cached", st)
	}
}

func TestWorkersBound(t *testing.T) {
	jpg := photo(t, "smarties.jpg")
	var inFlight, peak atomic.Int64
	s, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(80 * time.Millisecond)
		inFlight.Add(-1)
		serve("image/jpeg", jpg)(w, r)
	})
	f := newFetcher(t, Options{AllowLoopback: true, Workers: 2})
	var urls []string
	for i := range 8 {
		urls = append(urls, fmt.Sprintf("%s/x.jpg?i=%d", s.URL, i))
	}
	// Two callers at once: the bound is across callers, not per call.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for _, img := range f.Images(context.Background(), urls) {
				if img.Err != nil {
					t.Error(img.Err)
				}
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p != 2 {
		t.Errorf("peak of %d requests in flight, want 2", p)
	}
}

func TestCanceledWhileWaitingForWorker(t *testing.T) {
	release := make(chan struct{})
	s, n := counted(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		serve("image/jpeg", photo(t, "smarties.jpg"))(w, r)
	})
	f := newFetcher(t, Options{AllowLoopback: true, Workers: 1})
	done := make(chan error)
	go func() { done <- f.Image(context.Background(), s.URL+"/busy.jpg").Err }()
	for n.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	img := f.Image(ctx, s.URL+"/waiting.jpg")
	if !errors.Is(img.Err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the caller's context error", img.Err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("busy fetch: %v", err)
	}
	st := f.Stats()
	if st.Failed[ReasonCanceled] != 1 || st.Cached != 1 {
		t.Errorf("stats %+v, want 1 canceled (not cached) and 1 cached", st)
	}
}

func TestImagesInOrder(t *testing.T) {
	s, _ := photos(t)
	names := []string{"chelsea.jpg", "coffee.jpg", "missing.jpg", "rocket.jpg", "", "smarties.jpg", "chelsea.jpg"}
	var urls []string
	for _, name := range names {
		if name == "" {
			urls = append(urls, "ftp://example.com/x.jpg")
			continue
		}
		urls = append(urls, s.URL+"/img/"+name)
	}
	f := newFetcher(t, Options{AllowLoopback: true, Workers: 3})
	imgs := f.Images(context.Background(), urls)
	if len(imgs) != len(urls) {
		t.Fatalf("%d results for %d urls", len(imgs), len(urls))
	}
	for i, img := range imgs {
		if img.Ref != urls[i] {
			t.Errorf("result %d is for %s, want %s", i, img.Ref, urls[i])
		}
		switch names[i] {
		case "missing.jpg":
			if !errors.Is(img.Err, ErrStatus) {
				t.Errorf("%s: err = %v, want ErrStatus", urls[i], img.Err)
			}
		case "":
			if !errors.Is(img.Err, ErrScheme) {
				t.Errorf("%s: err = %v, want ErrScheme", urls[i], img.Err)
			}
		default:
			if img.Err != nil {
				t.Errorf("%s: %v", urls[i], img.Err)
			} else if want := wantHashes(t, photo(t, names[i])); !reflect.DeepEqual(img.Hashes, want) {
				t.Errorf("%s: hashes %+v, want %+v", urls[i], img.Hashes, want)
			}
		}
	}
	if got := f.Images(context.Background(), nil); len(got) != 0 {
		t.Errorf("Images(nil) = %v", got)
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		ok   bool
	}{
		{"zero", Options{}, true},
		{"negative cache and redirects", Options{CacheSize: -1, MaxRedirects: -1}, true},
		{"max bytes within limits", Options{MaxBytes: 1 << 20, Limits: imagehash.Limits{MaxBytes: 2 << 20}}, true},
		{"negative timeout", Options{Timeout: -time.Second}, false},
		{"negative max bytes", Options{MaxBytes: -1}, false},
		{"negative workers", Options{Workers: -1}, false},
		{"max bytes over image limit", Options{MaxBytes: 30 << 20}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := New(tt.opts)
			if (err == nil) != tt.ok {
				t.Fatalf("New(%+v) error = %v, want ok=%v", tt.opts, err, tt.ok)
			}
			if f != nil {
				f.Close()
			}
		})
	}
	f := newFetcher(t, Options{})
	o := f.opts
	if o.Timeout != DefaultTimeout || o.Workers != DefaultWorkers || o.CacheSize != DefaultCacheSize ||
		o.MaxRedirects != DefaultMaxRedirects || o.MaxBytes != imagehash.DefaultLimits().MaxBytes || o.Limits != imagehash.DefaultLimits() {
		t.Errorf("defaults %+v", o)
	}
	if st := f.Stats(); len(st.Failed) != len(Reasons()) {
		t.Errorf("Stats.Failed has %d reasons, want all %d", len(st.Failed), len(Reasons()))
	}
}
