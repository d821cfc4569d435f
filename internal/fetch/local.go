package fetch

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/score"
)

// Local serves images named by relative paths from a directory — listings
// exported with their photos beside them, like the bundled fixtures — and
// passes URLs on to Remote, which refuses all but http(s). Paths that leave
// the directory are refused.
type Local struct {
	Dir    string
	Limits imagehash.Limits
	// Remote fetches URLs; nil refuses them.
	Remote interface {
		Images(ctx context.Context, urls []string) []score.Image
	}
}

// Images returns the images in input order.
func (l Local) Images(ctx context.Context, refs []string) []score.Image {
	out := make([]score.Image, len(refs))
	var remote []string
	var at []int
	for i, ref := range refs {
		if isURL(ref) {
			if l.Remote != nil {
				remote = append(remote, ref)
				at = append(at, i)
				continue
			}
			out[i] = score.Image{Ref: ref, Err: errNoRemote()}
			continue
		}
		out[i] = l.file(ref)
	}
	if len(remote) > 0 {
		for j, img := range l.Remote.Images(ctx, remote) {
			out[at[j]] = img
		}
	}
	return out
}

func (l Local) file(ref string) score.Image {
	img := score.Image{Ref: ref}
	data, err := readLocal(l.Dir, ref, l.Limits)
	if err != nil {
		img.Err = err
		return img
	}
	img.Hashes, img.Err = imagehash.ComputeAll(data, l.Limits)
	return img
}

// isURL tells a URL, of any scheme, from a path: a URL is never read as a
// file.
func isURL(ref string) bool { return strings.Contains(ref, "://") }

// errNoRemote refuses a URL where no fetcher was given: Local and Photos
// read files only, and a URL is never read as one.
func errNoRemote() error {
	return fmt.Errorf("%w: remote images are not fetched here", ErrScheme)
}

// readLocal reads an image named by a path relative to dir, refusing paths
// that leave it.
func readLocal(dir, ref string, lim imagehash.Limits) ([]byte, error) {
	if !filepath.IsLocal(ref) {
		return nil, fmt.Errorf("%w: image path %q leaves the image directory", ErrRefused, ref)
	}
	data, err := imagehash.ReadFile(filepath.Join(dir, ref), lim)
	if err != nil {
		return nil, fmt.Errorf("read image %s: %w", ref, err)
	}
	return data, nil
}

// Photos reads images by reference for showing them, not hashing: paths
// relative to Dir, and URLs through Remote under its guards.
type Photos struct {
	Dir    string
	Limits imagehash.Limits
	// Remote downloads URLs; nil refuses them.
	Remote *Fetcher
}

// Image returns the bytes of one image.
func (p Photos) Image(ctx context.Context, ref string) ([]byte, error) {
	if isURL(ref) {
		if p.Remote == nil {
			return nil, errNoRemote()
		}
		return p.Remote.Download(ctx, ref)
	}
	if p.Dir == "" {
		return nil, fmt.Errorf("%w: no image directory for path %q", ErrRefused, ref)
	}
	return readLocal(p.Dir, ref, p.Limits)
}
