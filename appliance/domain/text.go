package domain

import "strings"

// Text is a piece of text in English and Malayalam.
type Text struct {
	En string `json:"en"`
	Ml string `json:"ml"`
}

// In returns the text in lang ("ml" or "en"), falling back to English.
func (t Text) In(lang string) string {
	if lang == "ml" && t.Ml != "" {
		return t.Ml
	}
	return t.En
}

// Both writes the text as people read a bilingual value: "English /
// Malayalam", or whichever half is set, once when they are the same.
func (t Text) Both() string {
	en, ml := strings.TrimSpace(t.En), strings.TrimSpace(t.Ml)
	switch {
	case en == "" || en == ml:
		return ml
	case ml == "":
		return en
	}
	return en + " / " + ml
}

// T is shorthand for a Text literal.
func T(en, ml string) Text { return Text{En: en, Ml: ml} }
