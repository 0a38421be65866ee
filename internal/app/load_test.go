package app_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/store"
)

// TestServeLoad is the server benchmark of docs/benchmarks.md, run only when
// KITH_LOAD_DB names a demo database (make bench-serve builds a 100k /
// 1M-order one). It starts the real kith binary as its own process and
// drives it from here over loopback at a fixed arrival rate (an open loop:
// slow responses do not slow the arrivals), then reports latency
// percentiles and errors per endpoint. It asserts no timing; it fails only
// on errors.
func TestServeLoad(t *testing.T) {
	db := os.Getenv("KITH_LOAD_DB")
	if db == "" {
		t.Skip("set KITH_LOAD_DB to a demo database to run the load benchmark (make bench-serve)")
	}
	rate, dur := 200, 60*time.Second
	if s := os.Getenv("KITH_LOAD_RATE"); s != "" {
		fmt.Sscan(s, &rate)
	}
	if s := os.Getenv("KITH_LOAD_SECONDS"); s != "" {
		var n int
		fmt.Sscan(s, &n)
		dur = time.Duration(n) * time.Second
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := account.NewService(st, time.Now).NewToken(ctx, "owner@demo.kith", "load")
	if err != nil {
		t.Fatal(err)
	}
	counts, err := st.Counts(ctx)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("database: %d customers, %d orders", counts.Customers, counts.Orders)

	bin := filepath.Join(t.TempDir(), "kith")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/kith").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--upload-dir", t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base := regexp.MustCompile(`http://\S+`).FindString(line)
	go io.Copy(io.Discard, stdout)

	// The generator keeps to one core, leaving the other to the server: on
	// a 2-core machine a generator on both cores measures its own
	// scheduling (/healthz alone then shows a 10 ms p99).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 0}, Timeout: 10 * time.Second}
	get := func(path string) (time.Duration, error) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		took := time.Since(start)
		if err == nil && res.StatusCode != 200 {
			err = fmt.Errorf("%s: status %d", path, res.StatusCode)
		}
		return took, err
	}
	// Warm-up: the first dashboard computes the reports; later ones hit
	// the cache until the data changes (what a shop's day looks like).
	if took, err := get("/api/v1/dashboard"); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("first dashboard (computing): %v", took)
	}
	// The 360 shows the RFM segment: the first one computes the scores.
	if took, err := get("/api/v1/customers/1"); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("first customer 360 (computing RFM): %v", took)
	}
	// The dashboard page in Chromium, when there is one.
	if node, err := exec.LookPath("node"); err == nil {
		if _, err := os.Stat("/usr/bin/chromium"); err == nil {
			out, err := exec.Command(node, "../../e2e/timing.mjs", base).CombinedOutput()
			t.Logf("dashboard page in Chromium: %s (err %v)", strings.TrimSpace(string(out)), err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, ep := range []struct {
		name string
		path func() string
	}{
		{"customer 360", func() string { return fmt.Sprintf("/api/v1/customers/%d", 1+rng.Int64N(counts.Customers)) }},
		{"dashboard", func() string { return "/api/v1/dashboard" }},
	} {
		var mu sync.Mutex
		var lat []time.Duration
		var errs []error
		var wg sync.WaitGroup
		// Arrivals on an absolute schedule: a late wake-up sends the due
		// requests at once instead of dropping them.
		interval := time.Second / time.Duration(rate)
		start, n := time.Now(), int(dur/interval)
		for i := range n {
			time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
			path := ep.path()
			wg.Add(1)
			go func() {
				defer wg.Done()
				took, err := get(path)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					lat = append(lat, took)
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		slices.Sort(lat)
		pct := func(p float64) time.Duration {
			if len(lat) == 0 {
				return 0
			}
			return lat[min(len(lat)-1, int(p*float64(len(lat))))]
		}
		t.Logf("%-12s %d req at %d/s for %v: p50 %v  p90 %v  p99 %v  max %v  errors %d",
			ep.name, len(lat)+len(errs), rate, dur, pct(0.5).Round(10*time.Microsecond), pct(0.9).Round(10*time.Microsecond),
			pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond), len(errs))
		if len(errs) > 0 {
			t.Errorf("%s: %d errors, first: %v", ep.name, len(errs), errs[0])
		}
	}
}
