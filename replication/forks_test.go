package replication

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// resolveLog is a raft entry resolving code's forks, by admin.
func resolveLog(index uint64, code, reason string, admin *Identity) *raft.Log {
	return &raft.Log{Index: index, Term: 1, Type: raft.LogCommand,
		Data:       encodeCommand(opResolveFork, []byte(code), []byte(reason), []byte("admin/it-admin"), admin.Certificate().Raw),
		AppendedAt: time.Date(2026, 2, 1, 10, 0, 0, int(index), time.UTC)}
}

// TestFSM_AForkIsResolvedOnlyOnceTheBodyShipsOnAndOpensAgainIfMetAgain:
// a body forks; resolving it is refused while it has shipped nothing
// since (and for a body with no fork); once it ships events continuing
// the state's log the resolution is kept with the fork (who, when, why),
// the body counts no fork and Forks lists none; the same forked batch met
// again opens the fork again.
func TestFSM_AForkIsResolvedOnlyOnceTheBodyShipsOnAndOpensAgainIfMetAgain(t *testing.T) {
	rng := seeded(t)
	f := openTestFSM(t)
	admin := issue(t, testCA(t), KindAdmin, "it-admin")
	a := chain(rng, 1, nil, 100)
	other := chain(rng, 1, nil, 80)
	f.ApplyBatch([]*raft.Log{fsmLog(1, "M0701", a[:60]), fsmLog(2, "M0701", other)})
	if forks, _ := f.Forks("M0701"); len(forks) != 1 || forks[0].AtSeq != 1 {
		t.Fatalf("forks %+v", forks)
	}
	if r := applyOne(f, resolveLog(3, "M0701", "cured", admin)); r == nil || !errors.Is(r.err, ErrBadRequest) || !strings.Contains(r.err.Error(), "still contradicts") {
		t.Fatalf("resolving a fork the body has not shipped past: %+v", r)
	}
	if r := applyOne(f, resolveLog(4, "G0802", "cured", admin)); r == nil || r.err == nil || !strings.Contains(r.err.Error(), "no fork to resolve") {
		t.Fatalf("resolving a body with no fork: %+v", r)
	}
	// Cured: the body ships on from the state's head.
	applyOne(f, fsmLog(5, "M0701", a[60:]))
	r := applyOne(f, resolveLog(6, "M0701", "cured with --reapply-forked", admin))
	res, _ := r.value.(*ResolveForkResult)
	if r.err != nil || res == nil || len(res.Resolved) != 1 {
		t.Fatalf("resolving the cured body: %+v", r)
	}
	got := res.Resolved[0].Resolved
	if got.Reason != "cured with --reapply-forked" || got.By != "admin/it-admin" || got.BySerial != admin.Serial() || got.RaftIndex != 6 || got.BodyHead != 100 {
		t.Fatalf("the resolution kept: %+v", got)
	}
	b, _, _ := f.Body("M0701")
	open, _ := f.Forks("")
	resolved, _ := f.ResolvedForks("M0701")
	if b.Forks != 0 || len(open) != 0 || len(resolved) != 1 {
		t.Fatalf("after the resolution: body counts %d forks, %d open, %d resolved", b.Forks, len(open), len(resolved))
	}
	// The old backup restored once more sends the same batch.
	applyOne(f, fsmLog(7, "M0701", other))
	b, _, _ = f.Body("M0701")
	if open, _ := f.Forks("M0701"); b.Forks != 1 || len(open) != 1 || open[0].RaftIndex != 7 || open[0].Attempts != 1 {
		t.Fatalf("the fork met again: body counts %d, open %+v", b.Forks, open)
	}
}
