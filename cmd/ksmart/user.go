package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/store"
)

// userActions are the `ksmart user` actions with their one-line summaries.
var userActions = []struct {
	name, summary string
	run           func(ctx context.Context, env *env, args []string) error
}{
	{"add", "add an office user and print their one-time password", runUserAdd},
	{"list", "list the users: login, name, kind, roles, wards, disabled, locked", runUserList},
	{"reset", "give a user a new one-time password and end their sessions", runUserReset},
	{"reset-two-step", "remove an office user's two-step sign-in (a lost phone), with --reason; they set it up again at their next sign-in", runUserResetTwoStep},
	{"disable", "stop a user from signing in and end their sessions", runUserDisable},
	{"enable", "let a disabled user sign in again", runUserEnable},
	{"kyc", "an administrator's override: record, with the reason, that a citizen's identity was verified without a video KYC call", runUserKYC},
}

func runUser(ctx context.Context, env *env, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		userUsage(env.stdout)
		return flag.ErrHelp
	}
	if len(args) == 0 {
		return usageError{"give an action: add, list, reset, disable or enable (run 'ksmart user -h')"}
	}
	for _, a := range userActions {
		if a.name == args[0] {
			return a.run(ctx, env, args[1:])
		}
	}
	return usageError{fmt.Sprintf("unknown action %q; the actions are add, list, reset, disable and enable (run 'ksmart user -h')", args[0])}
}

func userUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: ksmart user ACTION --data DIR [flags]   (ksmart user ACTION -h for its flags)")
	fmt.Fprintln(w, "\nManages the users of a data directory, stopped or running (then through the")
	fmt.Fprintln(w, "running appliance). You act as an administrator named cli:<your Unix user>.")
	fmt.Fprintln(w, "\nActions:")
	for _, a := range userActions {
		fmt.Fprintf(w, "  %-8s %s\n", a.name, a.summary)
	}
}

func runUserAdd(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "user add", "--data DIR --login LOGIN --name NAME --roles ROLE[,ROLE] [--wards N,N] [--sections S,S] [--phone P] [--email E]")
	data := fs.String("data", "", "data `DIR`ectory (running or stopped)")
	login := fs.String("login", "", "the user's `LOGIN`: 3-32 lower-case letters, digits, . _ -, starting with a letter")
	name := fs.String("name", "", "the user's full `NAME`")
	var roleNames []string
	for _, r := range domain.RoleNames {
		if r.Role != domain.RoleCitizen {
			roleNames = append(roleNames, string(r.Role))
		}
	}
	roles := fs.String("roles", "", "comma-separated `ROLES`, of: "+strings.Join(roleNames, ", "))
	wards := fs.String("wards", "", "comma-separated ward `NUMBERS` the user works in")
	sections := fs.String("sections", "", "comma-separated office `SECTIONS`, e.g. civil,revenue")
	phone := fs.String("phone", "", "mobile `NUMBER` (optional)")
	email := fs.String("email", "", "e-mail `ADDRESS` (optional)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ flag, value string }{{"--data DIR", *data}, {"--login LOGIN", *login}, {"--name NAME", *name}, {"--roles ROLES", *roles}} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.flag)
		}
	}
	if len(missing) > 0 {
		return usageError{"give " + strings.Join(missing, ", ") + " (run 'ksmart user add -h')"}
	}
	in := identity.NewStaff{Login: *login, Name: *name, Sections: splitList(*sections), Phone: *phone, Email: *email}
	for _, r := range splitList(*roles) {
		in.Roles = append(in.Roles, domain.Role(r))
	}
	for _, w := range splitList(*wards) {
		n, err := strconv.Atoi(w)
		if err != nil {
			return usageError{fmt.Sprintf("--wards takes ward numbers like 1,2, not %q", w)}
		}
		in.Wards = append(in.Wards, n)
	}
	res, online, err := userCommand(ctx, *data, appliance.UserCommand{Action: "add", Staff: in})
	if err != nil {
		return err
	}
	u := res.User
	fmt.Fprintf(env.stdout, "added %s (%s): %s; roles %s", u.Login, u.ID, u.Name, joinRoles(u.Roles))
	if len(u.Wards) > 0 {
		fmt.Fprintf(env.stdout, "; wards %s", joinInts(u.Wards))
	}
	if len(u.Sections) > 0 {
		fmt.Fprintf(env.stdout, "; sections %s", strings.Join(u.Sections, ", "))
	}
	fmt.Fprintln(env.stdout, via(online))
	fmt.Fprintf(env.stdout, "one-time password: %s\n", res.Password)
	fmt.Fprintf(env.stdout, "Give it to %s privately: it is shown only now, and must be changed at first sign-in.\n", u.Name)
	return nil
}

