package appliance

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
)

// UserCommand is one `ksmart user` action. The binary runs it in-process
// when the appliance is stopped, or sends it to the running appliance
// through the control socket, which runs the same code.
type UserCommand struct {
	// Action is "add", "list", "reset", "reset-two-step", "disable",
	// "enable" or "kyc".
	Action string `json:"action"`
	// By is the Unix user name of whoever runs the command. The control
	// socket is mode 0600, so only the appliance's own user (or root) can
	// send one; it acts as the administrator "cli:<By>".
	By    string `json:"by"`
	Login string `json:"login,omitempty"` // reset, disable, enable, kyc
	// Reason says why a user is disabled (required for a citizen), why
	// their two-step sign-in is reset, or why a KYC is recorded without a
	// call (kyc); the log keeps it.
	Reason string            `json:"reason,omitempty"`
	Staff  identity.NewStaff `json:"staff,omitzero"` // add
	Kind   string            `json:"kind,omitempty"` // list: "staff", "citizen" or "" for all
}

// UserResult is what a UserCommand gives back. Password is a one-time
// password, shown once (add, reset).
type UserResult struct {
	User     identity.User   `json:"user,omitzero"`
	Password string          `json:"password,omitempty"`
	Users    []identity.User `json:"users,omitempty"`
}

// UserActions are the actions of UserCommand, in the order `ksmart user -h`
// lists them.
var UserActions = []string{"add", "list", "reset", "reset-two-step", "disable", "enable", "kyc"}

// CLIActor is the administrator a shell user acts as: the shell user owns
// the data directory, so they administer it.
func CLIActor(unixUser string) domain.Actor {
	return domain.Actor{ID: "cli:" + unixUser, Name: unixUser, Roles: []domain.Role{domain.RoleAdmin}}
}

// RunUserCommand does cmd with the identity service.
func (a *Appliance) RunUserCommand(cmd UserCommand) (UserResult, error) {
	if cmd.By == "" {
		return UserResult{}, domain.Errorf(domain.EINVALID, "the command does not say which Unix user runs it")
	}
	by := CLIActor(cmd.By)
	var res UserResult
	var err error
	switch cmd.Action {
	case "add":
		res.User, res.Password, err = a.Identity.AddStaff(by, cmd.Staff)
		return res, err
	case "list":
		res.Users, err = a.Identity.List(cmd.Kind)
		return res, err
	case "reset", "reset-two-step", "disable", "enable", "kyc":
	default:
		return res, domain.Errorf(domain.EINVALID, "unknown user action %q; the actions are %v", cmd.Action, UserActions)
	}
	if res.User, err = a.Identity.ByLogin(cmd.Login); err != nil {
		return res, err
	}
	switch cmd.Action {
	case "reset":
		res.Password, err = a.Identity.ResetPassword(by, res.User.ID)
	case "reset-two-step":
		err = a.Identity.ResetTOTP(by, res.User.ID, cmd.Reason)
	case "disable":
		err = a.Identity.Disable(by, res.User.ID, cmd.Reason)
	case "enable":
		err = a.Identity.Enable(by, res.User.ID)
	case "kyc":
		if a.KYC == nil {
			return UserResult{}, domain.Errorf(domain.EUNAVAILABLE, "this node has no video KYC module")
		}
		_, err = a.KYC.Override(by, res.User.Actor(), "marriage_registration", cmd.Reason)
	}
	if err != nil {
		return UserResult{}, err
	}
	res.User, err = a.Identity.Get(res.User.ID)
	return res, err
}

// userControl registers the user-management routes of the control socket:
// POST /user/add, GET /user/list, POST /user/reset, /user/disable and
// /user/enable, each taking and answering JSON.
func (a *Appliance) userControl(mux *http.ServeMux) {
	for _, action := range UserActions {
		method := http.MethodPost
		if action == "list" {
			method = http.MethodGet
		}
		mux.HandleFunc(method+" /user/"+action, func(w http.ResponseWriter, r *http.Request) {
			var cmd UserCommand
			if method == http.MethodGet {
				cmd.By, cmd.Kind = r.URL.Query().Get("by"), r.URL.Query().Get("kind")
			} else if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&cmd); err != nil {
				writeControlError(w, domain.Errorf(domain.EINVALID, "the request is not a user command in JSON: %v", err))
				return
			}
			cmd.Action = action
			res, err := a.RunUserCommand(cmd)
			if err != nil {
				if domain.ErrorCode(err) == domain.EINTERNAL {
					a.Logger.Error("user command on the control socket failed", "action", action, "error", err)
				}
				writeControlError(w, err)
				return
			}
			if slices.Contains([]string{"add", "reset", "reset-two-step", "disable", "enable"}, action) {
				a.Logger.Info("user changed through the control socket", "action", action, "login", res.User.Login, "by", "cli:"+cmd.By)
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(res)
		})
	}
}

// controlError is how an error crosses the control socket.
type controlError struct {
	Code      string                 `json:"code"`
	Message   string                 `json:"message"`
	MessageML string                 `json:"message_ml,omitempty"`
	Fields    map[string]domain.Text `json:"fields,omitempty"`
}

func writeControlError(w http.ResponseWriter, err error) {
	ce := controlError{Code: domain.ErrorCode(err), Message: domain.ErrorMessage(err)}
	var de *domain.Error
	if errors.As(err, &de) {
		ce.MessageML, ce.Fields = de.MessageML, de.Fields
	} else {
		ce.Message = "internal error; the appliance's log has the details"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnprocessableEntity)
	json.NewEncoder(w).Encode(ce)
}

// readControlError turns an error answer back into the *domain.Error it
// carried, or into an error with the answer's text.
func readControlError(status int, body []byte) error {
	var ce controlError
	if json.Unmarshal(body, &ce) == nil && ce.Code != "" {
		return &domain.Error{Code: ce.Code, Message: ce.Message, MessageML: ce.MessageML, Fields: ce.Fields}
	}
	return fmt.Errorf("the running appliance answered %d: %s", status, body)
}
