package names

import (
	"unicode"
	"unicode/utf8"
)

// Classes of the Malayalam block, indexed by code point − U+0D00.
const (
	mlOther     = iota
	mlVowel     // അ … ഔ: a vowel letter
	mlConsonant // ക … ഹ: a consonant with its inherent a
	mlSign      // ാ … ൌ, ൗ: a vowel sign on the consonant before it
	mlChillu    // ൺ … ൿ, ൔ … ൖ: a consonant that ends its syllable
)

// mlLatin is the romanisation of each letter and sign of the Malayalam
// block, by code point − U+0D00, and mlClassOf its class. The spelling
// follows the way Kerala writes its names in English letters: ത is th,
// ട is t (d between vowels), ശ and ഷ are sh, ഴ is zh, ഫ is f, the long vowels ഈ and ഊ are ee
// and oo but ആ, ഏ and ഓ are a, e and o (Rajesh, not Raajeesh).
var mlLatin = [128]string{
	0x05: "a", 0x06: "a", 0x07: "i", 0x08: "ee", 0x09: "u", 0x0A: "oo", 0x0B: "ri", 0x0C: "li",
	0x0E: "e", 0x0F: "e", 0x10: "ai", 0x12: "o", 0x13: "o", 0x14: "au", 0x60: "ri", 0x61: "li",

	0x15: "k", 0x16: "kh", 0x17: "g", 0x18: "gh", 0x19: "ng",
	0x1A: "ch", 0x1B: "chh", 0x1C: "j", 0x1D: "jh", 0x1E: "nj",
	0x1F: "t", 0x20: "th", 0x21: "d", 0x22: "dh", 0x23: "n",
	0x24: "th", 0x25: "th", 0x26: "d", 0x27: "dh", 0x28: "n", 0x29: "n",
	0x2A: "p", 0x2B: "f", 0x2C: "b", 0x2D: "bh", 0x2E: "m",
	0x2F: "y", 0x30: "r", 0x31: "r", 0x32: "l", 0x33: "l", 0x34: "zh", 0x35: "v",
	0x36: "sh", 0x37: "sh", 0x38: "s", 0x39: "h", 0x3A: "t",

	0x3E: "a", 0x3F: "i", 0x40: "ee", 0x41: "u", 0x42: "oo", 0x43: "ri", 0x44: "ri",
	0x46: "e", 0x47: "e", 0x48: "ai", 0x4A: "o", 0x4B: "o", 0x4C: "au", 0x57: "au", 0x62: "li", 0x63: "li",

	0x7A: "n", 0x7B: "n", 0x7C: "r", 0x7D: "l", 0x7E: "l", 0x7F: "k", 0x54: "m", 0x55: "y", 0x56: "zh",
}

func mlClassOf(r rune) int {
	if r < 0x0D00 || r > 0x0D7F {
		return mlOther
	}
	switch o := r - 0x0D00; {
	case o >= 0x05 && o <= 0x14 || o == 0x60 || o == 0x61:
		return mlVowel
	case o >= 0x15 && o <= 0x3A:
		return mlConsonant
	case o >= 0x3E && o <= 0x4C || o == 0x57 || o == 0x62 || o == 0x63:
		return mlSign
	case o >= 0x7A && o <= 0x7F || o >= 0x54 && o <= 0x56:
		return mlChillu
	}
	return mlOther
}

// conjunct returns the spelling of consonant a + virama + consonant b where
// it is not the spelling of a followed by that of b: ന്റ is nt, not nr.
func conjunct(a, b rune) string {
	switch {
	case a == 'ഞ' && (b == 'ഞ' || b == 'ജ'):
		return "nj" // കുഞ്ഞ് Kunju, രഞ്ജിത് Ranjith
	case a == 'ഞ' && b == 'ച':
		return "nch" // കുഞ്ചാക്കോ Kunchacko
	case a == 'ങ' && b == 'ങ':
		return "ng"
	case a == 'ങ' && b == 'ക':
		return "nk" // ശങ്കർ Sankar
	case a == 'ന' && b == 'റ':
		return "nt" // വിൻസെന്റ് Vincent
	case a == 'റ' && b == 'റ':
		return "tt" // പീറ്റർ Peter
	case a == 'ണ' && b == 'ട':
		return "nd" // കുണ്ടറ Kundara
	case a == 'ജ' && b == 'ഞ':
		return "jn"
	case a == 'ശ' && b == 'ര':
		return "sr" // ശ്രീ Sree
	case a == b:
		// A doubled aspirate or sibilant doubles its first letter only:
		// ത്ത is tth (Fathima spells it th), ച്ച cch.
		if s := mlLatin[a-0x0D00]; len(s) == 2 && s[1] == 'h' {
			return s[:1] + s
		}
	}
	return ""
}