func runUserList(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "user list", "--data DIR [--kind staff|citizen]")
	data := fs.String("data", "", "data `DIR`ectory (running or stopped)")
	kind := fs.String("kind", "", "list only `KIND` users: staff or citizen")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return usageError{"give --data DIR (run 'ksmart user list -h')"}
	}
	if *kind != "" && *kind != identity.KindStaff && *kind != identity.KindCitizen {
		return usageError{fmt.Sprintf("--kind must be staff or citizen, not %q", *kind)}
	}
	res, _, err := userCommand(ctx, *data, appliance.UserCommand{Action: "list", Kind: *kind})
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tNAME\tKIND\tROLES\tWARDS\tDISABLED\tLOCKED")
	for _, u := range res.Users {
		disabled, locked := "-", "-"
		if u.Disabled {
			disabled = "yes"
		}
		if u.Locked(now) {
			locked = "until " + u.LockedUntil.In(domain.IST).Format("15:04 IST")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Login, u.Name, u.Kind, joinRoles(u.Roles), orDash(joinInts(u.Wards)), disabled, locked)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(res.Users) == 0 {
		fmt.Fprintln(env.stdout, "(no users yet; add one with 'ksmart user add')")
	}
	return nil
}

func runUserReset(ctx context.Context, env *env, args []string) error {
	data, login, err := loginFlags(env, "reset", args)
	if err != nil {
		return err
	}
	res, online, err := userCommand(ctx, data, appliance.UserCommand{Action: "reset", Login: login})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "new one-time password for %s (%s)%s: %s\n", res.User.Login, res.User.Name, via(online), res.Password)
	fmt.Fprintf(env.stdout, "Shown only now; it must be changed at the next sign-in. %s's sessions have ended.\n", res.User.Login)
	return nil
}

func runUserDisable(ctx context.Context, env *env, args []string) error {
	var reason string
	data, login, err := loginFlags(env, "disable", args, func(fs *flags) {
		fs.StringVar(&reason, "reason", "", "why the user is disabled, kept in the log; required for a citizen's account")
	})
	if err != nil {
		return err
	}
	res, online, err := userCommand(ctx, data, appliance.UserCommand{Action: "disable", Login: login, Reason: reason})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "disabled %s (%s)%s: they can no longer sign in, and their sessions have ended\n", res.User.Login, res.User.Name, via(online))
	return nil
}

func runUserResetTwoStep(ctx context.Context, env *env, args []string) error {
	var reason string
	data, login, err := loginFlags(env, "reset-two-step", args, func(fs *flags) {
		fs.StringVar(&reason, "reason", "", "why (a lost phone, a new phone); kept in the log")
	})
	if err != nil {
		return err
	}
	res, online, err := userCommand(ctx, data, appliance.UserCommand{Action: "reset-two-step", Login: login, Reason: reason})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "reset the two-step sign-in of %s (%s)%s: their sessions have ended; they set up their authenticator app again at their next sign-in\n", res.User.Login, res.User.Name, via(online))
	return nil
}

