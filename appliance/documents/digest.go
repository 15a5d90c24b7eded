package documents

import (
	"crypto/sha256"
	"encoding/hex"
)

// SHA256 returns the lowercase hex SHA-256 of a document's bytes, the digest
// kept with an issued document so that a copy can be checked against it.
func SHA256(pdf []byte) string {
	sum := sha256.Sum256(pdf)
	return hex.EncodeToString(sum[:])
}
