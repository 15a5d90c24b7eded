package names

// KeyVersion is the version of the key's rules. It changes whenever a word's
// key may change, and an index that keeps keys must then be rebuilt.
const KeyVersion = 1

// Key returns the phonetic key of one word of a name, in Malayalam script or
// English letters (a Malayalam word is transliterated first). Spellings of
// one Kerala name share a key, and the keys of different names differ:
//
//	Sreekutty, Srikutti, Shreekutty, ശ്രീക്കുട്ടി → srikuti
//	Mohammed, Muhammad, Mohamed, Mohd, മുഹമ്മദ്     → muhamad
//	Rajesh, രാജേഷ് → rajas, but Rakesh → rakas
//
// DESIGN.md lists the rules. A single letter, or a Malayalam letter name
// used as an initial (കെ, ആർ), is its letter: Key("കെ") is "k". Characters
// other than letters and digits are ignored, and a word in a script other
// than Latin and Malayalam has the key "". Key allocates only its result.
func Key(word string) string {
	var buf [64]byte
	return string(AppendKey(buf[:0], word))
}

// AppendKey appends Key(word) to dst, for an analyser that builds its terms
// in a buffer of its own.
func AppendKey(dst []byte, word string) []byte {
	var buf [64]byte
	w := buf[:0]
	ml := false
	if isASCII(word) {
		for i := 0; i < len(word); i++ {
			switch c := word[i]; {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				w = append(w, c)
			case 'A' <= c && c <= 'Z':
				w = append(w, c+'a'-'A')
			}
		}
	} else if hasMalayalam(word) {
		ml = true
		w = appendTransliterated(w, word)
	} else {
		var nb [128]byte
		for _, c := range appendNormalized(nb[:0], word) {
			if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
				w = append(w, c)
			}
		}
	}
	if ml {
		if l, ok := mlLetterNames[string(w)]; ok {
			return append(dst, l)
		}
	}
	switch {
	case len(w) == 0:
		return dst
	case len(w) == 1:
		return append(dst, w[0])
	}
	if sp, ok := spelledAs[string(w)]; ok {
		w = append(w[:0], sp...)
	}
	return appendLatinKey(dst, w)
}

