// Command ingest checks marketplace listing events against the listing
// contract and publishes them, and the brand registry, into Kafka.
//
//	ingest check   [LISTINGS.jsonl ...]
//	ingest publish [flags] [LISTINGS.jsonl ...]
//	ingest csv     --mapping MAP.yaml [flags] [EXPORT.csv ...]
//	ingest serve   [--listen 127.0.0.1:8080] [flags]
//	ingest brands  [flags] REGISTRY.yaml | --delete ID
//
// serve also answers /metrics, /healthz and /readyz on its listener; the
// other commands run once and print a summary instead.
//
// The work is done by package internal/ingest; this file parses flags,
// turns signals into a context and maps outcomes to exit codes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/ingest"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/ops"
	"github.com/assay-dev/assay/internal/scan"
	"github.com/assay-dev/assay/internal/stream"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the default action is restored, so a second
	// one ends the process at once. The goroutine ends with ctx.
	go func() { <-ctx.Done(); stop() }()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK       = 0
	exitRejected = 1 // some input rejected (or an invalid registry)
	exitFailure  = 2 // usage, input that cannot be read, or Kafka errors
)

const (
	connectTimeout = 15 * time.Second // reaching Kafka and creating topics
	closeTimeout   = 10 * time.Second // flushing writers on the way out
)

const usage = `ingest validates listing events and publishes them into Kafka.

Usage:
  ingest check   [LISTINGS.jsonl ...]                  validate only, no Kafka
  ingest publish [flags] [LISTINGS.jsonl ...]          JSON Lines into Kafka
  ingest csv     --mapping MAP.yaml [flags] [EXPORT.csv ...]
                                                       CSV exports into Kafka
  ingest serve   [--listen 127.0.0.1:8080] [flags]     HTTP API into Kafka, with
                                                       /metrics, /healthz, /readyz
  ingest brands  [flags] REGISTRY.yaml | --delete ID   brand registry into Kafka

Files are read from stdin when none or "-" is given. Every command but check
takes --brokers (default $KAFKA_BROKERS or 127.0.0.1:9092) and --topic-*
overrides, and creates missing topics first. "ingest COMMAND -h" says more.
`

const checkUsage = `Usage: ingest check [LISTINGS.jsonl ...]   (stdin when no file or "-")

Report every invalid line on stderr as FILE:LINE: reason and print a count
per file. Exit status 0 all valid, 1 some lines invalid, 2 usage.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitFailure
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "check":
		return runCheck(rest, stdin, stdout, stderr)
	case "publish", "csv":
		return runPublish(ctx, cmd, rest, stdin, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, stderr)
	case "brands":
		return runBrands(ctx, rest, stdout, stderr)
	}
	fmt.Fprintf(stderr, "ingest: unknown command %q\n\n%s", cmd, usage)
	return exitFailure
}

// parse parses a subcommand's flags; ok false means return code.
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitFailure, false
	}
	return 0, true
}

func newFlagSet(name, help string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), help)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(fs.Output(), "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// kafkaFlags are the flags every Kafka command takes.
type kafkaFlags struct {
	cluster stream.ClusterConfig
	topics  stream.Topics
}

func addKafkaFlags(fs *flag.FlagSet) *kafkaFlags {
	k := &kafkaFlags{cluster: stream.ClusterConfigFromEnv(), topics: stream.DefaultTopics()}
	k.cluster.AddFlags(fs)
	fs.StringVar(&k.topics.Listings, "topic-listings", k.topics.Listings, "topic of valid listings")
	fs.StringVar(&k.topics.Rejected, "topic-rejected", k.topics.Rejected, "topic of rejected events (dead letters)")
	fs.StringVar(&k.topics.Brands, "topic-brands", k.topics.Brands, "compacted topic of the brand registry")
	fs.StringVar(&k.topics.Candidates, "topic-candidates", k.topics.Candidates, "topic of flagged candidates (created, not written)")
	fs.StringVar(&k.topics.Feedback, "topic-feedback", k.topics.Feedback, "compacted topic of analysts' decisions (created, not written)")
	return k
}

// connect checks the connection flags and creates missing topics. Its
// callers check the topic names first (Topics.Validate), before reading
// input or binding an address, so that a mistake costs no wait on Kafka.
func (k *kafkaFlags) connect(ctx context.Context) (stream.Cluster, error) {
	c, err := k.cluster.Cluster()
	if err != nil {
		return stream.Cluster{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := stream.EnsureTopics(ctx, c, k.topics, stream.DefaultLayout()); err != nil {
		return stream.Cluster{}, err
	}
	return c, nil
}

func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", checkUsage, stderr)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	sources, closeAll, err := scan.Open(fs.Args(), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ingest: %v\n", err)
		return exitFailure
	}
	defer closeAll()
	status := exitOK
	for _, src := range sources {
		valid, invalid, err := check(src.Name, src.R, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "ingest: %s: %v\n", src.Name, err)
			return exitFailure
		}
		fmt.Fprintf(stdout, "%s: %d valid, %d invalid\n", src.Name, valid, invalid)
		if invalid > 0 {
			status = exitRejected
		}
	}
	return status
}

func check(name string, r io.Reader, stderr io.Writer) (valid, invalid int, err error) {
	lr := listing.NewReader(r)
	for {
		_, line, err := lr.Next()
		var le *listing.LineError
		switch {
		case errors.Is(err, io.EOF):
			return valid, invalid, nil
		case errors.As(err, &le):
			invalid++
			fmt.Fprintf(stderr, "%s:%d: %v\n", name, line, le.Err)
		case err != nil:
			return valid, invalid, err
		default:
			valid++
		}
	}
}

const publishUsage = `Usage: ingest publish [flags] [LISTINGS.jsonl ...]   (stdin when no file or "-")

