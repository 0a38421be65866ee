package account

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	p := Params{Memory: 64, Time: 1, Threads: 1}
	h, err := p.Hash("密码 correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	h2, _ := p.Hash("密码 correct horse")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		hash, pw string
		ok, err  bool
	}{
		{h, "密码 correct horse", true, false},
		{h, "密码 correct hors", false, false},
		{h, "", false, false},
		{"", "x", false, true},
		{"$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "x", false, true},
		{"$argon2id$v=19$m=64,t=0,p=1$c2FsdA$a2V5", "x", false, true},
		{"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5", "x", false, true},
	} {
		ok, err := VerifyPassword(tc.hash, tc.pw)
		if ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("VerifyPassword(%q, %q) = %v, %v", tc.hash, tc.pw, ok, err)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !l.Allow(t0, "a") {
			t.Fatalf("refused after %d failures", i)
		}
		l.Fail(t0, "a", "b")
	}
	if l.Allow(t0.Add(59*time.Second), "a") || l.Allow(t0, "x", "b") {
		t.Fatal("allowed after 3 failures within the window")
	}
	if !l.Allow(t0, "c") {
		t.Fatal("an unrelated key was refused")
	}
	if !l.Allow(t0.Add(time.Minute), "a") {
		t.Fatal("refused after the window ended")
	}
	l.Fail(t0, "d")
	l.Reset("d")
	l.Fail(t0, "d")
	l.Fail(t0, "d")
	if !l.Allow(t0, "d") {
		t.Fatal("Reset did not forget failures")
	}
}

func TestCSRFToken(t *testing.T) {
	a, b := CSRFToken("session-a"), CSRFToken("session-b")
	if a == b || a != CSRFToken("session-a") || len(a) < 20 {
		t.Fatalf("CSRF tokens %q %q", a, b)
	}
}

func TestMaySee(t *testing.T) {
	rep := &User{ID: 7, Role: Rep}
	for _, tc := range []struct {
		u     *User
		owner int64
		want  bool
	}{
		{rep, 7, true},                         // own
		{rep, 0, true},                         // unassigned
		{rep, 8, false},                        // another rep's
		{&User{ID: 1, Role: Manager}, 8, true}, // managers see all
		{&User{ID: 1, Role: Admin}, 8, true},
	} {
		if got := tc.u.MaySee(tc.owner); got != tc.want {
			t.Errorf("%s #%d MaySee(%d) = %v, want %v", tc.u.Role, tc.u.ID, tc.owner, got, tc.want)
		}
	}
}
