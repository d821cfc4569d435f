package imagehash

import (
	"fmt"
	"sync"
	"testing"
)

func TestIndexNearest(t *testing.T) {
	ix := NewIndex(10)
	add := func(brand, img string, h Hash, v string) {
		ix.Add(Ref{BrandID: brand, Image: img, RefHash: RefHash{Hash: h, Variant: v}})
	}
	add("acme", "a1.jpg", 0x0, "original")
	add("acme", "a1.jpg", 0xff, "mirrored")   // 8 bits from 0
	add("bolt", "b1.jpg", 0x7, "original")    // 3 bits from 0
	add("bolt", "b2.jpg", 0x3, "original")    // 2 bits from 0: bolt's best
	add("crux", "c1.jpg", 0xffff, "original") // 16 bits: beyond threshold
	add("dyne", "d1.jpg", 0x3, "crop4")       // ties bolt at 2

	tests := []struct {
		name  string
		query Hash
		want  []string // "brand/image/variant@distance", in order
	}{
		{"best per brand, sorted, ties by brand", 0x0,
			[]string{"acme/a1.jpg/original@0", "bolt/b2.jpg/original@2", "dyne/d1.jpg/crop4@2"}},
		{"nothing within threshold", 0xffffff0000000000, nil},
		{"mirrored variant wins", 0xff,
			[]string{"acme/a1.jpg/mirrored@0", "bolt/b1.jpg/original@5", "dyne/d1.jpg/crop4@6", "crux/c1.jpg/original@8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range ix.Nearest(tt.query) {
				got = append(got, fmt.Sprintf("%s/%s/%s@%d", m.BrandID, m.Image, m.Variant, m.Distance))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("Nearest = %v, want %v", got, tt.want)
			}
		})
	}
	if ix.Len() != 6 {
		t.Errorf("Len = %d, want 6", ix.Len())
	}
}

// TestIndexPhotos registers the test photos as brands and checks each edited
// copy finds its own brand first.
func TestIndexPhotos(t *testing.T) {
	lim := DefaultLimits()
	ix := NewIndex(DefaultThreshold)
	photos := loadPhotos(t, "testdata")
	for _, p := range photos {
		refs, err := ReferenceHashes(p.data, lim)
		if err != nil {
			t.Fatal(err)
		}
		ix.AddImage(p.name, "testdata/"+p.name, refs)
	}
	for _, p := range photos {
		t.Run(p.name, func(t *testing.T) {
			h, err := Compute(encodeJPEG(t, mirrorImage(cropCentre(p.img, 0.05)), 70), lim)
			if err != nil {
				t.Fatal(err)
			}
			ms := ix.Nearest(h)
			if len(ms) == 0 || ms[0].BrandID != p.name {
				t.Fatalf("Nearest = %+v, want %s first", ms, p.name)
			}
		})
	}
}

func TestIndexConcurrent(t *testing.T) {
	ix := NewIndex(DefaultThreshold)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				ix.Add(Ref{BrandID: fmt.Sprint(g), RefHash: RefHash{Hash: Hash(i)}})
				ix.Nearest(Hash(i))
			}
		})
	}
	wg.Wait()
	if ix.Len() != 800 {
		t.Fatalf("Len = %d, want 800", ix.Len())
	}
}