Validate each line with the listing contract and publish it: a valid listing
goes to the listings topic keyed by its id, with the line's bytes as value;
an invalid line goes to the rejected topic with its reason and FILE:LINE in
headers, and is reported on stderr as FILE:LINE: reason. Lines are written in
batches (--batch-size), each acknowledged by all in-sync replicas; a slow
stream on stdin is published as it comes. Progress goes to stderr every few
seconds, a summary to stdout at the end.

Exit status 0 all published, 1 some lines rejected, 2 interrupted, usage,
unreadable input or a Kafka error (the summary says what was published
before it).
`

const csvUsage = `Usage: ingest csv --mapping MAP.yaml [flags] [EXPORT.csv ...]   (stdin when no file or "-")

Publish the rows of CSV exports with a header row like "ingest publish"
does lines: each row becomes a listing (JSON) by the mapping, is validated,
and goes to the listings topic, or to the rejected topic as its CSV line,
reported on stderr as FILE:LINE: reason (the header is line 1).

The mapping (YAML) names the column of each listing field, the separator of
the images cell and constant defaults for fields with no column or an empty
cell:

  id: item_id
  title: item_title
  description: desc
  price.amount: price
  price.currency: currency
  seller.id: seller_id
  seller.name: seller_name
  url: link
  marketplace: site
  images: image_urls
  observed_at: seen_at          # RFC 3339
  images_separator: "|"
  defaults: {marketplace: shopnet, price.currency: USD}
  delimiter: ","                # or ";", "\t" (tab), "|"
  decimal_comma: false          # true reads prices written 1.234,50

id, title, price.amount, price.currency and seller.id need a column or a
default. A mapped column missing from a file's header is a usage error.
internal/ingest/testdata/mapping.yaml is a worked example.

