package stream

import (
	"cmp"
	"slices"
	"sync"

	"github.com/segmentio/kafka-go"
)

// Offsets tracks messages in flight so that commits go out in order per
// partition. kafka-go's commits are not monotonic — committing offset 150
// and then 50 rewinds the group to 50 — so with many workers finishing in
// any order, only the highest offset below which every message is done may
// be committed. Safe for concurrent use.
type Offsets struct {
	mu    sync.Mutex
	parts map[partKey]*partState
}

type partKey struct {
	topic     string
	partition int
}

type partState struct {
	// order holds the offsets started and not yet committable, oldest
	// first, each marked when done: a partition is fetched in offset
	// order, so it is sorted and Done finds an offset by binary search
	// (two map operations per message cost more, measured in the matcher).
	order []inFlight
	last  kafka.Message
	ready bool // last is newer than the last commit taken
}

type inFlight struct {
	offset int64
	done   bool
}

// NewOffsets returns an empty tracker.
func NewOffsets() *Offsets { return &Offsets{parts: make(map[partKey]*partState)} }

// Start registers fetched messages, in fetch order. One call for a batch of
// messages takes the lock once.
func (o *Offsets) Start(ms ...kafka.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var k partKey
	var p *partState
	for i := range ms {
		m := &ms[i]
		if i == 0 || m.Partition != k.partition || m.Topic != k.topic {
			k = partKey{m.Topic, m.Partition}
			p = o.parts[k]
		}
		if p != nil && len(p.order) > 0 && m.Offset <= p.order[len(p.order)-1].offset {
			// The group rewound this partition (a rebalance handed it back
			// from its last commit): start over; the redelivered messages
			// will be processed again, which at-least-once allows.
			p = nil
		}
		if p == nil {
			p = &partState{}
			o.parts[k] = p
		}
		p.order = append(p.order, inFlight{offset: m.Offset})
	}
}

// Done marks messages finished (scored, and their candidates published).
// One call for a batch of messages takes the lock once.
func (o *Offsets) Done(ms ...kafka.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var k partKey
	var p *partState
	for i := range ms {
		m := &ms[i]
		if i == 0 || m.Partition != k.partition || m.Topic != k.topic {
			k = partKey{m.Topic, m.Partition}
			p = o.parts[k]
		}
		if p != nil {
			p.done(m)
		}
	}
}

func (p *partState) done(m *kafka.Message) {
	i, ok := slices.BinarySearchFunc(p.order, m.Offset, func(f inFlight, off int64) int { return cmp.Compare(f.offset, off) })
	if !ok {
		return // from before a rewind, or done already
	}
	p.order[i].done = true
	// Advance over the finished prefix.
	n := 0
	for n < len(p.order) && p.order[n].done {
		n++
	}
	if n > 0 {
		// Only what a commit reads: a whole message would keep its
		// listing alive until the partition next advances.
		p.last = kafka.Message{Topic: m.Topic, Partition: m.Partition, Offset: p.order[n-1].offset}
		p.order = p.order[n:]
		p.ready = true
	}
}

// Committable returns, per partition, the newest message below which every
// message is done, if it advanced since the last call. Committing these
// never moves a group backwards.
func (o *Offsets) Committable() []kafka.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []kafka.Message
	for _, p := range o.parts {
		if p.ready {
			out = append(out, p.last)
			p.ready = false
		}
	}
	return out
}

// InFlight is the number of messages started and not yet committable.
func (o *Offsets) InFlight() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, p := range o.parts {
		n += len(p.order)
	}
	return n
}
