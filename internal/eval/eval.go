package eval

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/scan"
	"github.com/assay-dev/assay/internal/score"
)

// Rate is a count of hits out of a total.
type Rate struct {
	Hits  int     `json:"hits"`
	Total int     `json:"total"`
	Rate  float64 `json:"rate"`
}

func (r *Rate) add(hit bool) {
	r.Total++
	if hit {
		r.Hits++
	}
	r.Rate = float64(r.Hits) / float64(r.Total)
}

// Report is the outcome of an evaluation.
type Report struct {
	Listings   int `json:"listings"`
	Rejected   int `json:"rejected"`
	Unlabelled int `json:"unlabelled"`
	// TruePositives are counterfeits flagged against the right brand.
	TruePositives  int `json:"true_positives"`
	FalsePositives int `json:"false_positives"`
	FalseNegatives int `json:"false_negatives"`
	TrueNegatives  int `json:"true_negatives"`
	// WrongBrand counts counterfeits flagged against another brand: each is
	// both a false positive and a false negative.
	WrongBrand int     `json:"wrong_brand"`
	Precision  float64 `json:"precision"`
	Recall     float64 `json:"recall"`
	F1         float64 `json:"f1"`

	Tactics         map[string]*Rate `json:"recall_by_tactic"`
	Transforms      map[string]*Rate `json:"recall_by_image_transform"`
	NegativeClasses map[string]*Rate `json:"false_flag_rate_by_negative_class"`
	Misses          []Miss           `json:"misses,omitempty"`
}

// Miss is a wrong verdict, kept for the analyst tuning the matcher.
type Miss struct {
	Label   Label         `json:"label"`
	Title   string        `json:"title"`
	Verdict score.Verdict `json:"verdict"`
}

// Run scores every listing of the sources and compares verdicts with labels.
// Rejected lines are reported on rejects.
func Run(ctx context.Context, eng *score.Engine, sources []scan.Source, labels map[string]Label, rejects io.Writer) (*Report, error) {
	rep := &Report{
		Tactics:         map[string]*Rate{},
		Transforms:      map[string]*Rate{},
		NegativeClasses: map[string]*Rate{},
	}
	each := func(l *listing.Listing, v score.Verdict) {
		lab, ok := labels[l.ID]
		if !ok {
			rep.Unlabelled++
			return
		}
		rep.add(lab, l, v)
	}
	st, err := scan.Run(ctx, eng, sources, io.Discard, scan.Options{Rejects: rejects, Each: each})
	if err != nil {
		return nil, err
	}
	rep.Listings, rep.Rejected = st.Scanned, st.Rejected
	rep.finish()
	return rep, nil
}

func (r *Report) add(lab Label, l *listing.Listing, v score.Verdict) {
	hit := v.Flagged && v.BrandID == lab.BrandID
	switch {
	case lab.Counterfeit && hit:
		r.TruePositives++
	case lab.Counterfeit:
		r.FalseNegatives++
		if v.Flagged {
			r.WrongBrand++
			r.FalsePositives++
		}
	case v.Flagged:
		r.FalsePositives++
	default:
		r.TrueNegatives++
	}
	if lab.Counterfeit {
		for _, t := range lab.Tactics {
			rate(r.Tactics, t).add(hit)
		}
		if lab.ImageTransform != "" {
			rate(r.Transforms, lab.ImageTransform).add(hit)
		}
	} else {
		class := lab.NegativeClass
		if class == "" {
			class = "unclassified"
		}
		rate(r.NegativeClasses, class).add(v.Flagged)
	}
	if hit != lab.Counterfeit || (!lab.Counterfeit && v.Flagged) {
		r.Misses = append(r.Misses, Miss{Label: lab, Title: l.Title, Verdict: v})
	}
}

func rate(m map[string]*Rate, k string) *Rate {
	if m[k] == nil {
		m[k] = &Rate{}
	}
	return m[k]
}

func (r *Report) finish() {
	if d := r.TruePositives + r.FalsePositives; d > 0 {
		r.Precision = float64(r.TruePositives) / float64(d)
	}
	if d := r.TruePositives + r.FalseNegatives; d > 0 {
		r.Recall = float64(r.TruePositives) / float64(d)
	}
	if r.Precision+r.Recall > 0 {
		r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
	}
}

// WriteText prints the report for a person; with misses, every wrong verdict
// follows with its signals.
func (r *Report) WriteText(w io.Writer, misses bool) {
	fmt.Fprintf(w, "listings %d (rejected %d, unlabelled %d)\n", r.Listings, r.Rejected, r.Unlabelled)
	fmt.Fprintf(w, "precision %.3f  recall %.3f  F1 %.3f   (TP %d  FP %d  FN %d  TN %d  wrong brand %d)\n\n",
		r.Precision, r.Recall, r.F1, r.TruePositives, r.FalsePositives, r.FalseNegatives, r.TrueNegatives, r.WrongBrand)
	table(w, "recall by tactic", r.Tactics)
	table(w, "recall by image transform", r.Transforms)
	table(w, "false-flag rate by negative class", r.NegativeClasses)
	if !misses {
		return
	}
	fmt.Fprintf(w, "wrong verdicts (%d)\n", len(r.Misses))
	for _, m := range r.Misses {
		kind := "missed counterfeit"
		if !m.Label.Counterfeit {
			kind = "false flag (" + m.Label.NegativeClass + ")"
		} else if m.Verdict.Flagged {
			kind = "wrong brand"
		}
		fmt.Fprintf(w, "- %s %s [%s; label %s %s] %q score %.2f brand %q\n", m.Label.ListingID, kind,
			strings.Join(m.Label.Tactics, ","), m.Label.BrandID, m.Label.ImageTransform, m.Title, m.Verdict.Score, m.Verdict.BrandID)
		for _, s := range m.Verdict.Signals {
			fmt.Fprintf(w, "    %-6s %.2f %s\n", s.Kind, s.Score, s.Evidence)
		}
	}
}

func table(w io.Writer, title string, m map[string]*Rate) {
	if len(m) == 0 {
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, k := range Keys(m) {
		fmt.Fprintf(w, "  %-22s %6.3f  (%d/%d)\n", k, m[k].Rate, m[k].Hits, m[k].Total)
	}
	fmt.Fprintln(w)
}

// Keys returns the names in a rate table, sorted; tests use it to walk every
// tactic.
func Keys(m map[string]*Rate) []string { return slices.Sorted(maps.Keys(m)) }
