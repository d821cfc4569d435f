package account

import (
	"strings"
	"sync"
	"time"
)

// Limiter slows password guessing: after MaxPerName failed logins for one
// account name, or MaxPerAddr from one client address, within Window,
// further attempts are refused until the window ends. Its memory is
// bounded by MaxEntries: when full it drops expired windows, then the
// oldest.
type Limiter struct {
	MaxPerName int
	MaxPerAddr int
	Window     time.Duration
	MaxEntries int
	// Now is the clock (time.Now if nil); tests move it.
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]*window
}

type window struct {
	start    time.Time
	failures int
	refused  bool
}

// NewLimiter returns a limiter with the defaults: 5 failures per name and
// 20 per address in 15 minutes, 10,000 names and addresses remembered.
func NewLimiter() *Limiter {
	return &Limiter{MaxPerName: 5, MaxPerAddr: 20, Window: 15 * time.Minute, MaxEntries: 10_000}
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func nameKey(name string) string { return "n\x00" + strings.ToLower(name) }
func addrKey(addr string) string { return "a\x00" + addr }

// Refusal is the limiter's answer to a login attempt.
type Refusal struct {
	// Wait is how long until a login may be tried; 0 means now.
	Wait time.Duration
	// First is set on the first refusal of a window, so that a flood of
	// refused attempts is recorded once, not once per request.
	First bool
}

// Allow reports whether a login for name from addr may be tried now; if
// not, the refusal says how long until it may.
func (l *Limiter) Allow(name, addr string) (Refusal, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var r Refusal
	for _, k := range []struct {
		key string
		max int
	}{{nameKey(name), l.MaxPerName}, {addrKey(addr), l.MaxPerAddr}} {
		w := l.entries[k.key]
		if w == nil || now.Sub(w.start) >= l.Window || w.failures < k.max {
			continue
		}
		r.Wait = max(r.Wait, w.start.Add(l.Window).Sub(now))
		if !w.refused {
			w.refused, r.First = true, true
		}
	}
	return r, r.Wait == 0
}

// Fail counts a failed login.
func (l *Limiter) Fail(name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, key := range []string{nameKey(name), addrKey(addr)} {
		w := l.entries[key]
		if w == nil || now.Sub(w.start) >= l.Window {
			l.makeRoom(now)
			w = &window{start: now}
			if l.entries == nil {
				l.entries = map[string]*window{}
			}
			l.entries[key] = w
		}
		w.failures++
	}
}

// Succeed forgets the name's failures: its owner got in.
func (l *Limiter) Succeed(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, nameKey(name))
}

// makeRoom keeps the map under MaxEntries.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.entries) < l.MaxEntries {
		return
	}
	for k, w := range l.entries {
		if now.Sub(w.start) >= l.Window {
			delete(l.entries, k)
		}
	}
	for len(l.entries) >= l.MaxEntries {
		var oldest string
		var at time.Time
		for k, w := range l.entries {
			if oldest == "" || w.start.Before(at) {
				oldest, at = k, w.start
			}
		}
		delete(l.entries, oldest)
	}
}

// Len is how many names and addresses are remembered.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}
