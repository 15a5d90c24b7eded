package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/building"
	"ksmart/appliance/domain"
)

// buildingOfficeRoutes are a building file's desk records: the overseer's
// site inspection and the engineer's scrutiny report (the module decides
// who may record which, on whose desk the file must be).
func (s *Server) buildingOfficeRoutes(e *echo.Echo) {
	staff := signedIn(staffRoles...)
	e.GET("/office/building-files/:id", s.buildingFilePage, staff)
	e.POST("/office/building-files/:id/inspection", s.buildingInspect, staff)
	e.POST("/office/building-files/:id/report", s.buildingReport, staff)
}

func (s *Server) buildingFilePage(c echo.Context) error {
	return s.renderBuildingFile(c, http.StatusOK, nil, nil)
}

func (s *Server) renderBuildingFile(c echo.Context, status int, errs map[string]domain.Text, done *domain.Text) error {
	m, err := s.permits()
	if err != nil {
		return err
	}
	f, err := s.App.Workflow.Get(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	recs, err := m.OfFile(f.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"File": f, "Records": recs, "Errors": errs, "Done": done, "Plan": building.PlanFromForm(s.App.LocalBody.Kind, f.Values),
		"Overseer": actor(c).Has(domain.RoleOverseer) && f.Role == domain.RoleOverseer && f.Status == "in_progress",
		"Engineer": actor(c).Has(domain.RoleAssistantEngineer) && f.Role == domain.RoleAssistantEngineer && f.Status == "in_progress" && f.Service == building.SvcPermit}
	if res, err := m.Scrutiny(f); err == nil {
		data["Scrutiny"] = res
	}
	return s.render(c, status, "building_file.html", f.Number, data)
}

func (s *Server) buildingInspect(c echo.Context) error {
	m, err := s.permits()
	if err != nil {
		return err
	}
	values, uploads, err := readForm(c)
	if err != nil {
		return err
	}
	lat, _ := strconv.ParseFloat(strings.TrimSpace(values["latitude"]), 64)
	lon, _ := strconv.ParseFloat(strings.TrimSpace(values["longitude"]), 64)
	in := building.InspectionInput{Latitude: lat, Longitude: lon, Findings: values["findings"]}
	for i := 1; i <= building.MaxPhotos; i++ {
		if u, ok := uploads["photo"+strconv.Itoa(i)]; ok {
			in.Photos = append(in.Photos, u.Data)
		}
	}
	_, err = m.Inspect(actor(c), c.Param("id"), in)
	if errs, ok := fieldErrors(err); ok {
		return s.renderBuildingFile(c, statusOf[domain.EINVALID], errs, nil)
	}
	if err != nil {
		return err
	}
	done := domain.T("The site inspection is recorded. Forward the file from its page.", "സ്ഥല പരിശോധന രേഖപ്പെടുത്തി. ഫയലിന്റെ പേജിൽ നിന്ന് കൈമാറുക.")
	return s.renderBuildingFile(c, http.StatusOK, nil, &done)
}

func (s *Server) buildingReport(c echo.Context) error {
	m, err := s.permits()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	num := func(k string) float64 { x, _ := strconv.ParseFloat(strings.TrimSpace(values[k]), 64); return x }
	floors, _ := strconv.Atoi(values["floors"])
	in := building.PlanInput{Use: values["use"], PlotArea: num("plot_area_m2"), FloorArea: num("floor_area_m2"), Footprint: num("footprint_m2"), Floors: floors,
		Height: num("height_m"), RoadWidth: num("road_width_m"), Front: num("front_m"), Rear: num("rear_m"), Left: num("left_m"), Right: num("right_m")}
	if p := strings.TrimSpace(values["parking_spaces"]); p != "" {
		n, _ := strconv.Atoi(p)
		in.ParkingSpaces = &n
	}
	_, err = m.ReportScrutiny(actor(c), c.Param("id"), in.Plan(), values["remarks"])
	if errs, ok := fieldErrors(err); ok {
		return s.renderBuildingFile(c, statusOf[domain.EINVALID], errs, nil)
	}
	if err != nil {
		return err
	}
	done := domain.T("The scrutiny report is recorded. Forward the file from its page.", "പരിശോധനാ റിപ്പോർട്ട് രേഖപ്പെടുത്തി. ഫയലിന്റെ പേജിൽ നിന്ന് കൈമാറുക.")
	return s.renderBuildingFile(c, http.StatusOK, nil, &done)
}
