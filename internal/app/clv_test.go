package app_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cdnowDir = "../../testdata/cdnow/" // the repository's copy

// TestCLVOnCDNOWImported imports the CDNOW 1/10 sample with kith import (the
// whitespace-aligned text with a header added) and checks that kith clv fit
// reproduces the published BG/NBD and Gamma-Gamma estimates, that score
// stores scores customer show displays, and that validate runs.
func TestCLVOnCDNOWImported(t *testing.T) {
	raw, err := os.ReadFile(cdnowDir + "CDNOW_sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "cdnow_sample.txt")
	os.WriteFile(src, append([]byte("master_id sample_id date cds dollar_value\r\n"), raw...), 0o644)
	env := map[string]string{"KITH_DB": filepath.Join(dir, "cdnow.db"), "KITH_TZ": "UTC"}
	code, out, errOut := kith(t, env, "import", "orders", src, "--map", "customer_id=sample_id", "--map", "amount=dollar_value", "--currency", "USD")
	if code != 0 || !strings.Contains(out, "read 6919 rows: created 6919") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = kith(t, env, "clv", "fit", "--as-of", "1997-09-30", "--format", "json")
	if code != 0 {
		t.Fatalf("clv fit: %d %s", code, errOut)
	}
	var fit struct {
		Model       string             `json:"model"`
		Unit        string             `json:"unit"`
		Customers   int                `json:"customers"`
		Params      map[string]float64 `json:"params"`
		SpendParams map[string]float64 `json:"spend_params"`
		LL          float64            `json:"log_likelihood"`
		Converged   bool               `json:"converged"`
		Iterations  int                `json:"iterations"`
		StdErrors   map[string]float64 `json:"std_errors"`
	}
	if err := json.Unmarshal([]byte(out), &fit); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]float64{"r": 0.2426, "alpha": 4.4137, "a": 0.7930, "b": 2.4262}
	for k, v := range want {
		if math.Abs(fit.Params[k]-v) > 0.0015 {
			t.Errorf("%s = %v, want %v", k, fit.Params[k], v)
		}
	}
	for k, v := range map[string]float64{"p": 6.25, "q": 3.74, "v": 15.44} {
		if math.Abs(fit.SpendParams[k]-v) > 0.01 {
			t.Errorf("spend %s = %v, want %v", k, fit.SpendParams[k], v)
		}
	}
	if fit.Model != "bgnbd" || fit.Unit != "week" || fit.Customers != 2357 || math.Abs(fit.LL+9582.43) > 0.01 || !fit.Converged || len(fit.StdErrors) != 4 {
		t.Errorf("fit = %+v", fit)
	}
	code, out, errOut = kith(t, env, "clv", "score", "--as-of", "1997-09-30", "--horizon", "39w", "--samples", "50")
	if code != 0 || !strings.Contains(out, "Scored 2357 customers") {
		t.Fatalf("clv score: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = kith(t, env, "customer", "show", "1", "--format", "json")
	var c struct {
		Score struct {
			PAlive            float64 `json:"p_alive"`
			ExpectedPurchases float64 `json:"expected_purchases"`
			CLV               string  `json:"clv"`
			CLVLo             *string `json:"clv_lo"`
		} `json:"score"`
	}
	if err := json.Unmarshal([]byte(out), &c); code != 0 || err != nil || c.Score.CLVLo == nil {
		t.Fatalf("customer show: %d %v\n%s", code, err, out)
	}
	// People read the model's name as the papers write it; JSON keeps the id.
	if code, out, _ := kith(t, env, "customer", "show", "1"); code != 0 || !strings.Contains(out, "1997-09-30  (BG/NBD)") {
		t.Errorf("customer show: %d, no scoring line with the model's title\n%s", code, out)
	}
	// Customer 1 is x=2, t_x=30.43, T=38.86: 1.226 purchases in 39 weeks.
	if math.Abs(c.Score.ExpectedPurchases-1.226) > 0.002 {
		t.Errorf("customer 1 expected purchases %v, want 1.226", c.Score.ExpectedPurchases)
	}
	code, out, errOut = kith(t, env, "clv", "validate", "--as-of", "1998-06-30", "--holdout", "273", "--format", "json")
	if code != 0 {
		t.Fatalf("validate: %d %s", code, errOut)
	}
	var v struct {
		Actual float64 `json:"actual_purchases"`
		Models []struct {
			Model string  `json:"model"`
			MAE   float64 `json:"mae"`
		} `json:"models"`
		ByFrequency []struct {
			Predicted map[string]float64 `json:"predicted"`
		} `json:"by_frequency"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if v.Actual != 1882 || len(v.Models) != 3 || math.Abs(v.ByFrequency[0].Predicted["bgnbd"]-0.2251) > 0.0006 {
		t.Errorf("validate = %+v", v)
	}
	if code, _, _ := kith(t, env, "clv", "fit", "--model", "nope"); code != 2 {
		t.Errorf("unknown model exited %d, want 2", code)
	}
}
