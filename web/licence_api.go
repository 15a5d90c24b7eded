package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/licence"
)

// apiLicence is a licence as GET /api/v1/licences/{number} answers: what
// the licence certificate shows anyone (no phone).
type apiLicence struct {
	Number      string       `json:"number"`
	Status      string       `json:"status"`
	StatusName  domain.Text  `json:"status_name"`
	Trade       string       `json:"trade"`
	TradeName   domain.Text  `json:"trade_name"`
	Category    string       `json:"category"`
	Premises    string       `json:"premises"`
	Ward        int          `json:"ward"`
	Holder      string       `json:"holder"`
	ValidFrom   string       `json:"valid_from"`
	ValidTo     string       `json:"valid_to"`
	Fee         domain.Paise `json:"fee_paise"`
	Deemed      bool         `json:"deemed"`
	Certificate string       `json:"certificate,omitempty"`
}

func (s *Server) licences() (*licence.Licences, error) {
	if s.App.Licences == nil {
		return nil, domain.Bilingual(domain.EUNAVAILABLE, domain.T("This office keeps no register of licences in ksmart yet.", "ഈ ഓഫീസ് ഇതുവരെ ksmart-ൽ ലൈസൻസ് രജിസ്റ്റർ സൂക്ഷിക്കുന്നില്ല."))
	}
	return s.App.Licences, nil
}

func (s *Server) apiLicenceOf(lc *licence.Licences, l licence.Licence) apiLicence {
	c, _ := lc.Schedule.Category(l.Category)
	return apiLicence{Number: l.Number, Status: l.StatusAt(s.App.Now()), StatusName: licence.StatusName(l.StatusAt(s.App.Now())),
		Trade: c.Name.En, TradeName: domain.T(l.TradeName, ""), Category: l.Category, Premises: l.Premises, Ward: l.Ward, Holder: l.Holder.Name.En,
		ValidFrom: l.ValidFrom, ValidTo: l.ValidTo, Fee: l.Fee, Deemed: l.Deemed != nil, Certificate: l.Certificate}
}

// apiLicence answers anyone: a licence is shown at the premises, and
// anyone may check it is in force.
func (s *Server) apiLicence(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	l, err := lc.Licence(numberParam(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.apiLicenceOf(lc, l))
}

// apiLicences lists the register by status, for the office.
func (s *Server) apiLicences(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	list, err := lc.ByStatus(c.QueryParam("status"), 0)
	if err != nil {
		return err
	}
	type row struct {
		Number  string `json:"number"`
		Status  string `json:"status"`
		ValidTo string `json:"valid_to"`
	}
	out := []row{}
	for _, l := range list {
		out = append(out, row{Number: l.Number, Status: l.StatusAt(s.App.Now()), ValidTo: l.ValidTo})
	}
	return c.JSON(http.StatusOK, map[string]any{"licences": out})
}
