package stream

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/segmentio/kafka-go"
)

func msg(p int, off int64) kafka.Message {
	return kafka.Message{Topic: "listings", Partition: p, Offset: off}
}

func TestOffsetsInOrder(t *testing.T) {
	o := NewOffsets()
	for i := int64(0); i < 5; i++ {
		o.Start(msg(0, i))
	}
	o.Start(msg(1, 100))
	steps := []struct {
		done int64
		part int
		want map[int]int64 // partition -> committable offset; absent = none
	}{
		{done: 2, part: 0, want: map[int]int64{}},
		{done: 1, part: 0, want: map[int]int64{}},
		{done: 0, part: 0, want: map[int]int64{0: 2}},
		{done: 100, part: 1, want: map[int]int64{1: 100}},
		{done: 4, part: 0, want: map[int]int64{}},
		{done: 3, part: 0, want: map[int]int64{0: 4}},
	}
	for _, s := range steps {
		o.Done(msg(s.part, s.done))
		got := map[int]int64{}
		for _, m := range o.Committable() {
			got[m.Partition] = m.Offset
		}
		if len(got) != len(s.want) {
			t.Fatalf("after done %d/%d: committable %v, want %v", s.part, s.done, got, s.want)
		}
		for p, off := range s.want {
			if got[p] != off {
				t.Fatalf("after done %d/%d: committable %v, want %v", s.part, s.done, got, s.want)
			}
		}
	}
	if o.InFlight() != 0 {
		t.Errorf("in flight %d, want 0", o.InFlight())
	}
}

// TestOffsetsMonotonic finishes messages in random order and checks that the
// committed offsets never go backwards and end at the last message.
func TestOffsetsMonotonic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	o := NewOffsets()
	const n = 1000
	var all []kafka.Message
	for p := 0; p < 3; p++ {
		for i := int64(0); i < n; i++ {
			m := msg(p, i+10)
			o.Start(m)
			all = append(all, m)
		}
	}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	last := map[int]int64{0: -1, 1: -1, 2: -1}
	for i, m := range all {
		o.Done(m)
		if i%7 != 0 && i != len(all)-1 {
			continue
		}
		for _, c := range o.Committable() {
			if c.Offset <= last[c.Partition] {
				t.Fatalf("partition %d commit went from %d to %d", c.Partition, last[c.Partition], c.Offset)
			}
			last[c.Partition] = c.Offset
		}
	}
	for p, off := range last {
		if off != n+9 {
			t.Errorf("partition %d ends at %d, want %d", p, off, n+9)
		}
	}
}

func TestOffsetsRewind(t *testing.T) {
	o := NewOffsets()
	for i := int64(10); i < 15; i++ {
		o.Start(msg(0, i))
	}
	o.Done(msg(0, 10))
	if c := o.Committable(); len(c) != 1 || c[0].Offset != 10 {
		t.Fatalf("committable %v, want offset 10", c)
	}
	// A rebalance hands the partition back from offset 11.
	o.Start(msg(0, 11))
	o.Done(msg(0, 13)) // a worker from before the rewind finishing: ignored
	if c := o.Committable(); len(c) != 0 {
		t.Fatalf("committable %v after rewind, want none", c)
	}
	o.Done(msg(0, 11))
	if c := o.Committable(); len(c) != 1 || c[0].Offset != 11 {
		t.Fatalf("committable %v, want offset 11", c)
	}
}

// TestOffsetsBatches checks that Start and Done given batches, spanning
// partitions and a rewind, leave the same commits as one message a call.
func TestOffsetsBatches(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	var started []kafka.Message
	next := map[int]int64{}
	for range 600 {
		p := r.IntN(3)
		if r.IntN(50) == 0 && next[p] > 5 {
			next[p] -= 5 // the group rewound the partition
		}
		started = append(started, msg(p, next[p]))
		next[p]++
	}
	done := slices.Clone(started)
	r.Shuffle(len(done), func(i, j int) { done[i], done[j] = done[j], done[i] })

	one, batched := NewOffsets(), NewOffsets()
	commits := func(o *Offsets) map[int]int64 {
		got := map[int]int64{}
		for _, m := range o.Committable() {
			got[m.Partition] = m.Offset
		}
		return got
	}
	// Start and Done alternate, in batches of 1 to 40, checking the commits
	// after each.
	for s, d := 0, 0; s < len(started) || d < len(done); {
		if s < len(started) {
			n := min(1+r.IntN(40), len(started)-s)
			for _, m := range started[s : s+n] {
				one.Start(m)
			}
			batched.Start(started[s : s+n]...)
			s += n
		}
		n := min(1+r.IntN(40), len(done)-d, s-d)
		for _, m := range done[d : d+n] {
			one.Done(m)
		}
		batched.Done(done[d : d+n]...)
		d += n
		if a, b := commits(one), commits(batched); !maps.Equal(a, b) {
			t.Fatalf("after %d started, %d done: one at a time commits %v, in batches %v", s, d, a, b)
		}
		if a, b := one.InFlight(), batched.InFlight(); a != b {
			t.Fatalf("after %d started, %d done: in flight %d one at a time, %d in batches", s, d, a, b)
		}
	}
}
