// Package scan runs the batch scan: it reads listings from JSON Lines files
// or stdin, hashes their images from disk, scores them with a score.Engine
// on every core, and writes verdicts in input order. Rejected lines are
// reported as FILE:LINE: reason and skipped. Kafka, HTTP image fetching and
// case handling belong to other packages.
package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
)

// Source is one stream of listings. Dir is where relative image paths point.
type Source struct {
	Name string
	R    io.Reader
	Dir  string
}

// Options configures a scan.
type Options struct {
	// All writes a verdict for every listing, not only flagged ones.
	All bool
	// Text writes verdicts for people (a block per listing) instead of JSON Lines.
	Text bool
	// Workers scoring in parallel; 0 means GOMAXPROCS.
	Workers int
	// Rejects receives one "FILE:LINE: reason" line per rejected line.
	Rejects io.Writer
	// Progress, if set, is called every ProgressEvery with the running tally.
	Progress      func(Stats)
	ProgressEvery time.Duration
	// Each, if set, is called with every listing and its verdict, in input
	// order, whether or not the verdict is written.
	Each func(*listing.Listing, score.Verdict)
}

// Stats is the tally of a scan.
type Stats struct {
	Scanned  int
	Flagged  int
	Rejected int
	Elapsed  time.Duration
	// ImagesUnread counts listing images on disk that could not be read
	// or hashed (FirstUnread says the first, with why), ImagesRemote the
	// http(s) ones a batch scan does not fetch: those listings were scored
	// without them.
	ImagesUnread, ImagesRemote int
	FirstUnread                string
}

// batchSize is how many listings are scored in parallel before their
// verdicts are written; it keeps output in input order with bounded memory.
const batchSize = 512

type item struct {
	l       *listing.Listing
	dir     string
	verdict score.Verdict
}

// Run scans every source in order and writes verdicts to out as JSON Lines.
func Run(ctx context.Context, eng *score.Engine, sources []Source, out io.Writer, opts Options) (Stats, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Rejects == nil {
		opts.Rejects = io.Discard
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 5 * time.Second
	}
	start := time.Now()
	lastProgress := start
	h := newHasher(eng.ImageLimits())
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	var st Stats
	batch := make([]item, 0, batchSize)

	flush := func() error {
		scoreBatch(eng, h, batch, opts.Workers)
		for i := range batch {
			v := &batch[i].verdict
			if opts.Each != nil {
				opts.Each(batch[i].l, *v)
			}
			st.Scanned++
			if v.Flagged {
				st.Flagged++
			}
			if v.Flagged || opts.All {
				var err error
				if opts.Text {
					err = writeText(out, batch[i].l, v)
				} else {
					err = enc.Encode(v)
				}
				if err != nil {
					return fmt.Errorf("write verdict: %w", err)
				}
			}
		}
		batch = batch[:0]
		if opts.Progress != nil && time.Since(lastProgress) >= opts.ProgressEvery {
			lastProgress = time.Now()
			st.Elapsed = time.Since(start)
			opts.Progress(st)
		}
		return nil
	}

	for _, src := range sources {
		r := listing.NewReader(src.R)
		for {
			if err := ctx.Err(); err != nil {
				return st, err
			}
			l, line, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var le *listing.LineError
			if errors.As(err, &le) {
				st.Rejected++
				fmt.Fprintf(opts.Rejects, "%s:%d: %v\n", src.Name, line, le.Err)
				continue
			}
			if err != nil {
				return st, fmt.Errorf("%s: %w", src.Name, err)
			}
			batch = append(batch, item{l: l, dir: src.Dir})
			if len(batch) == batchSize {
				if err := flush(); err != nil {
					return st, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return st, err
	}
	st.Elapsed = time.Since(start)
	st.ImagesUnread, st.ImagesRemote, st.FirstUnread = h.unread, h.remote, h.firstUnread
	return st, nil
}

func scoreBatch(eng *score.Engine, h *hasher, batch []item, workers int) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, len(batch)) {
		wg.Go(func() {
			for i := range next {
				it := &batch[i]
				it.verdict = eng.Score(it.l, h.images(it.dir, it.l.Images))
			}
		})
	}
	for i := range batch {
		next <- i
	}
	close(next)
	wg.Wait()
}

// writeText writes one verdict as a short block an analyst can read.
func writeText(w io.Writer, l *listing.Listing, v *score.Verdict) error {
	state := "ok     "
	if v.Flagged {
		state = "FLAGGED"
	}
	brand := v.BrandID
	if brand == "" {
		brand = "-"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s  %s  score %.2f (threshold %.2f)  %q\n", state, v.ListingID, brand, v.Score, v.Threshold, l.Title)
	for _, s := range v.Signals {
		fmt.Fprintf(&b, "    %-6s %.2f  %s\n", s.Kind, s.Score, s.Evidence)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
