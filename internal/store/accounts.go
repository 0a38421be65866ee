package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/kith"
)

const (
	// The WHERE NOT EXISTS makes "first admin" atomic: two concurrent setup
	// forms cannot both win.
	insertAccount = `INSERT INTO users (name, email, role, password_hash, created_at)
SELECT $1, $2, $3, $4, $5 WHERE $6 = 0 OR NOT EXISTS (SELECT 1 FROM users WHERE password_hash <> '')
ON CONFLICT (email) DO UPDATE SET name = excluded.name, role = excluded.role, password_hash = excluded.password_hash
    WHERE users.password_hash = ''
RETURNING id`
	userColumns       = `id, name, email, role, created_at, password_hash <> ''`
	selectUsers       = `SELECT ` + userColumns + ` FROM users ORDER BY id`
	selectUserByEmail = `SELECT ` + userColumns + `, password_hash FROM users WHERE email = $1`
	updatePassword    = `UPDATE users SET password_hash = $1 WHERE id = $2`
	countSignInUsers  = `SELECT count(*) FROM users WHERE password_hash <> ''`
	insertSession     = `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`
	selectSession     = `SELECT u.id, u.name, u.email, u.role, u.created_at, u.password_hash <> ''
FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2`
	deleteSession      = `DELETE FROM sessions WHERE token_hash = $1`
	deleteUserSessions = `DELETE FROM sessions WHERE user_id = $1`
	deleteExpired      = `DELETE FROM sessions WHERE expires_at <= $1`
	insertToken        = `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)`
	selectTokenUser    = `SELECT u.id, u.name, u.email, u.role, u.created_at, u.password_hash <> ''
FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`
)

type rowScanner interface{ Scan(...any) error }

func scanUser(r rowScanner, extra ...any) (*account.User, error) {
	u := &account.User{}
	var created dbTime
	var role string
	if err := r.Scan(append([]any{&u.ID, &u.Name, &u.Email, &role, &created, &u.HasPassword}, extra...)...); err != nil {
		return nil, err
	}
	u.Role, u.CreatedAt = account.Role(role), created.Time
	return u, nil
}

// CreateUser inserts a staff user who can sign in. A staff row without a
// password (made by an import or the demo) with the same email is given
// the password; an email that can already sign in is a conflict.
func (s *Store) CreateUser(ctx context.Context, u *account.User, hash string, onlyFirst bool) (int64, error) {
	first := 0
	if onlyFirst {
		first = 1
	}
	var id int64
	err := s.db.QueryRowContext(ctx, insertAccount, u.Name, u.Email, string(u.Role), hash, s.d.ts(u.CreatedAt), first).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		if onlyFirst {
			return 0, fmt.Errorf("setup: an administrator already exists: %w", kith.ErrConflict)
		}
		return 0, fmt.Errorf("user %s already exists: %w", u.Email, kith.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("create user %s: %w", u.Email, err)
	}
	return id, nil
}

// Users lists every staff user.
func (s *Store) Users(ctx context.Context) ([]account.User, error) {
	rows, err := s.rd.QueryContext(ctx, selectUsers)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var out []account.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// UserByEmail returns a user and their password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (*account.User, string, error) {
	var hash string
	u, err := scanUser(s.rd.QueryRowContext(ctx, selectUserByEmail, email), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("user %s: %w", email, kith.ErrNotFound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("user %s: %w", email, err)
	}
	return u, hash, nil
}

// SetPasswordHash replaces a user's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	if _, err := s.db.ExecContext(ctx, updatePassword, hash, userID); err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
}

// SignInUsers counts users with a password.
func (s *Store) SignInUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.rd.QueryRowContext(ctx, countSignInUsers).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateSession stores a session by the hash of its token, clearing expired
// ones on the way so the table does not grow without bound.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, created, expires time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, deleteExpired, s.d.ts(created)); err != nil {
			return fmt.Errorf("expire sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, insertSession, tokenHash, userID, s.d.ts(created), s.d.ts(expires)); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// SessionUser returns the user of an unexpired session.
func (s *Store) SessionUser(ctx context.Context, tokenHash string, now time.Time) (*account.User, error) {
	u, err := scanUser(s.readRow(ctx, selectSession, tokenHash, s.d.ts(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("session: %w", kith.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return u, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.ExecContext(ctx, deleteSession, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := s.db.ExecContext(ctx, deleteUserSessions, userID); err != nil {
		return fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// CreateToken stores an API token by its hash.
func (s *Store) CreateToken(ctx context.Context, userID int64, name, tokenHash string, created time.Time) error {
	if _, err := s.db.ExecContext(ctx, insertToken, userID, name, tokenHash, s.d.ts(created)); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// TokenUser returns the user of an API token.
func (s *Store) TokenUser(ctx context.Context, tokenHash string) (*account.User, error) {
	u, err := scanUser(s.readRow(ctx, selectTokenUser, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("token: %w", kith.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	return u, nil
}