Exit status 0 all published, 1 some rows rejected, 2 interrupted, usage, a
mapping that does not fit, unreadable input or a Kafka error.
`

func runPublish(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	help := publishUsage
	if cmd == "csv" {
		help = csvUsage
	}
	fs := newFlagSet(cmd, help, stderr)
	kf := addKafkaFlags(fs)
	batchSize := fs.Int("batch-size", ingest.DefaultBatchSize, "messages per Kafka write; larger batches publish faster on many partitions")
	mappingPath := ""
	if cmd == "csv" {
		fs.StringVar(&mappingPath, "mapping", "", "YAML `file` mapping listing fields to CSV columns (required)")
	}
	if code, ok := parse(fs, args); !ok {
		return code
	}
	var mapping *ingest.Mapping
	if cmd == "csv" {
		if mappingPath == "" {
			fmt.Fprintf(stderr, "ingest csv: --mapping is required\n\n")
			fs.Usage()
			return exitFailure
		}
		m, err := ingest.LoadMapping(mappingPath)
		if err != nil {
			fmt.Fprintf(stderr, "ingest csv: %v\n", err)
			return exitFailure
		}
		mapping = m
	}
	if *batchSize < 1 {
		fmt.Fprintf(stderr, "ingest %s: --batch-size must be at least 1, not %d\n", cmd, *batchSize)
		return exitFailure
	}
	if err := kf.topics.Validate(); err != nil {
		fmt.Fprintf(stderr, "ingest %s: %v\n", cmd, err)
		return exitFailure
	}
	sources, closeAll, err := scan.Open(fs.Args(), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ingest %s: %v\n", cmd, err)
		return exitFailure
	}
	defer closeAll()
	kafka, err := kf.connect(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "ingest %s: %v\n", cmd, err)
		return exitFailure
	}
	p, err := ingest.NewPublisher(ingest.Options{Kafka: kafka, Topics: kf.topics, BatchSize: *batchSize})
	if err != nil {
		fmt.Fprintf(stderr, "ingest %s: %v\n", cmd, err)
		return exitFailure
	}

	start := time.Now()
	var total ingest.Result
	status := exitOK
	for _, src := range sources {
		before := total
		opts := ingest.FeedOptions{
			OnReject: func(source string, reason error) { fmt.Fprintf(stderr, "%s: %v\n", source, reason) },
			Progress: func(r ingest.Result) {
				r = before.Add(r)
				fmt.Fprintf(stderr, "ingest: %s: %d published, %d rejected so far (%s)\n", src.Name, r.Published, r.Rejected, time.Since(start).Round(time.Second))
			},
		}
		var res ingest.Result
		if mapping != nil {
			res, err = p.PublishCSV(ctx, src.Name, src.R, mapping, opts)
		} else {
			res, err = p.PublishJSONL(ctx, src.Name, src.R, opts)
		}
		total = total.Add(res)
		if err != nil {
			switch {
			case err == context.Canceled: //nolint:errorlint // the feed's own, unwrapped: nothing else went wrong
				err = errors.New("interrupted; the listings read before were published")
			case errors.Is(err, context.Canceled):
				err = fmt.Errorf("interrupted, and the listings read before were not all published: %w", err)
			}
			fmt.Fprintf(stderr, "ingest %s: %s: %v\n", cmd, src.Name, err)
			status = exitFailure
			break
		}
		if len(sources) > 1 {
			fmt.Fprintf(stdout, "%s: %d published, %d rejected\n", src.Name, res.Published, res.Rejected)
		}
	}
	if err := stream.CloseWithin(closeTimeout, p.Close); err != nil {
		fmt.Fprintf(stderr, "ingest %s: close Kafka writers: %v\n", cmd, err)
		status = exitFailure
	}
	fmt.Fprintf(stdout, "published %d, rejected %d in %s\n", total.Published, total.Rejected, time.Since(start).Round(time.Millisecond))
	if status == exitOK && total.Rejected > 0 {
		status = exitRejected
	}
	return status
}

const serveUsage = `Usage: ingest serve [--listen 127.0.0.1:8080] [flags]

