package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/yamldoc"
)

// ErrMapping marks a CSV mapping that is invalid or does not fit a file's
// header: a usage error, not a bad row.
var ErrMapping = errors.New("csv mapping")

// MappingFields are the listing fields a CSV mapping can fill, in the
// listing contract's dotted names.
var MappingFields = []string{
	"id", "marketplace", "url", "title", "description",
	"price.amount", "price.currency", "seller.id", "seller.name",
	"images", "observed_at",
}

// requiredFields must come from a column or a default: without them every
// row would be rejected. id must come from a column.
var requiredFields = []string{"id", "title", "price.amount", "price.currency", "seller.id"}

// Mapping says which CSV column fills each listing field:
//
//	id: item_id
//	title: item_title
//	price.amount: price
//	price.currency: currency
//	seller.id: seller_id
//	images: image_urls
//	images_separator: "|"
//	defaults: {marketplace: shopnet, price.currency: USD}
//	delimiter: ";"
//	decimal_comma: true
//
// A default fills a field that has no column or whose cell is empty.
type Mapping struct {
	// Columns maps a field of MappingFields to a header name.
	Columns map[string]string
	// ImagesSeparator splits the images cell ("|" when empty).
	ImagesSeparator string
	// Defaults maps a field to a constant value.
	Defaults map[string]string
	// Delimiter separates the cells of a row: "," when empty, or one of
	// csvDelimiters (spreadsheets in many locales export with ";").
	Delimiter string
	// DecimalComma reads prices as 1.234,50 rather than 1234.50.
	DecimalComma bool
}

func (m *Mapping) comma() byte {
	if m.Delimiter == "" {
		return ','
	}
	return m.Delimiter[0]
}

// csvDelimiters are the cell delimiters a mapping may name.
const csvDelimiters = ",;\t|"

type mappingFile struct {
	Delimiter       string            `yaml:"delimiter"`
	DecimalComma    bool              `yaml:"decimal_comma"`
	ImagesSeparator string            `yaml:"images_separator"`
	Defaults        map[string]string `yaml:"defaults"`
	Columns         map[string]string `yaml:",inline"`
}

// LoadMapping reads a mapping from a YAML (or JSON) file.
func LoadMapping(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMapping, err)
	}
	return ParseMapping(data, path)
}

