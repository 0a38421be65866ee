package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/config"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/importer"
)

func TestProgressText(t *testing.T) {
	a := &app{cfg: config.Config{Lang: i18n.EN}}
	zh := &app{cfg: config.Config{Lang: i18n.ZhCN}}
	for _, c := range []struct {
		a       *app
		rows    int
		elapsed time.Duration
		want    string
	}{
		{a, 16384, 200 * time.Millisecond, "o.csv: 16384 rows read"},
		{a, 300000, 2 * time.Second, "o.csv: 300000 rows read, 150000 rows/s"},
		{zh, 300000, 2 * time.Second, "o.csv：已读 300000 行，每秒 150000 行"},
	} {
		if got := c.a.progressText("o.csv", c.rows, c.elapsed); got != c.want {
			t.Errorf("%d rows in %v: %q, want %q", c.rows, c.elapsed, got, c.want)
		}
	}
}

// The import help lists every field each kind reads, so it cannot fall
// behind the aliases table.
func TestImportHelpListsEveryField(t *testing.T) {
	cmd := (&app{env: &Env{}}).importCmd()
	help := strings.Join(strings.Fields(cmd.Long), " ")
	for _, k := range importer.Kinds {
		for _, f := range importer.FieldNames(k) {
			if !strings.Contains(help, f) {
				t.Errorf("import --help does not name the %s field %s", k, f)
			}
		}
	}
}
