package names_test

import (
	"slices"
	"testing"

	"ksmart/search/names"
)

func TestNormalize_FoldsCaseDiacriticsPunctuationAndMalayalamSpellings(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  K. R. Sree-Kutty  ", "k r sree kutty"},
		{"Mohammed  Basheer,P.K.", "mohammed basheer p k"},
		{"José D'Souza", "jose d souza"},
		{"ÀNGEL Straße", "angel strasse"},
		{"sreekutty k r", "sreekutty k r"},
		{"അനില്‍", "അനിൽ"},                             // chillu spelt with ZWJ → atomic chillu
		{"ഉണ്ണികൃഷ്ണന്‍", "ഉണ്ണികൃഷ്ണൻ"},               // the same at the end of a longer word
		{"കിഴക്കേതില്‍ ", "കിഴക്കേതിൽ"},                // ZWJ chillu of ല
		{"വിന്‍സെന്റ്", "വിൻസെന്റ്"},                   // ZWJ chillu before റ
		{"ക്‌ഷ", "ക്ഷ"},                                // ZWNJ removed
		{"ജ\u0D47\u0D3Eസഫ്", "ജോസഫ്"},                  // NFC joins a two-part vowel sign
		{"കെ. ആർ. ശ്രീക്കുട്ടി", "കെ ആർ ശ്രീക്കുട്ടി"}, // dots of initials, signs kept in their words
		{"\u200Dരാജേഷ്\u200C", "രാജേഷ്"},
		{"राम", "राम"},
		{"...", ""},
	} {
		if got := names.Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWords_SplitsANameInEitherScript(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Sreekutty K. R.", []string{"sreekutty", "k", "r"}},
		{"ശ്രീക്കുട്ടി കെ. ആർ.", []string{"ശ്രീക്കുട്ടി", "കെ", "ആർ"}},
		{"Anil Kumar-Puthenpurayil", []string{"anil", "kumar", "puthenpurayil"}},
		{"", nil},
	} {
		if got := names.Words(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Words(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTransliterate_SpellsMalayalamAsKeralaWritesItsNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"രാജേഷ്", "rajesh"},
		{"ശ്രീക്കുട്ടി", "sreekkutti"},
		{"ഉണ്ണികൃഷ്ണൻ", "unnikrishnan"},
		{"മുഹമ്മദ്", "muhammad"},
		{"ഫാത്തിമ", "fatthima"},
		{"ലക്ഷ്മി", "lakshmi"},
		{"കുഞ്ഞുമോൻ", "kunjumon"},
		{"രഞ്ജിത്ത്", "ranjitth"},
		{"സന്തോഷ്", "santhosh"},
		{"വിൻസെന്റ്", "vinsent"},
		{"വിന്‍സെന്റ്", "vinsent"},
		{"വിൻ്റ", "vinta"},
		{"പീറ്റർ", "peettar"},
		{"ശങ്കർ", "shankar"},
		{"തങ്ങൾ", "thangal"},
		{"കുഞ്ചാക്കോ", "kunchakko"},
		{"സംഗീത", "sangeetha"},
		{"ശ്യാം", "shyam"},
		{"മുംതാസ്", "mumthas"},
		{"ദുഃഖം", "duhkham"},
		{"അനില്‍", "anil"},
		{"വടക്കേതിൽ", "vadakkethil"},
		{"കുട്ടി", "kutti"},
		{"വലിയവീട്", "valiyaveed"},
		{"കുണ്ടറ", "kundara"},
		{"ജ\u0D47\u0D3Eസഫ്", "josaf"},
		{"കൗസല്യ", "kausalya"},
		{"കെ. ആർ.", "kear"},
		{"Anil", "anil"},
	} {
		if got := names.Transliterate(tc.in); got != tc.want {
			t.Errorf("Transliterate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// sameName are spellings of one name that a clerk reads as the same: their
// keys must be equal. Pairs across the scripts check Transliterate and Key
// together; those with ZWJ spell chillus the old way.
var sameName = [][2]string{
	{"Sreekutty", "Srikutti"}, {"Sreekutty", "Sreekutti"}, {"Srikutty", "ശ്രീക്കുട്ടി"}, {"Sreekutty", "ശ്രീക്കുട്ടി"},
	{"Mohammed", "Muhammad"}, {"Mohamed", "Muhammed"}, {"Mohammad", "മുഹമ്മദ്"}, {"Mohd", "Muhammad"}, {"Md", "Muhammad"},
	{"Basheer", "Bashir"}, {"ബഷീർ", "Basheer"}, {"Fathima", "Fatima"}, {"ഫാത്തിമ", "Fathima"}, {"Fathimah", "Fatima"},
	{"Thomas", "Tomas"}, {"തോമസ്", "Thomas"}, {"Joseph", "ജോസഫ്"}, {"Joseph", "ജ\u0D47\u0D3Eസഫ്"}, {"Rajesh", "രാജേഷ്"},
	{"Anil", "അനിൽ"}, {"Anil", "അനില്‍"}, {"അനിൽ", "അനില്‍"}, {"Unnikrishnan", "ഉണ്ണികൃഷ്ണൻ"}, {"ഉണ്ണികൃഷ്ണൻ", "ഉണ്ണികൃഷ്ണന്‍"},
	{"Jayalakshmi", "Jayalekshmi"}, {"Lakshmi", "Lekshmi"}, {"Laxmi", "ലക്ഷ്മി"}, {"Lekshmi", "ലക്ഷ്മി"},
	{"Sreekumar", "Srikumar"}, {"Shreekumar", "ശ്രീകുമാർ"}, {"Sree", "Sri"}, {"Shri", "Shree"}, {"Sree", "ശ്രീ"},
	{"Aysha", "Ayisha"}, {"Aisha", "Ayesha"}, {"ആയിഷ", "Aysha"}, {"Vinod", "Vinoth"}, {"Vinodh", "വിനോദ്"},
	{"Sindhu", "Sindu"}, {"Bindu", "Bindhu"}, {"Abdul", "Abdhul"}, {"Abdullah", "Abdulla"},
	{"Raghu", "Reghu"}, {"Remya", "Ramya"}, {"Ranjith", "Renjith"}, {"Ramesh", "Remesh"}, {"Rajani", "Rejani"},
	{"Prasanth", "Prashanth"}, {"Prasant", "പ്രശാന്ത്"}, {"Sasi", "Shashi"}, {"Sivan", "Shivan"}, {"Sankar", "Shankar"},
	{"ശങ്കർ", "Sankar"}, {"Sobha", "Shobha"}, {"Shylaja", "Sailaja"}, {"Shyni", "Shainy"}, {"ഷൈനി", "Shyni"}, {"Byju", "Baiju"},
	{"Faisal", "Faizal"}, {"Riyas", "Riyaz"}, {"Navas", "Nawaz"}, {"Sakeer", "Zakir"}, {"Subair", "Zubair"},
	{"Rafeeq", "Rafiq"}, {"Shafeeq", "Shafiq"}, {"Rafeek", "Rafiq"}, {"Noushad", "Naushad"}, {"Nowshad", "നൗഷാദ്"},
	{"Gowri", "Gauri"}, {"Soumya", "Sowmya"}, {"Priya", "Pria"}, {"Mariamma", "Mariyamma"}, {"Kurian", "Kuriyan"},
	{"കുര്യൻ", "Kurian"}, {"Daniel", "ഡാനിയേൽ"}, {"Samuel", "സാമുവൽ"}, {"Sebastian", "സെബാസ്റ്റ്യൻ"},
	{"Vincent", "വിൻസെന്റ്"}, {"Vincent", "വിന്‍സെന്റ്"}, {"Wilson", "വിൽസൺ"}, {"Jaison", "Jayson"},
	{"Kizhakkethil", "Kizhakethil"}, {"Kizhakkethil", "കിഴക്കേതിൽ"}, {"Kizhakkethil", "കിഴക്കേതില്‍"},
	{"Puthenpurayil", "Puthanpurayil"}, {"Puthenpurayil", "പുത്തൻപുരയിൽ"}, {"Valiyaveettil", "Valiaveettil"},
	{"Thekkedath", "Thekkedathu"}, {"Thekkedath", "തെക്കേടത്ത്"}, {"Pallathu", "Pallath"}, {"Kunnumpurath", "കുന്നുമ്പുറത്ത്"},
	{"Valiyaveedu", "വലിയവീട്"}, {"Nair", "നായർ"}, {"Nayar", "Nair"}, {"Menon", "മേനോൻ"}, {"Pillai", "പിള്ള"},
	{"Nambiar", "Nambiyar"}, {"Nambiar", "നമ്പ്യാർ"}, {"Thampi", "Thambi"}, {"Varghese", "Verghese"}, {"Varghese", "വർഗീസ്"},
	{"Koshy", "കോശി"}, {"Mathew", "Matthew"}, {"Mathew", "മാത്യു"}, {"George", "ജോർജ്"}, {"Kunhikrishnan", "Kunjikrishnan"},
	{"Thankamma", "Thangamma"}, {"Sangeetha", "സംഗീത"}, {"Thekkumkara", "തെക്കുംകര"}, {"Jose", "ജോസ്"}, {"Josy", "Josey"},
	{"Annie", "ആനി"}, {"Jessy", "Jessie"}, {"Lizzy", "Lissy"}, {"Sachin", "സച്ചിൻ"}, {"Kutty", "Kuty"}, {"Unni", "ഉണ്ണി"},
	{"José", "Jose"}, {"Vysakh", "Vaisakh"}, {"Swathi", "സ്വാതി"}, {"Eldho", "Eldo"}, {"Peter", "പീറ്റർ"},
	{"Michael", "മൈക്കിൾ"}, {"John", "ജോൺ"}, {"Yusuf", "Yousuf"}, {"Yoosuf", "യൂസുഫ്"}, {"Shamsudheen", "ഷംസുദ്ദീൻ"},
	{"Mumtaz", "മുംതാസ്"}, {"Edathil", "എടത്തിൽ"}, {"Vadakkethil", "വടക്കേതിൽ"}, {"SREEKUTTY", "sreekutty"},
	{"K", "കെ"}, {"R", "ആർ"}, {"M", "എം"}, {"S", "എസ്"}, {"A", "എ"}, {"K.", "കെ."},
}

func TestKey_SpellingsOfOneNameShareAKey(t *testing.T) {
	if len(sameName) < 80 {
		t.Fatalf("only %d pairs", len(sameName))
	}
	for _, p := range sameName {
		if a, b := names.Key(p[0]), names.Key(p[1]); a != b || a == "" {
			t.Errorf("Key(%q) = %q, Key(%q) = %q; want them equal", p[0], a, p[1], b)
		}
	}
}

// differentNames are names that look alike but that a clerk reads as
// different people's: their keys must differ.
var differentNames = [][2]string{
	{"Rajesh", "Rakesh"}, {"Suresh", "Ramesh"}, {"Anitha", "Amitha"}, {"Manoj", "Manju"}, {"Divya", "Diya"},
	{"Biju", "Baiju"}, {"Sunil", "Susil"}, {"Latha", "Lalitha"}, {"Hari", "Hareesh"}, {"Jose", "Josy"}, {"Anil", "Anila"},
	{"Vinod", "Vinu"}, {"Sajith", "Sajid"}, {"Anand", "Ananth"}, {"Meera", "Meena"}, {"Sheela", "Sheena"},
	{"Leela", "Leena"}, {"Seema", "Seetha"}, {"Asha", "Usha"}, {"Usha", "Uma"}, {"Aysha", "Asha"}, {"Sabitha", "Savitha"},
	{"Kavitha", "Savitha"}, {"Nasar", "Nizar"}, {"Hassan", "Hussain"}, {"Jomon", "Jaimon"}, {"Jijo", "Lijo"},
	{"Tomy", "Tony"}, {"Roy", "Joy"}, {"Jessy", "Tessy"}, {"Jincy", "Bincy"}, {"Molly", "Jolly"}, {"Ann", "Anna"},
	{"Babu", "Baby"}, {"Sabu", "Saju"}, {"Mary", "Maria"}, {"Jose", "Joseph"}, {"Mathew", "Mathai"}, {"Ebin", "Abin"},
	{"Rema", "Uma"}, {"Bindu", "Sindhu"}, {"Deepa", "Deepu"}, {"Neethu", "Neetha"}, {"Sreeja", "Sreejith"},
	{"Lakshmi", "Sreelakshmi"}, {"Nisha", "Nishad"}, {"Devi", "Devika"}, {"Radha", "Radhika"}, {"Shibu", "Shiju"},
	{"Biju", "Bijoy"}, {"Mini", "Minnu"}, {"Aswathy", "Revathy"}, {"Rajan", "Ranjan"}, {"Arun", "Varun"},
	{"Akhil", "Nikhil"}, {"Praveen", "Naveen"}, {"Sandeep", "Pradeep"}, {"Faisal", "Afsal"}, {"Riyas", "Niyas"},
	{"Kurian", "Cherian"}, {"Grace", "Gracy"}, {"Sabitha", "Sabira"}, {"Dhanya", "Divya"}, {"Sabu", "Shibu"},
	{"രാജേഷ്", "രാകേഷ്"}, {"ദിവ്യ", "ദിയ"}, {"ബിജു", "ബൈജു"}, {"Rajesh", "രാകേഷ്"}, {"അനിൽ", "അനില"},
	{"K", "C"}, {"കെ", "സി"}, {"Gopi", "Gopan"}, {"Raman", "Ramu"}, {"Sajan", "Sajin"},
}

func TestKey_NamesThatOnlyLookAlikeHaveDifferentKeys(t *testing.T) {
	if len(differentNames) < 40 {
		t.Fatalf("only %d pairs", len(differentNames))
	}
	for _, p := range differentNames {
		if a, b := names.Key(p[0]), names.Key(p[1]); a == b {
			t.Errorf("Key(%q) = Key(%q) = %q; want them different", p[0], p[1], a)
		}
	}
}

func TestKeys_KeepInitialsAsTheirLetters(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Sreekutty K. R.", []string{"srikuti", "k", "r"}},
		{"ശ്രീക്കുട്ടി കെ. ആർ.", []string{"srikuti", "k", "r"}},
		{"P. K. Muhammad Basheer", []string{"p", "k", "muhamad", "basir"}},
		{"പി. കെ. മുഹമ്മദ് ബഷീർ", []string{"p", "k", "muhamad", "basir"}},
		{"Anil Kumar Puthenpurayil", []string{"anil", "kumar", "putanpurail"}},
		{"C. Mary", []string{"c", "mari"}},
		{"राम Anil", []string{"anil"}}, // no key for another script
	} {
		if got := names.Keys(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Keys(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAppendKey_AppendsWhatKeyReturns(t *testing.T) {
	dst := []byte("x:")
	if got := string(names.AppendKey(dst, "ശ്രീക്കുട്ടി")); got != "x:srikuti" {
		t.Errorf("AppendKey = %q", got)
	}
}

var benchWords = []string{"Sreekutty", "Muhammad", "Basheer", "Puthenpurayil", "Anil", "Kumar", "K", "Jayalekshmi", "Kizhakkethil", "Fathima"}
var benchWordsMl = []string{"ശ്രീക്കുട്ടി", "മുഹമ്മദ്", "ബഷീർ", "പുത്തൻപുരയിൽ", "അനിൽ", "കുമാർ", "കെ", "ജയലക്ഷ്മി", "കിഴക്കേതിൽ", "ഫാത്തിമ"}

// sink keeps benchmark results alive, so that the compiler makes them.
var sink string

func benchKey(b *testing.B, words []string) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink = names.Key(words[i%len(words)])
	}
}

// BenchmarkKey_English and BenchmarkKey_Malayalam measure Key per word.
func BenchmarkKey_English(b *testing.B)   { benchKey(b, benchWords) }
func BenchmarkKey_Malayalam(b *testing.B) { benchKey(b, benchWordsMl) }

// BenchmarkAppendKey measures the allocation-free path an analyser uses.
func BenchmarkAppendKey(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 64)
	for i := 0; b.Loop(); i++ {
		buf = names.AppendKey(buf[:0], benchWordsMl[i%len(benchWordsMl)])
	}
}

// BenchmarkKeys measures a whole name in each script, four words.
func BenchmarkKeys(b *testing.B) {
	b.ReportAllocs()
	in := []string{"Muhammad Basheer P. K.", "മുഹമ്മദ് ബഷീർ പി. കെ."}
	for i := 0; b.Loop(); i++ {
		names.Keys(in[i%2])
	}
}

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	in := []string{"Sreekutty K. R.", "ശ്രീക്കുട്ടി കെ. ആർ.", "sreekutty k r"}
	for i := 0; b.Loop(); i++ {
		sink = names.Normalize(in[i%3])
	}
}
