package replication

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The raft command envelope: every entry this package appends to the raft
// log is one command, encoded as
//
//	op (1 byte) ‖ uvarint n ‖ n × (uvarint length ‖ bytes)
//
// with no field names, so a batch of events costs a few bytes over the
// events themselves. The arguments of each op:
//
//	opShip         body code, then each encoded store.Event of the batch in order
//	opSetNode      server ID, raft address, HTTP address
//	opRemoveNode   server ID
//	opShipReplica  body code, then for each event of the batch in order its
//	               encoding and its change set (store.ReadReplica; empty for most)
//	opRecordCerts  the DER of each certificate to add to the register (revoke.go)
//	opRevoke       serial, reason, by ("admin/NAME"), the admin's certificate (DER), and
//	               the revoked certificate (DER; empty when the register holds it)
//	opResolveFork  body code, reason, by ("admin/NAME"), the admin's certificate (DER) (forks.go)
//
// Ops are never renumbered or reused. A node that meets an op it does not
// know stops (Apply panics) rather than skip an entry its peers applied:
// upgrade every state node before shipping anything a new op carries.
type op byte

const (
	opShip        op = 1
	opSetNode     op = 2
	opRemoveNode  op = 3
	opShipReplica op = 4
	opRecordCerts op = 5
	opRevoke      op = 6
	opResolveFork op = 7
)

func (o op) String() string {
	switch o {
	case opShip:
		return "ship"
	case opSetNode:
		return "set-node"
	case opRemoveNode:
		return "remove-node"
	case opShipReplica:
		return "ship-replica"
	case opRecordCerts:
		return "record-certs"
	case opRevoke:
		return "revoke"
	case opResolveFork:
		return "resolve-fork"
	}
	return fmt.Sprintf("op(%d)", byte(o))
}

// command is a decoded raft entry. Its arguments point into the entry's
// bytes.
type command struct {
	op   op
	args [][]byte
}

// encodeCommand encodes op and its arguments as one raft entry.
func encodeCommand(o op, args ...[]byte) []byte {
	size := 1 + binary.MaxVarintLen64
	for _, a := range args {
		size += binary.MaxVarintLen64 + len(a)
	}
	buf := make([]byte, 0, size)
	buf = append(buf, byte(o))
	buf = binary.AppendUvarint(buf, uint64(len(args)))
	for _, a := range args {
		buf = binary.AppendUvarint(buf, uint64(len(a)))
		buf = append(buf, a...)
	}
	return buf
}

// ShipCommand is the raft entry a state node commits for a batch of one
// body's encoded events (store.Event.Encode) shipped with Client.Ship or
// ShipEncoded: one entry per batch. Its layout is the FSM's own and may
// change with it; outside this package it is for measuring raft with the
// very entries the state commits (ksmart bench state), not for parsing.
func ShipCommand(code string, events [][]byte) []byte {
	args := make([][]byte, 0, 1+len(events))
	args = append(args, []byte(code))
	return encodeCommand(opShip, append(args, events...)...)
}

// encodeShipReplica encodes a batch of events for one body, each followed
// by its change set (changes[i] may be empty).
func encodeShipReplica(code string, events, changes [][]byte) []byte {
	args := make([][]byte, 0, 1+2*len(events))
	args = append(args, []byte(code))
	for i := range events {
		args = append(args, events[i], changes[i])
	}
	return encodeCommand(opShipReplica, args...)
}

var errBadCommand = errors.New("malformed raft command")

// decodeCommand parses a raft entry made by encodeCommand.
func decodeCommand(b []byte) (command, error) {
	if len(b) < 2 {
		return command{}, errBadCommand
	}
	c := command{op: op(b[0])}
	n, w := binary.Uvarint(b[1:])
	if w <= 0 || n > uint64(len(b)) {
		return command{}, errBadCommand
	}
	p := b[1+w:]
	c.args = make([][]byte, 0, n)
	for range n {
		l, w := binary.Uvarint(p)
		if w <= 0 || l > uint64(len(p)-w) {
			return command{}, errBadCommand
		}
		c.args = append(c.args, p[w:w+int(l)])
		p = p[w+int(l):]
	}
	if len(p) != 0 {
		return command{}, errBadCommand
	}
	return c, nil
}