// Keys returns the keys of the words of a name, in order, leaving out words
// whose key is empty. Initials keep their letter: Keys("Sreekutty K. R.")
// is [srikuti k r], and so is Keys("ശ്രീക്കുട്ടി കെ. ആർ.").
func Keys(s string) []string {
	words := Words(s)
	keys := words[:0]
	for _, w := range words {
		if k := Key(w); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

func hasMalayalam(s string) bool {
	for _, r := range s {
		if r >= 0x0D00 && r <= 0x0D7F {
			return true
		}
	}
	return false
}

// mlLetterNames maps the transliterated Malayalam names of the English
// letters, as initials are written in Malayalam (കെ. ആർ. for K. R.), to
// their letters.
var mlLetterNames = map[string]byte{
	"e": 'a', "bi": 'b', "si": 'c', "di": 'd', "i": 'e', "ef": 'f', "ji": 'g', "ecch": 'h', "echch": 'h',
	"ai": 'i', "je": 'j', "ke": 'k', "el": 'l', "em": 'm', "en": 'n', "o": 'o', "pi": 'p', "kyu": 'q',
	"ar": 'r', "es": 's', "ti": 't', "yu": 'u', "vi": 'v', "dablyu": 'w', "eks": 'x', "vai": 'y', "isad": 'z',
}

// spelledAs maps English spellings that the rules cannot read as Kerala
// says them to a spelling they can: the forms of Muhammad that begin Mo-,
// and Christian names kept in their English spelling (Peter is പീറ്റർ,
// George ജോർജ്, Varghese വർഗീസ്).
var spelledAs = map[string]string{
	"mohammed": "muhammad", "mohamed": "muhammad", "mohammad": "muhammad", "mohamad": "muhammad",
	"mohmed": "muhammad", "mohd": "muhammad", "md": "muhammad", "muhd": "muhammad", "mhd": "muhammad",
	"ahmed": "ahammad", "ahmad": "ahammad",
	"george": "jorj", "peter": "peettar", "michael": "maikkil", "john": "jon", "johny": "joni", "johnny": "joni",
	"jacob": "jekkab", "stephen": "steefan", "eapen": "eeppan", "ouseph": "ausepp",
	"mathew": "mathyu", "matthew": "mathyu", "mathews": "mathyus", "matthews": "mathyus",
	"varghese": "vargees", "verghese": "vargees", "varghees": "vargees", "geevarghese": "geevargees",
	"paul": "pol", "antony": "antani", "anthony": "antani", "simon": "saimon", "siddique": "siddeeq",
	"aleyamma": "eliyamma", "mercy": "mezhsi", "pillai": "pilla", "nair": "nayar", "sunny": "sanni",
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// appendLatinKey appends the key of w, a word in lower-case ASCII letters
// and digits, to dst. The rules, in the order a reader meets them:
//
//   - long vowels are short: ee and i are i, oo and u are u, aa is a;
//   - e is a except at the start of a word (Remya/Ramya, Lekshmi/Lakshmi,
//     Shemeer/Shameer, Joseph/ജോസഫ്); a final e after a consonant is
//     silent (Jose/ജോസ്, Anne/ആൻ);
//   - y is i where it is a vowel (Sreekutty, Divya/Diviya), ai between
//     consonants (Byju/Baiju, Shyni/ഷൈനി), and ay, ayi, aye are ai
//     (Aysha/Ayisha/Ayesha); the glide of iya, eya and uva is dropped
//     (Priya/Pria, Mariyamma/Mariamma, Samuel/സാമുവൽ);
//   - ou and ow before a consonant are au (Noushad/Naushad, Gowri/Gauri);
//   - an aspirate is its plain consonant (th t, dh d, bh b, kh k, gh g,
//     jh j), ph is f, sh and zh are s, z is s, w is v, q is k;
//   - c is s before e, i and y and k elsewhere, ch is ch, chr is kr;
//     x, ks and ksh are ks (Laxmi/Lakshmi);
//   - a final h after a vowel is silent (Fathimah, Abdullah), and so is the
//     half-u of a final tu or du (Pallathu/Pallath, Valiyaveedu/വലിയവീട്);
//   - mb is mp and ng is nk (Nambiar/നമ്പ്യാർ, Thangamma/Thankamma), and
//     nh before a vowel is nj (Kunhi/Kunji), and m before k or g is n
//     (Thekkumkara/തെക്കുംകര, Premkumar);
//   - a final ot is od (Vinoth/Vinod), and a final on is an, as Malayalam
//     writes English names (Wilson/വിൽസൺ, Jaison/ജെയ്സൺ);
//   - a letter written twice is written once (Kutty/Kuty, Unni/Uni).
func appendLatinKey(dst []byte, w []byte) []byte {
	start := len(dst)
	n := len(w)
	at := func(i int) byte {
		if i >= 0 && i < n {
			return w[i]
		}
		return 0
	}
	last := func() byte {
		if len(dst) > start {
			return dst[len(dst)-1]
		}
		return 0
	}
	emit := func(c byte) {
		switch l := last(); {
		case c == 'b' && l == 'm':
			c = 'p' // mb is mp: Nambiar/നമ്പ്യാർ, Thambi/Thampi
		case c == 'g' && l == 'n':
			c = 'k' // ng is nk: Thangamma/Thankamma
		case (c == 'g' || c == 'k') && l == 'm':
			c, dst = 'k', dst[:len(dst)-1] // ം before k: Thekkumkara/തെക്കുംകര
			if last() != 'n' {
				dst = append(dst, 'n')
			}
		}
		if last() != c {
			dst = append(dst, c)
		}
	}
	for i := 0; i < n; i++ {
		c, nx, nx2 := w[i], at(i+1), at(i+2)
		switch c {
		case 'e':
			switch {
			case nx == 'e':
				emit('i')
				i++
			case nx == 'y' && (nx2 == 0 || isVowel(nx2)):
				emit('i') // Varkey, Aleyamma
				i++
			case nx == 'y':
				emit('a') // Deysi
				emit('i')
				i++
			case i == n-1 && i >= 2 && !isVowel(w[i-1]) && last() != 'y':
				// A silent final e: Jose, Anne, Grace.
			case i == 0:
				emit('e')
			default:
				emit('a')
			}
		case 'i':
			switch {
			case nx == 'e' && i+2 == n, nx == 'y' && isVowel(nx2):
				emit('i') // Jessie; Priya, Mariyamma
				i++
			default:
				emit('i')
			}
		case 'o':
			switch {
			case nx == 'o':
				emit('u')
				i++
			case nx == 'u', nx == 'w' && !isVowel(nx2):
				emit('a')
				emit('u')
				i++
			default:
				emit('o')
			}
		case 'u':
			switch {
			default:
				emit('u')
			}
		case 'y':
			switch prev := at(i - 1); {
			case i == 0 && nx == 'o' && nx2 == 'u':
				emit('y') // Yousuf
				emit('u')
				i += 2
			case i == 0 && isVowel(nx):
				emit('y')
			case i == 0:
				emit('i')
			case prev == 'a':
				switch {
				case nx == 'i' || nx == 'e':
					emit('i') // Ayisha, Ayesha
					i++
				case isVowel(nx):
					emit('y') // Maya
				default:
					emit('i') // Aysha, Vijay
				}
			case prev == 'o' || prev == 'u':
				if isVowel(nx) {
					emit('y')
				} else {
					emit('i') // Joy, Roy
				}
			case isVowel(prev), nx == 0, isVowel(nx):
				emit('i') // Josy; Divya, Syam
			default:
				emit('a') // Shyni, Byju
				emit('i')
			}
		case 'h':
			switch l := last(); {
			case l == 0:
				emit('h')
			case !isVowel(l):
				// The h of an aspirate the consonant case did not take.
			default:
				emit('h') // kept inside a word (Rahman); dropped at the end below
			}
		case 't', 'd', 'j':
			if nx == 'h' {
				i++
			}
			emit(c)
		case 'b', 'g':
			if nx == 'h' {
				i++
			}
			emit(c)
		case 'n':
			emit('n')
			if nx == 'h' && isVowel(nx2) {
				emit('j') // Malabar's nh is ഞ്ഞ: Kunhi/Kunji
				i++
			}
		case 'k':
			switch {
			case nx == 's' && nx2 == 'h':
				emit('k')
				emit('s')
				i += 2
			case nx == 'h':
				emit('k')
				i++
			default:
				emit('k')
			}
		case 'p':
			if nx == 'h' {
				emit('f')
				i++
			} else {
				emit('p')
			}
		case 'c':
			switch {
			case nx == 'h', nx == 'c' && nx2 == 'h':
				// ch, chh and cch (ച, ഛ, ച്ച): Sachin, Achchan; chr is kr
				// (Christy).
				for i+1 < n && (w[i+1] == 'h' || w[i+1] == 'c') {
					i++
				}
				switch {
				case at(i+1) == 'r':
					emit('k')
				case !(last() == 'h' && len(dst)-start >= 2 && dst[len(dst)-2] == 'c'):
					dst = append(dst, 'c', 'h')
				}
			case nx == 'k', nx == 'c':
				emit('k')
				i++
			case nx == 'e' || nx == 'i' || nx == 'y':
				emit('s')
			default:
				emit('k')
			}
		case 's', 'z':
			if nx == 'h' {
				i++
			}
			emit('s')
		case 'x':
			if i == 0 {
				emit('s') // Xavier
			} else {
				emit('k')
				emit('s')
			}
		case 'q':
			emit('k')
		case 'v', 'w':
			run := i // the end of a run of v, w and h
			for run+1 < n && (w[run+1] == 'v' || w[run+1] == 'w' || w[run+1] == 'h') {
				run++
			}
			switch after := at(run + 1); {
			case last() == 'u' && !(len(dst)-start >= 2 && isVowel(dst[len(dst)-2])) && (isVowel(after) || after == 'y') && after != 'u':
				// The glide of uva: Samuval, Samuel.
				i = run
			case c == 'v':
				emit('v')
			case nx == 'h':
				emit('v')
				i++
			case at(i-1) == 'a' && !isVowel(nx):
				emit('u') // Shawn
			default:
				emit('v')
			}
		default:
			emit(c)
		}
	}
	// The end of the word: a silent h after a vowel (Fathimah, Abdullah),
	// the half-u of a final tu or du (Pallathu, Valiyaveedu).
	if k := dst[start:]; len(k) >= 2 && k[len(k)-1] == 'h' && isVowel(k[len(k)-2]) {
		dst = dst[:len(dst)-1]
	}
	if k := dst[start:]; len(k) >= 4 && k[len(k)-1] == 'u' && (k[len(k)-2] == 't' || k[len(k)-2] == 'd') {
		dst = dst[:len(dst)-1]
	}
	if k := dst[start:]; len(k) >= 3 && k[len(k)-2] == 'o' {
		switch k[len(k)-1] {
		case 't':
			dst[len(dst)-1] = 'd' // Vinoth, Vinod
		case 'n':
			dst[len(dst)-2] = 'a' // Wilson, വിൽസൺ; Jomon, ജോമോൻ
			if len(k) >= 3 && k[len(k)-3] == 'a' {
				dst = append(dst[:len(dst)-2], 'n')
			}
		}
	}
	return dst
}
