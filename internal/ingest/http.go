package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/assay-dev/assay/internal/ops"
	"github.com/assay-dev/assay/internal/stream"
)

// Defaults of HandlerOptions and ServerOptions.
const (
	DefaultMaxBodyBytes    = 32 << 20
	DefaultWriteTimeout    = 15 * time.Second
	DefaultShutdownTimeout = 15 * time.Second
)

// HandlerOptions configures NewHandler.
type HandlerOptions struct {
	// MaxBodyBytes caps a request body (DefaultMaxBodyBytes when 0); a
	// larger one is answered 413.
	MaxBodyBytes int64
	// WriteTimeout bounds the wait for Kafka's acknowledgement of one
	// request (DefaultWriteTimeout when 0); past it the answer is 503.
	WriteTimeout time.Duration
	// Logger gets one debug line per request and Kafka failures; nil
	// discards.
	Logger *slog.Logger
	// Gatherer is what GET /metrics serves; nil serves the publisher's
	// Registerer, which must then be a gatherer too (a *prometheus.Registry
	// is, as is the private one a publisher given none makes).
	Gatherer prometheus.Gatherer
}

func (o *HandlerOptions) validate() error {
	if o.MaxBodyBytes < 0 || o.WriteTimeout < 0 {
		return errors.New("body limit and write timeout must not be negative")
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Handler serves the ingest HTTP API:
//
//	POST /v1/listings  NDJSON (application/x-ndjson, application/ndjson,
//	                   text/plain) or a JSON array (application/json) of
//	                   listings, plain or gzip (Content-Encoding) → 202 Response
//	GET  /metrics      Prometheus text format
//	GET  /healthz      200 while the process serves (it does not probe Kafka)
//	GET  /readyz       200 when a Kafka broker answers, else 503 naming "kafka"
//
// Invalid items are reported per item in the 202 answer and sent to the
// rejected topic; the answer comes after Kafka acknowledged everything. A
// body that cannot be split into items is 400, an oversized one 413, an
// unsupported Content-Type 415, a Kafka failure 503 (retry the request;
// consumers deduplicate by listing id). Errors are JSON {"error": "..."},
// other paths 404. The last three endpoints are package ops's, as in every
// Assay program, and answer in plain text; they are not counted in
// assay_ingest_http_requests_total, so that scrapes and probes do not
// drown the API's traffic.
type Handler struct {
	p    *Publisher
	opts HandlerOptions
	mux  *http.ServeMux
}

// Response is the body of a 202 answer.
type Response struct {
	Accepted int         `json:"accepted"`
	Rejected []ItemError `json:"rejected"`
}

// ItemError is one rejected item: its 0-based position among the items of
// the body (array elements, or non-blank NDJSON lines), its id when one
// could be read, and why.
type ItemError struct {
	Index int    `json:"index"`
	ID    string `json:"id"`
	Error string `json:"error"`
}

type errorBody struct {
	Error string `json:"error"`
}

// NewHandler returns the API handler publishing through p.
func NewHandler(p *Publisher, opts HandlerOptions) (*Handler, error) {
	if p == nil {
		return nil, errors.New("handler: nil publisher")
	}
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("handler options: %w", err)
	}
	if opts.Gatherer == nil {
		g, ok := p.reg.(prometheus.Gatherer)
		if !ok {
			return nil, errors.New("handler: no Gatherer for /metrics, and the publisher's Registerer is not one")
		}
		opts.Gatherer = g
	}
	h := &Handler{p: p, opts: opts, mux: http.NewServeMux()}
	count := func(f http.HandlerFunc) http.Handler { return promhttp.InstrumentHandlerCounter(p.m.requests, f) }
	h.mux.Handle("/v1/listings", count(h.listings))
	h.mux.Handle("/", count(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "not found: the API is POST /v1/listings"})
	}))
	// ops registers its endpoints for GET (and HEAD) only; without these,
	// other methods would fall through to the 404 above.
	for _, path := range []string{"/metrics", "/healthz", "/readyz"} {
		h.mux.Handle(path, count(func(w http.ResponseWriter, _ *http.Request) { methodNotAllowed(w, "GET, HEAD") }))
	}
	ops.Register(h.mux, opts.Gatherer, ops.Check{
		Name: "kafka",
		Probe: func(ctx context.Context) error {
			return stream.Reachable(ctx, p.kafka, p.topics.Listings, p.topics.Rejected)
		},
	})
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method not allowed: use " + allow})
}

