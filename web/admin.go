package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
)

// adminPage is the data of the user administration page.
type adminPage struct {
	Staff     []identity.User
	Citizens  int
	Roles     []domain.Role // the office roles a user may be given
	Values    map[string]string
	Errors    map[string]domain.Text
	Password  string // a one-time password to hand over, shown once
	PassLogin string
	Health    appliance.Health
	FreeBytes int // free space on the data directory's disk
}

// officeRoleChoices are the roles an administrator may give.
func officeRoleChoices() []domain.Role {
	var out []domain.Role
	for _, n := range domain.RoleNames {
		if n.Role != domain.RoleCitizen {
			out = append(out, n.Role)
		}
	}
	return out
}

func (s *Server) renderAdmin(c echo.Context, status int, p adminPage) error {
	staff, err := s.App.Identity.List(identity.KindStaff)
	if err != nil {
		return err
	}
	citizens, err := s.App.Identity.List(identity.KindCitizen)
	if err != nil {
		return err
	}
	p.Staff, p.Citizens, p.Roles = staff, len(citizens), officeRoleChoices()
	p.Health = s.App.Health()
	p.FreeBytes = int(p.Health.FreeBytes)
	if p.Values == nil {
		p.Values = map[string]string{}
	}
	if p.Errors == nil {
		p.Errors = map[string]domain.Text{}
	}
	return s.render(c, status, "admin_users.html", "users", p)
}

func (s *Server) adminUsers(c echo.Context) error {
	return s.renderAdmin(c, http.StatusOK, adminPage{})
}

// formRoles reads the roles ticked on a form.
func formRoles(c echo.Context) ([]domain.Role, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, formError(err)
	}
	var roles []domain.Role
	for _, r := range form["roles"] {
		roles = append(roles, domain.Role(r))
	}
	return roles, nil
}

func (s *Server) adminAddUser(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	roles, err := formRoles(c)
	if err != nil {
		return err
	}
	in := identity.NewStaff{Login: values["login"], Name: values["name"], Roles: roles, Phone: values["phone"], Email: values["email"]}
	fe := domain.FieldErrors{}
	for _, w := range strings.FieldsFunc(values["wards"], func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(w)
		if err != nil {
			fe.Add("wards", domain.T("Give ward numbers separated by commas, e.g. 3, 4.", "വാർഡ് നമ്പറുകൾ കോമ ഇട്ട് നൽകുക, ഉദാ. 3, 4."))
			break
		}
		in.Wards = append(in.Wards, n)
	}
	if errs, ok := fieldErrors(s.App.Identity.ValidateStaff(in)); ok {
		for k, v := range errs {
			fe.Add(k, v)
		}
	}
	var u identity.User
	var otp string
	if err = fe.Err(); err == nil {
		u, otp, err = s.App.Identity.AddStaff(actor(c), in)
	}
	if errs, ok := fieldErrors(err); ok {
		return s.renderAdmin(c, http.StatusUnprocessableEntity, adminPage{Values: values, Errors: errs})
	}
	if err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusOK, adminPage{Password: otp, PassLogin: u.Login})
}

func (s *Server) adminResetPassword(c echo.Context) error {
	u, err := s.App.Identity.Get(c.Param("id"))
	if err != nil {
		return err
	}
	otp, err := s.App.Identity.ResetPassword(actor(c), u.ID)
	if err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusOK, adminPage{Password: otp, PassLogin: u.Login})
}

func (s *Server) adminDisable(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	if err := s.App.Identity.Disable(actor(c), c.Param("id"), values["reason"]); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

func (s *Server) adminEnable(c echo.Context) error {
	if err := s.App.Identity.Enable(actor(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

func (s *Server) adminSetRoles(c echo.Context) error {
	roles, err := formRoles(c)
	if err != nil {
		return err
	}
	if err := s.App.Identity.SetRoles(actor(c), c.Param("id"), roles); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}
