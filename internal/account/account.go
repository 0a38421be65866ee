// Package account is kith's staff users: roles, password hashing (argon2id),
// sign-in with rate limiting, revocable sessions and API tokens. Secrets
// handed to clients (session cookies, tokens) are stored only as SHA-256
// hashes, so a copy of the database does not let anyone in.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kithcrm/kith/internal/kith"
)

// Role decides what a user may see and do.
type Role string

// Roles: reps see the customers they own and unassigned ones; managers and
// admins see all; only admins manage users.
const (
	Admin   Role = "admin"
	Manager Role = "manager"
	Rep     Role = "rep"
)

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case Admin, Manager, Rep:
		return r, nil
	}
	return "", fmt.Errorf("role %q: want admin, manager or rep: %w", s, kith.ErrInvalid)
}

// User is a staff member who may sign in.
type User struct {
	ID          int64
	Name        string
	Email       string
	Role        Role
	CreatedAt   time.Time
	HasPassword bool
}

// SeesAll says whether the user sees every customer (not only their own).
func (u *User) SeesAll() bool { return u.Role == Admin || u.Role == Manager }

// MaySee says whether u may see a customer owned by owner (0: unassigned):
// managers and admins see everyone, reps their own and the unassigned.
func (u *User) MaySee(owner int64) bool { return u.SeesAll() || owner == 0 || owner == u.ID }

// Store is what accounts need from storage.
type Store interface {
	// CreateUser inserts a user; a taken email is kith.ErrConflict. With
	// onlyFirst it succeeds only while no user can sign in (setup).
	CreateUser(ctx context.Context, u *User, passwordHash string, onlyFirst bool) (int64, error)
	Users(ctx context.Context) ([]User, error)
	UserByEmail(ctx context.Context, email string) (*User, string, error)
	SetPasswordHash(ctx context.Context, userID int64, hash string) error
	SignInUsers(ctx context.Context) (int, error)
	CreateSession(ctx context.Context, tokenHash string, userID int64, created, expires time.Time) error
	SessionUser(ctx context.Context, tokenHash string, now time.Time) (*User, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	CreateToken(ctx context.Context, userID int64, name, tokenHash string, created time.Time) error
	TokenUser(ctx context.Context, tokenHash string) (*User, error)
}

// Errors a caller tells apart.
var (
	ErrBadCredentials = errors.New("wrong email or password")
	ErrRateLimited    = errors.New("too many failed sign-ins: wait a few minutes")
	ErrUnauthorized   = errors.New("not signed in")
)

// SessionTTL is how long a session lasts after sign-in.
const SessionTTL = 14 * 24 * time.Hour

// Service runs sign-in and user management.
type Service struct {
	store   Store
	now     func() time.Time
	limiter *Limiter
	// Params for new password hashes; tests may lower the memory.
	Params Params
}

// NewService returns a service over store; now stamps sessions.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now, limiter: NewLimiter(5, 15*time.Minute), Params: DefaultParams}
}

// MinPassword is the shortest password accepted.
const MinPassword = 8

func passwordTooShort() *kith.FieldError {
	return kith.FieldMsg("password", "too_short", kith.Msg("account.password_short", "password needs at least %d characters", MinPassword))
}

func checkUser(name, email, password string) (string, error) {
	var fields []error
	if strings.TrimSpace(name) == "" {
		fields = append(fields, kith.FieldMsg("name", "required", kith.Msg("account.name_required", "name is required")))
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	if err != nil || addr.Name != "" {
		fields = append(fields, kith.FieldMsg("email", "invalid", kith.Msg("email.bad", "%q is not an email address", email)))
	} else {
		email = strings.ToLower(addr.Address)
	}
	if utf8.RuneCountInString(password) < MinPassword {
		fields = append(fields, passwordTooShort())
	}
	if len(fields) > 0 {
		return "", errors.Join(fields...)
	}
	return email, nil
}

// Add creates a user who can sign in.
func (s *Service) Add(ctx context.Context, name, email string, role Role, password string) (*User, error) {
	return s.add(ctx, name, email, role, password, false)
}

// Setup creates the first admin; it fails with kith.ErrConflict once any
// user can sign in.
func (s *Service) Setup(ctx context.Context, name, email, password string) (*User, error) {
	return s.add(ctx, name, email, Admin, password, true)
}

func (s *Service) add(ctx context.Context, name, email string, role Role, password string, first bool) (*User, error) {
	email, err := checkUser(name, email, password)
	if err != nil {
		return nil, err
	}
	hash, err := s.Params.Hash(password)
	if err != nil {
		return nil, err
	}
	u := &User{Name: strings.TrimSpace(name), Email: email, Role: role, CreatedAt: s.now(), HasPassword: true}
	if u.ID, err = s.store.CreateUser(ctx, u, hash, first); err != nil {
		return nil, err
	}
	return u, nil
}

// NeedsSetup says whether no user can sign in yet.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	n, err := s.store.SignInUsers(ctx)
	return n == 0, err
}

