package casestore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Status is where a case stands in the review and takedown workflow.
type Status string

// The workflow: new → confirmed → in_notice → removed; or dismissed; and
// after a notice, rejected (the marketplace declined) or counter_noticed
// (the seller objected), the latter ending removed or reinstated.
const (
	New            Status = "new"
	Confirmed      Status = "confirmed"
	Dismissed      Status = "dismissed"
	InNotice       Status = "in_notice"
	Removed        Status = "removed"
	Rejected       Status = "rejected"
	CounterNoticed Status = "counter_noticed"
	Reinstated     Status = "reinstated"
)

// transitions lists the moves allowed from each status.
var transitions = map[Status][]Status{
	New:            {Confirmed, Dismissed},
	Confirmed:      {InNotice, Dismissed},
	Dismissed:      {New}, // reopened
	InNotice:       {Removed, Rejected, CounterNoticed},
	Rejected:       {InNotice, Dismissed}, // resubmitted with more evidence, or dropped
	CounterNoticed: {Removed, Reinstated},
	Removed:        {CounterNoticed, Reinstated}, // a late counter-notice
	Reinstated:     {InNotice},                   // relisted after reinstatement: notify again
}

// ErrTransition marks a move the workflow does not allow.
var ErrTransition = errors.New("status change not allowed")

// ErrNotFound marks a case that does not exist.
var ErrNotFound = errors.New("case not found")

// ParseStatus checks a status name.
func ParseStatus(s string) (Status, error) {
	st := Status(s)
	if _, ok := transitions[st]; !ok {
		return "", fmt.Errorf("unknown status %q (known: %s)", s, strings.Join(statusNames(), ", "))
	}
	return st, nil
}

// Next lists the statuses a case may move to from this one.
func (s Status) Next() []Status { return slices.Clone(transitions[s]) }

// CanMove reports whether a case may go from one status to another.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

func checkMove(id int64, from, to Status) error {
	if CanMove(from, to) {
		return nil
	}
	allowed := make([]string, 0, len(transitions[from]))
	for _, s := range transitions[from] {
		allowed = append(allowed, string(s))
	}
	return fmt.Errorf("case %d: %w: from %s to %s (allowed from %s: %s)", id, ErrTransition, from, to, from, strings.Join(allowed, ", "))
}

func statusNames() []string {
	var out []string
	for s := range transitions {
		out = append(out, string(s))
	}
	slices.Sort(out)
	return out
}
