package textmatch

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// postingsFromBleve reads, for every key a listing can bring up as a
// candidate (anchors in the folded field, joined keys in the joined field,
// anchor pairs in the pairs field), the terms bleve's index holds under it,
// with the same term readers a term query uses. Find then reads candidate
// terms off these maps and asks bleve itself only when they cannot stand
// in for its search (see candidateTerms).
func (ix *Index) postingsFromBleve() error {
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return fmt.Errorf("open bleve index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("open bleve reader: %w", err)
	}
	defer r.Close()
	ctx := context.Background()
	for _, fp := range []struct {
		field string
		post  map[string]posting
	}{{fieldFolded, ix.foldedPost}, {fieldJoined, ix.joinedPost}, {fieldPairs, ix.pairs}} {
		for key := range fp.post {
			tfr, err := r.TermFieldReader(ctx, []byte(key), fp.field, false, false, false)
			if err != nil {
				return fmt.Errorf("read bleve postings of %s:%q: %w", fp.field, key, err)
			}
			var ids []int32
			for {
				d, err := tfr.Next(nil)
				if err != nil {
					tfr.Close()
					return fmt.Errorf("read bleve postings of %s:%q: %w", fp.field, key, err)
				}
				if d == nil {
					break
				}
				ext, err := r.ExternalID(d.ID)
				if err != nil {
					tfr.Close()
					return fmt.Errorf("read bleve postings of %s:%q: %w", fp.field, key, err)
				}
				// As lookup reads search hits.
				id, err := strconv.Atoi(ext)
				if err != nil || id < 0 || id >= len(ix.terms) {
					continue
				}
				ids = append(ids, int32(id))
			}
			if err := tfr.Close(); err != nil {
				return fmt.Errorf("read bleve postings of %s:%q: %w", fp.field, key, err)
			}
			slices.Sort(ids)
			fp.post[key] = posting{key: key, ids: slices.Compact(ids)}
		}
	}
	return nil
}

// candidateTerms appends to dst the terms indexed under any candidate
// key, sorted: what lookup's bleve search returns, read off the postings
// NewIndex took from bleve. Only when the keys name more terms than
// lookup's search size would return does bleve decide which ones, by
// running the search itself.
func (ix *Index) candidateTerms(dst []int, cands []candidate) ([]int, error) {
	ids := dst[:0]
	for _, c := range cands {
		for _, id := range c.ids {
			ids = append(ids, int(id))
		}
	}
	if len(ids) == 0 {
		return ids, nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > searchSize(len(cands)) {
		return ix.lookup(cands)
	}
	return ids, nil
}
