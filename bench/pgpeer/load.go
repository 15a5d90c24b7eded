package pgpeer

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Record is one register entry as the benchmark gives it to both peers.
type Record struct {
	ID, Kind, Number string
	EventDate        string   // YYYY-MM-DD, or empty when unknown
	Names            []string // the person's names as registered: English and/or Malayalam
	Relations        []string // parents' or spouse's names, either script
}

// schema is the record table. Names and relations are each kept as one text,
// the names joined by nameSeparator: full text and trigram matching both work
// on words, and the trigram operator used (strict word similarity) compares
// the typed name with the best run of whole words, so a second name or the
// other script does not dilute the match (see DESIGN.md).
//
// The words of each are also stored as a tsvector ('simple' configuration:
// lower case, no stemming, no stop words, for names are not English prose).
// An expression index would be smaller, but then every row a search looks at
// would run to_tsvector again, in the index recheck and again for ts_rank
// (about 4 µs a row each at 100,000 records); PostgreSQL's manual recommends
// the stored column for speed, and speed is what the peer is measured on.
//
// The table is UNLOGGED (no WAL): it is thrown away after the benchmark, and
// logging changes nothing at query time.
const schema = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE UNLOGGED TABLE record (
	id         text NOT NULL,
	kind       text NOT NULL,
	number     text NOT NULL,
	event_date date,
	names      text NOT NULL,
	relations  text NOT NULL,
	names_tsv     tsvector GENERATED ALWAYS AS (to_tsvector('simple', names)) STORED,
	relations_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', relations)) STORED
)`

// nameSeparator joins a record's names; it is no word character, so neither
// the text search parser nor pg_trgm sees it.
const nameSeparator = " ; "

// indexes are built after each COPY, as many at a time as there are cores (a
// GIN build uses one core). The number's index is on lower(number), which the
// search repeats exactly, so that the planner can use it.
var indexes = []string{
	`CREATE INDEX IF NOT EXISTS record_names_trgm ON record USING gin (names gin_trgm_ops)`,
	`CREATE INDEX IF NOT EXISTS record_relations_trgm ON record USING gin (relations gin_trgm_ops)`,
	`CREATE INDEX IF NOT EXISTS record_names_fts ON record USING gin (names_tsv)`,
	`CREATE INDEX IF NOT EXISTS record_relations_fts ON record USING gin (relations_tsv)`,
	`CREATE INDEX IF NOT EXISTS record_number ON record (lower(number))`,
	`CREATE INDEX IF NOT EXISTS record_event_date ON record (event_date)`,
}

func (p *Peer) createSchema(ctx context.Context) error {
	if _, err := p.pool.Exec(ctx, schema); err != nil {
		return fmt.Errorf("pgpeer: create the table (pg_trgm comes with Debian's postgresql package; elsewhere install postgresql-contrib): %w", err)
	}
	var server, trgm string
	err := p.pool.QueryRow(ctx, `SELECT current_setting('server_version'), extversion FROM pg_extension WHERE extname = 'pg_trgm'`).Scan(&server, &trgm)
	if err != nil {
		return fmt.Errorf("pgpeer: version: %w", err)
	}
	p.version = fmt.Sprintf("PostgreSQL %s, pg_trgm %s", server, trgm)
	return nil
}

// Load copies records into the table with COPY, builds the indexes (GIN full
// text and GIN trigram on names and on relations, btree on lower(number) and
// on event_date) and runs VACUUM (ANALYZE), so that the planner has statistics
// and every page is marked all-visible before the first search. It returns the
// number of rows loaded. A record with an EventDate that is not YYYY-MM-DD
// stops the load with an error naming it. Load may be called again to add
// more records (then into indexed tables, more slowly).
func (p *Peer) Load(ctx context.Context, records iter.Seq[Record]) (int, error) {
	next, stop := iter.Pull(records)
	defer stop()
	src := pgx.CopyFromFunc(func() ([]any, error) {
		r, ok := next()
		if !ok {
			return nil, nil
		}
		date, err := parseDate(r.EventDate)
		if err != nil {
			return nil, fmt.Errorf("record %q: %w", r.ID, err)
		}
		return []any{r.ID, r.Kind, r.Number, date,
			strings.Join(r.Names, nameSeparator), strings.Join(r.Relations, nameSeparator)}, nil
	})
	n, err := p.pool.CopyFrom(ctx, pgx.Identifier{"record"},
		[]string{"id", "kind", "number", "event_date", "names", "relations"}, src)
	if err != nil {
		return int(n), fmt.Errorf("pgpeer: copy records: %w", err)
	}
	if err := p.buildIndexes(ctx); err != nil {
		return int(n), err
	}
	if _, err := p.pool.Exec(ctx, `VACUUM (ANALYZE) record`); err != nil {
		return int(n), fmt.Errorf("pgpeer: vacuum analyze: %w", err)
	}
	return int(n), nil
}

// buildIndexes runs the CREATE INDEX statements, as many at a time as there
// are cores (at least two), each on its own connection.
func (p *Peer) buildIndexes(ctx context.Context) error {
	todo := make(chan string, len(indexes))
	for _, s := range indexes {
		todo <- s
	}
	close(todo)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range min(max(runtime.NumCPU(), 2), len(indexes), maxConns) {
		wg.Go(func() {
			for s := range todo {
				if _, err := p.pool.Exec(ctx, s); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("pgpeer: %s: %w", s, err)
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// parseDate turns YYYY-MM-DD into a date; empty is no date (NULL).
func parseDate(s string) (pgtype.Date, error) {
	if s == "" {
		return pgtype.Date{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return pgtype.Date{}, fmt.Errorf("event date %q is not YYYY-MM-DD", s)
	}
	return pgtype.Date{Time: t, Valid: true}, nil
}

// SizeBytes is the size of the record table with its indexes (and TOAST), as
// pg_total_relation_size reports it.
func (p *Peer) SizeBytes(ctx context.Context) (int64, error) {
	var n int64
	if err := p.pool.QueryRow(ctx, `SELECT pg_total_relation_size('record')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("pgpeer: size: %w", err)
	}
	return n, nil
}
