package search

import (
	"fmt"

	"ksmart/search/names"
)

// Layout of the index (schema version below). The index holds one Bleve
// document per indexed store document, with id "<entity>/<id>", and these
// internal keys:
//
//	applied   the last log sequence applied, 8 bytes big-endian
//	schema    schemaVersion as a decimal string
//
// A change to the mapping that would make old terms wrong raises
// mappingVersion; a change to the name keys raises names.KeyVersion. An
// index of another schema is set aside and rebuilt at open.
const mappingVersion = 2

var schemaVersion = fmt.Sprintf("%d/%d", mappingVersion, names.KeyVersion)

var (
	internalApplied = []byte("applied")
	internalSchema  = []byte("schema")
)

// Field names of the mapping.
const (
	fieldType     = "type"
	fieldKind     = "kind"
	fieldModule   = "module"
	fieldNumber   = "number"
	fieldNameKey  = "name_key"
	fieldNameWord = "name_word"
	fieldRelKey   = "relation_key"
	fieldRelWord  = "relation_word"
	// fieldNameAlt and fieldRelAlt keep the other forms of the names'
	// words (names.AltKeys): compounds split and joined, -an dropped.
	fieldNameAlt = "name_alt"
	fieldRelAlt  = "relation_alt"
	// fieldNameWhole keeps one term per name: its keys in order
	// (names.WholeKey), for lifting the whole name typed in order.
	fieldNameWhole = "name_whole"
	fieldText      = "text"
	fieldDate      = "date"
	fieldYear      = "year"
	fieldWard      = "ward"
	fieldStatus    = "status"
	// fieldBody is the local body's code, in an index of many bodies'
	// records (Shards); a body's own index has none.
	fieldBody = "body"
)

func docID(entity, id string) string { return entity + "/" + id }
