package store

import "database/sql"

// WriteDB exposes the write handle to the external tests of this package.
func WriteDB(s *Store) *sql.DB { return s.db }

// UpsertOrdersSQL exposes the generated multi-row upsert.
var UpsertOrdersSQL = upsertOrdersSQL

// Generated statements, for the prepare test.
var (
	InsertScoresSQL = insertScoresSQL
	SelectNamesSQL  = selectNamesSQL
)
