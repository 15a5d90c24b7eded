package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/building"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
)

// buildingRoutes registers building permission's pages and API: the plan
// scrutiny anyone signed in may run, and the verification of permits and
// occupancy certificates (under /verify, with civil's).
func (s *Server) buildingRoutes(e *echo.Echo, api *echo.Group) {
	e.GET("/building-permits/scrutiny", s.scrutinyPage, signedIn())
	e.POST("/building-permits/scrutiny", s.scrutinyCheck, signedIn())
	api.POST("/building-permits/scrutiny", s.apiScrutiny, signedIn())
	// The holder reports the work begun, or the office for them: the
	// module decides whose permit it is.
	api.POST("/building-permits/:number/commencement", s.apiCommence, signedIn(append([]domain.Role{domain.RoleCitizen}, building.CommencementRoles...)...))
	s.buildingOfficeRoutes(e)
}

// permits is the building permission module, or an error when the node
// has none.
func (s *Server) permits() (*building.Permits, error) {
	if s.App.Building == nil {
		return nil, domain.Bilingual(domain.EUNAVAILABLE, domain.T("This office does not take building permits in ksmart yet.", "ഈ ഓഫീസ് ഇതുവരെ ksmart-ൽ കെട്ടിട പെർമിറ്റ് സ്വീകരിക്കുന്നില്ല."))
	}
	return s.App.Building, nil
}

// apiScrutiny is POST /api/v1/building-permits/scrutiny: the plan's
// figures in, every check out, with whether it passes, whether it is
// low-risk and its permit fee. Nothing is written.
func (s *Server) apiScrutiny(c echo.Context) error {
	m, err := s.permits()
	if err != nil {
		return err
	}
	var in building.PlanInput
	if err := readJSON(c, &in); err != nil {
		return err
	}
	res, err := m.ScrutinyFor(in.Plan())
	if err != nil {
		return err
	}
	if res.Checks == nil {
		res.Checks = []building.Check{}
	}
	return c.JSON(http.StatusOK, res)
}

// scrutinyForm is the page's form as typed, sent back with the answer so
// that the applicant corrects it rather than typing it again.
type scrutinyForm struct {
	Rules, Kind, Use                       string
	Plot, Floor, Footprint, Floors, Height string
	Road, Front, Rear, Left, Right, Park   string
}

func (s *Server) scrutinyPage(c echo.Context) error {
	m, err := s.permits()
	if err != nil {
		return err
	}
	rs, _ := m.Rules.RuleSetFor(s.App.LocalBody.Kind)
	return s.renderScrutiny(c, http.StatusOK, scrutinyForm{Rules: rs.Code, Kind: s.App.LocalBody.Kind, Use: "a1_residential"}, nil, nil, nil)
}

// scrutinyCheck re-checks the plan on submit: the typed figures, or those
// a DXF drawing gives where one is uploaded.
func (s *Server) scrutinyCheck(c echo.Context) error {
	m, err := s.permits()
	if err != nil {
		return err
	}
	values, _, dxf, err := readPlanForm(c)
	if err != nil {
		return err
	}
	f := scrutinyForm{Rules: values["rules"], Kind: values["local_body_kind"], Use: values["use"], Plot: values["plot_area_m2"], Floor: values["floor_area_m2"],
		Footprint: values["footprint_m2"], Floors: values["floors"], Height: values["height_m"], Road: values["road_width_m"], Front: values["front_m"],
		Rear: values["rear_m"], Left: values["left_m"], Right: values["right_m"], Park: values["parking_spaces"]}
	if f.Kind == "" {
		f.Kind = s.App.LocalBody.Kind
	}
	fe := domain.FieldErrors{}
	num := func(field, v string) float64 {
		v = strings.TrimSpace(v)
		if v == "" {
			return 0
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			fe.Add(field, domain.T("Give a number, e.g. 120 or 3.5.", "ഒരു സംഖ്യ നൽകുക, ഉദാ. 120 അല്ലെങ്കിൽ 3.5."))
		}
		return x
	}
	in := building.PlanInput{Rules: f.Rules, LocalBodyKind: f.Kind, Use: f.Use, PlotArea: num("plot_area_m2", f.Plot), FloorArea: num("floor_area_m2", f.Floor),
		Footprint: num("footprint_m2", f.Footprint), Height: num("height_m", f.Height), RoadWidth: num("road_width_m", f.Road),
		Front: num("front_m", f.Front), Rear: num("rear_m", f.Rear), Left: num("left_m", f.Left), Right: num("right_m", f.Right)}
	in.Floors = int(num("floors", f.Floors))
	if strings.TrimSpace(f.Park) != "" {
		n := int(num("parking_spaces", f.Park))
		in.ParkingSpaces = &n
	}
	plan := in.Plan()
	var drawing *building.Drawing
	if dxf != nil {
		d, err := building.ReadDXF(dxf)
		if err != nil {
			var de *domain.Error
			if errors.As(err, &de) && de.Code == domain.EINVALID {
				return s.renderScrutiny(c, statusOf[domain.EINVALID], f, nil, nil, de.Fields)
			}
			return err
		}
		d.Apply(&plan)
		drawing = &d
		// The figures the drawing gave go back into the form.
		f.Plot, f.Floor, f.Footprint = d.PlotArea.String(), d.FloorArea.String(), d.Footprint.String()
		if d.Floors > 0 {
			f.Floors = strconv.Itoa(d.Floors)
			f.Front, f.Rear, f.Left, f.Right = d.Front.String(), d.Rear.String(), d.Left.String(), d.Right.String()
		}
		if d.RoadWidth > 0 {
			f.Road = d.RoadWidth.String()
		}
	}
	if len(fe) > 0 {
		return s.renderScrutiny(c, statusOf[domain.EINVALID], f, nil, drawing, fe)
	}
	res, err := m.ScrutinyFor(plan)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderScrutiny(c, statusOf[domain.EINVALID], f, nil, drawing, de.Fields)
		}
		return err
	}
	return s.renderScrutiny(c, http.StatusOK, f, &res, drawing, nil)
}

