package fetch

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/score"
)

type stubRemote struct{ got []string }

func (s *stubRemote) Images(_ context.Context, urls []string) []score.Image {
	s.got = append(s.got, urls...)
	out := make([]score.Image, len(urls))
	for i, u := range urls {
		out[i] = score.Image{Ref: u, Err: errors.New("remote")}
	}
	return out
}

func TestLocal(t *testing.T) {
	remote := &stubRemote{}
	l := Local{Dir: filepath.Join("..", "imagehash", "testdata"), Limits: imagehash.DefaultLimits(), Remote: remote}
	got := l.Images(context.Background(), []string{"baboon.jpg", "http://img.example/a.jpg", "../../go.mod", "/etc/passwd", "nope.jpg"})
	if got[0].Err != nil || got[0].Hashes.Whole == 0 {
		t.Errorf("baboon.jpg: %+v", got[0])
	}
	if got[1].Ref != "http://img.example/a.jpg" || len(remote.got) != 1 {
		t.Errorf("URL not passed to the remote fetcher: %+v %v", got[1], remote.got)
	}
	for _, i := range []int{2, 3} {
		if !errors.Is(got[i].Err, ErrRefused) {
			t.Errorf("%s: err %v, want ErrRefused", got[i].Ref, got[i].Err)
		}
	}
	if got[4].Err == nil {
		t.Error("missing file gave no error")
	}
	noRemote := Local{Dir: "."}.Images(context.Background(), []string{"https://x.example/a.jpg"})
	if !errors.Is(noRemote[0].Err, ErrScheme) {
		t.Errorf("URL without a remote fetcher: %v", noRemote[0].Err)
	}
}

// TestPhotos checks that Photos tells URLs from paths as Local does: any
// URL goes to Remote (which refuses schemes other than http and https) or
// is refused without one, and is never read as a file.
func TestPhotos(t *testing.T) {
	srv, _ := photos(t)
	ctx := context.Background()
	dir := filepath.Join("..", "imagehash", "testdata")
	p := Photos{Dir: dir, Limits: imagehash.DefaultLimits(), Remote: newFetcher(t, Options{AllowLoopback: true})}
	if data, err := p.Image(ctx, "baboon.jpg"); err != nil || len(data) == 0 {
		t.Errorf("baboon.jpg: %d bytes, %v", len(data), err)
	}
	if data, err := p.Image(ctx, srv.URL+"/img/baboon.jpg"); err != nil || len(data) == 0 {
		t.Errorf("URL: %d bytes, %v", len(data), err)
	}
	for _, ref := range []string{"../../go.mod", "/etc/passwd"} {
		if _, err := p.Image(ctx, ref); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: err %v, want ErrRefused", ref, err)
		}
	}
	local := Local{Dir: dir, Limits: imagehash.DefaultLimits()}
	for _, ref := range []string{"file:///etc/passwd", "ftp://x.example/a.jpg"} {
		if _, err := p.Image(ctx, ref); !errors.Is(err, ErrScheme) {
			t.Errorf("%s with a fetcher: err %v, want ErrScheme", ref, err)
		}
	}
	for _, ref := range []string{"https://x.example/a.jpg", "file:///etc/passwd", "ftp://x.example/a.jpg"} {
		_, err := (Photos{Dir: dir, Limits: imagehash.DefaultLimits()}).Image(ctx, ref)
		img := local.Images(ctx, []string{ref})[0]
		if !errors.Is(err, ErrScheme) || !errors.Is(img.Err, ErrScheme) || err.Error() != img.Err.Error() {
			t.Errorf("%s without a fetcher: Photos %v, Local %v; want the same ErrScheme refusal", ref, err, img.Err)
		}
	}
}
