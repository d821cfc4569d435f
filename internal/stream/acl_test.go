package stream_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/stream"
)

// TestEnsureTopicsWithoutCreate: a principal without CREATE starts against
// topics an administrator made (Kafka refuses a CreateTopics request for
// lack of CREATE even for a topic that exists, so asking first matters),
// and a topic still missing is named with what to do about it.
func TestEnsureTopicsWithoutCreate(t *testing.T) {
	b := kafkatest.StartACL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topics := stream.DefaultTopics()

	err := stream.EnsureTopics(ctx, b.App(), topics, stream.DefaultLayout())
	if !errors.Is(err, stream.ErrTopicMissing) {
		t.Fatalf("no topics yet: err = %v, want ErrTopicMissing", err)
	}
	for _, name := range []string{topics.Listings, topics.Rejected, topics.Brands, topics.Candidates, topics.Feedback} {
		if !strings.Contains(err.Error(), name+" does not exist") {
			t.Errorf("error does not name missing topic %s: %v", name, err)
		}
	}
	if !strings.Contains(err.Error(), "grant CREATE") {
		t.Errorf("error does not say what to do: %v", err)
	}

	partial := topics
	partial.Candidates = ""
	if err := stream.EnsureTopics(ctx, b.Admin, partial, stream.DefaultLayout()); err != nil {
		t.Fatalf("admin creating topics: %v", err)
	}
	err = stream.EnsureTopics(ctx, b.App(), topics, stream.DefaultLayout())
	if !errors.Is(err, stream.ErrTopicMissing) || !strings.Contains(err.Error(), topics.Candidates+" does not exist") || strings.Contains(err.Error(), topics.Listings) {
		t.Fatalf("one topic missing: err = %v, want ErrTopicMissing naming %s alone", err, topics.Candidates)
	}

	if err := stream.EnsureTopics(ctx, b.Admin, topics, stream.DefaultLayout()); err != nil {
		t.Fatalf("admin creating the rest: %v", err)
	}
	if err := stream.EnsureTopics(ctx, b.App(), topics, stream.DefaultLayout()); err != nil {
		t.Fatalf("every topic there: %v", err)
	}
}
