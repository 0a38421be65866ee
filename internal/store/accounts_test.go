package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// cheap keeps argon2 fast under the race detector; the cost parameters are
// read back from the hash, so verification follows.
var cheap = account.Params{Memory: 64, Time: 1, Threads: 1}

func TestAccounts(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, engine)
			now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
			svc := account.NewService(st, func() time.Time { return now })
			svc.Params = cheap

			if need, err := svc.NeedsSetup(ctx); err != nil || !need {
				t.Fatalf("NeedsSetup on an empty database = %v, %v; want true", need, err)
			}
			// A staff row from an import (no password) does not count.
			if _, err := st.UpsertStaff(ctx, "Li Na", "li@shop.cn", "rep", "", 0); err != nil {
				t.Fatal(err)
			}
			if need, _ := svc.NeedsSetup(ctx); !need {
				t.Fatal("a staff row without a password made setup unnecessary")
			}
			admin, err := svc.Setup(ctx, "Boss", "Boss@Shop.cn", "correct horse")
			if err != nil {
				t.Fatal(err)
			}
			if admin.Email != "boss@shop.cn" || admin.Role != account.Admin {
				t.Fatalf("setup made %+v", admin)
			}
			if _, err := svc.Setup(ctx, "Other", "other@shop.cn", "correct horse"); !errors.Is(err, kith.ErrConflict) {
				t.Fatalf("second setup: %v, want conflict", err)
			}
			// The imported staff member gets a password; a taken sign-in is a conflict.
			if _, err := svc.Add(ctx, "Li Na", "li@shop.cn", account.Rep, "rep password"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Add(ctx, "Li Na", "li@shop.cn", account.Rep, "rep password"); !errors.Is(err, kith.ErrConflict) {
				t.Fatalf("adding a user twice: %v, want conflict", err)
			}
			if _, err := svc.Add(ctx, "", "not-an-email", account.Rep, "short"); !errors.Is(err, kith.ErrInvalid) {
				t.Fatalf("bad user: %v, want invalid", err)
			}

			token, u, err := svc.SignIn(ctx, "li@shop.cn", "rep password", "10.0.0.1")
			if err != nil || u.Role != account.Rep {
				t.Fatalf("sign in: %v %+v", err, u)
			}
			if got, err := svc.Session(ctx, token); err != nil || got.ID != u.ID {
				t.Fatalf("session: %v %+v", err, got)
			}
			if _, err := svc.Session(ctx, token+"x"); !errors.Is(err, account.ErrUnauthorized) {
				t.Fatalf("forged session: %v", err)
			}
			// Sessions expire.
			now = now.Add(account.SessionTTL + time.Minute)
			if _, err := svc.Session(ctx, token); !errors.Is(err, account.ErrUnauthorized) {
				t.Fatalf("expired session: %v", err)
			}
			// Changing the password revokes sessions.
			token, _, _ = svc.SignIn(ctx, "li@shop.cn", "rep password", "10.0.0.1")
			if err := svc.SetPassword(ctx, "li@shop.cn", "new password"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Session(ctx, token); !errors.Is(err, account.ErrUnauthorized) {
				t.Fatalf("session after password change: %v", err)
			}
			if _, _, err := svc.SignIn(ctx, "li@shop.cn", "rep password", "10.0.0.1"); !errors.Is(err, account.ErrBadCredentials) {
				t.Fatalf("old password: %v", err)
			}
			// Rate limit: after 5 failures even the right password is refused.
			for range 5 {
				_, _, _ = svc.SignIn(ctx, "boss@shop.cn", "guess", "10.0.0.2")
			}
			if _, _, err := svc.SignIn(ctx, "boss@shop.cn", "correct horse", "10.0.0.3"); !errors.Is(err, account.ErrRateLimited) {
				t.Fatalf("after 5 failures: %v, want rate limited", err)
			}
			now = now.Add(16 * time.Minute)
			if _, _, err := svc.SignIn(ctx, "boss@shop.cn", "correct horse", "10.0.0.3"); err != nil {
				t.Fatalf("after the window: %v", err)
			}
			// Sign-out ends the session.
			token, _, _ = svc.SignIn(ctx, "boss@shop.cn", "correct horse", "10.0.0.3")
			if err := svc.SignOut(ctx, token); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Session(ctx, token); !errors.Is(err, account.ErrUnauthorized) {
				t.Fatalf("after sign-out: %v", err)
			}
			// API tokens.
			api, err := svc.NewToken(ctx, "boss@shop.cn", "ci")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := svc.Token(ctx, api); err != nil || got.Email != "boss@shop.cn" {
				t.Fatalf("token: %v %+v", err, got)
			}
			if _, err := svc.Token(ctx, "kith_nope"); !errors.Is(err, account.ErrUnauthorized) {
				t.Fatalf("unknown token: %v", err)
			}
			users, err := svc.Users(ctx)
			if err != nil || len(users) != 2 {
				t.Fatalf("users: %v %+v", err, users)
			}
		})
	}
}
