package account

import (
	"sync"
	"time"
)

// Limiter counts failed attempts per key in a fixed window: after max
// failures a key is refused until the window since its first failure ends.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string]*failWindow
}

type failWindow struct {
	start time.Time
	n     int
}

// NewLimiter allows max failures per key per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, fails: map[string]*failWindow{}}
}

// Allow says whether every key may try now.
func (l *Limiter) Allow(now time.Time, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if w, ok := l.fails[k]; ok {
			if now.Sub(w.start) >= l.window {
				delete(l.fails, k)
				continue
			}
			if w.n >= l.max {
				return false
			}
		}
	}
	return true
}

// Fail records a failed attempt for each key.
func (l *Limiter) Fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 100_000 {
		// Bound memory under a spray of client addresses: drop expired
		// windows.
		for k, w := range l.fails {
			if now.Sub(w.start) >= l.window {
				delete(l.fails, k)
			}
		}
	}
	for _, k := range keys {
		w, ok := l.fails[k]
		if !ok || now.Sub(w.start) >= l.window {
			w = &failWindow{start: now}
			l.fails[k] = w
		}
		w.n++
	}
}

// Reset forgets a key's failures (after a successful sign-in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	delete(l.fails, key)
	l.mu.Unlock()
}
