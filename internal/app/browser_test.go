package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kithcrm/kith/internal/customer"
)

// TestBrowser runs e2e/browser.mjs in real Chromium against a server on the
// demo shop: sign-in, charts drawn, Chinese, search and the 360 page, an
// upload with a bad row and its rejects file, a rep refused another rep's
// customer, a phone-sized screen. Screenshots go to test-output/browser.
// Without Chromium or node it skips locally; under CI=true it fails.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	chromium := os.Getenv("KITH_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	node, nodeErr := exec.LookPath("node")
	_, chromeErr := os.Stat(chromium)
	_, pwErr := os.Stat(filepath.Join(root, "node_modules", "playwright-core"))
	if nodeErr != nil || chromeErr != nil || pwErr != nil {
		msg := fmt.Sprintf("browser test needs node (%v), Chromium at %s (%v) and npm's playwright-core (%v): run make test / .ci/run", nodeErr, chromium, chromeErr, pwErr)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ts := newTestServer(t, demoDB(t), 1<<20)
	if code, _, errOut := kith(t, nil, "clv", "score", "--db", ts.db, "--as-of", "2026-10-31"); code != 0 {
		t.Fatalf("clv score: %s", errOut)
	}
	// A customer owned by rep2, which rep1 must not open.
	page, err := ts.st.ListCustomers(context.Background(), customer.Filter{OwnerID: userID(t, ts, "rep2@demo.kith"), Limit: 1})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("no customer of rep2: %v", err)
	}
	out := filepath.Join(root, "test-output", "browser")
	os.RemoveAll(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(root, "e2e", "browser.mjs"), ts.URL+"/", out, fmt.Sprint(page.Items[0].ID))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "KITH_CHROMIUM="+chromium)
	b, err := cmd.CombinedOutput()
	t.Logf("browser: %s", strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("browser test failed (screenshots in %s): %v", out, err)
	}
	shots, _ := filepath.Glob(filepath.Join(out, "*.png"))
	if len(shots) < 12 {
		t.Errorf("%d screenshots, want 12", len(shots))
	}
}

func userID(t *testing.T, ts *testServer, email string) int64 {
	t.Helper()
	users, err := ts.st.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Email == email {
			return u.ID
		}
	}
	t.Fatalf("no user %s", email)
	return 0
}
