package stream

import (
	"math/rand/v2"
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
