package search

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"ksmart/search/names"
)

// Analysers of names. Both split a name into words in either script (see
// package names). nameKeys gives each word's phonetic key, so spellings of
// one name meet (Sreekutty, Srikutti, ശ്രീക്കുട്ടി); nameWords gives the word
// itself in Latin letters, for typo-tolerant matching of a word the index
// does not know as a name.
const (
	analyzerNameKey   = "ksmart_name_key"
	analyzerNameWord  = "ksmart_name_word"
	analyzerNameAlt   = "ksmart_name_alt"
	analyzerNameWhole = "ksmart_name_whole"
)

var registerOnce sync.Once

// registerAnalysers adds the name analysers to Bleve's registry, which an
// index needs before it is opened. Bleve's registry is global, so once.
func registerAnalysers() {
	registerOnce.Do(func() {
		must(registry.RegisterAnalyzer(analyzerNameKey, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
			return nameAnalyzer{term: names.Key}, nil
		}))
		must(registry.RegisterAnalyzer(analyzerNameWord, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
			return nameAnalyzer{term: wordOf}, nil
		}))
		must(registry.RegisterAnalyzer(analyzerNameAlt, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
			return altAnalyzer{}, nil
		}))
		must(registry.RegisterAnalyzer(analyzerNameWhole, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
			return wholeAnalyzer{}, nil
		}))
	})
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// wordOf is a normalized word in Latin letters: Malayalam transliterated.
func wordOf(w string) string {
	for _, r := range w {
		if r >= 0x0D00 && r <= 0x0D7F {
			return names.Transliterate(w)
		}
	}
	return w
}

// nameAnalyzer turns a name into one token per word, its term made by term.
type nameAnalyzer struct{ term func(string) string }

func (a nameAnalyzer) Analyze(in []byte) analysis.TokenStream {
	words := names.Words(string(in))
	out := make(analysis.TokenStream, 0, len(words))
	for _, w := range words {
		t := a.term(w)
		if t == "" {
			continue
		}
		out = append(out, &analysis.Token{Term: []byte(t), Position: len(out) + 1, Type: analysis.AlphaNumeric})
	}
	return out
}

// altAnalyzer turns a name into the other forms of its words
// (names.AltKeys): Unnikrishnan's uni and krisnan, Anil Kumar's anilkumar,
// Vasudevan's vasudav.
type altAnalyzer struct{}

func (altAnalyzer) Analyze(in []byte) analysis.TokenStream {
	alts := names.AltKeys(names.Words(string(in)))
	out := make(analysis.TokenStream, 0, len(alts))
	for _, t := range alts {
		out = append(out, &analysis.Token{Term: []byte(t), Position: len(out) + 1, Type: analysis.AlphaNumeric})
	}
	return out
}

// wholeAnalyzer turns a name into one term, names.WholeKey.
type wholeAnalyzer struct{}

func (wholeAnalyzer) Analyze(in []byte) analysis.TokenStream {
	w := names.WholeKey(string(in))
	if w == "" {
		return nil
	}
	return analysis.TokenStream{&analysis.Token{Term: []byte(w), Position: 1, Type: analysis.AlphaNumeric}}
}

// newMapping is the lean mapping: nothing stored but the few fields a hit
// is shown by, no term vectors, no _all field, doc values only where facets
// count. (Bleve's defaults index ~8× slower into ~9× the space.)
func newMapping() *mapping.IndexMappingImpl {
	keywordField := func(name string, facet bool) *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Name, f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = name, false, false, false, facet
		return f
	}
	textField := func(name, analyzer string) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Name, f.Analyzer, f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = name, analyzer, false, false, false, false
		return f
	}
	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("type", keywordField(fieldType, true))
	doc.AddFieldMappingsAt("kind", keywordField(fieldKind, true))
	doc.AddFieldMappingsAt("module", keywordField(fieldModule, false))
	doc.AddFieldMappingsAt("number", keywordField(fieldNumber, false))
	doc.AddFieldMappingsAt("date", keywordField(fieldDate, false))
	doc.AddFieldMappingsAt("year", keywordField(fieldYear, true))
	doc.AddFieldMappingsAt("ward", keywordField(fieldWard, true))
	doc.AddFieldMappingsAt("status", keywordField(fieldStatus, true))
	doc.AddFieldMappingsAt("body", keywordField(fieldBody, false))
	doc.AddFieldMappingsAt("names", textField(fieldNameKey, analyzerNameKey), textField(fieldNameWord, analyzerNameWord), textField(fieldNameAlt, analyzerNameAlt), textField(fieldNameWhole, analyzerNameWhole))
	doc.AddFieldMappingsAt("relations", textField(fieldRelKey, analyzerNameKey), textField(fieldRelWord, analyzerNameWord), textField(fieldRelAlt, analyzerNameAlt))
	doc.AddFieldMappingsAt("text", textField(fieldText, standard.Name))

	m := mapping.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = keyword.Name
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m
}

// Mapping returns the index's mapping, for a benchmark that compares the
// index with raw Bleve over the same mapping.
func Mapping() *mapping.IndexMappingImpl {
	registerAnalysers()
	return newMapping()
}
