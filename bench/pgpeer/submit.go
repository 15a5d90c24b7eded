package pgpeer

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Application is what the submit peer writes for one citizen's application:
// the rows ksmart's workflow writes when it accepts one, with the contents a
// real submission has (the benchmark reads them from its own appliance).
type Application struct {
	UserID       string    `json:"user_id"`       // the applicant, also the acknowledgement's recipient
	NumberPrefix string    `json:"number_prefix"` // the application number without its serial, e.g. "KS/.../2026/BC/"
	File         []byte    `json:"file"`          // the file's document (JSON)
	Entry        []byte    `json:"entry"`         // its summary on a desk, as an inbox and the applicant's list show it
	Desks        []string  `json:"desks"`         // the desks it starts on (two: the open files and the first step's role)
	Due          time.Time `json:"due"`
	Message      []byte    `json:"message"` // the acknowledgement in the applicant's inbox (JSON)
	// The two events: the file's submission, carrying the whole file, and
	// the acknowledgement's queueing.
	SubmittedType string `json:"submitted_type"`
	SubmittedData []byte `json:"submitted_data"`
	QueuedType    string `json:"queued_type"`
	QueuedData    []byte `json:"queued_data"`
}

// submitSchema holds the applications. Documents are kept as the bytes the
// application encoded (bytea), as ours keeps them, rather than parsed into
// jsonb: nothing on the write path reads inside them, and parsing would only
// cost the server CPU. Every lookup ours has is an index here: the file by
// id and by number, a desk's files in due order, a citizen's files and
// messages, a message by the file it is about, and the log by sequence.
// The events are not hash-chained: a chain would make every transaction
// wait for the one before it, a cost PostgreSQL has no reason to pay.
const submitSchema = `
CREATE SEQUENCE file_id;
CREATE SEQUENCE application_number;
CREATE SEQUENCE message_id;
CREATE SEQUENCE event_seq;
CREATE TABLE file (
	id     bigint PRIMARY KEY,
	number text NOT NULL UNIQUE,
	doc    bytea NOT NULL
);
CREATE TABLE desk (
	desk    text NOT NULL,
	due     timestamptz NOT NULL,
	file_id bigint NOT NULL,
	entry   bytea NOT NULL,
	PRIMARY KEY (desk, due, file_id)
);
CREATE TABLE applicant_file (
	user_id text NOT NULL,
	file_id bigint NOT NULL,
	entry   bytea NOT NULL,
	PRIMARY KEY (user_id, file_id)
);
CREATE TABLE message (
	id      bigint PRIMARY KEY,
	to_user text NOT NULL,
	link    text NOT NULL,
	doc     bytea NOT NULL
);
CREATE INDEX message_to ON message (to_user, id);
CREATE INDEX message_link ON message (link);
CREATE TABLE event (
	seq       bigint PRIMARY KEY,
	at        timestamptz NOT NULL DEFAULT now(),
	actor     text NOT NULL,
	type      text NOT NULL,
	entity    text NOT NULL,
	entity_id text NOT NULL,
	data      bytea NOT NULL,
	hash      bytea NOT NULL
)`

// The statements of one application, sent together (Submit).
const (
	insertFile = `INSERT INTO file (id, number, doc) VALUES (nextval('file_id'), $1 || nextval('application_number'), $2)`
	insertDesk = `INSERT INTO desk (desk, due, file_id, entry) SELECT d, $2, currval('file_id'), $3 FROM unnest($1::text[]) AS d`
	insertMine = `INSERT INTO applicant_file (user_id, file_id, entry) VALUES ($1, currval('file_id'), $2)`
	insertMsg  = `INSERT INTO message (id, to_user, link, doc) VALUES (nextval('message_id'), $1, '/applications/' || currval('file_id'), $2)`
	insertEvs  = `INSERT INTO event (seq, actor, type, entity, entity_id, data, hash) VALUES
	(nextval('event_seq'), $1, $2, 'file', currval('file_id')::text, $3, $4),
	(nextval('event_seq'), 'system', $5, 'message', currval('message_id')::text, $6, $7)`
)

// StartSubmit creates a durable PostgreSQL cluster in dir (as Start does;
// see the Caveats), with room for conns client connections, and creates the
// application tables. Unlike the search peer it keeps every commit on disk
// before acknowledging it: fsync, synchronous_commit and full_page_writes
// are on. The clients connect with DialSubmit, typically from another
// process; the peer's own pool is for the schema and CountApplications.
// It returns ErrNotInstalled when no server binaries are found.
func StartSubmit(ctx context.Context, dir string, conns int) (*Peer, error) {
	settings := func(sockDir string) []string { return durableSettings(sockDir, conns) }
	p, err := start(ctx, dir, settings, 2, nil)
	if err != nil {
		return nil, err
	}
	if _, err := p.pool.Exec(ctx, submitSchema); err != nil {
		p.Close()
		return nil, fmt.Errorf("pgpeer: create the application tables: %w", err)
	}
	if err := p.pool.QueryRow(ctx, `SELECT 'PostgreSQL ' || current_setting('server_version')`).Scan(&p.version); err != nil {
		p.Close()
		return nil, fmt.Errorf("pgpeer: version: %w", err)
	}
	return p, nil
}

// SocketDir is the directory of the server's unix socket, which DialSubmit
// takes.
func (p *Peer) SocketDir() string { return p.sockDir }

// CountApplications returns the number of applications (files) and of all
// rows a submit peer holds, to check that each was written whole.
func (p *Peer) CountApplications(ctx context.Context) (files, rows int64, err error) {
	err = p.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM file),
		(SELECT count(*) FROM file) + (SELECT count(*) FROM desk) + (SELECT count(*) FROM applicant_file) +
		(SELECT count(*) FROM message) + (SELECT count(*) FROM event)`).Scan(&files, &rows)
	if err != nil {
		return 0, 0, fmt.Errorf("pgpeer: count: %w", err)
	}
	return files, rows, nil
}

// Submitter writes applications to a submit peer through a pool of
// connections; it is safe for concurrent use.
type Submitter struct{ pool *pgxpool.Pool }

// DialSubmit connects a pool of up to conns connections to the submit peer
// whose socket is in sockDir (Peer.SocketDir), waiting up to a minute for
// the server to accept them.
func DialSubmit(ctx context.Context, sockDir string, conns int) (*Submitter, error) {
	pool, err := connect(ctx, sockDir, conns, nil, nil)
	if err != nil {
		return nil, err
	}
	return &Submitter{pool: pool}, nil
}

// Submit writes one application in one transaction: the file with its
// number, its two desk entries, the applicant's index row, the
// acknowledgement message and the two events. The statements go to the
// server in one round trip (a pgx batch, which the server runs as one
// implicit transaction), and Submit returns once the commit is on disk.
func (s *Submitter) Submit(ctx context.Context, a Application) error {
	sum1, sum2 := sha256.Sum256(a.SubmittedData), sha256.Sum256(a.QueuedData)
	b := &pgx.Batch{}
	b.Queue(insertFile, a.NumberPrefix, a.File)
	b.Queue(insertDesk, a.Desks, a.Due, a.Entry)
	b.Queue(insertMine, a.UserID, a.Entry)
	b.Queue(insertMsg, a.UserID, a.Message)
	b.Queue(insertEvs, a.UserID, a.SubmittedType, a.SubmittedData, sum1[:], a.QueuedType, a.QueuedData, sum2[:])
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("pgpeer: submit: %w", err)
	}
	return nil
}

// Close closes the pool.
func (s *Submitter) Close() { s.pool.Close() }
