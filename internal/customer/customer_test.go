package customer

import (
	"errors"
	"strings"
	"testing"

	"github.com/kithcrm/kith/internal/kith"
)

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"+86 138-0013-8000", "13800138000"},
		{"0086 13800138000", "13800138000"},
		{"１３８００１３８０００", "13800138000"},
		{"＋44 20 7946 0958", "+442079460958"}, // a full-width plus keeps the country code's mark
		{"021-6123 4567", "02161234567"},
		{"138****8000", ""}, // a masked number identifies nobody
		{"138＊＊＊＊8000", ""},
		{"", ""},
	} {
		if got := NormalizePhone(c.in); got != c.want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A masked phone typed or posted is refused with the field named, not
// stored as a number nobody has.
func TestMaskedPhoneRefused(t *testing.T) {
	c := Customer{Name: "李四", Phone: "139****9000"}
	err := c.Normalize()
	var fe *kith.FieldError
	if !errors.As(err, &fe) || fe.Field != "phone" || fe.Code != "masked" || !strings.Contains(err.Error(), "139****9000") {
		t.Errorf("create: %v", err)
	}
	ph := "139****9000"
	if err := (&Patch{Phone: &ph}).Normalize(); !errors.As(err, &fe) || fe.Field != "phone" {
		t.Errorf("patch: %v", err)
	}
}
