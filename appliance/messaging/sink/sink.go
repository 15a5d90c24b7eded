// Package sink is the demo's mail server and WhatsApp peer: an SMTP server
// (github.com/emersion/go-smtp) and a WhatsApp Business Cloud API stand-in
// on loopback that keep what the outbox sends them, so that `ksmart demo`
// delivers messages as a real office does and shows each one as the
// citizen would receive it.
//
// It must never be used by `ksmart serve`: nothing it receives leaves the
// machine, and what it keeps lives in memory only, the newest Keep of each.
package sink

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"ksmart/appliance/messaging"
)

// Keep is how many e-mails and how many WhatsApp messages a sink keeps.
const Keep = 500

// File is an attachment as received.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Mail is one e-mail as received.
type Mail struct {
	ID       int
	At       time.Time
	From, To string // as the message's headers say
	Subject  string
	Text     string
	Files    []File
}

// WhatsApp is one WhatsApp message as received: a template message with
// its parameters' text, or a document.
type WhatsApp struct {
	ID       int
	At       time.Time
	To       string
	Template string   // the approved template's name
	Lang     string   // the template's language code
	Params   []string // the template's parameters, in order
	Document *File    // for a document message
}

// Sink receives mail and WhatsApp messages on loopback.
type Sink struct {
	// SMTPAddr and WhatsAppURL are where the sink listens.
	SMTPAddr    string
	WhatsAppURL string

	smtp  *smtp.Server
	http  *http.Server
	now   func() time.Time
	mu    sync.Mutex
	n     int
	mails []Mail
	was   []WhatsApp
	media map[string]File
	// mediaOrder is the media ids, oldest first.
	mediaOrder []string
}

// phoneID is the WhatsApp phone number id the demo's outbox sends from.
const phoneID = "demo"

// Start starts both servers on 127.0.0.1 at ports of the system's choosing.
func Start() (*Sink, error) {
	s := &Sink{now: time.Now, media: map[string]File{}}
	sl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sl.Close()
		return nil, err
	}
	s.SMTPAddr = sl.Addr().String()
	s.WhatsAppURL = "http://" + hl.Addr().String() + "/v21.0"
	s.smtp = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.smtp.Domain = "demo.invalid"
	s.smtp.ReadTimeout, s.smtp.WriteTimeout = time.Minute, time.Minute
	s.smtp.MaxMessageBytes = 20 << 20
	s.http = &http.Server{Handler: http.HandlerFunc(s.serveWhatsApp), ReadHeaderTimeout: 10 * time.Second}
	go s.smtp.Serve(sl)
	go s.http.Serve(hl)
	return s, nil
}

// Config is the outbox configuration that sends to this sink: e-mail over
// plain SMTP on loopback and WhatsApp to the stand-in.
func (s *Sink) Config() messaging.Config {
	host, port, _ := net.SplitHostPort(s.SMTPAddr)
	var p int
	fmt.Sscan(port, &p)
	return messaging.Config{
		SMTP:     &messaging.SMTPConfig{Host: host, Port: p, From: "Demo Municipality <office@demo.invalid>", TLS: "none"},
		WhatsApp: &messaging.WhatsAppConfig{BaseURL: s.WhatsAppURL, PhoneNumberID: phoneID, Token: "demo"},
	}
}

// Close stops both servers.
func (s *Sink) Close() error {
	return errors.Join(s.smtp.Close(), s.http.Close())
}

// Mails returns the e-mails kept, newest first.
func (s *Sink) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Mail, len(s.mails))
	for i, m := range s.mails {
		out[len(s.mails)-1-i] = m
	}
	return out
}

// WhatsApps returns the WhatsApp messages kept, newest first.
func (s *Sink) WhatsApps() []WhatsApp {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WhatsApp, len(s.was))
	for i, m := range s.was {
		out[len(s.was)-1-i] = m
	}
	return out
}

// Attachment returns file i of e-mail id, or of WhatsApp message id when
// whatsapp is set (i is then 0).
func (s *Sink) Attachment(id, i int, whatsapp bool) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if whatsapp {
		for _, w := range s.was {
			if w.ID == id && w.Document != nil && i == 0 {
				return *w.Document, true
			}
		}
		return File{}, false
	}
	for _, m := range s.mails {
		if m.ID == id && i >= 0 && i < len(m.Files) {
			return m.Files[i], true
		}
	}
	return File{}, false
}

func (s *Sink) addMail(m Mail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	m.ID, m.At = s.n, s.now()
	s.mails = append(s.mails, m)
	if len(s.mails) > Keep {
		s.mails = s.mails[len(s.mails)-Keep:]
	}
}

func (s *Sink) addWhatsApp(w WhatsApp) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	w.ID, w.At = s.n, s.now()
	s.was = append(s.was, w)
	if len(s.was) > Keep {
		s.was = s.was[len(s.was)-Keep:]
	}
	return fmt.Sprintf("wamid.demo%d", w.ID)
}