func (h *Handler) listings(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, http.MethodPost)
		return
	}
	format, err := formatOf(r.Header.Get("Content-Type"))
	if err != nil {
		writeJSON(w, http.StatusUnsupportedMediaType, errorBody{Error: err.Error()})
		return
	}
	body, status, err := readBody(w, r, h.opts.MaxBodyBytes)
	if err != nil {
		writeJSON(w, status, errorBody{Error: err.Error()})
		return
	}
	body = bytes.TrimPrefix(body, utf8BOM)
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "empty body: send listings as NDJSON (one JSON object a line) or a JSON array"})
		return
	}
	switch {
	case format == formatSniff && trimmed[0] == '[':
		format = formatArray
	case format == formatSniff:
		format = formatNDJSON
	case format == formatNDJSON && trimmed[0] == '[':
		// Each line of it would be rejected as a fragment.
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "the body is a JSON array, not NDJSON: send it as application/json, or one listing a line"})
		return
	}
	var items [][]byte
	if format == formatArray {
		items, err = splitArray(trimmed)
	} else {
		items = splitLines(body)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
		return
	}

	from := r.RemoteAddr
	if host, _, err := net.SplitHostPort(from); err == nil {
		from = host
	}
	events := make([]Event, len(items))
	resp := Response{Rejected: []ItemError{}}
	for i, raw := range items {
		events[i] = DecodeEvent(raw, "http "+from+" #"+strconv.Itoa(i))
		if events[i].Valid() {
			resp.Accepted++
			continue
		}
		resp.Rejected = append(resp.Rejected, ItemError{Index: i, ID: peekID(raw), Error: events[i].Err.Error()})
	}

	ctx, cancel := context.WithTimeout(r.Context(), h.opts.WriteTimeout)
	defer cancel()
	if _, err := h.p.Publish(ctx, events); err != nil {
		if r.Context().Err() != nil {
			// The client went away (or the server is stopping) before Kafka
			// answered: not a Kafka failure. 499 is nginx's "client closed
			// request", for the request counter; nobody reads the answer.
			h.opts.Logger.Info("request ended before Kafka acknowledged it: the client left, or the server is stopping; the client should send it again", "from", from, "items", len(items), "err", err)
			w.WriteHeader(statusClientClosed)
			return
		}
		h.opts.Logger.Error("publish request", "from", from, "items", len(items), "err", err)
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: fmt.Sprintf("kafka did not acknowledge the listings, retry the request: %v", err)})
		return
	}
	h.opts.Logger.Debug("published request", "from", from, "accepted", resp.Accepted, "rejected", len(resp.Rejected))
	writeJSON(w, http.StatusAccepted, resp)
}

// statusClientClosed answers a request whose client left before its answer.
const statusClientClosed = 499

var utf8BOM = []byte("\ufeff")

// readBody reads a request body of at most max bytes, decompressed when its
// Content-Encoding is gzip; on error it returns the status to answer.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, int, error) {
	var body io.Reader = http.MaxBytesReader(w, r.Body, max)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("the body is not gzip, as its Content-Encoding says: %v", err)
		}
		defer zr.Close()
		// The cap holds for what the body unpacks to as well: a few
		// kilobytes of gzip can unpack to gigabytes.
		body = io.LimitReader(zr, max+1)
	default:
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("unsupported Content-Encoding %q: send the body as it is, or gzip it", enc)
	}
	data, err := io.ReadAll(body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge), err == nil && int64(len(data)) > max:
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes: split it into several requests", max)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("read body: %v", err)
	}
	return data, 0, nil
}

// bodyFormat is how a request body holds its items.
type bodyFormat int

const (
	formatSniff  bodyFormat = iota // no Content-Type: tell by the first byte
	formatNDJSON                   // one JSON object a line
	formatArray                    // one JSON array
)

func formatOf(contentType string) (bodyFormat, error) {
	if contentType == "" {
		return formatSniff, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return 0, fmt.Errorf("unsupported Content-Type %q: %v", contentType, err)
	}
	switch {
	case mt == "application/json":
		return formatArray, nil
	case mt == "application/x-ndjson", mt == "application/ndjson", mt == "application/jsonl",
		mt == "application/jsonlines", mt == "application/x-jsonlines", mt == "text/plain":
		return formatNDJSON, nil
	case mt == "text/csv":
		return 0, errors.New("unsupported Content-Type \"text/csv\": CSV exports are read by `ingest csv --mapping`; this endpoint takes application/x-ndjson (one listing a line) or application/json (an array)")
	}
	return 0, fmt.Errorf("unsupported Content-Type %q: send application/x-ndjson (one listing a line) or application/json (an array)", mt)
}

// splitArray returns the elements of a JSON array as they were sent.
func splitArray(body []byte) ([][]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("malformed JSON body: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, errors.New("expected a JSON array of listings; send a single listing as [{...}] or as application/x-ndjson")
	}
	var items [][]byte
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("malformed JSON array at item %d (byte %d): %v", len(items), dec.InputOffset(), err)
		}
		items = append(items, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("malformed JSON array: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("malformed JSON body: data after the array")
	}
	return items, nil
}

// splitLines returns the non-blank lines of an NDJSON body.
func splitLines(body []byte) [][]byte {
	var items [][]byte
	for line := range bytes.Lines(body) {
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) > 0 {
			items = append(items, line)
		}
	}
	return items
}

// peekID reads the id of an item that may be invalid, for the answer.
func peekID(raw []byte) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	if s, ok := v.ID.(string); ok {
		return s
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do
}

// ServerOptions configures Listen.
type ServerOptions struct {
	// Addr is the address to listen on; "127.0.0.1:0" picks a free port.
	Addr    string
	Handler http.Handler
	// ShutdownTimeout bounds the wait for requests in flight once the
	// context is done (DefaultShutdownTimeout when 0).
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

func (o *ServerOptions) validate() error {
	if o.Addr == "" {
		return errors.New("no listen address")
	}
	if o.Handler == nil {
		return errors.New("no handler")
	}
	if o.ShutdownTimeout < 0 {
		return errors.New("shutdown timeout must not be negative")
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Server is an HTTP server bound to its address.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	opts ServerOptions
}

// Listen binds the address, so that Addr is known before Serve.
func Listen(opts ServerOptions) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("server options: %w", err)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           opts.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // a 32 MiB body on a slow link
		WriteTimeout:      3 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	return &Server{ln: ln, srv: srv, opts: opts}, nil
}

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close releases the address of a server that will not Serve.
func (s *Server) Close() error { return s.ln.Close() }

// Serve answers requests until ctx is done, then stops accepting, waits up
// to the shutdown timeout for requests in flight, and returns nil; it
// returns an error if serving fails or requests were cut off.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }() // ends when Shutdown or Close is called
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := s.srv.Shutdown(sctx)
	if err != nil {
		s.srv.Close()
	}
	<-errc // http.ErrServerClosed
	if err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	return nil
}
