package names

import (
	"strings"
)

// A Kerala name is written as one word or several: Unnikrishnan and
// Unni Krishnan, Anil Kumar and അനിൽകുമാർ, Sreelakshmi and Sree Lakshmi.
// And a register clerk writes the masculine ending -an or leaves it off:
// Vasudevan, Vasudev. AltKeys gives the other forms a name's words stand
// for, so an index can keep them beside the keys, in a field of their own
// (they are a weaker match than the words as written).
//
// The second parts a compound is split at (krishnan, kumar, lakshmi, devi
// …) are not listed by hand: they are learned from the synthetic name
// lists (compound_data.go, written by TestCompounds_LearnedFromTheNameLists
// with -update).

// minFirstPart is the fewest letters the first part of a split compound
// has: Vi-jayan and Na-seema are not compounds.
const minFirstPart = 3

// AltKeys returns the keys the words of one name stand for besides their
// own: each word that ends with a second part split into its two parts
// (Unnikrishnan → uni, krisnan), each word followed by a second part
// joined with it (Anil Kumar → anilkumar), and each word with the
// masculine -an its stem (Vasudevan → vasudav). words are normalised words
// (Words); initials take no part.
func AltKeys(words []string) []string {
	var out []string
	var buf [64]byte
	for i, w := range words {
		plain := plainWord(w)
		if len(plain) <= 1 {
			continue
		}
		if first, second, ok := splitCompound(plain); ok {
			out = append(out, string(AppendKey(buf[:0], first)))
			out = append(out, string(AppendKey(buf[:0], second)))
		}
		if stem, ok := StemKey(string(AppendKey(buf[:0], w))); ok {
			out = append(out, stem)
		}
		if i+1 < len(words) {
			next := plainWord(words[i+1])
			if isSecondPart(next) {
				// The two words as one, keyed as one word is (not the two
				// keys run together): a query's run-together word meets it.
				joined := plain + next
				if hasMalayalam(w) && hasMalayalam(words[i+1]) {
					joined = w + words[i+1]
				}
				out = append(out, string(AppendKey(buf[:0], joined)))
			}
		}
	}
	return out
}

// plainWord is a word in lower-case Latin letters: Malayalam
// transliterated.
func plainWord(w string) string {
	if hasMalayalam(w) {
		return Transliterate(w)
	}
	if isASCII(w) {
		return strings.ToLower(w)
	}
	return Normalize(w)
}

// isSecondPart reports whether plain, a word in lower-case Latin letters,
// is one of the learned second parts in one of its spellings.
func isSecondPart(plain string) bool {
	_, ok := secondParts[plain]
	return ok
}

// splitCompound splits plain at a learned second part it ends with,
// leaving a first part of at least minFirstPart letters.
func splitCompound(plain string) (first, second string, ok bool) {
	for _, n := range secondPartLengths {
		if len(plain)-n < minFirstPart {
			continue
		}
		if _, ok := secondParts[plain[len(plain)-n:]]; ok {
			return plain[:len(plain)-n], plain[len(plain)-n:], true
		}
	}
	return "", "", false
}

// StemKey returns a key without its masculine ending -an (vasudavan →
// vasudav), and whether it had one to drop: the key has at least four
// letters before it, the stem ends in one consonant after a vowel or in nd
// (Vasudev, Gopal, Govind; not Kuri, Krishn or Chandr), and the stem is not
// itself a name of the lists (Mohanan is not Mohan, Vijayan not Vijay).
func StemKey(key string) (string, bool) {
	if len(key) < 6 || !strings.HasSuffix(key, "an") {
		return "", false
	}
	stem := key[:len(key)-2]
	last, before := stem[len(stem)-1], stem[len(stem)-2]
	if !(!isVowel(last) && last != 'y' && last != 'h' && isVowel(before) || strings.HasSuffix(stem, "nd")) {
		return "", false // Kurian, Krishnan, Chandran: no stem a clerk writes
	}
	if _, named := givenKeys[stem]; named {
		return "", false
	}
	return stem, true
}

// WholeKey is the keys of a name's words in order, one space between:
// "K. R. Sreekumar" and "കെ. ആർ. ശ്രീകുമാർ" are both "k r srikumar". It
// tells a name typed whole, in order, from one that only shares words.
//
// The key is made canonical the way AltKeys folds words: a word and the
// second part after it are one (Unni Krishnan, Unnikrishnan), and a word
// with the masculine -an is its stem (Vasudevan, Vasudev).
func WholeKey(name string) string {
	words := Words(name)
	var toks []string
	for i, w := range words {
		k := Key(w)
		if k == "" {
			continue
		}
		if len(toks) > 0 && len(k) > 1 && len(toks[len(toks)-1]) > 1 && i > 0 && isSecondPart(plainWord(w)) {
			toks[len(toks)-1] += k
			continue
		}
		toks = append(toks, k)
	}
	for i, k := range toks {
		if stem, ok := StemKey(k); ok {
			toks[i] = stem
		}
	}
	return strings.Join(toks, " ")
}