Serve the ingest HTTP API until interrupted (SIGINT/SIGTERM), then finish
the requests in flight and stop.

  POST /v1/listings   body: NDJSON (Content-Type application/x-ndjson,
                      application/ndjson or text/plain, one listing a line)
                      or a JSON array (application/json), plain or with
                      Content-Encoding: gzip. Answers 202 once Kafka has
                      acknowledged the valid listings:
                        {"accepted": 2, "rejected": [{"index": 1, "id": "x", "error": "..."}]}
                      index counts items from 0 (array elements, non-blank
                      lines); rejected items also go to the rejected topic.
                      400 malformed body, 405 wrong method, 413 body too
                      large, 415 other Content-Type, 503 Kafka unavailable
                      (retry; consumers deduplicate by listing id).
  GET  /metrics       Prometheus metrics: assay_ingest_listings_accepted_total,
                      assay_ingest_listings_rejected_total{reason}
                      (json, csv, field, too_large, other),
                      assay_ingest_publish_duration_seconds,
                      assay_ingest_publish_errors_total,
                      assay_ingest_http_requests_total{code} (POST
                      /v1/listings and errors, not these three paths), and
                      the Go runtime and process metrics.
  GET  /healthz       200 while serving (does not probe Kafka).
  GET  /readyz        200 when a Kafka broker answers a metadata request,
                      else 503 naming the failed check ("kafka: ...").

Example:
  curl -H 'Content-Type: application/x-ndjson' --data-binary @listings.jsonl \
    http://127.0.0.1:8080/v1/listings

Exit status 0 after a clean shutdown, 2 usage, listen or Kafka errors.
`

// lateHandler lets the server's address be bound before its handler,
// which needs Kafka, exists; the server serves only once h is set.
type lateHandler struct{ h http.Handler }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { l.h.ServeHTTP(w, r) }

func runServe(ctx context.Context, args []string, stderr io.Writer) (status int) {
	fs := newFlagSet("serve", serveUsage, stderr)
	kf := addKafkaFlags(fs)
	listen := fs.String("listen", "127.0.0.1:8080", "`address` to serve the API, /metrics, /healthz and /readyz on")
	maxBody := fs.Int64("max-body-bytes", ingest.DefaultMaxBodyBytes, "largest request body accepted; larger ones get 413")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ingest serve: unexpected arguments %q\n", fs.Args())
		return exitFailure
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if *maxBody < 0 {
		log.Error("--max-body-bytes must not be negative", "value", *maxBody)
		return exitFailure
	}
	if err := kf.topics.Validate(); err != nil {
		log.Error("topics", "err", err)
		return exitFailure
	}
	// The address is bound before Kafka is reached: a port in use is
	// reported at once, not after the wait for a broker.
	late := &lateHandler{}
	srv, err := ingest.Listen(ingest.ServerOptions{Addr: *listen, Handler: late, Logger: log})
	if err != nil {
		log.Error("listen", "err", err)
		return exitFailure
	}
	defer srv.Close() // for the returns before Serve; after it, a no-op
	kafka, err := kf.connect(ctx)
	if err != nil {
		log.Error("connect to Kafka", "err", err)
		return exitFailure
	}
	reg := ops.NewRegistry()
	p, err := ingest.NewPublisher(ingest.Options{Kafka: kafka, Topics: kf.topics, Logger: log, Registerer: reg})
	if err != nil {
		log.Error("publisher", "err", err)
		return exitFailure
	}
	defer func() {
		if err := stream.CloseWithin(closeTimeout, p.Close); err != nil {
			log.Error("close Kafka writers", "err", err)
			status = exitFailure // not a clean shutdown
		}
	}()
	h, err := ingest.NewHandler(p, ingest.HandlerOptions{MaxBodyBytes: *maxBody, Logger: log, Gatherer: reg})
	if err != nil {
		log.Error("handler", "err", err)
		return exitFailure
	}
	late.h = h
	log.Info("listening", "addr", "http://"+srv.Addr().String(), "kafka", kafka.String(), "topic", kf.topics.Listings)
	if err := srv.Serve(ctx); err != nil {
		log.Error("serve", "err", err)
		return exitFailure
	}
	st := p.Stats()
	log.Info("stopped", "published", st.Published, "rejected", st.Rejected, "write_failures", st.WriteFailures)
	return exitOK
}

const brandsUsage = `Usage: ingest brands [flags] REGISTRY.yaml
       ingest brands [flags] --delete ID [--delete ID ...]

