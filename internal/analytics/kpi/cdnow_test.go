package kpi

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readMaster reads CDNOW_master.txt: the 23,570 customers who first bought
// at CDNOW in 1997-Q1, followed to 1998-06-30.
func readMaster(t *testing.T) *Orders {
	f, err := os.Open("../../../testdata/cdnow/CDNOW_master.txt.gz") // the repository's copy
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	o := &Orders{}
	sc := bufio.NewScanner(zr)
	sc.Scan() // header
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		id, _ := strconv.ParseInt(fs[0], 10, 64)
		day, err := time.Parse("20060102", fs[1])
		if err != nil {
			t.Fatal(err)
		}
		v, _ := strconv.ParseFloat(fs[3], 64)
		o.Customer = append(o.Customer, id)
		o.Day = append(o.Day, int32(day.Unix()/86400))
		o.Amount = append(o.Amount, int64(math.Round(v*100)))
	}
	return o
}

// TestCDNOW checks the overview against facts the data's README states: all
// 23,570 customers first bought in 1997-Q1, the total is $2,500,315.63 over
// 69,659 orders, and nobody new arrives later.
func TestCDNOW(t *testing.T) {
	o := readMaster(t)
	if len(o.Day) != 69659 {
		t.Fatalf("%d orders, want 69,659", len(o.Day))
	}
	q1 := Compute(o, nil, Quarter, d("1997-03-31"), 0)
	if q1.Customers != 23570 || q1.Current.New != 23570 || q1.Current.Returning != 0 || q1.Current.Label != "1997-Q1" {
		t.Errorf("1997-Q1: %d customers, %d new, %d returning", q1.Customers, q1.Current.New, q1.Current.Returning)
	}
	end := Compute(o, nil, Quarter, d("1998-06-30"), 0)
	if end.Customers != 23570 || end.Current.New != 0 || end.Current.Returning != end.Current.Active {
		t.Errorf("1998-Q2: %d customers, %d new of %d active", end.Customers, end.Current.New, end.Current.Active)
	}
	var total int64
	for _, a := range o.Amount {
		total += a
	}
	// Revenue by quarter adds up to the README's total.
	var byQuarter int64
	for q := Quarter.Index(d("1997-01-01")); q <= Quarter.Index(d("1998-06-30")); q++ {
		byQuarter += Figures(o, nil, Quarter, q, d("1998-06-30")).Revenue
	}
	if total != 250031563 || byQuarter != total {
		t.Errorf("total %d, by quarter %d, want 250031563", total, byQuarter)
	}
	// Retention 1997-Q1 -> Q2 is the share of the cohort buying again in Q2.
	q2 := Compute(o, nil, Quarter, d("1997-06-30"), 0).Current
	if q2.PreviousActive != 23570 || q2.Retained != q2.Active || q2.RetentionRate.Value <= 0 || q2.RetentionRate.Value >= 1 {
		t.Errorf("1997-Q2 retention %+v", q2)
	}
	t.Logf("1997-Q2: active %d, retention %.4f, repurchase %.4f, AOV %.2f; repeat-customer rate to 1998-06-30 %.4f",
		q2.Active, q2.RetentionRate.Value, q2.RepurchaseRate.Value, q2.AOV.Value/100, end.RepeatCustomerRate.Value)
}

var update = flag.Bool("update", false, "rewrite golden files")

// TestCDNOWGolden pins the monthly cohort table (customer retention by month
// since the first purchase, to 1998-06) and the quarterly overview of the
// CDNOW cohort; the facts above check them independently.
func TestCDNOWGolden(t *testing.T) {
	o := readMaster(t)
	var b strings.Builder
	fmt.Fprintln(&b, "cohort size retention-by-month")
	total := 0
	for _, c := range Cohorts(o, Month, d("1998-06-30")) {
		total += c.Size
		fmt.Fprintf(&b, "%s %d", c.Label, c.Size)
		for _, r := range c.Retention {
			fmt.Fprintf(&b, " %.4f", r)
		}
		fmt.Fprintln(&b)
	}
	if total != 23570 {
		t.Errorf("cohort sizes sum to %d, want 23,570", total)
	}
	fmt.Fprintln(&b, "quarter active new returning revenue repurchase retention aov")
	for q := Quarter.Index(d("1997-01-01")); q <= Quarter.Index(d("1998-06-30")); q++ {
		f := Figures(o, nil, Quarter, q, d("1998-06-30"))
		fmt.Fprintf(&b, "%s %d %d %d %d %.4f %.4f %.2f\n", f.Label, f.Active, f.New, f.Returning, f.Revenue,
			f.RepurchaseRate.Value, f.RetentionRate.Value, f.AOV.Value/100)
	}
	path := filepath.Join("testdata", "cdnow.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != b.String() {
		t.Errorf("CDNOW figures differ from %s:\n%s", path, b.String())
	}
}
