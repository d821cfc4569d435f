package scan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/score"
)

// ErrRemoteImage is returned for http(s) image URLs, which a batch scan does
// not fetch: fetching seller-controlled URLs safely is the streaming
// matcher's job.
var ErrRemoteImage = errors.New("remote image not fetched in a batch scan")

// maxCachedHashes bounds the hash cache; listings share photos often enough
// to make a cache pay, and a few hundred thousand entries cost a few MB.
const maxCachedHashes = 200_000

// hasher reads listing images from disk relative to the listings file and
// hashes each distinct file once.
type hasher struct {
	lim   imagehash.Limits
	mu    sync.Mutex
	cache map[string]score.Image
	// unread counts listing images on disk that could not be read or
	// hashed, remote those not fetched; firstUnread says what the first
	// failure was. A listing is scored without them, which a summary
	// should say: a file scanned from another directory loses them all.
	unread, remote int
	firstUnread    string
}

func newHasher(lim imagehash.Limits) *hasher {
	return &hasher{lim: lim, cache: make(map[string]score.Image)}
}

// images hashes every image of one listing. Failures are returned inside
// score.Image so the listing is still scored on everything else.
func (h *hasher) images(dir string, refs []string) []score.Image {
	out := make([]score.Image, 0, len(refs))
	for _, ref := range refs {
		out = append(out, h.image(dir, ref))
	}
	return out
}

func (h *hasher) image(dir, ref string) score.Image {
	if brand.IsRemote(ref) {
		h.mu.Lock()
		h.remote++
		h.mu.Unlock()
		return score.Image{Ref: ref, Err: ErrRemoteImage}
	}
	path := ref
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, ref)
	}
	img := h.hash(path, ref)
	if img.Err != nil {
		h.mu.Lock()
		if h.unread++; h.unread == 1 {
			h.firstUnread = fmt.Sprintf("%s: %v", path, img.Err)
		}
		h.mu.Unlock()
	}
	return img
}

func (h *hasher) hash(path, ref string) score.Image {
	h.mu.Lock()
	img, ok := h.cache[path]
	h.mu.Unlock()
	if ok {
		img.Ref = ref
		return img
	}
	img = score.Image{Ref: ref}
	data, err := imagehash.ReadFile(path, h.lim)
	if errors.Is(err, os.ErrNotExist) {
		err = errors.New("file not found")
	}
	if err == nil {
		img.Hashes, err = imagehash.ComputeAll(data, h.lim)
	}
	img.Err = err
	h.mu.Lock()
	if len(h.cache) >= maxCachedHashes {
		clear(h.cache)
	}
	h.cache[path] = img
	h.mu.Unlock()
	return img
}
