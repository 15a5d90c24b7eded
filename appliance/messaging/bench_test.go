package messaging_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// BenchmarkOutbox measures messages per second from the log through the
// outbox to a local SMTP peer and a local WhatsApp Cloud API peer (b.N
// messages queued first, then the outbox started), and the outbox's lag in
// events right after a burst of 10,000 acknowledgements committed by 64
// concurrent writers while it runs.
func BenchmarkOutbox(b *testing.B) {
	for _, workers := range []int{4, 16} {
		b.Run(fmt.Sprintf("smtp/workers=%d", workers), func(b *testing.B) {
			s := openStore(b)
			peer := startSMTPPeer(b, false)
			c := messaging.Contact{UserID: "u-1", Name: "Anitha", Email: "anitha@example.org"}
			benchThrough(b, s, &messaging.Outbox{Store: s, Contacts: contacts(c), Config: messaging.Config{SMTP: peer.config()}, Workers: workers},
				func() int { return len(peer.all()) })
		})
		b.Run(fmt.Sprintf("whatsapp/workers=%d", workers), func(b *testing.B) {
			s := openStore(b)
			wa := startWAPeer(b)
			c := messaging.Contact{UserID: "u-1", Name: "Anitha", Phone: "+919847000001"}
			benchThrough(b, s, &messaging.Outbox{Store: s, Contacts: contacts(c), Config: messaging.Config{WhatsApp: wa.config()}, Workers: workers},
				func() int { wa.mu.Lock(); defer wa.mu.Unlock(); return len(wa.templates) })
		})
	}
	b.Run("burst_10000", func(b *testing.B) {
		for range b.N {
			s := openStore(b)
			peer, wa := startSMTPPeer(b, false), startWAPeer(b)
			var cs []messaging.Contact
			for i := range 64 {
				cs = append(cs, messaging.Contact{UserID: fmt.Sprintf("u-%d", i), Email: fmt.Sprintf("c%d@example.org", i), Phone: fmt.Sprintf("+91984700%04d", i)})
			}
			o := &messaging.Outbox{Store: s, Contacts: contacts(cs...), Config: messaging.Config{SMTP: peer.config(), WhatsApp: wa.config()}, Workers: 16}
			stop := run(b, o)
			start := time.Now()
			var wg sync.WaitGroup
			for w := range 64 {
				wg.Go(func() {
					for i := range 10000 / 64 {
						_, err := s.Write(func(tx *store.Tx) error {
							_, err := messaging.Queue(tx, time.Now(), messaging.Message{To: fmt.Sprintf("u-%d", w), Kind: messaging.KindAcknowledgement,
								Link: fmt.Sprintf("/applications/f-%d-%d", w, i), Subject: domain.T("Application received: KS/KKD/2026/BR/1", "അപേക്ഷ ലഭിച്ചു")})
							return err
						})
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			burst := time.Since(start)
			lag, end := o.Lag(), s.LastSeq()
			n := 10000 / 64 * 64
			// Caught up: the outbox has read past the burst's last event (its
			// own delivery events keep coming while it sends).
			eventuallyWithin(b, 5*time.Minute, "the outbox reads the burst", func() bool { return s.LastSeq()-o.Lag() >= end })
			caughtUp := time.Since(start)
			eventuallyWithin(b, 5*time.Minute, "every message is sent on both channels", func() bool { return settled(o) })
			all := time.Since(start)
			stop()
			wa.mu.Lock()
			got := len(wa.templates)
			wa.mu.Unlock()
			if len(peer.all()) != n || got != n {
				b.Fatalf("%d e-mails, %d WhatsApp messages; want %d each", len(peer.all()), got, n)
			}
			b.ReportMetric(float64(lag), "lag_events")
			b.ReportMetric(float64(n)/burst.Seconds(), "burst_msgs/s")
			b.ReportMetric(float64(caughtUp.Milliseconds()), "caught_up_ms")
			b.ReportMetric(float64(2*n)/all.Seconds(), "sends/s")
		}
	})
}

// benchThrough queues b.N messages, then runs o until delivered() reaches b.N.
func benchThrough(b *testing.B, s *store.Store, o *messaging.Outbox, delivered func() int) {
	for left := b.N; left > 0; left -= 500 {
		queue(b, s, "u-1", messaging.KindNotice, "", min(left, 500))
	}
	b.ResetTimer()
	start := time.Now()
	run(b, o)
	eventuallyWithin(b, 5*time.Minute, "every message reaches the peer", func() bool { return delivered() >= b.N && settled(o) })
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	if got := delivered(); got != b.N {
		b.Fatalf("the peer got %d, want %d", got, b.N)
	}
}
