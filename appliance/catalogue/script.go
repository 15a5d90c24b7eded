package catalogue

import "unicode"

// The Malayalam block of Unicode. Its chillu letters (ൺ ൻ ർ ൽ ൾ) are inside
// it, so modern Malayalam text needs nothing else.
const (
	malayalamFirst = '\u0D00'
	malayalamLast  = '\u0D7F'
)

// Zero-width joiner and non-joiner. Older Malayalam text spells chillu
// letters and some conjuncts with them, so names typed on older keyboards
// contain them.
const (
	zwnj = '\u200C'
	zwj  = '\u200D'
)

func isMalayalam(r rune) bool { return r >= malayalamFirst && r <= malayalamLast }

// isMalayalamLetter reports whether r is a Malayalam letter or sign, not one
// of the block's digits or fraction marks.
func isMalayalamLetter(r rune) bool {
	return isMalayalam(r) && !unicode.IsDigit(r) && !(r >= '\u0D70' && r <= '\u0D79')
}

// hasMalayalam reports whether s contains at least one Malayalam letter.
func hasMalayalam(s string) bool {
	for _, r := range s {
		if isMalayalamLetter(r) {
			return true
		}
	}
	return false
}

// hasLatinLetter reports whether s contains a Latin letter.
func hasLatinLetter(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Latin, r) {
			return true
		}
	}
	return false
}

// isBidiControl reports whether r is one of the bidirectional overrides and
// isolates, which can make text read differently from what it holds.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}