// TestIndexNearestAll checks that NearestAll compares each kind of hash only
// with its own kind, at that kind's threshold, and that Nearest keeps to
// whole-image references.
func TestIndexNearestAll(t *testing.T) {
	ix := NewIndexThresholds(Thresholds{Whole: 10, Crop: 6, Region: 4})
	add := func(brand string, h Hash, variant, region string) {
		ix.Add(Ref{BrandID: brand, Image: brand + ".jpg", RefHash: RefHash{Hash: h, Variant: variant, Region: region}})
	}
	add("acme", 0xff, "original", "")         // whole: 8 bits from a zero query
	add("bolt", 0x0f, "crop-tl", "")          // one-sided crop: 4 bits, within 6
	add("crux", 0xff, "mirrored-crop-br", "") // 8 bits: beyond the crop threshold
	add("dyne", 0x07, "original", RegionTop)  // region: 3 bits from a zero top
	add("echo", 0x07, "original", RegionLeft)
	add("fern", 0x1f, "original", RegionTop) // 5 bits: beyond the region threshold
	add("acme", 0x01, "mirrored", RegionBottom)

	q := Hashes{Whole: 0, Regions: []RegionHash{
		{Region: RegionTop, Hash: 0},
		{Region: RegionBottom, Hash: 0},
		{Region: RegionRight, Hash: 0}, // echo's hash is a left region: no match
	}}
	var got []string
	for _, m := range ix.NearestAll(q) {
		got = append(got, fmt.Sprintf("%s/%s/%s@%d/%d", m.BrandID, m.Variant, m.Region, m.Distance, m.Threshold))
	}
	// acme: bottom region 1/4 beats whole 8/10; ranked by Distance/Threshold.
	want := []string{"acme/mirrored/bottom@1/4", "bolt/crop-tl/@4/6", "dyne/original/top@3/4"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("NearestAll = %v, want %v", got, want)
	}

	got = nil
	for _, m := range ix.Nearest(0) {
		got = append(got, fmt.Sprintf("%s/%s@%d/%d", m.BrandID, m.Variant, m.Distance, m.Threshold))
	}
	want = []string{"bolt/crop-tl@4/6", "acme/original@8/10"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Nearest = %v, want %v", got, want)
	}
	if ix.Len() != 7 {
		t.Errorf("Len = %d, want 7", ix.Len())
	}
	if th := NewIndex(10).Thresholds(); th != (Thresholds{Whole: 10, Crop: 10, Region: 10}) {
		t.Errorf("NewIndex(10) thresholds %+v: crop and region must not exceed whole", th)
	}
	if th := NewIndex(DefaultThreshold).Thresholds(); th != DefaultThresholds() {
		t.Errorf("NewIndex(DefaultThreshold) thresholds %+v, want %+v", th, DefaultThresholds())
	}
}

func TestReferenceHashesAll(t *testing.T) {
	data := readTestdata(t, "fruits.jpg")
	lim := DefaultLimits()
	refs, err := ReferenceHashes(data, lim)
	if err != nil {
		t.Fatal(err)
	}
	all, err := ReferenceHashesAll(data, lim)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range all {
		got = append(got, r.Variant+"/"+r.Region)
	}
	want := []string{
		"original/", "mirrored/", "crop4/", "crop8/", "mirrored-crop4/", "mirrored-crop8/",
		"crop-tl/", "crop-tr/", "crop-bl/", "crop-br/",
		"mirrored-crop-tl/", "mirrored-crop-tr/", "mirrored-crop-bl/", "mirrored-crop-br/",
		"original/top", "original/bottom", "original/left", "original/right",
		"mirrored/top", "mirrored/bottom", "mirrored/left", "mirrored/right",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ReferenceHashesAll = %v\nwant %v", got, want)
	}
	for i, r := range refs {
		if all[i] != r {
			t.Errorf("hash %d: ReferenceHashesAll %+v, ReferenceHashes %+v", i, all[i], r)
		}
	}
	hs, err := ComputeAll(data, lim)
	if err != nil {
		t.Fatal(err)
	}
	// The photo itself matches each of its regions exactly.
	for _, rh := range hs.Regions {
		found := false
		for _, r := range all {
			if r.Variant == "original" && r.Region == rh.Region {
				found = r.Hash == rh.Hash
			}
		}
		if !found {
			t.Errorf("region %s of the photo differs from its reference", rh.Region)
		}
	}
	if len(hs.Regions) != 4 {
		t.Errorf("ComputeAll gave %d regions, want 4", len(hs.Regions))
	}
}
