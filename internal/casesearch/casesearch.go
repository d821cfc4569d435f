// Package casesearch is the full-text index over cases for the analyst UI:
// a persistent bleve (scorch) index beside the case database, holding each
// case's title, evidence, seller, brand, marketplace and listing id. The
// cases themselves stay in package casestore; this index is derived and can
// be rebuilt from it at any time.
package casesearch

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/assay-dev/assay/internal/casestore"
)

// Index is an open case index. Safe for concurrent use.
type Index struct {
	idx   bleve.Index
	store *casestore.Store
	mu    sync.Mutex
	// synced is the updated_at mark the index is current up to.
	synced string
}

type doc struct {
	Title       string `json:"title"`
	Evidence    string `json:"evidence"`
	Seller      string `json:"seller"`
	Brand       string `json:"brand"`
	Marketplace string `json:"marketplace"`
	Listing     string `json:"listing"`
	Status      string `json:"status"`
}

// Open opens the index of store's cases at path, creating it when missing.
// It catches up with the store lazily, on each search.
func Open(path string, store *casestore.Store) (*Index, error) {
	idx, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		m := bleve.NewIndexMapping()
		idx, err = bleve.NewUsing(path, m, scorch.Name, scorch.Name, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("open case index %s: %w", path, err)
	}
	return &Index{idx: idx, store: store}, nil
}

// Close closes the index.
func (ix *Index) Close() error { return ix.idx.Close() }

// Sync indexes every case changed since the last Sync (all of them the
// first time after Open).
func (ix *Index) Sync(ctx context.Context) (int, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	cases, mark, err := ix.store.UpdatedSince(ctx, ix.synced)
	if err != nil {
		return 0, err
	}
	if len(cases) == 0 {
		return 0, nil
	}
	b := ix.idx.NewBatch()
	for _, c := range cases {
		var ev []string
		for _, s := range c.Signals {
			ev = append(ev, s.Evidence)
		}
		if err := b.Index(strconv.FormatInt(c.ID, 10), doc{
			Title: c.Title, Evidence: strings.Join(ev, "\n"), Seller: c.SellerID + " " + c.SellerName,
			Brand: c.BrandID, Marketplace: c.Marketplace, Listing: c.ListingID, Status: string(c.Status),
		}); err != nil {
			return 0, fmt.Errorf("index case %d: %w", c.ID, err)
		}
	}
	if err := ix.idx.Batch(b); err != nil {
		return 0, fmt.Errorf("index cases: %w", err)
	}
	ix.synced = mark
	return len(cases), nil
}

// Search returns the ids of the cases matching q (bleve's query string
// syntax: words, "phrases", +required, -excluded, field:value), best first;
// text that is not that syntax, or finds nothing by it, is searched for as
// a phrase.
func (ix *Index) Search(ctx context.Context, q string, limit int) ([]int64, error) {
	if strings.TrimSpace(q) == "" {
		return nil, nil
	}
	if _, err := ix.Sync(ctx); err != nil {
		return nil, err
	}
	res, err := ix.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(bleve.NewQueryStringQuery(q), limit, 0, false))
	if err != nil || len(res.Hits) == 0 {
		// Analysts paste what sellers write ("1:1", "<b>AAA</b>"), which
		// is often not query syntax, or reads as a field there is none
		// of: such text is searched for as written, a phrase.
		res, err = ix.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(bleve.NewMatchPhraseQuery(q), limit, 0, false))
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	ids := make([]int64, 0, len(res.Hits))
	for _, h := range res.Hits {
		if id, err := strconv.ParseInt(h.ID, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