type session struct {
	s *Sink
}

func (*session) Mail(string, *smtp.MailOptions) error { return nil }
func (*session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*session) Reset()                               {}
func (*session) Logout() error                        { return nil }

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "cannot read the message: " + err.Error()}
	}
	ss.s.addMail(m)
	return nil
}

// parseMail reads a message's headers, its text and its attachments.
func parseMail(raw []byte) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, err
	}
	var dec mime.WordDecoder
	out := Mail{}
	out.Subject, _ = dec.DecodeHeader(msg.Header.Get("Subject"))
	out.From, _ = dec.DecodeHeader(msg.Header.Get("From"))
	out.To, _ = dec.DecodeHeader(msg.Header.Get("To"))
	err = readPart(&out, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return out, err
}

func readPart(out *Mail, contentType, encoding, disposition string, body io.Reader) error {
	ct, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		ct = "text/plain"
	}
	if strings.HasPrefix(ct, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readPart(out, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part.Header.Get("Content-Disposition"), part); err != nil {
				return err
			}
		}
	}
	data, err := io.ReadAll(decoder(encoding, body))
	if err != nil {
		return err
	}
	_, dp, _ := mime.ParseMediaType(disposition)
	if name := dp["filename"]; name != "" || !strings.HasPrefix(ct, "text/") {
		if name == "" {
			name = params["name"]
		}
		out.Files = append(out.Files, File{Name: name, ContentType: ct, Data: data})
		return nil
	}
	if ct == "text/plain" && out.Text == "" {
		out.Text = string(data)
	}
	return nil
}

// decoder undoes a part's transfer encoding.
func decoder(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return base64Reader(r)
	case "quoted-printable":
		return quotedPrintable(r)
	}
	return r
}

// serveWhatsApp answers the two Cloud API calls the outbox makes: a media
// upload and a message.
func (s *Sink) serveWhatsApp(w http.ResponseWriter, r *http.Request) {
	base := "/v21.0/" + phoneID + "/"
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, base) {
		http.Error(w, `{"error":{"message":"unknown call","code":100}}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch strings.TrimPrefix(r.URL.Path, base) {
	case "media":
		f, h, err := r.FormFile("file")
		if err != nil {
			http.Error(w, `{"error":{"message":"no file","code":100}}`, http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(io.LimitReader(f, 20<<20))
		s.mu.Lock()
		s.n++
		id := fmt.Sprintf("media%d", s.n)
		s.media[id] = File{Name: h.Filename, ContentType: h.Header.Get("Content-Type"), Data: data}
		// Uploads are kept for the document message that follows (and
		// its retries), the newest Keep of them.
		s.mediaOrder = append(s.mediaOrder, id)
		if len(s.mediaOrder) > Keep {
			delete(s.media, s.mediaOrder[0])
			s.mediaOrder = s.mediaOrder[1:]
		}
		s.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]string{"id": id})
	case "messages":
		var m struct {
			To       string `json:"to"`
			Type     string `json:"type"`
			Template struct {
				Name     string `json:"name"`
				Language struct {
					Code string `json:"code"`
				} `json:"language"`
				Components []struct {
					Parameters []struct {
						Text string `json:"text"`
					} `json:"parameters"`
				} `json:"components"`
			} `json:"template"`
			Document struct {
				ID       string `json:"id"`
				Filename string `json:"filename"`
			} `json:"document"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil {
			http.Error(w, `{"error":{"message":"bad JSON","code":100}}`, http.StatusBadRequest)
			return
		}
		wa := WhatsApp{To: "+" + strings.TrimPrefix(m.To, "+")}
		switch m.Type {
		case "template":
			wa.Template, wa.Lang = m.Template.Name, m.Template.Language.Code
			for _, c := range m.Template.Components {
				for _, p := range c.Parameters {
					wa.Params = append(wa.Params, p.Text)
				}
			}
		case "document":
			s.mu.Lock()
			f, ok := s.media[m.Document.ID]
			s.mu.Unlock()
			if !ok {
				http.Error(w, `{"error":{"message":"unknown media id","code":100}}`, http.StatusBadRequest)
				return
			}
			f.Name = m.Document.Filename
			wa.Document = &f
		}
		id := s.addWhatsApp(wa)
		json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "messages": []map[string]string{{"id": id}}})
	default:
		http.Error(w, `{"error":{"message":"unknown call","code":100}}`, http.StatusNotFound)
	}
}

// base64Reader decodes base64 text; the decoder skips the line breaks it
// is wrapped with.
func base64Reader(r io.Reader) io.Reader { return base64.NewDecoder(base64.StdEncoding, r) }

func quotedPrintable(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }
