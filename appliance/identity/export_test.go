package identity

import "time"

// SessionCodecForTest exposes the session codec to the package's tests.
func SessionCodecForTest() interface {
	Encode(deadline time.Time, values map[string]any) ([]byte, error)
	Decode([]byte) (time.Time, map[string]any, error)
} {
	return sessionCodec{}
}
