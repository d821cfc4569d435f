package stream

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// Feedback kinds: what an analyst's decision teaches every matcher.
const (
	// FeedbackAuthorizedSeller: a dismissal because the seller is
	// authorized; the seller stops being flagged for the brand.
	FeedbackAuthorizedSeller = "authorized_seller"
	// FeedbackNotInfringing: a dismissal of one listing; it stops being
	// flagged for the brand.
	FeedbackNotInfringing = "not_infringing"
	// FeedbackCounterfeitImage: a confirmation; the listing's photo joins
	// the brand's known-counterfeit set, so it is caught wherever it
	// reappears.
	FeedbackCounterfeitImage = "counterfeit_image"
)

// Feedback is one record of the compacted feedback topic, keyed by
// FeedbackKey; a tombstone withdraws it.
type Feedback struct {
	BrandID string `json:"brand_id"`
	Kind    string `json:"kind"`
	// Subject is the seller id, the listing id, or the image hash (hex).
	Subject string    `json:"subject"`
	CaseID  int64     `json:"case_id,omitempty"`
	Actor   string    `json:"actor"`
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"`
}

// FeedbackKey is the record key: one record per brand, kind and subject.
func FeedbackKey(brandID, kind, subject string) string {
	return brandID + "/" + kind + "/" + subject
}

// FeedbackMessage encodes a feedback record.
func FeedbackMessage(f *Feedback) (kafka.Message, error) {
	switch f.Kind {
	case FeedbackAuthorizedSeller, FeedbackNotInfringing, FeedbackCounterfeitImage:
	default:
		return kafka.Message{}, fmt.Errorf("unknown feedback kind %q", f.Kind)
	}
	data, err := json.Marshal(f)
	if err != nil {
		return kafka.Message{}, fmt.Errorf("encode feedback: %w", err)
	}
	return kafka.Message{Key: []byte(FeedbackKey(f.BrandID, f.Kind, f.Subject)), Value: data}, nil
}
