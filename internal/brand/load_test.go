package brand

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadFile(t *testing.T) {
	tests := []struct {
		file   string
		brands int
		// want lists fragments every one of which must appear in the error:
		// the file, the brand and the field at fault.
		want []string
	}{
		{file: "good.yaml", brands: 2},
		{file: "good.json", brands: 1},
		{file: "duplicate-id.yaml", want: []string{"duplicate-id.yaml", "brand fullips", "id", "duplicate", "brand #1"}},
		{file: "missing-image.yaml", want: []string{"missing-image.yaml", "brand fullips", "reference_images[0]", "images/nope.jpg", "not found"}},
		{file: "unknown-field.yaml", want: []string{"unknown-field.yaml", "brand fullips", "price_flor", "unknown field", "line 4"}},
		{file: "bad-fields.yaml", want: []string{
			"brand Full_Lips: id", "brand Full_Lips: price_floor: amount -3 is negative",
			"brand kaltrix: name: missing", "brand kaltrix: products[0].price_floor", "currency \"dollars\"",
		}},
		{file: "everything-wrong.yaml", want: []string{
			"brand acme2: aliasses: unknown field (line 8)", "brand Acme: name: missing",
			"brand Acme: price_floor: currency \"usd\"", "brand Acme: reference_images[0]: nope.png: file not found",
		}},
		{file: "no-amount.yaml", want: []string{"no-amount.yaml", "line 5: amount is missing", "line 8: amount is missing"}},
		{file: "empty.yaml", want: []string{"empty.yaml", "empty"}},
		{file: "not-yaml.yaml", want: []string{"not-yaml.yaml", "line"}},
		{file: "no-such-file.yaml", want: []string{"no-such-file.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			reg, err := LoadFile(filepath.Join("testdata", tt.file))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("LoadFile: %v", err)
				}
				if len(reg.Brands) != tt.brands {
					t.Fatalf("got %d brands, want %d", len(reg.Brands), tt.brands)
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadFile succeeded, want an error mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if tt.file != "no-such-file.yaml" && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
		})
	}
}

func TestRegistryHelpers(t *testing.T) {
	reg, err := LoadFile("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, ok := reg.Lookup("fullips")
	if !ok {
		t.Fatal("fullips not found")
	}
	if !b.Authorized("etal-official") || b.Authorized("s-42") {
		t.Error("Authorized gives the wrong answer")
	}
	if got, want := reg.ImagePath(b.ReferenceImages[0]), filepath.Join("testdata", "images", "ref-a.jpg"); got != want {
		t.Errorf("ImagePath = %q, want %q", got, want)
	}
	if !IsRemote(b.ReferenceImages[1]) || IsRemote(b.ReferenceImages[0]) {
		t.Error("IsRemote gives the wrong answer")
	}
}
