// Package fetch downloads listing images from seller-supplied http(s) URLs
// and hashes them with imagehash.ComputeAll, for the streaming matcher.
//
// The URLs are controlled by sellers, which makes this a server-side request
// forgery surface: a listing could point at the cloud metadata service, an
// admin port on localhost or a host on the private network. The package
// covers that guard (every connection, redirect hops included, is checked
// against the address it actually connects to, after DNS resolution), the
// limits on what one URL may cost (time, bytes, pixels, redirects), a cache
// of results by URL and a bound on concurrent fetches shared by all callers.
//
// It deliberately leaves to its callers: retrying transient failures (the
// caller knows whether a listing can wait), deciding what hashes mean (the
// score package), registering metrics (a Fetcher is a prometheus.Collector
// the program registers; Stats returns the same counters as plain numbers),
// and fetching anything but images.
package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/score"
)

// Sentinel errors, checked with errors.Is. An Image's Err wraps one of them,
// an imagehash error (the bytes are not a usable image) or a context error.
var (
	// ErrRefused means the URL's host is, or resolved to, an address the
	// Options do not allow (loopback, private, cloud metadata, ...).
	ErrRefused = errors.New("address refused")
	// ErrNotImage means the response is not an image: its Content-Type, or
	// the sniffed type of an untyped body, is not image/*.
	ErrNotImage = errors.New("not an image")
	// ErrTooLarge means the body exceeds Options.MaxBytes or the image
	// header declares more pixels than Options.Limits allow. It is
	// imagehash.ErrTooLarge, so either check matches both.
	ErrTooLarge = imagehash.ErrTooLarge
	// ErrScheme means the URL, or a redirect, is not http or https.
	ErrScheme = errors.New("scheme not http or https")
	// ErrStatus means the server answered with a non-2xx status.
	ErrStatus = errors.New("unexpected http status")
	// ErrTimeout means the fetch took longer than Options.Timeout.
	ErrTimeout = errors.New("timed out")
	// ErrRedirects means the server redirected more than
	// Options.MaxRedirects times.
	ErrRedirects = errors.New("too many redirects")
	// ErrInvalidURL means the URL cannot be parsed or has no host.
	ErrInvalidURL = errors.New("invalid url")
)

// Reason names why a fetch failed, for Stats and metrics labels.
type Reason string

// Failure reasons. Transient ones (timeout, network, canceled, internal,
// and 5xx, 408 and 429 statuses) are not cached; the others are.
const (
	ReasonRefused    Reason = "refused"
	ReasonScheme     Reason = "scheme"
	ReasonInvalidURL Reason = "invalid_url"
	ReasonRedirects  Reason = "redirects"
	ReasonStatus     Reason = "status"
	ReasonNotImage   Reason = "not_image"
	ReasonTooLarge   Reason = "too_large"
	ReasonImage      Reason = "image" // unsupported, corrupt or too flat to hash
	ReasonTimeout    Reason = "timeout"
	ReasonNetwork    Reason = "network"
	ReasonCanceled   Reason = "canceled" // the caller's context ended
	ReasonInternal   Reason = "internal" // a recovered panic: a bug
)

// Reasons lists every Reason, so that metrics can pre-declare their labels.
func Reasons() []Reason {
	return []Reason{
		ReasonRefused, ReasonScheme, ReasonInvalidURL, ReasonRedirects, ReasonStatus, ReasonNotImage,
		ReasonTooLarge, ReasonImage, ReasonTimeout, ReasonNetwork, ReasonCanceled, ReasonInternal,
	}
}

// Defaults of Options fields left zero.
const (
	DefaultTimeout      = 5 * time.Second
	DefaultWorkers      = 16
	DefaultCacheSize    = 10_000
	DefaultMaxRedirects = 3
)

// Options configures a Fetcher. The zero value is usable and refuses every
// non-public address.
type Options struct {
	// Timeout bounds one fetch as a whole: connecting, every redirect hop
	// and reading the body. Waiting for a worker is not included. 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxBytes caps the body. A larger declared Content-Length is refused
	// before reading, and reading stops one byte past the cap. 0 means
	// Limits.MaxBytes.
	MaxBytes int64
	// Workers bounds the fetches in flight across all callers of this
	// Fetcher. 0 means DefaultWorkers.
	Workers int
	// CacheSize is the number of URLs whose results (hashes or permanent
	// errors) are remembered. 0 means DefaultCacheSize; negative disables
	// the cache.
	CacheSize int
	// MaxRedirects is the number of redirects followed. 0 means
	// DefaultMaxRedirects; negative follows none.
	MaxRedirects int
	// AllowLoopback allows 127.0.0.0/8 and ::1: for tests and the demo,
	// never in production, where it exposes every local admin port.
	AllowLoopback bool
	// AllowPrivate allows private (10/8, 172.16/12, 192.168/16, fc00::/7),
	// link-local and CGNAT (100.64/10) addresses, for an image host on the
	// same private network. Cloud metadata addresses stay refused.
	AllowPrivate bool
	// Limits bound the decoding of each image; zero fields take
	// imagehash.DefaultLimits values.
	Limits imagehash.Limits
	Logger *slog.Logger
	// Transport replaces the default transport, for tests. The default
	// dials through the address guard; a replacement must guard itself:
	// only IP-literal hosts and schemes are still checked, before each
	// request.
	Transport http.RoundTripper
}

func (o *Options) validate() error {
	if o.Timeout < 0 {
		return fmt.Errorf("timeout %v is negative", o.Timeout)
	}
	if o.MaxBytes < 0 {
		return fmt.Errorf("max bytes %d is negative", o.MaxBytes)
	}
	if o.Workers < 0 {
		return fmt.Errorf("workers %d is negative", o.Workers)
	}
	def := imagehash.DefaultLimits()
	if o.Limits.MaxBytes <= 0 {
		o.Limits.MaxBytes = def.MaxBytes
	}
	if o.Limits.MaxPixels <= 0 {
		o.Limits.MaxPixels = def.MaxPixels
	}
	if o.MaxBytes > o.Limits.MaxBytes {
		return fmt.Errorf("max bytes %d exceeds the image limit of %d bytes: such bodies could never be hashed", o.MaxBytes, o.Limits.MaxBytes)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = o.Limits.MaxBytes
	}
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	switch {
	case o.MaxRedirects == 0:
		o.MaxRedirects = DefaultMaxRedirects
	case o.MaxRedirects < 0:
		o.MaxRedirects = 0
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Fetcher fetches and hashes images. It is safe for concurrent use; one
// Fetcher should serve the whole process, since its worker bound, cache
// and connection pool are per Fetcher.
type Fetcher struct {
	opts   Options
	log    *slog.Logger
	client *http.Client
	sem    chan struct{}
	cache  *lru // nil when disabled

	mu       sync.Mutex
	inflight map[string]*call

	fetched   atomic.Int64
	cacheHits atomic.Int64
	shared    atomic.Int64
	failed    map[Reason]*atomic.Int64 // keys fixed in New
	seconds   prometheus.Histogram

	// guard decides whether an address may be connected to. Tests replace
	// it to let one loopback server stand in for a public host.
	guard func(netip.AddrPort) error
	// dialer connects for the default transport; tests point its Resolver
	// at a DNS server of their own.
	dialer *net.Dialer
}

// call is one fetch in flight, which concurrent requests for the same URL
// wait for instead of fetching again.
type call struct {
	done chan struct{}
	res  result
}

// New validates opts and returns a Fetcher with its own connection pool.
func New(opts Options) (*Fetcher, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("fetch options: %w", err)
	}
	f := &Fetcher{
		opts:     opts,
		log:      opts.Logger,
		sem:      make(chan struct{}, opts.Workers),
		inflight: map[string]*call{},
		failed:   map[Reason]*atomic.Int64{},
		seconds:  newFetchSeconds(),
	}
	for _, r := range Reasons() {
		f.failed[r] = new(atomic.Int64)
	}
	if opts.CacheSize > 0 {
		f.cache = newLRU(opts.CacheSize)
	}
	pol := policy{allowLoopback: opts.AllowLoopback, allowPrivate: opts.AllowPrivate}
	f.guard = func(ap netip.AddrPort) error { return pol.check(ap.Addr()) }

	tr := opts.Transport
	if tr == nil {
		f.dialer = &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second, ControlContext: f.control}
		tr = &http.Transport{
			// No proxy, from the environment or otherwise: a proxy would
			// connect to the seller's host on our behalf, out of sight of
			// the guard, which would only ever see the proxy's address.
			Proxy:                  nil,
			DialContext:            f.dialer.DialContext,
			ForceAttemptHTTP2:      true, // a custom DialContext turns HTTP/2 off otherwise
			MaxIdleConns:           max(100, 2*opts.Workers),
			MaxIdleConnsPerHost:    opts.Workers, // most images come from a few CDNs
			IdleConnTimeout:        90 * time.Second,
			TLSHandshakeTimeout:    opts.Timeout,
			ResponseHeaderTimeout:  opts.Timeout,
			MaxResponseHeaderBytes: 64 << 10,
			// Images are compressed already; transparent gzip would only
			// let a small body inflate into CPU work up to MaxBytes.
			DisableCompression: true,
		}
	}
	f.client = &http.Client{
		Transport:     &guardedTransport{next: tr, f: f},
		CheckRedirect: f.checkRedirect,
	}
	return f, nil
}