func runUserEnable(ctx context.Context, env *env, args []string) error {
	data, login, err := loginFlags(env, "enable", args)
	if err != nil {
		return err
	}
	res, online, err := userCommand(ctx, data, appliance.UserCommand{Action: "enable", Login: login})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "enabled %s (%s)%s: they can sign in again\n", res.User.Login, res.User.Name, via(online))
	return nil
}

func runUserKYC(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "user kyc", "--data DIR --login LOGIN --reason TEXT")
	d := fs.String("data", "", "data `DIR`ectory (running or stopped)")
	l := fs.String("login", "", "the citizen's `LOGIN`: mobile number or e-mail")
	reason := fs.String("reason", "", "why no call is needed: who verified the passport, where and when (it is logged)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *d == "" || strings.TrimSpace(*l) == "" || strings.TrimSpace(*reason) == "" {
		return usageError{"give --data DIR, --login LOGIN and --reason TEXT (run 'ksmart user kyc -h')"}
	}
	data, login := *d, *l
	res, online, err := userCommand(ctx, data, appliance.UserCommand{Action: "kyc", Login: login, Reason: *reason})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "recorded a KYC override for %s (%s)%s, with the reason: they may now register a marriage from abroad\n", res.User.Login, res.User.Name, via(online))
	return nil
}

// loginFlags parses the flags of the actions that name one user.
// extra adds an action's own flags.
func loginFlags(env *env, action string, args []string, extra ...func(*flags)) (data, login string, err error) {
	fs := newFlags(env, "user "+action, "--data DIR --login LOGIN")
	for _, add := range extra {
		add(fs)
	}
	d := fs.String("data", "", "data `DIR`ectory (running or stopped)")
	l := fs.String("login", "", "the user's `LOGIN`: a staff username, or a citizen's mobile number or e-mail")
	if err := parse(fs, args); err != nil {
		return "", "", err
	}
	if *d == "" || strings.TrimSpace(*l) == "" {
		return "", "", usageError{fmt.Sprintf("give --data DIR and --login LOGIN (run 'ksmart user %s -h')", action)}
	}
	return *d, *l, nil
}

// userCommand runs cmd on the data directory: in this process when no
// appliance holds it, else through the running appliance's control socket.
func userCommand(ctx context.Context, dir string, cmd appliance.UserCommand) (res appliance.UserResult, online bool, err error) {
	path, err := storeFile(dir, "")
	if err != nil {
		return res, false, err
	}
	if _, err := os.Stat(path); err != nil {
		return res, false, fmt.Errorf("%s holds no %s; give --data the directory of a ksmart that has been started once", dir, filepath.Base(path))
	}
	cmd.By = unixUser()
	app, err := appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler), LockTimeout: time.Second})
	switch {
	case errors.Is(err, store.ErrLocked):
		method, route := "POST", "/user/"+cmd.Action
		var body any = cmd
		if cmd.Action == "list" {
			method, route, body = "GET", "/user/list?by="+url.QueryEscape(cmd.By)+"&kind="+url.QueryEscape(cmd.Kind), nil
		}
		err = appliance.ControlJSON(ctx, dir, method, route, body, &res)
		return res, true, cliError(err)
	case err != nil:
		return res, false, err
	}
	defer app.Close()
	res, err = app.RunUserCommand(cmd)
	return res, false, cliError(err)
}

// cliError spells out an error's field problems on its one line, naming
// each field as the flag that sets it.
func cliError(err error) error {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return err
	}
	names := make([]string, 0, len(de.Fields))
	for f := range de.Fields {
		names = append(names, f)
	}
	slices.Sort(names)
	var parts []string
	for _, f := range names {
		parts = append(parts, fmt.Sprintf("--%s: %s", f, strings.TrimSuffix(de.Fields[f].En, ".")))
	}
	return errors.New("fix " + strings.Join(parts, "; "))
}

// unixUser names whoever runs this command, for the audit trail.
func unixUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "uid" + strconv.Itoa(os.Getuid())
}

func via(online bool) string {
	if online {
		return " [through the running appliance]"
	}
	return ""
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func joinRoles(roles []domain.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
