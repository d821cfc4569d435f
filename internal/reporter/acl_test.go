package reporter

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/stream"
)

// TestLeastPrivilege runs the reporter's Kafka parts as a principal that
// may describe, read and write topics and read groups, and nothing more
// (no CREATE, no cluster operations), against topics an administrator
// made: candidates become cases and the group's offsets are committed, the
// brand directory loads the registry and follows it, the registration form
// publishes a brand and an analyst's decision publishes feedback, the
// readiness probe answers, and nothing is logged about authorization.
func TestLeastPrivilege(t *testing.T) {
	b := kafkatest.StartACL(t)
	b.CreateTopics(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topics := stream.DefaultTopics()
	// What other programs published: the matcher's candidates, ingest's
	// registry.
	const n = 20
	var cands []kafka.Message
	for i := range n {
		cands = append(cands, candidate(fmt.Sprintf("mp-%d", i), "fullips", "h"))
	}
	writeTopic(ctx, t, b.Admin, topics.Candidates, cands...)
	fullips, _ := stream.BrandMessage("fullips", &stream.BrandRecord{Brand: brand.Brand{ID: "fullips", Name: "Fullips", Owner: "Fullips Inc."}})
	writeTopic(ctx, t, b.Admin, topics.Brands, fullips)

	app := b.App()
	logs := kafkatest.NewAuthzLog(t)
	if err := stream.Reachable(ctx, app); err != nil {
		t.Errorf("readiness probe: %v", err)
	}
	store, err := casestore.Open(ctx, filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	in, err := NewIntake(store, Options{Kafka: app, Logger: logs.Logger(), Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	dir := NewDirectory(app, topics.Brands, logs.Logger())
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	intakeDone, dirDone := make(chan error, 1), make(chan error, 1)
	go func() { intakeDone <- in.Run(runCtx) }()
	go func() { dirDone <- dir.Run(runCtx) }()
	// waitFor polls ok until it holds, failing at once if a part stopped.
	waitFor := func(what string, ok func() (bool, string)) {
		t.Helper()
		for {
			done, state := ok()
			if done {
				return
			}
			if logs.Refused() {
				t.Fatalf("waiting for %s: the reporter was refused (its warnings are below); %s", what, state)
			}
			select {
			case err := <-intakeDone:
				t.Fatalf("waiting for %s: the intake stopped: %v", what, err)
			case err := <-dirDone:
				t.Fatalf("waiting for %s: the directory stopped: %v", what, err)
			case <-ctx.Done():
				t.Fatalf("timed out waiting for %s: %s", what, state)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}

	waitFor("candidates stored as cases", func() (bool, string) {
		cases, err := store.List(ctx, casestore.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(cases) == n, fmt.Sprintf("%d of %d cases", len(cases), n)
	})
	// Offsets committed as the group: an intake restarted resumes, not
	// repeats (a refused commit is only a warning, so ask the broker).
	parts := make([]int, stream.DefaultLayout().Partitions)
	for i := range parts {
		parts[i] = i
	}
	waitFor("the group's offsets committed", func() (bool, string) {
		committed, err := stream.Committed(ctx, b.Admin, "assay-reporter", topics.Candidates, parts)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, off := range committed {
			sum += off
		}
		return sum == n, fmt.Sprintf("committed offsets %v sum to %d, want %d", committed, sum, n)
	})

	waitFor("the registry loaded", func() (bool, string) {
		_, ok := dir.Brand("fullips")
		return ok, fmt.Sprintf("directory has %v", dir.IDs())
	})
	pub := NewBrandPublisher(app, topics.Brands)
	defer pub.Close()
	if err := pub.PublishBrand(ctx, &stream.BrandRecord{Brand: brand.Brand{ID: "halden", Name: "Halden Moor"}}); err != nil {
		t.Fatalf("registering a brand: %v", err)
	}
	waitFor("the registered brand followed", func() (bool, string) {
		_, ok := dir.Brand("halden")
		return ok, fmt.Sprintf("directory has %v", dir.IDs())
	})

	cases, err := store.List(ctx, casestore.Filter{Limit: 1})
	if err != nil || len(cases) != 1 {
		t.Fatalf("a case to decide: %v, %v", cases, err)
	}
	teacher := NewTeacher(app, topics.Feedback)
	defer teacher.Close()
	if err := teacher.Teach(ctx, cases[0], casestore.Dismissed, WhyAuthorized, "ana", "licensed reseller"); err != nil {
		t.Fatalf("publishing feedback: %v", err)
	}
	feedback, _, err := stream.ReadTopic(ctx, b.Admin, topics.Feedback)
	if err != nil {
		t.Fatal(err)
	}
	if want := stream.FeedbackKey("fullips", stream.FeedbackAuthorizedSeller, cases[0].SellerID); len(feedback) != 1 || string(feedback[0].Key) != want {
		t.Errorf("feedback topic holds %d records (first key %q), want one keyed %s", len(feedback), firstKey(feedback), want)
	}

	stop()
	if err := <-intakeDone; err != nil {
		t.Errorf("intake: %v", err)
	}
	if err := <-dirDone; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("directory: %v", err)
	}
	logs.Check("the reporter")
}

func firstKey(msgs []kafka.Message) string {
	if len(msgs) == 0 {
		return ""
	}
	return string(msgs[0].Key)
}
