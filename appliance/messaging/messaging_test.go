package messaging_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
	"ksmart/store/storetest"
)

func TestQueue_MessageReachesInboxOnlyIfTheChangeCommits(t *testing.T) {
	s := openStore(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	queue := func(subject string, fail bool) error {
		_, err := s.Write(func(tx *store.Tx) error {
			if _, err := messaging.Queue(tx, now, messaging.Message{To: "u-7", Kind: messaging.KindNotice, Subject: domain.T(subject, subject)}); err != nil {
				return err
			}
			if fail {
				return errors.New("the change was refused")
			}
			return nil
		})
		return err
	}
	queue("first", false)
	queue("refused", true)
	queue("second", false)
	inbox, err := messaging.Inbox(s, "u-7", 0)
	if err != nil || len(inbox) != 2 || inbox[0].Subject.En != "second" || inbox[1].Subject.En != "first" {
		t.Fatalf("inbox = %+v, %v; want second then first, without the refused one", inbox, err)
	}
	if other, _ := messaging.Inbox(s, "u-70", 0); len(other) != 0 {
		t.Fatalf("user u-70 sees u-7's messages: %+v", other)
	}
	evs, _ := s.ReadLog(1, 0)
	for _, e := range evs {
		if e.Type == "message.queued" && len(e.Data) > 0 && string(e.Data) != "" && strings.Contains(string(e.Data), "first") {
			t.Fatalf("event data carries the body: %s", e.Data)
		}
	}
}

// openStore is storetest.Open with the outbox's entities declared local,
// as the appliance declares them: they are written without events, and the
// check at cleanup verifies everything else.
func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	return storetest.OpenDir(tb, tb.TempDir(), store.Options{LocalEntities: messaging.LocalEntities})
}
