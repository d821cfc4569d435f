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
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casesearch"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/fetch"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/ops"
	"github.com/assay-dev/assay/internal/reporter"
	"github.com/assay-dev/assay/internal/stream"
	"github.com/assay-dev/assay/internal/web"
	oklog "github.com/oklog/run"
)

// runIntake consumes the candidates topic into the case database.
func runIntake(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kc := stream.ClusterConfigFromEnv()
	kc.AddFlags(fs)
	kc.AddOutageFlag(fs)
	db := fs.String("db", "assay-cases.db", "case database `FILE` (SQLite; created if missing)")
	topic := fs.String("topic-candidates", stream.DefaultTopics().Candidates, "candidates topic")
	group := fs.String("group", "assay-reporter", "consumer group")
	session := fs.Duration("session-timeout", 30*time.Second, "consumer group session: a reporter that dies without leaving holds its partitions this long (brokers allow 6s to 5m by default)")
	listen := fs.String("listen", "127.0.0.1:8090", "serve the analyst UI, /metrics, /healthz and /readyz on `ADDR` (empty: off)")
	metricsCache := fs.Duration("metrics-cache", 5*time.Second, "how long one count of the case database answers /metrics scrapes")
	feedbackTopic := fs.String("topic-feedback", stream.DefaultTopics().Feedback, "topic analysts' decisions are published to for the matchers")
	brandsTopic := fs.String("topic-brands", stream.DefaultTopics().Brands, "brands topic: followed for notices, published to by the registration form")
	imageDir := fs.String("image-dir", "", "show evidence photos given as relative paths from `DIR` (as the matcher's --image-dir)")
	fetchImages := fs.Bool("fetch-images", true, "fetch listing photos given as URLs to show them beside the reference (under the same guards as the matcher)")
	strikes := fs.Int("strikes", casestore.DefaultStrikes, "confirmed cases that mark a seller a repeat infringer")
	allowLoopback := fs.Bool("allow-loopback-images", false, "let photo fetching reach loopback addresses (tests and demos only)")
	insecureCookies := fs.Bool("insecure-cookies", false, "send the session cookie without Secure, for plain HTTP to hosts other than localhost (prefer TLS)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	kafka, err := kc.Cluster()
	if err != nil {
		fmt.Fprintf(stderr, "reporter run: %v\n", err)
		return 2
	}
	store, err := casestore.Open(ctx, *db)
	if err != nil {
		fmt.Fprintf(stderr, "reporter run: %v\n", err)
		return 1
	}
	defer store.Close()
	accts, err := account.Open(ctx, *db)
	if err != nil {
		fmt.Fprintf(stderr, "reporter run: %v\n", err)
		return 1
	}
	defer accts.Close()
	if n, err := accts.CountAdmins(ctx); err == nil && n == 0 && *listen != "" {
		logger.Warn("no admin account yet: nobody can sign in until one is made", "do", "reporter users add NAME --role admin --db "+*db)
	}
	reg := ops.NewRegistry()
	in, err := reporter.NewIntake(store, reporter.Options{Kafka: kafka, Topic: *topic, Group: *group, SessionTimeout: *session, Logger: logger, Registerer: reg})
	if err != nil {
		fmt.Fprintf(stderr, "reporter run: %v\n", err)
		return 2
	}
	if _, err := reporter.NewCaseMetrics(store, reporter.CaseMetricsOptions{Strikes: *strikes, CacheFor: *metricsCache, Logger: logger, Registerer: reg}); err != nil {
		fmt.Fprintf(stderr, "reporter run: %v\n", err)
		return 1
	}
	var g oklog.Group
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if *listen != "" {
		teacher := reporter.NewTeacher(kafka, *feedbackTopic)
		defer teacher.Close()
		search, err := casesearch.Open(*db+".search", store)
		if err != nil {
			fmt.Fprintf(stderr, "reporter run: %v\n", err)
			return 1
		}
		defer search.Close()
		brands := reporter.NewBrandPublisher(kafka, *brandsTopic)
		defer brands.Close()
		directory := reporter.NewDirectory(kafka, *brandsTopic, logger)
		uploads := *db + ".uploads"
		if err := os.MkdirAll(uploads, 0o755); err != nil {
			fmt.Fprintf(stderr, "reporter run: %v\n", err)
			return 1
		}
		photos := fetch.Photos{Dir: *imageDir, Limits: imagehash.DefaultLimits()}
		if *fetchImages {
			// Only Download is used here, which bypasses the cache: none is kept.
			f, err := fetch.New(fetch.Options{AllowLoopback: *allowLoopback, Limits: imagehash.DefaultLimits(), CacheSize: -1, Logger: logger})
			if err != nil {
				fmt.Fprintf(stderr, "reporter run: %v\n", err)
				return 2
			}
			defer f.Close()
			reg.MustRegister(f)
			photos.Remote = f
		}
		ui, err := web.New(store, web.Options{Logger: logger, Teacher: teacher, Search: search, Brands: brands, Uploads: uploads,
			Directory: directory, Images: photos, Strikes: *strikes, Accounts: accts, InsecureCookies: *insecureCookies})
		if err != nil {
			fmt.Fprintf(stderr, "reporter run: %v\n", err)
			return 1
		}
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			fmt.Fprintf(stderr, "reporter run: listen: %v\n", err)
			return 2
		}
		mux := http.NewServeMux()
		ops.Register(mux, reg,
			ops.Check{Name: "database", Probe: store.Ping},
			ops.Check{Name: "kafka", Probe: func(ctx context.Context) error { return stream.Reachable(ctx, kafka, *topic) }})
		mux.Handle("/", ui)
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		g.Add(func() error {
			logger.Info("analyst UI", "url", "http://"+ln.Addr().String()+"/cases", "metrics", "http://"+ln.Addr().String()+"/metrics")
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("ui server: %w", err)
			}
			return nil
		}, func(error) {
			sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer scancel()
			_ = srv.Shutdown(sctx)
		})
		// The brand directory gives notices their owner, contact and marks.
		g.Add(func() error { return directory.Run(ctx) }, func(error) { cancel() })
	}
	g.Add(func() error {
		logger.Info("storing candidates as cases", "db", *db, "topic", *topic, "kafka", kafka.String())
		return in.Run(ctx)
	}, func(error) { cancel() })
	if err := g.Run(); err != nil && !errors.Is(err, context.Canceled) {
		logger.Error("reporter stopped", "err", err)
		return 1
	}
	logger.Info("reporter stopped")
	return 0
}

// listCases prints cases from the database.
func listCases(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cases", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "assay-cases.db", "case database `FILE`")
	brand := fs.String("brand", "", "only this brand id")
	status := fs.String("status", "", "only this status (new, confirmed, dismissed, in_notice, removed, rejected, counter_noticed, reinstated)")
	limit := fs.Int("limit", 50, "at most this many cases, highest score first (0: all)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	f := casestore.Filter{BrandID: *brand, Limit: *limit}
	if *status != "" {
		st, err := casestore.ParseStatus(*status)
		if err != nil {
			fmt.Fprintf(stderr, "reporter cases: %v\n", err)
			return 2
		}
		f.Status = st
	}
	store, err := casestore.Open(ctx, *db)
	if err != nil {
		fmt.Fprintf(stderr, "reporter cases: %v\n", err)
		return 1
	}
	defer store.Close()
	cases, err := store.List(ctx, f)
	if err != nil {
		fmt.Fprintf(stderr, "reporter cases: %v\n", err)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tSTATUS\tBRAND\tSCORE\tLISTING\tSELLER\tTITLE")
	for _, c := range cases {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.2f\t%s\t%s\t%.60s\n", c.ID, c.Status, c.BrandID, c.Score, c.ListingID, c.SellerID, c.Title)
	}
	tw.Flush()
	return 0
}

// moveCase changes a case's status, as an analyst decides it.
func moveCase(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("move", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "assay-cases.db", "case database `FILE`")
	actor := fs.String("actor", "", "who decides (required)")
	reason := fs.String("reason", "", "why")
	why := fs.String("why", "", "for a dismissal, what it teaches the matchers: authorized (the seller) or not-infringing (this listing)")
	// Unlike the long-running commands, no default broker: a decision
	// taken offline is saved and simply not published.
	kc := stream.ClusterConfigFromEnv()
	kc.Brokers = os.Getenv("KAFKA_BROKERS")
	kc.AddFlags(fs)
	feedbackTopic := fs.String("topic-feedback", stream.DefaultTopics().Feedback, "feedback topic")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: reporter move --actor NAME [--reason TEXT] CASE STATUS\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 2 || *actor == "" {
		fs.Usage()
		return 2
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		fmt.Fprintf(stderr, "reporter move: case %q is not a number\n", fs.Arg(0))
		return 2
	}
	to, err := casestore.ParseStatus(fs.Arg(1))
	if err != nil {
		fmt.Fprintf(stderr, "reporter move: %v\n", err)
		return 2
	}
	store, err := casestore.Open(ctx, *db)
	if err != nil {
		fmt.Fprintf(stderr, "reporter move: %v\n", err)
		return 1
	}
	defer store.Close()
	if *why != "" && (to != casestore.Dismissed || (*why != reporter.WhyAuthorized && *why != reporter.WhyNotInfringing)) {
		fmt.Fprintf(stderr, "reporter move: --why %q applies to dismissals only and must be %s or %s\n", *why, reporter.WhyAuthorized, reporter.WhyNotInfringing)
		return 2
	}
	if err := store.Move(ctx, id, to, *actor, *reason); err != nil {
		fmt.Fprintf(stderr, "reporter move: %v\n", err)
		return 1
	}
	auditCLI(ctx, *db, stderr, account.Entry{Actor: *actor, Action: account.ActionDecision, Subject: fmt.Sprintf("case %d", id), Detail: account.DecisionDetail(string(to), *why, *reason)})
	fmt.Fprintf(stdout, "case %d is now %s\n", id, to)
	c, err := store.Get(ctx, id)
	if err != nil {
		fmt.Fprintf(stderr, "reporter move: %v\n", err)
		return 1
	}
	lessons, err := reporter.Lessons(c, to, *why, *actor, *reason, time.Now().UTC())
	if err != nil || len(lessons) == 0 {
		return 0
	}
	if kc.Brokers == "" {
		fmt.Fprintf(stdout, "not taught to the matchers (%d feedback records): set --brokers or KAFKA_BROKERS\n", len(lessons))
		return 0
	}
	kafka, err := kc.Cluster()
	if err != nil {
		fmt.Fprintf(stderr, "reporter move: %v\n", err)
		return 2
	}
	teacher := reporter.NewTeacher(kafka, *feedbackTopic)
	defer teacher.Close()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := teacher.Teach(tctx, c, to, *why, *actor, *reason); err != nil {
		fmt.Fprintf(stderr, "reporter move: the decision is saved, but the matchers were not told: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "taught to the matchers: %d feedback records on %s\n", len(lessons), *feedbackTopic)
	return 0
}