// The events wire format, used by the HTTP API both ways (a body ships a
// batch; restore reads the log) under the media type EventsMediaType: each
// encoded store.Event preceded by its length as a uvarint, nothing else.
//
// The replica wire format (ReplicaMediaType) carries each event with its
// change set: uvarint length ‖ encoded event ‖ uvarint length ‖ change set,
// repeated; a change set of length 0 is none.

// EventsMediaType is the Content-Type of a batch of encoded events.
const EventsMediaType = "application/x-ksmart-events"

// ReplicaMediaType is the Content-Type of a batch of encoded events, each
// with its change set.
const ReplicaMediaType = "application/x-ksmart-replica"

// appendFramed appends one framed event to buf.
func appendFramed(buf, ev []byte) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(ev)))
	return append(buf, ev...)
}

// encodeFramed frames a batch of events.
func encodeFramed(events [][]byte) []byte {
	size := 0
	for _, e := range events {
		size += binary.MaxVarintLen32 + len(e)
	}
	buf := make([]byte, 0, size)
	for _, e := range events {
		buf = appendFramed(buf, e)
	}
	return buf
}

// decodeFramed splits a framed batch into its events, which point into b.
// It refuses more than maxEvents events with ErrTooLarge.
func decodeFramed(b []byte, maxEvents int) ([][]byte, error) {
	var out [][]byte
	for i := 0; len(b) > 0; i++ {
		if i == maxEvents {
			return nil, fmt.Errorf("%w: more than %d events in one batch; send at most %d events per batch", ErrTooLarge, maxEvents, maxEvents)
		}
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, fmt.Errorf("%w: event %d of the batch overruns the body (the body must be %s: each event's length as a uvarint, then the event)", ErrBadBatch, i+1, EventsMediaType)
		}
		out = append(out, b[w:w+int(n)])
		b = b[w+int(n):]
	}
	return out, nil
}

// encodeReplica frames a batch of events with their change sets.
func encodeReplica(events, changes [][]byte) []byte {
	size := 0
	for i := range events {
		size += 2*binary.MaxVarintLen32 + len(events[i]) + len(changes[i])
	}
	buf := make([]byte, 0, size)
	for i := range events {
		buf = appendFramed(buf, events[i])
		buf = appendFramed(buf, changes[i])
	}
	return buf
}

// decodeReplica splits a replica batch into its events and change sets
// (empty ones as nil), which point into b. It refuses more than maxEvents
// events with ErrTooLarge.
func decodeReplica(b []byte, maxEvents int) (events, changes [][]byte, err error) {
	for i := 0; len(b) > 0; i++ {
		if i == maxEvents {
			return nil, nil, fmt.Errorf("%w: more than %d events in one batch; send at most %d events per batch", ErrTooLarge, maxEvents, maxEvents)
		}
		var rec [2][]byte
		for j := range rec {
			n, w := binary.Uvarint(b)
			if w <= 0 || n > uint64(len(b)-w) {
				what := "event"
				if j == 1 {
					what = "change set"
				}
				return nil, nil, fmt.Errorf("%w: the %s of record %d of the batch overruns the body (the body must be %s: each event's length as a uvarint, the event, its change set's length, the change set)", ErrBadBatch, what, i+1, ReplicaMediaType)
			}
			if n > 0 {
				rec[j] = b[w : w+int(n)]
			}
			b = b[w+int(n):]
		}
		events, changes = append(events, rec[0]), append(changes, rec[1])
	}
	return events, changes, nil
}

// readFramed reads a framed stream event by event, for clients reading a
// long log without holding it twice.
func readFramed(r *bufio.Reader, fn func([]byte) error) error {
	for {
		n, err := binary.ReadUvarint(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if n > 64<<20 {
			return fmt.Errorf("event of %d bytes in the stream: the stream is not %s", n, EventsMediaType)
		}
		ev := make([]byte, n)
		if _, err := io.ReadFull(r, ev); err != nil {
			return err
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
}
