package web

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The pages' words live in message files, one per language
// (i18n/active.en.json, i18n/active.ml.json), so a translator edits them
// without touching a template. Templates name a message: {{t .Lang "sign_in"}}.
//
//go:embed i18n/*.json
var messageFiles embed.FS

// pageLanguages are the languages every page is offered in.
var pageLanguages = []string{"en", "ml"}

// messages holds every page message in every page language, looked up once
// at start, so that drawing a page does no localisation work.
type messages map[string]map[string]string // lang → id → text

// loadMessages reads the message files with go-i18n and checks that every
// message exists in every language: a page must never show half English.
func loadMessages() (messages, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	var ids []string
	for _, lang := range pageLanguages {
		mf, err := bundle.LoadMessageFileFS(messageFiles, "i18n/active."+lang+".json")
		if err != nil {
			return nil, fmt.Errorf("page messages: %w", err)
		}
		if lang == "en" {
			for _, m := range mf.Messages {
				ids = append(ids, m.ID)
			}
		}
	}
	out := messages{}
	var missing []string
	for _, lang := range pageLanguages {
		loc := i18n.NewLocalizer(bundle, lang)
		out[lang] = map[string]string{}
		for _, id := range ids {
			text, tag, err := loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
			if err != nil || tag.String() != lang {
				missing = append(missing, lang+":"+id)
				continue
			}
			out[lang][id] = text
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("page messages missing a translation: %v", missing)
	}
	return out, nil
}

// text returns message id in lang. An unknown id shows as itself, so a
// mistake is visible on the page (and the templates test catches it).
func (m messages) text(lang, id string) string {
	if t, ok := m[lang][id]; ok {
		return t
	}
	if t, ok := m["en"][id]; ok {
		return t
	}
	return id
}
