// Command matcher scores marketplace listings against a brand registry and
// flags likely counterfeits, with the evidence for every verdict.
//
//	matcher run [--brokers HOST:PORT] [flags]
//	matcher scan --brands FILE [--all] [LISTINGS.jsonl ...]
//	matcher eval --brands FILE --labels FILE LISTINGS.jsonl
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/eval"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/scan"
	"github.com/assay-dev/assay/internal/score"
)

// Exit statuses: 1 when some input lines were rejected, 2 for a bad registry
// or bad usage (nothing was scanned).
const (
	exitOK       = 0
	exitRejected = 1
	exitUsage    = 2
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

const usage = `matcher finds counterfeit listings by scoring them against a brand registry.

Usage:
  matcher run [--brokers HOST:PORT,...] [flags]
      Continuous scanning: follow the brand registry on the brands topic,
      consume listings in a consumer group (start more matchers to scale out),
      publish flagged listings to the candidates topic, and re-scan retained
      listings when a brand is added or changed. Brokers default to
      $KAFKA_BROKERS, else 127.0.0.1:9092 (make demo's embedded broker).

  matcher scan --brands FILE [--all] [flags] [LISTINGS.jsonl ...]
      Read listings (JSON Lines; stdin when no file or "-") and write verdicts
      as JSON Lines to stdout: flagged listings only, or every one with --all.
      Malformed lines are reported on stderr as FILE:LINE: reason and skipped.
      Exit status: 0 all lines read, 1 some lines rejected, 2 bad registry or usage.

  matcher eval --brands FILE --labels LABELS.jsonl [flags] LISTINGS.jsonl ...
      Score labelled listings and print precision, recall and F1, recall per
      tactic and image transform, and the false-flag rate per negative class.

Run "matcher COMMAND --help" for a command's flags.
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal the default action is restored, so a second
	// one ends the process at once. The goroutine ends with ctx.
	go func() { <-ctx.Done(); stop() }()
	switch args[0] {
	case "run":
		return runStream(ctx, args[1:], stderr)
	case "scan":
		return runScan(ctx, args[1:], stdin, stdout, stderr)
	case "eval":
		return runEval(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "matcher: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// engineFlags are the flags every command that scores shares.
type engineFlags struct {
	brands         string
	rates          string
	threshold      float64
	imageThreshold int
	verbose        bool
}

func (f *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.brands, "brands", "", "brand registry `FILE` (YAML or JSON); required")
	fs.StringVar(&f.rates, "rates", "", "currency rate `FILE` (JSON object: code -> value of one unit in a common base currency); default: a built-in table")
	fs.Float64Var(&f.threshold, "threshold", score.DefaultThreshold, "default score at or above which a listing is flagged (a brand's own threshold wins)")
	fs.IntVar(&f.imageThreshold, "image-threshold", imagehash.DefaultThreshold, "largest perceptual-hash distance (of 64 bits) counted as an image match")
	fs.BoolVar(&f.verbose, "v", false, "log progress and warnings in detail")
}

func (f *engineFlags) engine(logger *slog.Logger) (*score.Engine, *brand.Registry, error) {
	if f.brands == "" {
		return nil, nil, errors.New("--brands is required")
	}
	reg, err := brand.LoadFile(f.brands)
	if err != nil {
		return nil, nil, err
	}
	opts := score.Options{Threshold: f.threshold, ImageThreshold: f.imageThreshold, Logger: logger}
	if f.rates != "" {
		data, err := os.ReadFile(f.rates)
		if err != nil {
			return nil, nil, fmt.Errorf("read rates: %w", err)
		}
		var r price.Rates
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, nil, fmt.Errorf("%s: rates must be a JSON object of currency code to number: %w", f.rates, err)
		}
		if err := r.Validate(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.rates, err)
		}
		opts.Rates = r
	}
	eng, err := score.New(reg, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", f.brands, err)
	}
	return eng, reg, nil
}

func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func runScan(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	all := fs.Bool("all", false, "write a verdict for every listing, not only flagged ones")
	quiet := fs.Bool("q", false, "do not print the summary line on stderr")
	format := fs.String("format", "jsonl", "output `format`: jsonl (one verdict per line, the contract) or text (for people)")
	imageDir := fs.String("image-dir", "", "read images given as relative paths from `DIR` (default: the listings file's directory; the working directory for stdin)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: matcher scan --brands FILE [--all] [flags] [LISTINGS.jsonl ...]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *format != "jsonl" && *format != "text" {
		fmt.Fprintf(stderr, "matcher scan: --format must be jsonl or text, not %q\n", *format)
		return exitUsage
	}
	logger := newLogger(stderr, ef.verbose)
	eng, reg, err := ef.engine(logger)
	if err != nil {
		fmt.Fprintf(stderr, "matcher scan: %v\n", err)
		return exitUsage
	}
	sources, closeAll, err := scan.Open(fs.Args(), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "matcher scan: %v\n", err)
		return exitUsage
	}
	defer closeAll()
	if *imageDir != "" {
		for i := range sources {
			sources[i].Dir = *imageDir
		}
	}
	opts := scan.Options{All: *all, Text: *format == "text", Rejects: stderr}
	if ef.verbose {
		opts.Progress = func(st scan.Stats) {
			logger.Info("scanning", "scanned", st.Scanned, "flagged", st.Flagged, "rejected", st.Rejected, "elapsed", st.Elapsed.Round(time.Second))
		}
	}
	st, err := scan.Run(ctx, eng, sources, stdout, opts)
	if err != nil {
		fmt.Fprintf(stderr, "matcher scan: %v\n", err)
		return exitUsage
	}
	if !*quiet {
		fmt.Fprintf(stderr, "matcher scan: %d listings scanned against %d brands, %d flagged, %d lines rejected, in %s\n",
			st.Scanned, len(reg.Brands), st.Flagged, st.Rejected, st.Elapsed.Round(time.Millisecond))
	}
	// Said even with -q: verdicts without their photos are weaker ones.
	if st.ImagesUnread > 0 {
		fmt.Fprintf(stderr, "matcher scan: %d listing images could not be read, and their listings were scored without them (e.g. %s); relative paths are read from the listings file's directory, or from --image-dir\n",
			st.ImagesUnread, st.FirstUnread)
	}
	if st.ImagesRemote > 0 {
		fmt.Fprintf(stderr, "matcher scan: %d listing images are http(s) URLs, which a batch scan does not fetch (matcher run does)\n", st.ImagesRemote)
	}
	if st.Rejected > 0 {
		return exitRejected
	}
	return exitOK
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	labels := fs.String("labels", "", "labels `FILE` (JSON Lines: listing_id, counterfeit, brand_id, tactics, image_transform, negative_class); required")
	misses := fs.Bool("misses", false, "also list every missed counterfeit and every false flag with its evidence")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: matcher eval --brands FILE --labels FILE [flags] LISTINGS.jsonl ...\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *labels == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "matcher eval: --labels and at least one listings file are required")
		fs.Usage()
		return exitUsage
	}
	logger := newLogger(stderr, ef.verbose)
	eng, _, err := ef.engine(logger)
	if err != nil {
		fmt.Fprintf(stderr, "matcher eval: %v\n", err)
		return exitUsage
	}
	lab, err := eval.ReadLabelsFile(*labels)
	if err != nil {
		fmt.Fprintf(stderr, "matcher eval: %v\n", err)
		return exitUsage
	}
	sources, closeAll, err := scan.Open(fs.Args(), nil)
	if err != nil {
		fmt.Fprintf(stderr, "matcher eval: %v\n", err)
		return exitUsage
	}
	defer closeAll()
	rep, err := eval.Run(ctx, eng, sources, lab, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "matcher eval: %v\n", err)
		return exitUsage
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "matcher eval: %v\n", err)
			return exitUsage
		}
	} else {
		rep.WriteText(stdout, *misses)
	}
	if rep.Rejected > 0 {
		return exitRejected
	}
	return exitOK
}
