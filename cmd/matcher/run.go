package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/assay-dev/assay/internal/fetch"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/matcher"
	"github.com/assay-dev/assay/internal/ops"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// topicFlags are the topic-name flags every Kafka command shares.
func topicFlags(fs *flag.FlagSet, t *stream.Topics) {
	d := stream.DefaultTopics()
	fs.StringVar(&t.Listings, "topic-listings", d.Listings, "listings topic")
	fs.StringVar(&t.Rejected, "topic-rejected", d.Rejected, "dead-letter topic for invalid listings")
	fs.StringVar(&t.Brands, "topic-brands", d.Brands, "compacted brand registry topic")
	fs.StringVar(&t.Candidates, "topic-candidates", d.Candidates, "flagged listings topic")
	fs.StringVar(&t.Feedback, "topic-feedback", d.Feedback, "compacted topic of analysts' decisions the matcher learns from")
}

func runStream(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kc := stream.ClusterConfigFromEnv()
	kc.AddFlags(fs)
	kc.AddOutageFlag(fs)
	group := fs.String("group", "assay-matcher", "consumer group; matchers sharing it share the listings' partitions")
	workers := fs.Int("workers", 0, "listings scored in parallel (default 2 per CPU)")
	listen := fs.String("listen", "127.0.0.1:9101", "serve /metrics, /healthz and /readyz on `ADDR` (empty: off)")
	retro := fs.Bool("retro-scan", true, "re-scan retained listings when a brand is added or changed")
	threshold := fs.Float64("threshold", score.DefaultThreshold, "default score at or above which a listing is flagged")
	imageTimeout := fs.Duration("image-timeout", fetch.DefaultTimeout, "time limit for fetching one image")
	imageWorkers := fs.Int("image-workers", 16, "images fetched at once")
	allowLoopback := fs.Bool("allow-loopback-images", false, "fetch images from loopback addresses (tests and the demo only)")
	allowPrivate := fs.Bool("allow-private-images", false, "fetch images from private and link-local addresses (never cloud metadata)")
	noImages := fs.Bool("no-images", false, "do not fetch listing images (text, price and seller signals only)")
	imageDir := fs.String("image-dir", "", "read images given as relative paths from `DIR` (listings exported with their photos, like the bundled fixtures); URLs are still fetched")
	shutdown := fs.Duration("shutdown-timeout", 10*time.Second, "time allowed to finish the work in hand on SIGINT/SIGTERM")
	lagInterval := fs.Duration("lag-interval", 15*time.Second, "how often the group's lag is read from the broker for /metrics (negative: never)")
	session := fs.Duration("session-timeout", 30*time.Second, "consumer group session: a matcher that dies without leaving holds its partitions this long (brokers allow 6s to 5m by default)")
	verbose := fs.Bool("v", false, "log at debug level")
	var topics stream.Topics
	topicFlags(fs, &topics)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: matcher run [flags]\n\nScores the listings topic continuously against the brands topic.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if strings.TrimSpace(*group) == "" {
		fmt.Fprint(stderr, "matcher run: --group is empty: name the consumer group the matchers of this deployment share\n")
		return exitUsage
	}
	kafka, err := kc.Cluster()
	if err != nil {
		fmt.Fprintf(stderr, "matcher run: %v\n", err)
		return exitUsage
	}
	reg := ops.NewRegistry()
	opts := matcher.Options{
		Kafka: kafka, Topics: topics, Group: *group, Workers: *workers, RetroScan: *retro,
		Score:           score.Options{Threshold: *threshold, Logger: logger},
		ShutdownTimeout: *shutdown, LagInterval: *lagInterval, SessionTimeout: *session,
		Logger: logger, Registerer: reg,
	}
	if !*noImages {
		f, err := fetch.New(fetch.Options{
			Timeout: *imageTimeout, Workers: *imageWorkers, AllowLoopback: *allowLoopback, AllowPrivate: *allowPrivate,
			Limits: imagehash.DefaultLimits(), Logger: logger,
		})
		if err != nil {
			fmt.Fprintf(stderr, "matcher run: %v\n", err)
			return exitUsage
		}
		reg.MustRegister(f)
		opts.Images = f
		if *imageDir != "" {
			opts.Images = fetch.Local{Dir: *imageDir, Limits: imagehash.DefaultLimits(), Remote: f}
		}
	}
	m, err := matcher.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "matcher run: %v\n", err)
		return exitUsage
	}
	var srv *http.Server
	if *listen != "" {
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			fmt.Fprintf(stderr, "matcher run: listen: %v\n", err)
			return exitUsage
		}
		checks := []ops.Check{
			{Name: "kafka", Probe: func(ctx context.Context) error {
				return stream.Reachable(ctx, kafka, topics.Listings, topics.Brands, topics.Candidates)
			}},
			ops.Flag("matcher", "loading the brand registry or joining the consumer group", m.Ready),
		}
		srv = &http.Server{Handler: ops.Handler(reg, checks...), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("ops server", "err", err)
			}
		}()
		logger.Info("serving /metrics, /healthz, /readyz", "addr", ln.Addr().String())
	}
	logger.Info("matcher starting", "kafka", kafka.String(), "group", *group, "listings", topics.Listings, "candidates", topics.Candidates)
	err = m.Run(ctx)
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = srv.Shutdown(sctx)
		cancel()
	}
	if err != nil {
		logger.Error("matcher stopped", "err", err)
		return 1
	}
	logger.Info("matcher stopped")
	return exitOK
}