func (s *Server) renderScrutiny(c echo.Context, status int, f scrutinyForm, res *building.Result, d *building.Drawing, errs map[string]domain.Text) error {
	uses := make([]map[string]any, 0, len(building.Uses))
	for _, u := range building.Uses {
		uses = append(uses, map[string]any{"Code": u, "Name": building.UseName(u)})
	}
	return s.render(c, status, "scrutiny.html", "bp_plan_scrutiny", map[string]any{"Form": f, "Result": res, "Drawing": d, "Errors": errs, "Uses": uses,
		"Layers": []string{building.LayerPlot, building.LayerFloorBase + "0", building.LayerFloorBase + "1", building.LayerRoad}, "MaxDXFMB": building.MaxDXFBytes >> 20})
}

// readPlanForm reads the scrutiny form: its values, and the DXF drawing
// when one is uploaded (as a reader over what was received; the drawing's
// own limit is building.MaxDXFBytes, checked as it is read).
func readPlanForm(c echo.Context) (map[string]string, map[string]string, io.Reader, error) {
	values := map[string]string{}
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(ct, echo.MIMEMultipartForm) {
		form, err := c.FormParams()
		if err != nil {
			return nil, nil, nil, formError(err)
		}
		for k, v := range form {
			values[k] = v[0]
		}
		return values, nil, nil, nil
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, nil, nil, formError(err)
	}
	for k, v := range form.Value {
		if len(v) > 0 {
			values[k] = v[0]
		}
	}
	fhs := form.File["plan_dxf"]
	if len(fhs) == 0 || fhs[0].Size == 0 {
		return values, nil, nil, nil
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil, nil, nil, err
	}
	// The file is closed when the request's multipart form is removed.
	return values, nil, f, nil
}

// verifyBuildingDocument is /verify/<number> for a permit, its renewal or
// an occupancy certificate: what it printed when its QR code checks, its
// status and date of issue for a number alone.
func (s *Server) verifyBuildingDocument(c echo.Context, number string) error {
	m, err := s.permits()
	if err != nil {
		return err
	}
	v, err := m.Verify(number, c.QueryParam("d"), c.QueryParam("s"), s.sealKey)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !v.Found {
		status = http.StatusNotFound
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, status, "permit_verify.html", "verify "+v.Number, v)
}

// sealKey is a seal public key the local body has had, by fingerprint
// (nil when it has had none such), for documents signed before the key
// was replaced.
func (s *Server) sealKey(fingerprint string) []byte {
	keys, err := s.App.SealKeys()
	if err != nil {
		return nil
	}
	for _, k := range keys {
		if k.Fingerprint == fingerprint {
			if _, pub, err := seal.ParsePublic([]byte(k.PublicKey)); err == nil {
				return pub
			}
		}
	}
	return nil
}

func (s *Server) apiCommence(c echo.Context) error {
	m, err := s.permits()
	if err != nil {
		return err
	}
	var in struct {
		CommencedOn string `json:"commenced_on"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	p, err := m.Commence(actor(c), c.Param("number"), in.CommencedOn)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"number": p.Number, "status": p.Status, "commenced_on": p.Commenced, "valid_until": p.ValidUntil.In(domain.IST).Format("2006-01-02")})
}
