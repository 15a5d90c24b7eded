package domain

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

// T is shorthand for a Text literal.
func T(en, ml string) Text { return Text{En: en, Ml: ml} }
