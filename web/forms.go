package web

import (
	"errors"
	"io"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
)

// formField is one input of a service form as a template draws it.
type formField struct {
	Name, Type, InputType string
	Label, Help           domain.Text
	Required              bool
	Value, ValueEn        string
	ValueMl               string
	Error                 *domain.Text
	ErrorEn, ErrorMl      *domain.Text // for the two halves of a name
	Choices               []formChoice
	MaxLen                int
}

type formChoice struct {
	Value    string
	Label    domain.Text
	Selected bool
}

// formFields builds the inputs of svc with the values sent so far and the
// errors found in them.
func formFields(svc catalogue.Service, lb domain.LocalBody, values map[string]string, errs map[string]domain.Text) []formField {
	errp := func(k string) *domain.Text {
		if e, ok := errs[k]; ok {
			return &e
		}
		return nil
	}
	var out []formField
	for _, f := range svc.Fields {
		ff := formField{Name: f.Name, Type: f.Type, Label: f.Label, Help: f.Help, Required: f.Required,
			Value: values[f.Name], ValueEn: values[f.Name+"_en"], ValueMl: values[f.Name+"_ml"],
			Error: errp(f.Name), ErrorEn: errp(f.Name + "_en"), ErrorMl: errp(f.Name + "_ml"), MaxLen: f.MaxLen}
		if ff.MaxLen == 0 {
			ff.MaxLen = catalogue.DefaultMaxLen(f.Type)
		}
		switch f.Type {
		case catalogue.FieldDate:
			ff.InputType = "date"
		case catalogue.FieldNumber:
			ff.InputType = "number"
		case catalogue.FieldPhone:
			ff.InputType = "tel"
		case catalogue.FieldEmail:
			ff.InputType = "email"
		default:
			ff.InputType = "text"
		}
		for _, ch := range f.Choices {
			ff.Choices = append(ff.Choices, formChoice{Value: ch.Value, Label: ch.Label, Selected: ch.Value == ff.Value})
		}
		if f.Type == catalogue.FieldWard {
			for _, w := range lb.Wards {
				v := strconv.Itoa(w.Number)
				ff.Choices = append(ff.Choices, formChoice{Value: v, Label: w.Name, Selected: v == ff.Value})
			}
		}
		out = append(out, ff)
	}
	// Required documents that are not form fields get an upload input too.
	for _, d := range svc.Documents {
		if hasField(svc, d.Code) {
			continue
		}
		out = append(out, formField{Name: d.Code, Type: catalogue.FieldDocument, Label: d.Name, Required: d.Required, Error: errp(d.Code),
			Help: workflow.UploadLimit()})
	}
	// Documents a late band asks for: offered to everyone, needed by those
	// whose delay falls in the band (the module says so on submission).
	seen := map[string]bool{}
	for _, b := range svc.Fee.Bands {
		for _, d := range b.Documents {
			if seen[d.Code] || hasField(svc, d.Code) || hasDocument(svc, d.Code) {
				continue
			}
			seen[d.Code] = true
			limit := workflow.UploadLimit()
			out = append(out, formField{Name: d.Code, Type: catalogue.FieldDocument, Label: d.Name, Error: errp(d.Code),
				Help: domain.T("Needed when: "+bandsNeeding(svc, d.Code, "en")+". "+limit.En,
					"ആവശ്യമുള്ളത്: "+bandsNeeding(svc, d.Code, "ml")+". "+limit.Ml)})
		}
	}
	return out
}

func hasDocument(svc catalogue.Service, code string) bool {
	for _, d := range svc.Documents {
		if d.Code == code {
			return true
		}
	}
	return false
}

// bandsNeeding names the fee bands that ask for a document.
func bandsNeeding(svc catalogue.Service, code, lang string) string {
	var names []string
	for _, b := range svc.Fee.Bands {
		for _, d := range b.Documents {
			if d.Code == code {
				names = append(names, b.Name.In(lang))
			}
		}
	}
	return strings.Join(names, "; ")
}

func hasField(svc catalogue.Service, name string) bool {
	for _, f := range svc.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// readForm reads a submitted form: its values (first of each) and any
// uploaded files, each read up to the upload limit plus one byte so an
// oversized one is detected without reading it all.
func readForm(c echo.Context) (map[string]string, map[string]workflow.Upload, error) {
	values := map[string]string{}
	uploads := map[string]workflow.Upload{}
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if strings.HasPrefix(ct, echo.MIMEMultipartForm) {
		form, err := c.MultipartForm()
		if err != nil {
			return nil, nil, formError(err)
		}
		for k, v := range form.Value {
			if len(v) > 0 {
				values[k] = v[0]
			}
		}
		for k, fhs := range form.File {
			if len(fhs) == 0 || fhs[0].Size == 0 {
				continue
			}
			data, err := readUpload(fhs[0])
			if err != nil {
				return nil, nil, err
			}
			uploads[k] = workflow.Upload{Name: fhs[0].Filename, Data: data}
		}
		return values, uploads, nil
	}
	form, err := c.FormParams()
	if err != nil {
		return nil, nil, formError(err)
	}
	for k, v := range form {
		if len(v) > 0 {
			values[k] = v[0]
		}
	}
	return values, uploads, nil
}

func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, workflow.MaxUploadBytes+1))
}

func formError(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return err
	}
	if strings.Contains(err.Error(), "too large") {
		return domain.Errorf(domain.ETOOLARGE, "The form is too large. Each document may be up to %d MB.", workflow.MaxUploadBytes>>20)
	}
	return domain.Errorf(domain.EINVALID, "The form could not be read (%v). Reload the page and try again.", err)
}

// fieldErrors returns the per-field errors of err, if it has any.
func fieldErrors(err error) (map[string]domain.Text, bool) {
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.EINVALID && len(de.Fields) > 0 {
		return de.Fields, true
	}
	return nil, false
}
