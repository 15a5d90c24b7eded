package pgpeer

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// Query is what a person types at the kiosk; an empty field is not given.
type Query struct {
	Name, EventDate, Relation, Number string
}

// trigramThreshold is pg_trgm.strict_word_similarity_threshold on every
// connection: how close the typed name must be to some run of whole words of
// a record's names (or relations) to match by trigrams. At 0.4 one wrong
// letter in a name of six letters or more still matches (Rajesh/Rajesj is
// 0.56), and unrelated names sharing a syllable do not (Suresh/Rajesh is 0.17).
const trigramThreshold = 0.4

// The fields a query gives, as bits of its shape; each shape has its own SQL
// statement.
const (
	hasNumber = 1 << iota
	hasDate
	hasName
	hasRelation
)

// buildShapes writes the SQL of every query shape. pgx's default exec mode
// (QueryExecModeCacheStatement) prepares each statement on first use on each
// connection and executes it by name afterwards.
//
// Every given field must match. Number: lower(number) = lower($n), on its
// expression btree. EventDate: equality on the date btree. Name (and likewise
// Relation): the record matches when any word of the typed name is among its
// words (full text on the stored tsvector, the words ORed), or when the
// typed name is close to a run of its words by trigrams (strict word
// similarity, the %>> operator, which the GIN trigram index answers). Records
// rank by ts_rank plus strict_word_similarity over the names (and relations)
// given, then by id so that ties come out in a stable order.
//
// DESIGN.md has the plans EXPLAIN showed at 100,000 and 1M records.
func buildShapes() (shapes [1 << 4]string) {
	for shape := 1; shape < len(shapes); shape++ {
		shapes[shape] = shapeSQL(shape)
	}
	return shapes
}

func shapeSQL(shape int) string {
	n := 0
	param := func() string { n++; return "$" + strconv.Itoa(n) }
	var where, rank []string
	if shape&hasNumber != 0 {
		where = append(where, "lower(number) = lower("+param()+")")
	}
	if shape&hasDate != 0 {
		where = append(where, "event_date = "+param())
	}
	for _, f := range []struct {
		bit    int
		column string
	}{{hasName, "names"}, {hasRelation, "relations"}} {
		if shape&f.bit == 0 {
			continue
		}
		words, typed := param(), param()
		tsv := f.column + "_tsv"
		tsq := "to_tsquery('simple', " + words + ")"
		where = append(where, fmt.Sprintf("(%s @@ %s OR %s %%>> %s)", tsv, tsq, f.column, typed))
		rank = append(rank, fmt.Sprintf("ts_rank(%s, %s) + strict_word_similarity(%s, %s)", tsv, tsq, typed, f.column))
	}
	order := "id"
	if len(rank) > 0 {
		order = strings.Join(rank, " + ") + " DESC, id"
	}
	return "SELECT id FROM record WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order + " LIMIT " + param()
}

// Search returns the IDs of up to limit records that match every field q
// gives, best first. A query that gives no field, or whose name or relation
// has no letters or digits, finds nothing. It returns an error for a limit
// below 1 or an EventDate that is not YYYY-MM-DD.
func (p *Peer) Search(ctx context.Context, q Query, limit int) ([]string, error) {
	sql, args, err := p.statement(q, limit)
	if sql == "" || err != nil {
		return nil, err
	}
	rows, err := p.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("pgpeer: search: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("pgpeer: search: %w", err)
	}
	return ids, nil
}

// statement is the SQL of q's shape and its arguments; sql is empty when q
// can find nothing.
func (p *Peer) statement(q Query, limit int) (sql string, args []any, err error) {
	if limit < 1 {
		return "", nil, fmt.Errorf("pgpeer: limit %d: want at least 1", limit)
	}
	number, date := strings.TrimSpace(q.Number), strings.TrimSpace(q.EventDate)
	name, relation := strings.TrimSpace(q.Name), strings.TrimSpace(q.Relation)
	var shape int
	if number != "" {
		shape |= hasNumber
		args = append(args, number)
	}
	if date != "" {
		d, err := parseDate(date)
		if err != nil {
			return "", nil, fmt.Errorf("pgpeer: %w", err)
		}
		shape |= hasDate
		args = append(args, d)
	}
	for _, f := range []struct {
		bit   int
		typed string
	}{{hasName, name}, {hasRelation, relation}} {
		if f.typed == "" {
			continue
		}
		words := orQuery(f.typed)
		if words == "" {
			return "", nil, nil
		}
		shape |= f.bit
		args = append(args, words, f.typed)
	}
	if shape == 0 {
		return "", nil, nil
	}
	return p.shapes[shape], append(args, limit), nil
}

// orQuery is the typed name as to_tsquery input: its words, quoted, all
// required ('rajesh' & 'kumar'), as the kiosk requires every word typed
// (a shared house name is not the same person); the trigram branch still
// forgives a misspelt word. A word is a run of letters, marks (Malayalam vowel
// signs and virama), digits and the zero-width joiners Malayalam writes
// inside words; everything else separates words, as the text search parser
// does, so no word carries a character to_tsquery would take as an operator.
// It is empty when the name has no word at all.
func orQuery(typed string) string {
	words := strings.FieldsFunc(typed, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && r != '\u200c' && r != '\u200d'
	})
	for i, w := range words {
		words[i] = "'" + w + "'"
	}
	return strings.Join(words, " & ")
}