// Close releases idle connections. The Fetcher stays usable.
func (f *Fetcher) Close() {
	f.client.CloseIdleConnections()
}

func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.opts.MaxRedirects {
		return fmt.Errorf("%w: more than %d", ErrRedirects, f.opts.MaxRedirects)
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("%w: %q", ErrScheme, s)
	}
	return nil
}

// Image fetches and hashes the image at rawURL, or returns it from the
// cache. It never panics; on failure Err says what was wrong with the URL
// or its response and wraps one of the package's sentinel errors, an
// imagehash error or the context's error.
func (f *Fetcher) Image(ctx context.Context, rawURL string) score.Image {
	res := f.get(ctx, rawURL)
	h := res.hashes
	// The cached Regions slice is shared; callers get their own.
	h.Regions = slices.Clone(h.Regions)
	return score.Image{Ref: rawURL, Hashes: h, Err: res.err}
}

// Images fetches urls concurrently, within the Fetcher's worker bound, and
// returns their results in input order.
func (f *Fetcher) Images(ctx context.Context, urls []string) []score.Image {
	out := make([]score.Image, len(urls))
	if len(urls) == 1 {
		out[0] = f.Image(ctx, urls[0])
		return out
	}
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() { out[i] = f.Image(ctx, u) })
	}
	wg.Wait()
	return out
}

// Stats are counters since New. Each Image call counts once: as fetched,
// a cache hit, shared or failed; each Download call as fetched or failed.
type Stats struct {
	// Fetched counts images downloaded (and, for Image, hashed).
	Fetched int64
	// CacheHits counts calls answered from the cache, with hashes or a
	// remembered permanent error.
	CacheHits int64
	// Shared counts calls answered by a concurrent call's fetch of the
	// same URL.
	Shared int64
	// Refused counts fetches refused by the address guard; it equals
	// Failed[ReasonRefused], kept apart as the one to alert on.
	Refused int64
	// Failed counts failed fetches by reason; every Reason is present.
	Failed map[Reason]int64
	// Cached is the number of URLs in the cache.
	Cached int
}

// Stats returns the current counters.
func (f *Fetcher) Stats() Stats {
	s := Stats{
		Fetched:   f.fetched.Load(),
		CacheHits: f.cacheHits.Load(),
		Shared:    f.shared.Load(),
		Failed:    make(map[Reason]int64, len(f.failed)),
	}
	for r, n := range f.failed {
		s.Failed[r] = n.Load()
	}
	s.Refused = s.Failed[ReasonRefused]
	if f.cache != nil {
		s.Cached = f.cache.len()
	}
	return s
}

// get answers from the cache, joins a fetch of the same URL in flight, or
// fetches.
func (f *Fetcher) get(ctx context.Context, key string) result {
	for {
		if f.cache != nil {
			if r, ok := f.cache.get(key); ok {
				f.cacheHits.Add(1)
				return r
			}
		}
		f.mu.Lock()
		c, ok := f.inflight[key]
		if !ok {
			c = &call{done: make(chan struct{})}
			f.inflight[key] = c
			f.mu.Unlock()
			return f.lead(ctx, key, c)
		}
		f.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return f.fail(key, result{reason: ReasonCanceled, err: fmt.Errorf("fetch %s: %w", redact(key), ctx.Err())})
		}
		if c.res.reason == ReasonCanceled || c.res.reason == ReasonInternal {
			continue // the leader's own caller gave up: try again
		}
		f.shared.Add(1)
		return c.res
	}
}

