package casestore

import (
	"context"
	"errors"
	"testing"

	"github.com/assay-dev/assay/internal/stream"
)

// confirmedCases stores n cases of one brand and confirms them.
func confirmedCases(t *testing.T, s *Store, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	var cands []*stream.Candidate
	for i := range n {
		cands = append(cands, cand("mp-"+string(rune('a'+i)), "fullips", "h", 0.9))
	}
	if _, err := s.Put(ctx, cands); err != nil {
		t.Fatal(err)
	}
	cases, err := s.List(ctx, Filter{BrandID: "fullips", Sort: "age"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range cases {
		if err := s.Move(ctx, c.ID, Confirmed, "ana", ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

func TestNoticeOutcomes(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	ids := confirmedCases(t, s, 3)
	n := &Notice{ID: "fullips-shopnet-1", BrandID: "fullips", Marketplace: "shopnet", Part: 1, Parts: 1, CreatedBy: "ana", Body: []byte(`{"id":"fullips-shopnet-1"}`)}
	if err := s.AddNotice(ctx, n, ids); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if c, _ := s.Get(ctx, id); c.Status != InNotice {
			t.Errorf("case %d is %s after the notice, want in_notice", id, c.Status)
		}
	}
	steps := []struct {
		name    string
		caseID  int64
		outcome Outcome
		wantErr error
		status  Status
	}{
		{"removed", ids[0], OutcomeRemoved, nil, Removed},
		{"rejected", ids[1], OutcomeRejected, nil, Rejected},
		{"rejected cannot be reinstated", ids[1], OutcomeReinstated, ErrTransition, Rejected},
		{"counter-noticed", ids[2], OutcomeCounterNoticed, nil, CounterNoticed},
		{"then reinstated", ids[2], OutcomeReinstated, nil, Reinstated},
		{"a case not in the notice", 999, OutcomeRemoved, ErrNoticeNotFound, ""},
		{"a late counter-notice after removal", ids[0], OutcomeCounterNoticed, nil, CounterNoticed},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := s.SetOutcome(ctx, n.ID, st.caseID, st.outcome, "ana", "marketplace ticket 77")
			if !errors.Is(err, st.wantErr) {
				t.Fatalf("err %v, want %v", err, st.wantErr)
			}
			if st.status != "" {
				if c, _ := s.Get(ctx, st.caseID); c.Status != st.status {
					t.Errorf("case is %s, want %s", c.Status, st.status)
				}
			}
		})
	}
	got, err := s.Notice(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SubmittedAt.IsZero() {
		t.Error("an outcome did not mark the notice sent")
	}
	want := map[Outcome]int{OutcomeCounterNoticed: 1, OutcomeRejected: 1, OutcomeReinstated: 1}
	for o, k := range want {
		if got.Outcomes[o] != k {
			t.Errorf("outcomes %v, want %v", got.Outcomes, want)
			break
		}
	}
	hist, _ := s.History(ctx, ids[1])
	last := hist[len(hist)-1]
	if last.ToStatus != Rejected || last.Reason != "notice fullips-shopnet-1: marketplace ticket 77" {
		t.Errorf("audit trail ends %+v", last)
	}
	list, err := s.Notices(ctx, "fullips", Scope{})
	if err != nil || len(list) != 1 || list[0].Outcomes[OutcomeRejected] != 1 {
		t.Errorf("Notices: %+v, %v", list, err)
	}
	if items, _ := s.CaseNotices(ctx, ids[0]); len(items) != 1 || items[0].NoticeID != n.ID {
		t.Errorf("CaseNotices: %+v", items)
	}
}

// TestNoticeAllOrNothing: a notice naming a case that may not go in one is
// not recorded at all.
func TestNoticeAllOrNothing(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	ids := confirmedCases(t, s, 2)
	if err := s.Move(ctx, ids[1], Dismissed, "ana", "changed my mind"); err != nil {
		t.Fatal(err)
	}
	err := s.AddNotice(ctx, &Notice{ID: "n1", BrandID: "fullips", Marketplace: "shopnet", Part: 1, Parts: 1, CreatedBy: "ana", Body: []byte(`{}`)}, ids)
	if !errors.Is(err, ErrTransition) {
		t.Fatalf("err %v, want ErrTransition", err)
	}
	if c, _ := s.Get(ctx, ids[0]); c.Status != Confirmed {
		t.Errorf("case %d moved to %s by a notice that was not recorded", ids[0], c.Status)
	}
	if _, err := s.Notice(ctx, "n1"); !errors.Is(err, ErrNoticeNotFound) {
		t.Errorf("notice recorded despite the error: %v", err)
	}
	if err := s.SubmitNotice(ctx, "nope", "ana"); !errors.Is(err, ErrNoticeNotFound) {
		t.Errorf("SubmitNotice of an unknown notice: %v", err)
	}
}
