package app_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestCustomerJSONSameInCLIAndAPI: `kith customer show --format json` and
// GET /api/v1/customers/{id} give the same document for the same customer,
// down to order ids, the score and the RFM segment.
func TestCustomerJSONSameInCLIAndAPI(t *testing.T) {
	db := demoDB(t)
	if code, _, errOut := kith(t, nil, "clv", "score", "--db", db, "--samples", "20"); code != 0 {
		t.Fatalf("clv score: %s", errOut)
	}
	// Both sides read the real clock: the segment is as of today.
	ts := newTestServerAt(t, db, 1<<20, time.Now)
	tok := ts.token(t, "owner@demo.kith")
	withSegment, withScore := 0, 0
	for _, id := range []int{1, 2, 17, 150, 399} {
		code, out, errOut := kith(t, nil, "customer", "show", fmt.Sprintf("#%d", id), "--db", db, "--orders", "50", "--format", "json")
		if code != 0 {
			t.Fatalf("customer show #%d: %d %s", id, code, errOut)
		}
		var fromCLI map[string]any
		if err := json.Unmarshal([]byte(out), &fromCLI); err != nil {
			t.Fatalf("customer show #%d: %v\n%s", id, err, out)
		}
		res := do(t, nil, "GET", fmt.Sprintf("%s/api/v1/customers/%d", ts.URL, id), tok, nil, nil)
		fromAPI, _ := res.json(t).(map[string]any)
		if res.status != 200 || !reflect.DeepEqual(fromCLI, fromAPI) {
			t.Errorf("customer #%d: the CLI and the API (%d) differ:\nCLI %v\nAPI %v", id, res.status, fromCLI, fromAPI)
		}
		if fromCLI["segment"] != nil {
			withSegment++
		}
		if fromCLI["score"] != nil {
			withScore++
		}
		seen := map[float64]bool{}
		for _, o := range fromCLI["orders"].([]any) {
			oid, _ := o.(map[string]any)["id"].(float64)
			if oid <= 0 || seen[oid] {
				t.Errorf("customer #%d: order id %v missing or repeated", id, oid)
			}
			seen[oid] = true
		}
	}
	if withSegment == 0 || withScore == 0 {
		t.Errorf("%d customers with a segment, %d with a score: the comparison left those out", withSegment, withScore)
	}
}