// velar reports whether anusvara before r is written n, as in സംഗീത
// Sangeetha; before every other letter it is written m (മുംതാസ് Mumthas,
// റംല Ramla).
func velar(r rune) bool {
	return r == 'ക' || r == 'ഖ' || r == 'ഗ' || r == 'ഘ'
}

// Transliterate returns a Malayalam-script word in lower-case Latin letters,
// spelt as Kerala spells its names in English: രാജേഷ് → rajesh,
// ശ്രീക്കുട്ടി → sreekkutti, ഉണ്ണികൃഷ്ണൻ → unnikrishnan, മുഹമ്മദ് → muhammad.
// Vowel signs, the virama (chandrakkala), atomic and ZWJ chillus, anusvara
// (m, or n before k and g), visarga (h) and the
// conjuncts whose sound is not their letters' (ന്റ nt, റ്റ tt, ഞ്ഞ nj,
// ങ്ങ ng, ങ്ക nk, ശ്ര sr) are handled; a word-final virama is silent.
// Latin letters pass through lower-cased and other characters are dropped,
// so the result is always lower-case ASCII. The spelling is for matching
// and display, not a scholarly romanisation: long and short a, e and o are
// not told apart.
func Transliterate(word string) string {
	var buf [64]byte
	return string(appendTransliterated(buf[:0], word))
}

// appendTransliterated appends Transliterate(word) to dst.
func appendTransliterated(dst []byte, word string) []byte {
	var rbuf [48]rune
	rs := rbuf[:0]
	for _, r := range word {
		switch {
		case r == zwj || r == zwnj || r == softHyphen:
			// consonant + virama + ZWJ reads as the chillu it draws.
		case r == virama && len(rs) > 0 && mlClassOf(rs[len(rs)-1]) == mlChillu:
			// ൻ് as some keyboards type ന്റ's first half: the chillu alone.
		default:
			rs = append(rs, r)
		}
	}
	pending := false // the last consonant still sounds its inherent a
	vowel := func() {
		if pending {
			dst = append(dst, 'a')
			pending = false
		}
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch mlClassOf(r) {
		case mlConsonant:
			vowel()
			if i+2 < len(rs) && rs[i+1] == virama && mlClassOf(rs[i+2]) == mlConsonant {
				if sp := conjunct(r, rs[i+2]); sp != "" {
					dst = append(dst, sp...)
					i += 2
					pending = true
					continue
				}
			}
			if r == 'ട' && len(dst) > 0 && isVowel(dst[len(dst)-1]) && !(i+2 < len(rs) && rs[i+1] == virama && mlClassOf(rs[i+2]) == mlConsonant) {
				// ട between vowels, or ending a word, sounds d: വടക്കേതിൽ
				// Vadakkethil, വലിയവീട് Valiyaveedu; ട്ട stays tt (Kutty).
				dst = append(dst, 'd')
			} else {
				dst = append(dst, mlLatin[r-0x0D00]...)
			}
			pending = true
		case mlChillu:
			vowel()
			if r == 'ൻ' && i+1 < len(rs) && rs[i+1] == 'റ' {
				dst = append(dst, "nt"...) // ൻറ, ന്റ spelt with the atomic chillu
				i++
				pending = true
				continue
			}
			dst = append(dst, mlLatin[r-0x0D00]...)
		case mlSign:
			pending = false
			if i+1 < len(rs) && (r == 'െ' || r == 'േ') && rs[i+1] == 'ാ' {
				dst = append(dst, 'o') // ൊ, ോ typed in two parts
				i++
				continue
			}
			if i+1 < len(rs) && r == 'െ' && rs[i+1] == 'ൗ' {
				dst = append(dst, "au"...)
				i++
				continue
			}
			dst = append(dst, mlLatin[r-0x0D00]...)
		case mlVowel:
			vowel()
			dst = append(dst, mlLatin[r-0x0D00]...)
		default:
			switch {
			case r == virama:
				pending = false
			case r == anusvara:
				vowel()
				if i+1 < len(rs) && velar(rs[i+1]) {
					dst = append(dst, 'n')
				} else {
					dst = append(dst, 'm')
				}
			case r == visarga:
				vowel()
				dst = append(dst, 'h')
			case r == '\u0D4E': // ൎ dot reph, the old spelling of ർ before a consonant
				vowel()
				dst = append(dst, 'r')
			case r < utf8.RuneSelf:
				vowel()
				switch {
				case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
					dst = append(dst, byte(r))
				case 'A' <= r && r <= 'Z':
					dst = append(dst, byte(r)+'a'-'A')
				}
			default:
				vowel()
				if r >= 'À' && r <= 'ɏ' || r >= 'Ḁ' && r <= 'ỿ' {
					dst = append(dst, foldLatin(unicode.ToLower(r))...)
				}
			}
		}
	}
	vowel()
	return dst
}
