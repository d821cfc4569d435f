package stream

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
)

// Headers on records in the rejected (dead-letter) topic.
const (
	HeaderReason = "assay-reject-reason"
	HeaderSource = "assay-source"
)

// RejectedMessage wraps the original bytes of an invalid event with the
// reason and where it came from ("file.jsonl:12", "http 10.0.0.5").
func RejectedMessage(raw []byte, reason, source string) kafka.Message {
	return kafka.Message{
		Value: raw,
		Headers: []kafka.Header{
			{Key: HeaderReason, Value: []byte(reason)},
			{Key: HeaderSource, Value: []byte(source)},
		},
	}
}

// Header returns the value of a record header, or "".
func Header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// ListingMessage keys a validated listing's original bytes by its id.
func ListingMessage(l *listing.Listing, raw []byte) kafka.Message {
	return kafka.Message{Key: []byte(l.ID), Value: raw}
}

// BrandRecord is one brand on the compacted brands topic. The publisher
// hashes the reference images, so every matcher gets the same hashes
// without reading files it cannot see or fetching the images again.
type BrandRecord struct {
	Brand           brand.Brand     `json:"brand"`
	ReferenceHashes []ReferenceHash `json:"reference_hashes,omitempty"`
	PublishedAt     time.Time       `json:"published_at"`
}

// ContentSum identifies what a record says, leaving out when it was
// published: two records with the same sum describe the same brand.
func (r *BrandRecord) ContentSum() [32]byte {
	c := *r
	c.PublishedAt = time.Time{}
	data, _ := json.Marshal(&c) // a brand record always encodes
	return sha256.Sum256(data)
}

// MatchSum identifies what a record says that scoring uses: ContentSum
// without the owner, the trademark registrations and the contact, which
// only notices use. Two records with the same sum flag the same listings.
func (r *BrandRecord) MatchSum() [32]byte {
	c := *r
	c.Brand.Owner, c.Brand.Marks, c.Brand.Contact = "", nil, nil
	return c.ContentSum()
}

// ReferenceHash is one stored hash of a reference image.
type ReferenceHash struct {
	Image   string `json:"image"`
	Variant string `json:"variant,omitempty"`
	Region  string `json:"region,omitempty"`
	Hash    string `json:"hash"`
}

// RefHashes converts hashes computed by imagehash for one image.
func RefHashes(image string, hs []imagehash.RefHash) []ReferenceHash {
	out := make([]ReferenceHash, 0, len(hs))
	for _, h := range hs {
		out = append(out, ReferenceHash{Image: image, Variant: h.Variant, Region: h.Region, Hash: h.Hash.String()})
	}
	return out
}

// BrandMessage is the record for a brand; a nil rec is a tombstone that
// deletes the brand.
func BrandMessage(id string, rec *BrandRecord) (kafka.Message, error) {
	if rec == nil {
		return kafka.Message{Key: []byte(id)}, nil
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return kafka.Message{}, fmt.Errorf("encode brand %s: %w", id, err)
	}
	return kafka.Message{Key: []byte(id), Value: data}, nil
}

// Candidate is a flagged verdict as published on the candidates topic: the
// verdict contract, plus the listing exactly as it was scored so the
// evidence is preserved as it was when seen.
type Candidate struct {
	score.Verdict
	Listing *listing.Listing `json:"listing"`
	// ContentHash identifies the scored event; a redelivered listing gives
	// the same listing id and hash, so consumers can drop the repeat.
	ContentHash string    `json:"content_hash"`
	ScoredAt    time.Time `json:"scored_at"`
	// Retroactive marks a candidate found by re-scanning retained listings
	// after a brand was added or changed.
	Retroactive bool `json:"retroactive,omitempty"`
	// Images are the whole-image hashes of the listing's photos that could
	// be hashed; a confirmation feeds them back as known counterfeits.
	Images []ImageHash `json:"images,omitempty"`
}

// ImageHash is one listing photo's perceptual hash.
type ImageHash struct {
	Ref  string `json:"ref"`
	Hash string `json:"hash"`
}

// ContentHash hashes a listing event's bytes.
func ContentHash(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16])
}

// CandidateMessage encodes a candidate keyed by listing id, as
// json.Marshal would (see appendCandidate).
func CandidateMessage(c *Candidate) (kafka.Message, error) {
	_, m, err := AppendCandidateMessage(nil, c)
	return m, err
}

// AppendCandidateMessage is CandidateMessage building the record's key and
// value one after the other at the end of buf, growing it if short: one
// allocation for both, or none for a caller that reuses buf once Kafka has
// the record (the matcher does, for every flagged listing). It returns buf
// extended by the record; the record's Key and Value are pieces of it.
func AppendCandidateMessage(buf []byte, c *Candidate) ([]byte, kafka.Message, error) {
	start := len(buf)
	buf = slices.Grow(buf, len(c.ListingID)+candidateSize(c))
	buf = append(buf, c.ListingID...)
	key := buf[start:len(buf):len(buf)]
	from := len(buf)
	buf, ok := appendCandidate(buf, c)
	if !ok {
		data, err := json.Marshal(c)
		if err != nil {
			return buf[:start], kafka.Message{}, fmt.Errorf("encode candidate %s: %w", c.ListingID, err)
		}
		buf = append(buf[:from], data...)
	}
	return buf, kafka.Message{Key: key, Value: buf[from:len(buf):len(buf)]}, nil
}
