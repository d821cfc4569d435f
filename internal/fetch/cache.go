package fetch

import (
	"container/list"
	"sync"

	"github.com/assay-dev/assay/internal/imagehash"
)

// result is what one fetch of a URL produced: hashes, or an error and its
// reason.
type result struct {
	hashes imagehash.Hashes
	err    error
	reason Reason
	// transient marks an error that a retry may not repeat (a 5xx
	// status); such results are not cached.
	transient bool
}

// lru is a fixed-size least-recently-used cache of results by URL. A
// marketplace reuses the same image URLs across a seller's listings and
// across re-listings, so most of a stream's images are repeats.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *lruEntry, most recently used first
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	res result
}

func newLRU(size int) *lru {
	return &lru{max: size, order: list.New(), items: make(map[string]*list.Element, min(size, 1024))}
}

func (c *lru) get(key string) (result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return result{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).res, true
}

func (c *lru) add(key string, res result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*lruEntry).res = res
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry{key: key, res: res})
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry).key)
	}
}

func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
