package brand

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/assay-dev/assay/internal/yamldoc"
)

// MaxRegistryBytes caps a registry file; a registry of 100,000 brands with
// long alias lists fits well below it.
const MaxRegistryBytes = 64 << 20

// ErrInvalid marks a registry that parsed but breaks the contract.
var ErrInvalid = errors.New("invalid registry")

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidID reports whether id is a brand id as a registry may define it:
// lower case letters and digits, in words joined by single hyphens.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// LoadFile reads and validates a registry from a YAML or JSON file. Relative
// reference image paths are resolved against the file's directory and must
// exist. Every problem found is reported, each naming the file, the brand and
// the field, so a user fixes a registry in one pass.
func LoadFile(path string) (*Registry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxRegistryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read registry %s: %w", path, err)
	}
	reg, err := decode(data, path)
	if err != nil {
		return nil, err
	}
	reg.Dir = filepath.Dir(path)
	if err := errors.Join(reg.unknown, reg.Validate(path), reg.checkImages(path)); err != nil {
		return nil, err
	}
	return reg, nil
}

// Parse decodes and validates a registry of at most MaxRegistryBytes; name
// is used in messages. YAML is
// a superset of JSON, so one decoder serves both. Unknown fields are errors:
// a misspelt "price_flor" would otherwise silently disable a signal.
func Parse(data []byte, name string) (*Registry, error) {
	reg, err := decode(data, name)
	if err != nil {
		return nil, err
	}
	if err := errors.Join(reg.unknown, reg.Validate(name)); err != nil {
		return nil, err
	}
	return reg, nil
}

func decode(data []byte, name string) (*Registry, error) {
	if len(data) > MaxRegistryBytes {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", name, ErrInvalid, MaxRegistryBytes)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w: the file is empty", name, ErrInvalid)
		}
		return nil, fmt.Errorf("%s: %w: %s", name, ErrInvalid, describeYAMLError(err))
	}
	unknown := checkKnownFields(&doc, name)
	var reg Registry
	if err := yamldoc.Decode(&doc, &reg); err != nil {
		return nil, errors.Join(unknown, fmt.Errorf("%s: %w: %s", name, ErrInvalid, describeYAMLError(err)))
	}
	reg.unknown = unknown
	return &reg, nil
}

func describeYAMLError(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// fieldError collects problems as "FILE: brand ID: FIELD: reason".
type fieldError struct {
	file string
	errs []error
}

func (fe *fieldError) add(brand, field, format string, args ...any) {
	where := brand
	if field != "" {
		where += ": " + field
	}
	fe.errs = append(fe.errs, fmt.Errorf("%s: %w: %s: %s", fe.file, ErrInvalid, where, fmt.Sprintf(format, args...)))
}

func (fe *fieldError) err() error { return errors.Join(fe.errs...) }

// Validate checks the contract without touching the file system.
func (r *Registry) Validate(name string) error {
	fe := &fieldError{file: name}
	if len(r.Brands) == 0 {
		fe.add("registry", "brands", "no brands defined")
		return fe.err()
	}
	seen := make(map[string]int, len(r.Brands))
	for i := range r.Brands {
		b := &r.Brands[i]
		label := fmt.Sprintf("brand #%d", i+1)
		if b.ID != "" {
			label = "brand " + b.ID
		}
		switch {
		case b.ID == "":
			fe.add(label, "id", "missing")
		case !idPattern.MatchString(b.ID):
			fe.add(label, "id", "%q must match [a-z0-9-]+ (lower case letters, digits, single hyphens)", b.ID)
		default:
			if first, dup := seen[b.ID]; dup {
				fe.add(label, "id", "duplicate id, first used by brand #%d", first)
			} else {
				seen[b.ID] = i + 1
			}
		}
		if strings.TrimSpace(b.Name) == "" {
			fe.add(label, "name", "missing")
		}
		for j, a := range b.Aliases {
			if strings.TrimSpace(a) == "" {
				fe.add(label, fmt.Sprintf("aliases[%d]", j), "empty alias")
			}
		}
		if b.PriceFloor != nil {
			if err := b.PriceFloor.Validate(); err != nil {
				fe.add(label, "price_floor", "%v", err)
			}
		}
		for j, p := range b.Products {
			field := fmt.Sprintf("products[%d]", j)
			if strings.TrimSpace(p.Name) == "" {
				fe.add(label, field+".name", "missing")
			}
			if p.PriceFloor != nil {
				if err := p.PriceFloor.Validate(); err != nil {
					fe.add(label, field+".price_floor", "%v", err)
				}
			}
		}
		for j, s := range b.AuthorizedSellers {
			if strings.TrimSpace(s) == "" {
				fe.add(label, fmt.Sprintf("authorized_sellers[%d]", j), "empty seller id")
			}
		}
		for j, img := range b.ReferenceImages {
			if strings.TrimSpace(img) == "" {
				fe.add(label, fmt.Sprintf("reference_images[%d]", j), "empty path")
			}
		}
		for j, m := range b.Marks {
			if strings.TrimSpace(m.Number) == "" {
				fe.add(label, fmt.Sprintf("marks[%d].number", j), "missing")
			}
		}
		if !(b.Threshold >= 0 && b.Threshold <= 1) { // NaN too: it would never flag, and JSON cannot carry it
			fe.add(label, "threshold", "%g is outside 0..1", b.Threshold)
		}
	}
	return fe.err()
}

// IsRemote reports whether a reference image is an http(s) URL rather than
// a path relative to the registry file.
func IsRemote(ref string) bool {
	return strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://")
}

// ImagePath resolves a local reference image against the registry's directory.
func (r *Registry) ImagePath(ref string) string {
	if filepath.IsAbs(ref) {
		return ref
	}
	return filepath.Join(r.Dir, ref)
}

func (r *Registry) checkImages(name string) error {
	fe := &fieldError{file: name}
	for _, b := range r.Brands {
		for j, img := range b.ReferenceImages {
			if IsRemote(img) || img == "" {
				continue
			}
			st, err := os.Stat(r.ImagePath(img))
			switch {
			case errors.Is(err, os.ErrNotExist):
				fe.add("brand "+b.ID, fmt.Sprintf("reference_images[%d]", j), "%s: file not found", img)
			case err != nil:
				fe.add("brand "+b.ID, fmt.Sprintf("reference_images[%d]", j), "%s: %v", img, err)
			case st.IsDir():
				fe.add("brand "+b.ID, fmt.Sprintf("reference_images[%d]", j), "%s: is a directory", img)
			}
		}
	}
	return fe.err()
}

// Lookup returns the brand with the given id.
func (r *Registry) Lookup(id string) (*Brand, bool) {
	for i := range r.Brands {
		if r.Brands[i].ID == id {
			return &r.Brands[i], true
		}
	}
	return nil, false
}
