package search_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"ksmart/appliance/synth/legacy"
	"ksmart/search"
	"ksmart/store/storetest"
)

// benchPeople is a register of n births as persons, from the synthetic
// register the kiosk's relevance test uses.
func benchPeople(n int) map[string]person {
	people := make(map[string]person, n)
	i := 0
	legacy.BirthRecords(n, 2026, func(r legacy.Record) {
		people[fmt.Sprintf("p%07d", i)] = person{Name: r.NameEn + " " + r.NameMl, Mother: r.MotherEn + " " + r.MotherMl,
			Number: r.Number, Date: r.EventDate, Ward: "1"}
		i++
	})
	return people
}

// BenchmarkIndexFollowingTheLog indexes 20,000 births from a store's log
// through the index's catch-up, and beside it the same documents given
// straight to Bleve in batches of 2,000 with the same mapping: the ratio is
// what following the log (reading events and current documents, keeping
// the position) costs over the raw library.
func BenchmarkIndexFollowingTheLog(b *testing.B) {
	const n = 20000
	people := benchPeople(n)
	st := storetest.Open(b)
	ids := make([]string, 0, n)
	for id := range people {
		ids = append(ids, id)
	}
	for i := 0; i < n; i += 2000 {
		chunk := map[string]person{}
		for _, id := range ids[i:min(i+2000, n)] {
			chunk[id] = people[id]
		}
		putPeople(b, st, chunk)
	}
	var ours, raw time.Duration
	for b.Loop() {
		start := time.Now()
		ix := openIndex(b, filepath.Join(b.TempDir(), "ours"))
		if err := ix.CatchUp(context.Background(), st); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		ix.Close()

		start = time.Now()
		bi, err := bleve.New(filepath.Join(b.TempDir(), "raw"), search.Mapping())
		if err != nil {
			b.Fatal(err)
		}
		batch := bi.NewBatch()
		for i, id := range ids {
			p := people[id]
			batch.Index(id, map[string]any{"type": "register", "kind": "birth", "number": p.Number, "names": []string{p.Name}, "relations": []string{p.Mother}, "date": p.Date, "year": p.Date[:4], "ward": p.Ward})
			if (i+1)%2000 == 0 {
				if err := bi.Batch(batch); err != nil {
					b.Fatal(err)
				}
				batch = bi.NewBatch()
			}
		}
		raw += time.Since(start)
		bi.Close()
	}
	loops := float64(b.N)
	b.ReportMetric(n*loops/ours.Seconds(), "docs/s")
	b.ReportMetric(n*loops/raw.Seconds(), "raw-bleve-docs/s")
	b.ReportMetric(raw.Seconds()/ours.Seconds(), "ratio-to-raw")
}

// BenchmarkKioskQuery runs a kiosk-shaped query (name and date) over
// 20,000 births, and beside it raw Bleve's match query on the same field
// and date, to show what the name rules cost per query.
func BenchmarkKioskQuery(b *testing.B) {
	const n = 20000
	people := benchPeople(n)
	st := storetest.Open(b)
	putPeople(b, st, people)
	ix := openIndex(b, filepath.Join(b.TempDir(), "ours"))
	defer ix.Close()
	if err := ix.CatchUp(context.Background(), st); err != nil {
		b.Fatal(err)
	}
	var qs []search.Query
	for id, p := range people {
		qs = append(qs, search.Query{Name: p.Name, Date: p.Date})
		_ = id
		if len(qs) == 200 {
			break
		}
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(context.Background(), qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