// lead runs the fetch for every caller waiting on c.
func (f *Fetcher) lead(ctx context.Context, key string, c *call) (res result) {
	defer func() {
		// Nothing in fetch should panic, but a panic here would leave the
		// waiters on c blocked forever and take the matcher down with it.
		if p := recover(); p != nil {
			f.log.Error("image fetch panicked", "url", redact(key), "panic", p)
			res = f.fail(key, result{reason: ReasonInternal, err: fmt.Errorf("fetch %s: internal error: %v", redact(key), p)})
		}
		c.res = res
		if f.cache != nil && cacheable(res) {
			// Before leaving inflight, so a newcomer finds one or the other.
			f.cache.add(key, res)
		}
		f.mu.Lock()
		delete(f.inflight, key)
		f.mu.Unlock()
		close(c.done)
	}()
	return f.fetch(ctx, key)
}

// cacheable tells whether res would be the same on a retry.
func cacheable(res result) bool {
	if res.err == nil {
		return true
	}
	switch res.reason {
	case ReasonTimeout, ReasonNetwork, ReasonCanceled, ReasonInternal:
		return false
	}
	return !res.transient
}

// fail counts and logs a failed fetch and returns res.
func (f *Fetcher) fail(rawURL string, res result) result {
	f.failed[res.reason].Add(1)
	if res.reason == ReasonRefused {
		// Worth seeing: a seller pointing at internal addresses.
		f.log.Warn("image url refused", "url", redact(rawURL), "err", res.err)
	} else {
		f.log.Debug("image fetch failed", "url", redact(rawURL), "reason", string(res.reason), "err", res.err)
	}
	return res
}

// fetch downloads and hashes one URL.
func (f *Fetcher) fetch(parent context.Context, rawURL string) result {
	_, res := f.download(parent, rawURL, func(data []byte) result {
		h, err := hash(data, f.opts.Limits)
		if err != nil {
			r := ReasonImage
			if errors.Is(err, imagehash.ErrTooLarge) {
				r = ReasonTooLarge
			}
			return result{reason: r, err: fmt.Errorf("fetch %s: %w", redact(rawURL), err)}
		}
		return result{hashes: h}
	})
	return res
}

// Download fetches one image under every guard, uncached and unhashed: the
// reporter shows analysts the photo a verdict rests on. It is counted and
// timed like a fetch for Image.
func (f *Fetcher) Download(ctx context.Context, rawURL string) ([]byte, error) {
	data, res := f.download(ctx, rawURL, nil)
	return data, res.err
}

// download fetches one URL and, when given, runs use on the bytes; it times
// the whole and counts the outcome (ok, or the failure's reason), for Image
// and Download alike.
func (f *Fetcher) download(parent context.Context, rawURL string, use func(data []byte) result) ([]byte, result) {
	defer f.observe(time.Now())
	data, res := f.retrieve(parent, rawURL)
	if res.err == nil && use != nil {
		res = use(data)
	}
	if res.err != nil {
		return nil, f.fail(rawURL, res)
	}
	f.fetched.Add(1)
	return data, res
}

