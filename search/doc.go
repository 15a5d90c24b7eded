// Package search owns the full-text index of a local body's records: the
// Bleve mappings, the analysers that match Kerala names however they are
// spelt (in Malayalam script or English letters), the indexer that follows
// the store's log, and the queries.
//
// The index is derived: everything in it comes from the store's log and
// the current state the log produced, so it can always be deleted and
// rebuilt (ksmart reindex). It remembers the last log sequence it applied
// inside itself, written in the same Bleve batch as the documents, so a
// crash at any point is followed by a catch-up from the next event.
//
// It knows documents and events, never births or licences: modules describe
// their documents to it as Sources. Queries are built from fields, never
// parsed from what a user typed as query syntax.
//
// # Caveats
//
//   - The index lags the log by the time one batch takes to index. A search
//     right after a write may miss it; Index.WaitFor waits for a sequence.
//   - One process per index directory: Bleve locks it.
package search
