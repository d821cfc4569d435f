package reporter

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/stream"
)

func TestLessons(t *testing.T) {
	c := &casestore.Case{ID: 7, ListingID: "mp-7", BrandID: "fullips", SellerID: "s-42",
		Images: []stream.ImageHash{{Ref: "a.jpg", Hash: "00ff00ff00ff00ff"}, {Ref: "b.jpg", Hash: "1111222233334444"}}}
	at := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		to        casestore.Status
		why       string
		keys      []string
		tombstone bool
		err       string
	}{
		{to: casestore.Dismissed, why: WhyAuthorized, keys: []string{"fullips/authorized_seller/s-42"}},
		{to: casestore.Dismissed, why: WhyNotInfringing, keys: []string{"fullips/not_infringing/mp-7"}},
		{to: casestore.Dismissed},
		{to: casestore.Dismissed, why: "bored", err: "unknown dismissal reason"},
		{to: casestore.Confirmed, keys: []string{"fullips/counterfeit_image/00ff00ff00ff00ff", "fullips/counterfeit_image/1111222233334444"}},
		{to: casestore.New, keys: []string{"fullips/authorized_seller/s-42", "fullips/not_infringing/mp-7"}, tombstone: true},
		{to: casestore.InNotice},
	}
	for _, tt := range tests {
		t.Run(string(tt.to)+" "+tt.why, func(t *testing.T) {
			msgs, err := Lessons(c, tt.to, tt.why, "ana", "checked", at)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != len(tt.keys) {
				t.Fatalf("%d records, want %d", len(msgs), len(tt.keys))
			}
			for i, m := range msgs {
				if string(m.Key) != tt.keys[i] {
					t.Errorf("key %q, want %q", m.Key, tt.keys[i])
				}
				if tt.tombstone != (m.Value == nil) {
					t.Errorf("tombstone %v, want %v", m.Value == nil, tt.tombstone)
				}
				if m.Value != nil {
					var f stream.Feedback
					if err := json.Unmarshal(m.Value, &f); err != nil || f.CaseID != 7 || f.Actor != "ana" || f.BrandID != "fullips" {
						t.Errorf("record %s: %+v %v", m.Value, f, err)
					}
				}
			}
		})
	}
}
