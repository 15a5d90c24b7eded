// Package names turns a Kerala name, written in Malayalam script or in
// English letters, into the terms a search index keeps for it: normalised
// words and phonetic keys, so that Sreekutty finds Srikutti, Mohammed finds
// Muhammad and രാജേഷ് finds Rajesh.
//
// It owns the rules of Kerala name matching and nothing else: it knows no
// index, no register and no store, and it keeps no state, so that the
// search package can call it on every indexed word and every query word.
// Its functions are pure and safe for concurrent use. DESIGN.md beside this
// file explains the key's rules and what it chose not to fold.
//
// # Caveats
//
// A key is a matching device, not a spelling: two different names may share
// one (Reji and Raji, Saji and Shaji, see DESIGN.md), and a key changes
// whenever these rules change, so an index of keys must be rebuilt when
// KeyVersion changes.
package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Malayalam code points the rules name.
const (
	virama     = '\u0D4D' // ് chandrakkala: no inherent vowel
	anusvara   = '\u0D02' // ം
	visarga    = '\u0D03' // ഃ
	zwj        = '\u200D'
	zwnj       = '\u200C'
	softHyphen = '\u00AD'
)

// chilluOf maps a consonant to its atomic chillu, the form the consonant
// takes with no vowel where it ends a syllable (ന → ൻ).
func chilluOf(r rune) rune {
	switch r {
	case 'ണ':
		return 'ൺ'
	case 'ന':
		return 'ൻ'
	case 'ര':
		return 'ർ'
	case 'ല':
		return 'ൽ'
	case 'ള':
		return 'ൾ'
	case 'ക':
		return 'ൿ'
	case 'മ':
		return 'ൔ'
	case 'യ':
		return 'ൕ'
	case 'ഴ':
		return 'ൖ'
	}
	return 0
}

// Normalize returns s as the index compares names: NFC; a Malayalam chillu
// spelt the old way, consonant + virama + ZWJ (ന്‍), as the atomic chillu
// (ൻ); every other ZWJ and ZWNJ removed; Latin letters lower-cased with
// their diacritics folded (é → e, ß → ss); and everything that is neither a
// letter, a digit nor a Malayalam sign (the dots of initials, hyphens,
// apostrophes, commas) turned into a space, with runs of spaces made one
// and none at either end. "K. R. Sree-Kutty" becomes "k r sree kutty".
func Normalize(s string) string {
	if normalASCII(s) {
		return s
	}
	var buf [128]byte
	return string(appendNormalized(buf[:0], s))
}

// Words returns the normalised words of a name in either script: Normalize
// split at spaces. Malayalam vowel signs and viramas stay inside their
// words.
func Words(s string) []string {
	return strings.Fields(Normalize(s))
}

// normalASCII reports whether s is already normal and all ASCII: lower-case
// letters and digits in words separated by single spaces.
func normalASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ':
		default:
			return false
		}
	}
	return true
}

// appendNormalized appends Normalize(s) to dst.
func appendNormalized(dst []byte, s string) []byte {
	if !asciiOrMalayalam(s) && !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	start := len(dst)
	space := false // a space is due before the next letter
	put := func(b string) {
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = append(dst, b...)
	}
	putRune := func(r rune) {
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, r)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				put(s[i-1 : i])
			case 'A' <= c && c <= 'Z':
				put(lowerASCII[c-'A' : c-'A'+1])
			default:
				space = true
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == zwj || r == zwnj || r == softHyphen:
			// Invisible: they change how a word is drawn, not what it says.
		case r == virama && !space && strings.HasPrefix(s[i:], "\u200D"):
			// consonant + virama + ZWJ is the chillu spelt the old way.
			last, lsize := utf8.DecodeLastRune(dst[start:])
			if ch := chilluOf(last); ch != 0 {
				dst = utf8.AppendRune(dst[:len(dst)-lsize], ch)
				i += len("\u200D")
			} else {
				putRune(r)
			}
		case r >= 0x0D00 && r <= 0x0D7F:
			switch {
			case (r == 'െ' || r == 'േ') && strings.HasPrefix(s[i:], "ാ"):
				// NFC's one change to Malayalam: a vowel sign typed in
				// two parts is one (asciiOrMalayalam skipped norm.NFC).
				putRune(r + ('ൊ' - 'െ'))
				i += len("ാ")
			case r == 'െ' && strings.HasPrefix(s[i:], "ൗ"):
				putRune('ൌ')
				i += len("ൗ")
			case mlClassOf(r) != mlOther, r >= 0x0D00 && r <= 0x0D03, r == virama, r == '\u0D4E', r >= 0x0D66 && r <= 0x0D6F:
				putRune(r)
			case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r):
				putRune(r)
			default:
				space = true // ൹ and the like
			}
		case unicode.IsMark(r):
			if !latinDiacritic(r) {
				putRune(r) // a sign of another Indian script, kept in its word
			}
		case unicode.IsLetter(r):
			r = unicode.ToLower(r)
			if unicode.Is(unicode.Latin, r) {
				if f := foldLatin(r); f != "" {
					put(f)
					continue
				}
			}
			putRune(r)
		case unicode.IsDigit(r):
			putRune(r)
		default:
			space = true
		}
	}
	return dst
}

const lowerASCII = "abcdefghijklmnopqrstuvwxyz"

// asciiOrMalayalam reports whether s holds only ASCII, Malayalam and
// joiners, whose NFC appendNormalized makes itself.
func asciiOrMalayalam(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !(r >= 0x0D00 && r <= 0x0D7F || r == zwj || r == zwnj) {
			return false
		}
		i += size
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// latinDiacritic reports whether r is a combining mark of the Latin script's
// diacritics, which Normalize drops.
func latinDiacritic(r rune) bool {
	return r >= 0x0300 && r <= 0x036F || r >= 0x1AB0 && r <= 0x1AFF || r >= 0x1DC0 && r <= 0x1DFF || r >= 0x20D0 && r <= 0x20FF || r >= 0xFE20 && r <= 0xFE2F
}

// foldLatin returns the ASCII letters a lower-case Latin letter with
// diacritics stands for (é → e, ß → ss), or "" when it has none.
func foldLatin(r rune) string {
	switch r {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ø':
		return "o"
	case 'ł':
		return "l"
	case 'đ', 'ð':
		return "d"
	case 'þ':
		return "th"
	case 'ı':
		return "i"
	}
	var buf [16]byte
	d := norm.NFD.AppendString(buf[:0], string(r))
	if len(d) > 0 && d[0] < utf8.RuneSelf && ('a' <= d[0] && d[0] <= 'z') {
		return string(d[:1])
	}
	return ""
}