Publish the brand registry to the compacted brands topic: one record per
brand, keyed by id, with the perceptual hashes of its local reference images
(remote http(s) images are not fetched here: they stay in the record for the
matcher to fetch, and are listed as warnings). The topic's current records
are read first; brands that did not change are not republished. Each brand
is printed as added, updated, unchanged or deleted. If a reference image
cannot be hashed nothing is published.

With --delete-missing, brands on the topic that are not in the file are
deleted (tombstones). --delete ID deletes single brands without a file.

Exit status 0 done, 1 invalid registry or reference image, 2 usage or a
Kafka error.
`

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runBrands(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("brands", brandsUsage, stderr)
	kf := addKafkaFlags(fs)
	deleteMissing := fs.Bool("delete-missing", false, "delete brands on the topic that are not in the file")
	force := fs.Bool("force", false, "republish unchanged brands too")
	var deletes stringList
	fs.Var(&deletes, "delete", "publish a tombstone for brand `ID` (repeatable; no file)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	switch {
	case len(deletes) > 0 && fs.NArg() > 0:
		fmt.Fprint(stderr, "ingest brands: give a registry file or --delete, not both\n")
		return exitFailure
	case len(deletes) == 0 && fs.NArg() != 1:
		fmt.Fprint(stderr, "ingest brands: give one registry file\n\n")
		fs.Usage()
		return exitFailure
	case len(deletes) > 0 && (*deleteMissing || *force):
		fmt.Fprint(stderr, "ingest brands: --delete-missing and --force go with a registry file\n")
		return exitFailure
	}
	for _, id := range deletes {
		if !brand.ValidID(id) {
			fmt.Fprintf(stderr, "ingest brands: --delete %q is not a brand id (lower case letters, digits, single hyphens)\n", id)
			return exitFailure
		}
	}
	if err := kf.topics.Validate(); err != nil {
		fmt.Fprintf(stderr, "ingest brands: %v\n", err)
		return exitFailure
	}
	var reg *brand.Registry
	if len(deletes) == 0 {
		r, err := brand.LoadFile(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "ingest brands: %v\n", err)
			if !errors.Is(err, brand.ErrInvalid) {
				return exitFailure // unreadable, as for publish
			}
			return exitRejected
		}
		reg = r
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	kafka, err := kf.connect(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "ingest brands: %v\n", err)
		return exitFailure
	}
	b, err := ingest.NewBrands(ingest.BrandsOptions{Kafka: kafka, Topic: kf.topics.Brands, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "ingest brands: %v\n", err)
		return exitFailure
	}
	var rep *ingest.BrandReport
	if reg != nil {
		rep, err = b.Sync(ctx, reg, ingest.SyncOptions{DeleteMissing: *deleteMissing, Force: *force})
	} else {
		rep, err = b.Delete(ctx, deletes)
	}
	if cerr := stream.CloseWithin(closeTimeout, b.Close); err == nil && cerr != nil {
		err = fmt.Errorf("close Kafka writer: %w", cerr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ingest brands: %v\n", err)
		if errors.Is(err, ingest.ErrReferenceImage) {
			return exitRejected
		}
		return exitFailure
	}
	for _, ch := range rep.Changes {
		switch {
		case ch.Change == ingest.Absent:
			fmt.Fprintf(stdout, "absent    %s (not on the topic: nothing deleted; a tombstone went out in case it is on its way)\n", ch.ID)
		case ch.Change == ingest.Deleted:
			fmt.Fprintf(stdout, "deleted   %s\n", ch.ID)
		default:
			fmt.Fprintf(stdout, "%-9s %s (%d reference hashes)\n", ch.Change, ch.ID, ch.Hashes)
		}
	}
	fmt.Fprintf(stdout, "brands on %s: %d added, %d updated, %d unchanged, %d deleted", kf.topics.Brands,
		rep.Count(ingest.Added), rep.Count(ingest.Updated), rep.Count(ingest.Unchanged), rep.Count(ingest.Deleted))
	if n := rep.Count(ingest.Absent); n > 0 {
		fmt.Fprintf(stdout, ", %d not on the topic", n)
	}
	fmt.Fprintln(stdout)
	return exitOK
}
