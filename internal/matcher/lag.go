package matcher

import (
	"context"
	"strconv"
	"time"

	"github.com/assay-dev/assay/internal/stream"
)

// lagRun measures the group's lag on the listings topic every
// LagInterval until ctx ends. It asks the broker rather than trusting the
// reader, so a matcher whose workers hang still shows its lag growing; and
// it runs beside consumption, so a slow broker answer delays only the gauge.
func (mt *Matcher) lagRun(ctx context.Context) error {
	t := time.NewTicker(mt.opts.LagInterval)
	defer t.Stop()
	for {
		mt.measureLag(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (mt *Matcher) measureLag(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, max(mt.opts.LagInterval, 5*time.Second))
	defer cancel()
	parts, err := stream.GroupLag(ctx, mt.opts.Kafka, mt.opts.Group, mt.opts.Topics.Listings)
	if err != nil {
		if ctx.Err() == nil {
			mt.m.lagErrors.Inc()
			mt.log.Warn("consumer lag not measured", "err", err)
		}
		return
	}
	for _, p := range parts {
		label := strconv.Itoa(p.Partition)
		mt.m.lag.WithLabelValues(label).Set(float64(p.Lag))
		mt.m.endOffset.WithLabelValues(label).Set(float64(p.End))
	}
}