// ParseMapping decodes and checks a mapping; name is used in messages.
func ParseMapping(data []byte, name string) (*Mapping, error) {
	var f mappingFile
	if err := yamldoc.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrMapping, name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	m := &Mapping{Columns: f.Columns, ImagesSeparator: f.ImagesSeparator, Defaults: f.Defaults, Delimiter: f.Delimiter, DecimalComma: f.DecimalComma}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

func (m *Mapping) validate() error {
	if m.ImagesSeparator == "" {
		m.ImagesSeparator = "|"
	}
	if m.Delimiter == "" {
		m.Delimiter = ","
	}
	var errs []error
	if len(m.Delimiter) != 1 || !strings.Contains(csvDelimiters, m.Delimiter) {
		errs = append(errs, fmt.Errorf("%w: delimiter %q: use one of \",\", \";\", \"\\t\" (a tab) or \"|\"", ErrMapping, m.Delimiter))
	} else if _, images := m.Columns["images"]; images && m.Delimiter == m.ImagesSeparator {
		errs = append(errs, fmt.Errorf("%w: delimiter and images_separator are both %q: a cell of several images would be cut into cells", ErrMapping, m.Delimiter))
	}
	for _, field := range sortedKeys(m.Columns) {
		switch {
		case !slices.Contains(MappingFields, field):
			errs = append(errs, fmt.Errorf("%w: unknown listing field %q (known: %s)", ErrMapping, field, strings.Join(MappingFields, ", ")))
		case strings.TrimSpace(m.Columns[field]) == "":
			errs = append(errs, fmt.Errorf("%w: field %s names no column", ErrMapping, field))
		}
	}
	for _, field := range sortedKeys(m.Defaults) {
		v := m.Defaults[field]
		switch {
		case !slices.Contains(MappingFields, field):
			errs = append(errs, fmt.Errorf("%w: defaults: unknown listing field %q", ErrMapping, field))
		case field == "id":
			errs = append(errs, fmt.Errorf("%w: defaults: id cannot have a default, every listing needs its own", ErrMapping))
		case field == "price.amount":
			if _, err := parseAmount(v, m.DecimalComma); err != nil {
				errs = append(errs, fmt.Errorf("%w: defaults: price.amount: %v", ErrMapping, err))
			}
		case field == "observed_at":
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				errs = append(errs, fmt.Errorf("%w: defaults: observed_at %q is not an RFC 3339 timestamp", ErrMapping, v))
			}
		case field == "price.currency":
			// Caught here, once, rather than on every row it would reject.
			if err := (price.Money{Currency: v}).Validate(); err != nil {
				errs = append(errs, fmt.Errorf("%w: defaults: price.%v", ErrMapping, err))
			}
		}
	}
	for _, field := range requiredFields {
		_, col := m.Columns[field]
		_, def := m.Defaults[field]
		if !col && !def {
			errs = append(errs, fmt.Errorf("%w: field %s needs a column or a default", ErrMapping, field))
		}
	}
	return errors.Join(errs...)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// PublishCSV publishes the rows of a CSV export with a header row, each
// mapped to a listing, encoded as JSON and validated like any event. Rows are
// named "NAME:LINE" by the line they start on (the header is line 1). A
// rejected row goes to the rejected topic as a CSV line; a row over
// MaxCSVRecordBytes is rejected with its first bytes, and the rows after it
// are read. A mapping column missing from the header is an ErrMapping error
// before anything is sent.
func (p *Publisher) PublishCSV(ctx context.Context, name string, r io.Reader, m *Mapping, opts FeedOptions) (Result, error) {
	cr, err := newCSVReader(name, r, m, MaxCSVRecordBytes)
	if err != nil {
		return Result{}, err
	}
	return p.feed(ctx, opts, cr.next)
}

// csvReader turns a CSV export into listing events, one per record.
type csvReader struct {
	name   string
	split  *csvSplitter
	header []string
	rm     *rowMapper
	// raw and br feed each record to its own encoding/csv Reader; reset per
	// record rather than made anew, as csv.NewReader would otherwise wrap
	// every row in a new 4 KiB bufio buffer (csv.NewReader keeps a
	// *bufio.Reader it is given as is).
	raw bytes.Reader
	br  *bufio.Reader
}

// newCSVReader reads the header and binds m to it; records over maxRecord
// bytes are rejected.
func newCSVReader(name string, r io.Reader, m *Mapping, maxRecord int) (*csvReader, error) {
	c := &csvReader{name: name, split: newCSVSplitter(r, maxRecord, m.comma())}
	c.br = bufio.NewReader(&c.raw)
	for {
		raw, _, tooLong, err := c.split.next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s has no header row", ErrMapping, name)
		}
		if err != nil {
			return nil, fmt.Errorf("read header of %s: %w", name, err)
		}
		if tooLong {
			return nil, fmt.Errorf("%w: the header row of %s is longer than %d bytes", ErrMapping, name, maxRecord)
		}
		rec, err := c.parseRecord(raw)
		if errors.Is(err, io.EOF) {
			continue // a blank line
		}
		if err != nil {
			return nil, fmt.Errorf("read header of %s: %w", name, err)
		}
		c.header = rec
		break
	}
	rm, err := m.bind(c.header, name)
	if err != nil {
		return nil, err
	}
	c.rm = rm
	return c, nil
}

// parseRecord parses the raw bytes of one record; io.EOF means a blank
// line. A new csv.Reader per record keeps its line numbers relative to the
// record's first line.
func (c *csvReader) parseRecord(raw []byte) ([]string, error) {
	c.raw.Reset(raw)
	c.br.Reset(&c.raw)
	r := csv.NewReader(c.br)
	r.Comma = rune(c.split.comma)
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil {
		return nil, err
	}
	if _, err := r.Read(); !errors.Is(err, io.EOF) {
		// The splitter ends records where encoding/csv does; this is a
		// guard, not an expected path.
		return nil, &csv.ParseError{StartLine: 1, Line: 1, Err: errors.New("record boundary unclear")}
	}
	return rec, nil
}

// next returns the event of the next record, or io.EOF.
func (c *csvReader) next() (Event, error) {
	for {
		raw, start, tooLong, err := c.split.next()
		if err != nil {
			return Event{}, err
		}
		src := fmt.Sprintf("%s:%d", c.name, start)
		if tooLong {
			return Event{Raw: bytes.Clone(raw), Source: src,
				Err: reject(ReasonTooLarge, fmt.Errorf("%w: CSV row longer than %d bytes", listing.ErrInvalid, c.split.max))}, nil
		}
		rec, err := c.parseRecord(raw)
		if errors.Is(err, io.EOF) {
			continue
		}
		if perr, ok := errors.AsType[*csv.ParseError](err); ok {
			if first, ok := c.split.again(); ok {
				// Only the first line is reported; the rows after it are
				// read again, not lost in the bad record.
				raw, perr = first, c.firstLineError(first, perr)
			}
			return Event{
				Raw:    bytes.Clone(trimLineEnd(raw)),
				Source: fmt.Sprintf("%s:%d", c.name, start+perr.StartLine-1),
				Err:    reject(ReasonCSV, fmt.Errorf("%w: malformed CSV: %v", listing.ErrInvalid, perr.Err)),
			}, nil
		}
		if err != nil {
			return Event{}, err
		}
		return c.event(rec, trimLineEnd(raw), src), nil
	}
}

// firstLineError is what is wrong with first, a record's first line on
// its own; err, the whole record's error, if parsing the line finds
// nothing (it always should: the line opens a quote it does not close).
func (c *csvReader) firstLineError(first []byte, err *csv.ParseError) *csv.ParseError {
	if _, lerr := c.parseRecord(first); lerr != nil {
		if perr, ok := errors.AsType[*csv.ParseError](lerr); ok {
			return perr
		}
	}
	return err
}

// trimLineEnd cuts the one line ending a record's bytes end with, as
// encoding/csv does: "\r\n", "\n", or a "\r" at the end of the input.
// More would cut a field's own trailing carriage returns.
func trimLineEnd(raw []byte) []byte {
	raw, _ = bytes.CutSuffix(raw, []byte("\n"))
	raw, _ = bytes.CutSuffix(raw, []byte("\r"))
	return raw
}

// event maps one record; a rejected one keeps the row's bytes as they
// came (row is the splitter's buffer, so it is copied).
func (c *csvReader) event(rec []string, row []byte, src string) Event {
	if len(rec) != len(c.header) {
		return Event{Raw: bytes.Clone(row), Source: src, Err: reject(ReasonCSV, fmt.Errorf("%w: row has %d columns, the header %d", listing.ErrInvalid, len(rec), len(c.header)))}
	}
	l, err := c.rm.listing(rec)
	if err != nil {
		return Event{Raw: bytes.Clone(row), Source: src, Err: reject(ReasonField, err)}
	}
	data, err := json.Marshal(l)
	if err != nil {
		return Event{Raw: bytes.Clone(row), Source: src, Err: reject(ReasonCSV, fmt.Errorf("%w: %v", listing.ErrInvalid, err))}
	}
	e := DecodeEvent(data, src)
	if !e.Valid() {
		e.Raw = bytes.Clone(row)
	}
	return e
}

// rowMapper is a mapping bound to one header.
type rowMapper struct {
	m   *Mapping
	idx map[string]int // field → column index
}

