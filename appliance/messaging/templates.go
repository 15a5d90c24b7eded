package messaging

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The templates of every kind of message, one JSON file per kind under
// templates/: for each language ("en", "ml"), the e-mail subject and body,
// the WhatsApp template's name and body parameters, and the SMS text.
// Placeholders in braces are filled from the message and the contact:
//
//	{name}     the contact's name
//	{subject}  the message's subject in the language
//	{body}     the message's body in the language
//	{link}     the message's link, made absolute with Config.PublicURL
//	{number}   the application number found in the subject or body (KS/…)
//	{code}     the one-time code found in a verification code's body
//
//go:embed templates/*.json
var templateFiles embed.FS

// kinds are the kinds of message that must each have a template. A
// message of a kind without one is sent with the notice template.
var kinds = []string{KindVerificationCode, KindAcknowledgement, KindFileReturned, KindFileDecided, KindNotice}

var placeholders = []string{"{name}", "{subject}", "{body}", "{link}", "{number}", "{code}"}

// template is one kind's text in one language.
type template struct {
	EmailSubject string `json:"email_subject"`
	EmailBody    string `json:"email_body"`
	WhatsApp     struct {
		Name   string   `json:"name"`
		Params []string `json:"params"`
	} `json:"whatsapp"`
	SMS string `json:"sms"`
}

// kindTemplates is one kind's template file.
type kindTemplates struct {
	En *template `json:"en"`
	Ml *template `json:"ml"`
}

func (k kindTemplates) in(lang string) *template {
	if lang == "ml" {
		return k.Ml
	}
	return k.En
}

// CheckTemplates reports whether the embedded templates are complete: every
// kind has both languages, and each language has text for every channel, a
// WhatsApp template of the same name in both, and only known placeholders.
// Outbox.Run refuses to start without them.
func CheckTemplates() error {
	_, err := loadTemplates()
	return err
}

func loadTemplates() (map[string]kindTemplates, error) {
	out := map[string]kindTemplates{}
	for _, kind := range kinds {
		raw, err := templateFiles.ReadFile("templates/" + kind + ".json")
		if err != nil {
			return nil, fmt.Errorf("messaging: no template for kind %q: add templates/%s.json", kind, kind)
		}
		var kt kindTemplates
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&kt); err != nil {
			return nil, fmt.Errorf("messaging: templates/%s.json: %w", kind, err)
		}
		for lang, t := range map[string]*template{"en": kt.En, "ml": kt.Ml} {
			if t == nil {
				return nil, fmt.Errorf("messaging: templates/%s.json has no %q text", kind, lang)
			}
			fields := map[string]string{"email_subject": t.EmailSubject, "email_body": t.EmailBody, "whatsapp.name": t.WhatsApp.Name, "sms": t.SMS}
			for i, p := range t.WhatsApp.Params {
				fields[fmt.Sprintf("whatsapp.params[%d]", i)] = p
			}
			if len(t.WhatsApp.Params) == 0 {
				return nil, fmt.Errorf("messaging: templates/%s.json %s: whatsapp.params is empty", kind, lang)
			}
			for name, text := range fields {
				if strings.TrimSpace(text) == "" {
					return nil, fmt.Errorf("messaging: templates/%s.json %s: %s is empty", kind, lang, name)
				}
				for _, p := range braced.FindAllString(text, -1) {
					if !slices.Contains(placeholders, p) {
						return nil, fmt.Errorf("messaging: templates/%s.json %s: %s has unknown placeholder %s", kind, lang, name, p)
					}
				}
			}
		}
		if kt.En.WhatsApp.Name != kt.Ml.WhatsApp.Name || len(kt.En.WhatsApp.Params) != len(kt.Ml.WhatsApp.Params) {
			return nil, fmt.Errorf("messaging: templates/%s.json: the WhatsApp template must have the same name and parameter count in both languages", kind)
		}
		out[kind] = kt
	}
	return out, nil
}

var (
	braced = regexp.MustCompile(`\{[a-z_]+\}`)
	// appNumber finds an application number (KS/<local body>/<year>/<service>/<n>).
	appNumber = regexp.MustCompile(`KS/[A-Za-z0-9/_-]*[A-Za-z0-9]`)
	// oneTimeCode finds the code in a verification code's body.
	oneTimeCode = regexp.MustCompile(`\b[0-9]{4,8}\b`)
)

// values returns the replacer for message m to contact c in lang.
func values(m Message, c Contact, lang, publicURL string) *strings.Replacer {
	link := m.Link
	if link != "" && publicURL != "" {
		link = strings.TrimSuffix(publicURL, "/") + link
	}
	number := appNumber.FindString(m.Subject.En)
	if number == "" {
		number = appNumber.FindString(m.Body.En)
	}
	var code string
	if m.Kind == KindVerificationCode {
		code = oneTimeCode.FindString(m.Body.En)
	}
	name := c.Name
	if name == "" {
		name = map[string]string{"en": "citizen", "ml": "പൗരൻ"}[lang]
	}
	return strings.NewReplacer("{name}", name, "{subject}", m.Subject.In(lang), "{body}", m.Body.In(lang),
		"{link}", link, "{number}", number, "{code}", code)
}

// lang returns the contact's language, "en" unless it is "ml".
func (c Contact) lang() string {
	if c.Language == "ml" {
		return "ml"
	}
	return "en"
}

func other(lang string) string {
	if lang == "ml" {
		return "en"
	}
	return "ml"
}
