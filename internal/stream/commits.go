package stream

import (
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
	// pending holds offsets started and not yet done, done those finished
	// out of order, waiting for the ones before them.
	pending map[int64]bool
	order   []int64 // started offsets in order, oldest first
	last    kafka.Message
	ready   bool // last is newer than the last commit taken
}

// NewOffsets returns an empty tracker.
func NewOffsets() *Offsets { return &Offsets{parts: make(map[partKey]*partState)} }

// Start registers a fetched message, in fetch order.
func (o *Offsets) Start(m kafka.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := partKey{m.Topic, m.Partition}
	p := o.parts[k]
	if p != nil && len(p.order) > 0 && m.Offset <= p.order[len(p.order)-1] {
		// The group rewound this partition (a rebalance handed it back from
		// its last commit): start over; the redelivered messages will be
		// processed again, which at-least-once allows.
		p = nil
	}
	if p == nil {
		p = &partState{pending: make(map[int64]bool)}
		o.parts[k] = p
	}
	p.pending[m.Offset] = false
	p.order = append(p.order, m.Offset)
}

// Done marks a message finished (scored, and its candidate published).
func (o *Offsets) Done(m kafka.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p := o.parts[partKey{m.Topic, m.Partition}]
	if p == nil {
		return
	}
	if _, ok := p.pending[m.Offset]; !ok {
		return
	}
	p.pending[m.Offset] = true
	// Advance over the finished prefix.
	n := 0
	for n < len(p.order) && p.pending[p.order[n]] {
		delete(p.pending, p.order[n])
		n++
	}
	if n > 0 {
		p.last = m
		p.last.Offset = p.order[n-1]
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