func (m *Mapping) bind(header []string, name string) (*rowMapper, error) {
	pos := make(map[string]int, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheet byte order mark
		}
		h = strings.TrimSpace(h)
		if _, dup := pos[h]; dup {
			pos[h] = -1 // named twice: which one is meant cannot be told
			continue
		}
		pos[h] = i
	}
	rm := &rowMapper{m: m, idx: make(map[string]int, len(m.Columns))}
	var errs []error
	for _, field := range sortedKeys(m.Columns) {
		col := m.Columns[field]
		i, ok := pos[strings.TrimSpace(col)]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%w: field %s names column %q, which is not in the header of %s (columns: %s)",
				ErrMapping, field, col, name, strings.Join(header, ", ")))
			continue
		case i < 0:
			errs = append(errs, fmt.Errorf("%w: field %s names column %q, which the header of %s has more than once", ErrMapping, field, col, name))
			continue
		}
		rm.idx[field] = i
	}
	if len(errs) > 0 && len(header) == 1 {
		// One error for a file cut by another delimiter, not one per field.
		for _, d := range csvDelimiters {
			if byte(d) != m.comma() && strings.ContainsRune(header[0], d) {
				return nil, fmt.Errorf("%w: the header of %s reads as one column, %q: its cells look separated by %q; add delimiter: %q to the mapping",
					ErrMapping, name, header[0], string(d), string(d))
			}
		}
	}
	return rm, errors.Join(errs...)
}

// value returns the trimmed cell for field, or its default.
func (rm *rowMapper) value(rec []string, field string) string {
	if i, ok := rm.idx[field]; ok {
		if v := strings.TrimSpace(rec[i]); v != "" {
			return v
		}
	}
	return rm.m.Defaults[field]
}

// listing builds the listing of one row; contract checks are left to
// listing.Decode, only cells that cannot be converted are reported here.
func (rm *rowMapper) listing(rec []string) (*listing.Listing, error) {
	bad := func(field, format string, args ...any) error {
		where := "default"
		if _, ok := rm.idx[field]; ok {
			where = fmt.Sprintf("column %q", rm.m.Columns[field])
		}
		return fmt.Errorf("%w: field %s: %s: %s", listing.ErrInvalid, field, where, fmt.Sprintf(format, args...))
	}
	l := &listing.Listing{
		ID:          rm.value(rec, "id"),
		Marketplace: rm.value(rec, "marketplace"),
		URL:         rm.value(rec, "url"),
		Title:       rm.value(rec, "title"),
		Description: rm.value(rec, "description"),
		Seller:      listing.Seller{ID: rm.value(rec, "seller.id"), Name: rm.value(rec, "seller.name")},
	}
	amount, currency := rm.value(rec, "price.amount"), rm.value(rec, "price.currency")
	if amount != "" {
		a, err := parseAmount(amount, rm.m.DecimalComma)
		if err != nil {
			return nil, bad("price.amount", "%v", err)
		}
		l.Price = &price.Money{Amount: a, Currency: currency}
	}
	if v := rm.value(rec, "observed_at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, bad("observed_at", "%q is not an RFC 3339 timestamp", v)
		}
		l.ObservedAt = t
	}
	if v := rm.value(rec, "images"); v != "" {
		for _, img := range strings.Split(v, rm.m.ImagesSeparator) {
			if img = strings.TrimSpace(img); img != "" {
				l.Images = append(l.Images, img)
			}
		}
	}
	return l, nil
}

// decimalCommaAmount is a price as locales with a decimal comma write it:
// 1234,50, or 1.234,50 with dots between groups of three digits. Anything
// else (1.99, 1,234.50) is refused rather than read as another amount.
var decimalCommaAmount = regexp.MustCompile(`^(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$`)

// parseAmount reads a price cell: 1234.50, or with decimalComma
// 1234,50 and 1.234,50 as many locales write it.
func parseAmount(s string, decimalComma bool) (float64, error) {
	t := strings.TrimSpace(s)
	if decimalComma {
		if !decimalCommaAmount.MatchString(t) {
			return 0, fmt.Errorf("%q is not a number written with a decimal comma (1234,50 or 1.234,50), as decimal_comma says", s)
		}
		t = strings.ReplaceAll(strings.ReplaceAll(t, ".", ""), ",", ".")
	}
	a, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(a) || math.IsInf(a, 0) {
		if !decimalComma && strings.Contains(s, ",") {
			return 0, fmt.Errorf("%q is not a number (written with a decimal comma? add decimal_comma: true to the mapping)", s)
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return a, nil
}
