package reporter

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/stream"
)

// Reasons for a dismissal that teach the matcher.
const (
	WhyAuthorized    = "authorized"     // the seller is authorized for the brand
	WhyNotInfringing = "not-infringing" // this listing is not infringing
)

// Teacher publishes what analysts decide to the feedback topic, which every
// matcher follows: a dismissal as authorized or not infringing stops that
// seller or listing being flagged for the brand; a confirmation adds the
// listing's photos to the brand's known counterfeits; reopening a dismissed
// case withdraws what its dismissal taught.
type Teacher struct {
	w *kafka.Writer
}

// NewTeacher writes to the feedback topic.
func NewTeacher(kafka stream.Cluster, topic string) *Teacher {
	return &Teacher{w: kafka.NewWriter(topic)}
}

// Close flushes and closes the writer.
func (t *Teacher) Close() error { return t.w.Close() }

// Teach publishes what moving case c to status to (for the given reason
// category, for dismissals) teaches; most moves teach nothing.
func (t *Teacher) Teach(ctx context.Context, c *casestore.Case, to casestore.Status, why, actor, reason string) error {
	msgs, err := Lessons(c, to, why, actor, reason, time.Now().UTC())
	if err != nil || len(msgs) == 0 {
		return err
	}
	if err := t.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish feedback for case %d: %w", c.ID, err)
	}
	return nil
}

// Lessons returns the feedback records a move produces.
func Lessons(c *casestore.Case, to casestore.Status, why, actor, reason string, at time.Time) ([]kafka.Message, error) {
	rec := func(kind, subject string) (kafka.Message, error) {
		return stream.FeedbackMessage(&stream.Feedback{BrandID: c.BrandID, Kind: kind, Subject: subject, CaseID: c.ID, Actor: actor, Reason: reason, At: at})
	}
	var msgs []kafka.Message
	switch {
	case to == casestore.Dismissed && why == WhyAuthorized:
		m, err := rec(stream.FeedbackAuthorizedSeller, c.SellerID)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	case to == casestore.Dismissed && why == WhyNotInfringing:
		m, err := rec(stream.FeedbackNotInfringing, c.ListingID)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	case to == casestore.Dismissed && why != "":
		return nil, fmt.Errorf("unknown dismissal reason %q (known: %s, %s)", why, WhyAuthorized, WhyNotInfringing)
	case to == casestore.Confirmed:
		for _, img := range c.Images {
			m, err := rec(stream.FeedbackCounterfeitImage, img.Hash)
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, m)
		}
	case to == casestore.New:
		// Reopened: withdraw whatever a dismissal taught.
		for _, k := range []struct{ kind, subject string }{
			{stream.FeedbackAuthorizedSeller, c.SellerID}, {stream.FeedbackNotInfringing, c.ListingID},
		} {
			msgs = append(msgs, kafka.Message{Key: []byte(stream.FeedbackKey(c.BrandID, k.kind, k.subject))})
		}
	}
	return msgs, nil
}

// BrandPublisher publishes brands registered in the UI to the brands topic,
// where every matcher picks them up (and re-scans retained listings).
type BrandPublisher struct {
	w *kafka.Writer
}

// NewBrandPublisher writes to the brands topic.
func NewBrandPublisher(kafka stream.Cluster, topic string) *BrandPublisher {
	return &BrandPublisher{w: kafka.NewWriter(topic)}
}

// PublishBrand publishes one brand record and waits for Kafka's ack.
func (p *BrandPublisher) PublishBrand(ctx context.Context, rec *stream.BrandRecord) error {
	m, err := stream.BrandMessage(rec.Brand.ID, rec)
	if err != nil {
		return err
	}
	if err := p.w.WriteMessages(ctx, m); err != nil {
		return fmt.Errorf("publish brand %s: %w", rec.Brand.ID, err)
	}
	return nil
}

// Close flushes and closes the writer.
func (p *BrandPublisher) Close() error { return p.w.Close() }
