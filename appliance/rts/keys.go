package rts

import "fmt"

// Every store layout of rts, in one place (schema 1).
//
//	entity "rts_appeal"   appeal id ("0000000007") → Appeal
//	entity "rts_penalty"  penalty id → Penalty
//	key index "rts_appeal_of"  "<file id>/<level>" → appeal id: one appeal
//	                      of each level on a file, claimed in the write that
//	                      files it, so two clicks cannot file two
//	sequences "rts_appeal", "rts_penalty" (ids) and
//	"rts_appeal/<lb>/<year>" (appeal numbers, gapless)
const (
	entityAppeal  = "rts_appeal"
	entityPenalty = "rts_penalty"
	indexAppealOf = "rts_appeal_of"
)

func appealOfKey(fileID string, level int) string { return fmt.Sprintf("%s/%d", fileID, level) }

// AppealEntity is the entity of appeals, for readers of change sets (the
// state's counters) that follow appeals without a store.
const AppealEntity = entityAppeal
