package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/stream"
)

// watch follows every partition of the candidates topic from its beginning
// and prints each candidate once (repeats of a listing id and content hash,
// which at-least-once delivery allows, are dropped).
func watch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kc := stream.ClusterConfigFromEnv()
	kc.AddFlags(fs)
	kc.AddOutageFlag(fs)
	topic := fs.String("topic-candidates", stream.DefaultTopics().Candidates, "candidates topic")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	cluster, err := kc.Cluster()
	if err != nil {
		fmt.Fprintf(stderr, "reporter watch: %v\n", err)
		return 2
	}
	topics := stream.DefaultTopics()
	topics.Candidates = *topic
	if err := stream.EnsureTopics(ctx, cluster, topics, stream.DefaultLayout()); err != nil {
		fmt.Fprintf(stderr, "reporter watch: %v\n", err)
		return 1
	}
	spans, err := stream.Spans(ctx, cluster, *topic)
	if err != nil {
		fmt.Fprintf(stderr, "reporter watch: %v\n", err)
		return 1
	}
	from := make(map[int]int64, len(spans))
	for _, s := range spans {
		from[s.Partition] = kafka.FirstOffset
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	perBrand := map[string]int{}
	retro := 0
	fmt.Fprintf(stderr, "reporter watch: following %s on %s (Ctrl-C to stop)\n", *topic, cluster)
	err = stream.Tail(ctx, cluster, *topic, from, 0, func(m kafka.Message) error {
		var c stream.Candidate
		if err := json.Unmarshal(m.Value, &c); err != nil {
			fmt.Fprintf(stderr, "%s/%d@%d: not a candidate: %v\n", *topic, m.Partition, m.Offset, err)
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		key := c.ListingID + "/" + c.ContentHash + "/" + c.BrandID
		if !seen[key] {
			seen[key] = true
			perBrand[c.BrandID]++
			if c.Retroactive {
				retro++
			}
			fmt.Fprint(stdout, describe(&c))
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "reporter watch: %v\n", err)
		return 1
	}
	ids := make([]string, 0, len(perBrand))
	total := 0
	for id, n := range perBrand {
		ids = append(ids, id)
		total += n
	}
	sort.Strings(ids)
	var parts []string
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf("%s %d", id, perBrand[id]))
	}
	fmt.Fprintf(stdout, "\n%d candidates (%d from re-scans): %s\n", total, retro, strings.Join(parts, ", "))
	return 0
}

func describe(c *stream.Candidate) string {
	var b strings.Builder
	tag := ""
	if c.Retroactive {
		tag = " [re-scan]"
	}
	title := ""
	if c.Listing != nil {
		title = c.Listing.Title
	}
	fmt.Fprintf(&b, "FLAGGED %s  %s  score %.2f%s  %q\n", c.ListingID, c.BrandID, c.Score, tag, title)
	for _, s := range c.Signals {
		if s.Score > 0 {
			fmt.Fprintf(&b, "    %-6s %.2f  %s\n", s.Kind, s.Score, s.Evidence)
		}
	}
	return b.String()
}