// Users lists the staff.
func (s *Service) Users(ctx context.Context) ([]User, error) { return s.store.Users(ctx) }

// SetPassword replaces a user's password and signs them out everywhere.
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	if utf8.RuneCountInString(password) < MinPassword {
		return passwordTooShort()
	}
	u, _, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return err
	}
	hash, err := s.Params.Hash(password)
	if err != nil {
		return err
	}
	if err := s.store.SetPasswordHash(ctx, u.ID, hash); err != nil {
		return err
	}
	return s.store.DeleteUserSessions(ctx, u.ID)
}

// SignIn checks a password and opens a session. client identifies where the
// attempt comes from (the remote address) for rate limiting, which counts
// failures per email and per client.
func (s *Service) SignIn(ctx context.Context, email, password, client string) (string, *User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	keys := []string{"email:" + email, "client:" + client}
	if !s.limiter.Allow(now, keys...) {
		return "", nil, ErrRateLimited
	}
	u, hash, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, kith.ErrNotFound) {
		// Spend the same time as a real check so timing does not tell
		// which emails exist.
		_, _ = VerifyPassword(dummyHash(), password)
		s.limiter.Fail(now, keys...)
		return "", nil, ErrBadCredentials
	}
	if err != nil {
		return "", nil, err
	}
	ok, err := VerifyPassword(hash, password)
	if err != nil && hash != "" {
		return "", nil, err
	}
	if !ok {
		s.limiter.Fail(now, keys...)
		return "", nil, ErrBadCredentials
	}
	s.limiter.Reset("email:" + email)
	token, err := s.openSession(ctx, u.ID, now)
	if err != nil {
		return "", nil, err
	}
	return token, u, nil
}

func (s *Service) openSession(ctx context.Context, userID int64, now time.Time) (string, error) {
	token, err := NewSecret()
	if err != nil {
		return "", err
	}
	if err := s.store.CreateSession(ctx, HashSecret(token), userID, now, now.Add(SessionTTL)); err != nil {
		return "", err
	}
	return token, nil
}

// Session returns the user of a live session; ErrUnauthorized otherwise.
func (s *Service) Session(ctx context.Context, token string) (*User, error) {
	if token == "" {
		return nil, ErrUnauthorized
	}
	u, err := s.store.SessionUser(ctx, HashSecret(token), s.now())
	if errors.Is(err, kith.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	return u, err
}

// SignOut ends one session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, HashSecret(token))
}

// RevokeSessions ends every session of a user.
func (s *Service) RevokeSessions(ctx context.Context, email string) error {
	u, _, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return err
	}
	return s.store.DeleteUserSessions(ctx, u.ID)
}

// tokenPrefix marks kith API tokens so they are recognisable in logs and
// secret scanners.
const tokenPrefix = "kith_"

// NewToken issues an API token for a user; the token is shown once.
func (s *Service) NewToken(ctx context.Context, email, name string) (string, error) {
	u, _, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return "", err
	}
	secret, err := NewSecret()
	if err != nil {
		return "", err
	}
	token := tokenPrefix + secret
	if err := s.store.CreateToken(ctx, u.ID, name, HashSecret(token), s.now()); err != nil {
		return "", err
	}
	return token, nil
}

// Token returns the user of an API token; ErrUnauthorized otherwise.
func (s *Service) Token(ctx context.Context, token string) (*User, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, ErrUnauthorized
	}
	u, err := s.store.TokenUser(ctx, HashSecret(token))
	if errors.Is(err, kith.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	return u, err
}

// NewSecret returns 32 random bytes, base64url-encoded.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret is how session and API tokens are stored. The secrets are 256
// random bits, so a plain SHA-256 (not a slow password hash) is enough.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CSRFToken derives the anti-forgery token of a session: it is bound to the
// session, needs no storage, and cannot be computed without the session
// secret.
func CSRFToken(session string) string {
	sum := sha256.Sum256([]byte("kith-csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

type ctxKey struct{}

type signedIn struct {
	user    *User
	session string // the session secret; "" for API tokens
}

// WithUser returns a context carrying the signed-in user and, for browser
// sessions, the session secret (from which the CSRF token derives).
func WithUser(ctx context.Context, u *User, session string) context.Context {
	return context.WithValue(ctx, ctxKey{}, signedIn{u, session})
}

// UserFrom returns the signed-in user of a request context, or nil.
func UserFrom(ctx context.Context) *User {
	s, _ := ctx.Value(ctxKey{}).(signedIn)
	return s.user
}

// SessionFrom returns the session secret of a request context ("" when the
// request came with an API token or none).
func SessionFrom(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(signedIn)
	return s.session
}
