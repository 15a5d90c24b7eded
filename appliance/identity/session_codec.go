package identity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionCodec encodes a session as JSON with sorted keys, so that an
// unchanged session encodes to the same bytes and Commit can tell it is
// unchanged with one comparison (gob encodes a map in random order). Values
// are strings and whole numbers (user id, epoch), which JSON keeps exactly;
// whole numbers come back as int, as scs's GetInt expects.
type sessionCodec struct{}

type sessionJSON struct {
	Deadline time.Time                  `json:"deadline"`
	Values   map[string]json.RawMessage `json:"values"`
}

func (sessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	out := sessionJSON{Deadline: deadline.UTC(), Values: make(map[string]json.RawMessage, len(values))}
	for k, v := range values {
		switch v.(type) {
		case string, int, int64, bool:
		default:
			return nil, fmt.Errorf("identity: session value %q has type %T; sessions hold strings, whole numbers and booleans", k, v)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		out.Values[k] = raw
	}
	return json.Marshal(out) // map keys are sorted
}

func (sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	var in sessionJSON
	if err := json.Unmarshal(b, &in); err != nil {
		// A session saved by an earlier ksmart, in scs's gob encoding.
		return scs.GobCodec{}.Decode(b)
	}
	values := make(map[string]any, len(in.Values))
	for k, raw := range in.Values {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return time.Time{}, nil, err
		}
		if n, ok := v.(json.Number); ok {
			i, err := n.Int64()
			if err != nil {
				return time.Time{}, nil, fmt.Errorf("identity: session value %q is not a whole number", k)
			}
			v = int(i)
		}
		values[k] = v
	}
	return in.Deadline, values, nil
}