// retrieve fetches one URL under the address guard, the worker pool, the
// timeout, the size cap and the content-type check. A failure comes back in
// the result, not yet counted.
func (f *Fetcher) retrieve(parent context.Context, rawURL string) ([]byte, result) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, result{reason: ReasonInvalidURL, err: fmt.Errorf("%w: %w", ErrInvalidURL, err)}
	}
	name := u.Redacted()
	// Checked here as well as before each request so that a refused URL
	// does not wait for a worker.
	if err := f.checkURLHost(u.Scheme, u.Hostname(), u.Port()); err != nil {
		return nil, result{reason: reasonOf(err), err: fmt.Errorf("fetch %s: %w", name, err)}
	}
	if u.Host == "" {
		return nil, result{reason: ReasonInvalidURL, err: fmt.Errorf("fetch %s: %w: no host", name, ErrInvalidURL)}
	}

	select {
	case f.sem <- struct{}{}:
	case <-parent.Done():
		return nil, result{reason: ReasonCanceled, err: fmt.Errorf("fetch %s: waiting for a worker: %w", name, parent.Err())}
	}
	defer func() { <-f.sem }()

	ctx, cancel := context.WithTimeout(parent, f.opts.Timeout)
	defer cancel()
	// failIO classifies an error from the transport or the body: whose
	// context ended decides between canceled and timed out.
	failIO := func(err error) result {
		r := result{reason: reasonOf(err)}
		switch {
		case parent.Err() != nil:
			r.reason, err = ReasonCanceled, parent.Err()
		case ctx.Err() != nil || isTimeout(err):
			r.reason, err = ReasonTimeout, fmt.Errorf("%w after %v", ErrTimeout, f.opts.Timeout)
		}
		r.err = fmt.Errorf("fetch %s: %w", name, err)
		return r
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, result{reason: ReasonInvalidURL, err: fmt.Errorf("fetch %s: %w: %w", name, ErrInvalidURL, err)}
	}
	req.Header.Set("Accept", "image/*")
	req.Header.Set("User-Agent", "assay-image-fetch/1")
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error repeats the URL; keep only the hop that failed.
			err = ue.Err
			if !sameURL(ue.URL, u) {
				err = fmt.Errorf("redirected to %s: %w", ue.URL, err)
			}
		}
		return nil, failIO(err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A little is read so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		c := resp.StatusCode
		return nil, result{
			reason:    ReasonStatus,
			transient: c >= 500 || c == http.StatusRequestTimeout || c == http.StatusTooManyRequests,
			err:       fmt.Errorf("fetch %s: %w %s", name, ErrStatus, resp.Status),
		}
	}
	declared := mediaType(resp.Header.Get("Content-Type"))
	if declared != "" && !strings.HasPrefix(declared, "image/") {
		return nil, result{reason: ReasonNotImage, err: fmt.Errorf("fetch %s: %w: content type %s", name, ErrNotImage, declared)}
	}
	if resp.ContentLength > f.opts.MaxBytes {
		return nil, result{reason: ReasonTooLarge, err: fmt.Errorf("fetch %s: %w: content length %d exceeds %d bytes", name, ErrTooLarge, resp.ContentLength, f.opts.MaxBytes)}
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, f.opts.MaxBytes+1)); err != nil {
		return nil, failIO(fmt.Errorf("read body: %w", err))
	}
	if int64(buf.Len()) > f.opts.MaxBytes {
		return nil, result{reason: ReasonTooLarge, err: fmt.Errorf("fetch %s: %w: body exceeds %d bytes", name, ErrTooLarge, f.opts.MaxBytes)}
	}
	data := buf.Bytes()
	if declared == "" {
		if st := http.DetectContentType(data); !strings.HasPrefix(st, "image/") {
			return nil, result{reason: ReasonNotImage, err: fmt.Errorf("fetch %s: %w: untyped body sniffed as %s", name, ErrNotImage, st)}
		}
	}
	return data, result{}
}

// hash is imagehash.ComputeAll, with a panic in a decoder (fed untrusted
// bytes) turned into ErrCorrupt.
func hash(data []byte, lim imagehash.Limits) (h imagehash.Hashes, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: decoder panicked: %v", imagehash.ErrCorrupt, p)
		}
	}()
	return imagehash.ComputeAll(data, lim)
}

// mediaType returns the lower-case media type of a Content-Type header, or
// "" when it says nothing useful: missing, unparsable or a generic binary
// type (object stores default to these), which leaves the decision to
// sniffing the body.
func mediaType(header string) string {
	if header == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return ""
	}
	switch mt {
	case "application/octet-stream", "binary/octet-stream", "application/binary", "application/unknown":
		return ""
	}
	return mt
}

// reasonOf maps a sentinel error to its Reason; anything else is a network
// failure.
func reasonOf(err error) Reason {
	switch {
	case errors.Is(err, ErrRefused):
		return ReasonRefused
	case errors.Is(err, ErrScheme):
		return ReasonScheme
	case errors.Is(err, ErrRedirects):
		return ReasonRedirects
	case errors.Is(err, ErrInvalidURL):
		return ReasonInvalidURL
	}
	return ReasonNetwork
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// sameURL tells whether s is u, ignoring user info (which url.Error
// masks).
func sameURL(s string, u *url.URL) bool {
	v, err := url.Parse(s)
	if err != nil {
		return false
	}
	w := *u
	v.User, w.User = nil, nil
	return v.String() == w.String()
}

// redact hides a password in a URL for logs and errors; unparsable URLs
// are quoted as they are.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Sprintf("%q", rawURL)
	}
	return u.Redacted()
}
