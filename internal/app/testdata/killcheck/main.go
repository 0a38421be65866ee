// Command killcheck checks a kith database's integrity and prints a
// fingerprint of its content. TestImportSurvivesKill9 runs it as a process
// of its own, built without the race detector: in the race-built test
// binary, SQLite's integrity check and the fingerprint of 250k orders took
// over two minutes a database, four of them a case.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/kithcrm/kith/internal/store"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: killcheck DB")
		os.Exit(2)
	}
	if err := check(context.Background(), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "killcheck:", err)
		os.Exit(1)
	}
}

func check(ctx context.Context, db string) error {
	s, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := store.CheckIntegrity(ctx, s); err != nil {
		return fmt.Errorf("%s: %w", db, err)
	}
	h, err := s.Snapshot(ctx)
	if err != nil {
		return err
	}
	fmt.Println(h)
	return nil
}
