package store

import (
	"context"
	"database/sql"
)

// WriteDB exposes the write handle to the external tests of this package.
func WriteDB(s *Store) *sql.DB { return s.db }

// UpsertOrdersSQL exposes the generated multi-row upsert.
var UpsertOrdersSQL = upsertOrdersSQL

// Generated statements, for the prepare test.
var (
	InsertScoresSQL = insertScoresSQL
	SelectNamesSQL  = selectNamesSQL
	// Per engine: the batch lookups and stamps of imports.
	ImportBatchSQL = map[string][]string{
		"sqlite":   append([]string{customerRowsSQL(1), customerRowsSQL(ordersChunk), tagRowsSQL(1), tagRowsSQL(ordersChunk), findOrdersSQL, stampOrdersSQL, stampCustomersSQL, storedKeysSQL["id:"], storedKeysSQL["phone:"], storedKeysSQL["email:"], updateCustomerLite, findStoredOrdersSQL, findCustomersSQL, insertCustomersSQL, insertPlacedCustomersSQL}, fillPlacesSQL[false]...),
		"postgres": append([]string{storedKeysPG["id:"], storedKeysPG["phone:"], storedKeysPG["email:"], updateCustomerPG, pgInsertCustomers, pgInsertCustomerTags, findStoredOrdersSQL}, fillPlacesSQL[true]...),
	}
)

// A PostgreSQL first load's statements, for its ceiling benchmark.
var (
	PGFirstLoadBegin  = []string{pgLockOrders, dropOrdersIndex, pgDropOrdersFK}
	PGFirstLoadEnd    = []string{createOrdersIndex, pgAddOrdersFK}
	PGInsertCustomers = pgInsertCustomersU
)

// FirstLoadJournal begins a first load, reports whether it took a
// rollback journal (firstLoad.rollbackJournal), and rolls it back.
func FirstLoadJournal(ctx context.Context, s *Store) (bool, error) {
	fl, err := s.beginFirstLoad(ctx)
	if err != nil || fl == nil {
		return false, err
	}
	defer fl.rollback()
	return fl.journal, nil
}
