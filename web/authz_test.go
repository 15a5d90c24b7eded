package web

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/kyc"
	"ksmart/appliance/licence"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
)

// The callers of the authorization matrix.
const anon = "anon"

func matrixCallers() []string {
	callers := []string{anon, citizenA, citizenB}
	for _, r := range testStaffRoles {
		callers = append(callers, string(r))
	}
	return callers
}

// expect builds a caller → status table from pairs of (who, status),
// later pairs overriding earlier ones. who is a caller, or a group: "all",
// "citizens" (A and B), "staff" (every office role in staffRoles, which
// leaves out the kiosk) or "signed-in" (everyone but anon).
func expect(pairs ...any) map[string]int {
	out := map[string]int{}
	for i := 0; i < len(pairs); i += 2 {
		who, status := pairs[i].(string), pairs[i+1].(int)
		var callers []string
		switch who {
		case "all":
			callers = matrixCallers()
		case "signed-in":
			callers = matrixCallers()[1:]
		case "citizens":
			callers = []string{citizenA, citizenB}
		case "staff":
			for _, r := range staffRoles {
				callers = append(callers, string(r))
			}
		default:
			if !slices.Contains(matrixCallers(), who) {
				panic("expect: unknown caller " + who)
			}
			callers = []string{who}
		}
		for _, c := range callers {
			out[c] = status
		}
	}
	return out
}

// routeCheck is how the matrix calls one route and what each caller gets.
type routeCheck struct {
	url  string // with {file} (citizen A's birth certificate), {noc} (A's event NOC, with documents) and {blob} (one of its documents)
	body any    // as client.do sends it
	// fresh: the call ends the session, so each caller makes it from a
	// session of its own.
	fresh bool
	// kiosk: the call names a kiosk of its caller's own (X-Kiosk-Id).
	kiosk bool
	want  map[string]int
}

// registerReaders: the registrar's office gets ok, other signed-in callers
// 403, a signed-out one signedOut.
func registerReaders(signedOut, ok int) map[string]int {
	pairs := []any{"all", 403, anon, signedOut}
	for _, r := range civil.RegisterRoles {
		pairs = append(pairs, string(r), ok)
	}
	return expect(pairs...)
}

// taxRoles: the roles given get ok, other signed-in callers 403, a
// signed-out one signedOut.
func taxRoles(roles []domain.Role, signedOut, ok int) map[string]int {
	pairs := []any{"all", 403, anon, signedOut}
	for _, r := range roles {
		pairs = append(pairs, string(r), ok)
	}
	return expect(pairs...)
}

// Answers to a signed-out caller.
const (
	// toSignIn stands for a 303 to /signin?next=...: what a signed-out GET
	// of a page gets.
	toSignIn = -303
	// signInAPI is the API's answer: 401 with a JSON error.
	signInAPI = 401
)

// TestAuthz checks who may do what, on one appliance with a user for every
// role: at the doors (every route) and behind them (the workflow's steps).
func TestAuthz(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	clients := signInAll(t, env)
	t.Run("EveryRouteForEveryCaller", func(t *testing.T) { testEveryRouteForEveryCaller(t, env, clients) })
	t.Run("OnlyTheApproverDecides", func(t *testing.T) { testOnlyTheApproverDecides(t, env, clients) })
}

// testEveryRouteForEveryCaller is the authorization matrix: every route
// registered on the server, pages and API, called as a signed-out client,
// two citizens and every office role, against an explicit table. A route
// added without a row here fails the test.
func testEveryRouteForEveryCaller(t *testing.T, env *testEnv, clients map[string]*client) {
	badForward := formBody(url.Values{"action": {"forwarded"}, "to_user": {"u-nobody"}}.Encode())
	badPassword := formBody(url.Values{"old": {testPassword}, "new": {"x"}}.Encode())

	table := map[string]routeCheck{
		// Public pages.
		"GET /":               {url: "/", want: expect("all", 200)},
		"GET /healthz":        {url: "/healthz", want: expect("all", 200)},
		"GET /metrics":        {url: "/metrics", want: expect("all", 200)},
		"GET /static*":        {url: "/static/ksmart.css", want: expect("all", 200)},
		"GET /services":       {url: "/services", want: expect("all", 200)},
		"GET /services/:code": {url: "/services/birth_certificate", want: expect("all", 200)},
		"GET /status":         {url: "/status?number={number}", want: expect("all", 200)},
		"GET /signup":         {url: "/signup", want: expect("all", 200)},
		"POST /signup":        {url: "/signup", body: formBody(""), want: expect("all", 422)},
		"GET /verify":         {url: "/verify", want: expect("all", 303)}, // nothing pending: to /signup
		"POST /verify":        {url: "/verify", body: formBody("code=123456"), want: expect("all", 401)},
		"GET /signin":         {url: "/signin", want: expect("all", 200)},
		"POST /signin":        {url: "/signin", body: formBody("login=nobody-here&password=wrong-password"), want: expect("all", 401)},
		// The second step of a staff sign-in: only a session that has just
		// given the right password has one to take; anyone else is sent
		// back to /signin (pages) or refused (forms).
		"GET /signin/two-step":        {url: "/signin/two-step", want: expect("all", 303)},
		"POST /signin/two-step":       {url: "/signin/two-step", body: formBody("code=123456"), want: expect("all", 401)},
		"GET /signin/two-step/setup":  {url: "/signin/two-step/setup", want: expect("all", 303)},
		"POST /signin/two-step/setup": {url: "/signin/two-step/setup", body: formBody("code=123456"), want: expect("all", 401)},
		"POST /signout":               {url: "/signout", body: formBody(""), fresh: true, want: expect(anon, 401, "signed-in", 303)},
		"GET /forgot":                 {url: "/forgot", want: expect("all", 200)},
		"POST /forgot":                {url: "/forgot", body: formBody("login=nobody-here"), want: expect("all", 303)},              // the same answer for every login
		"GET /forgot/reset":           {url: "/forgot/reset", want: expect("all", 303)},                                             // nothing asked: to /forgot
		"POST /forgot/reset":          {url: "/forgot/reset", body: formBody("code=123456"), fresh: true, want: expect("all", 303)}, // nothing asked: to /forgot
		"GET /account/password":       {url: "/account/password", want: expect(anon, toSignIn, "signed-in", 200)},
		"POST /account/password":      {url: "/account/password", body: badPassword, want: expect(anon, 401, "signed-in", 422)},
		// The demo's mailbox is there only in the demo (a server with a
		// Mailbox); everywhere else it is absent.
		"GET /demo/mailbox":                 {url: "/demo/mailbox", want: expect("all", 404)},
		"GET /demo/mailbox/:channel/:id/:n": {url: "/demo/mailbox/email/1/0", want: expect("all", 404)},

		// Citizens' pages.
		"GET /services/:code/apply":  {url: "/services/birth_certificate/apply", want: expect("all", 403, anon, toSignIn, "citizens", 200)},
		"POST /services/:code/apply": {url: "/services/birth_certificate/apply", body: formBody(""), want: expect("all", 403, anon, 401, "citizens", 422)},
		"GET /applications":          {url: "/applications", want: expect("all", 403, anon, toSignIn, "citizens", 200)},
		"GET /applications/:id":      {url: "/applications/{file}", want: expect("all", 403, anon, toSignIn, citizenA, 200, citizenB, 404)},
		"POST /applications/:id/answer": {url: "/applications/{file}/answer", body: formBody("note=Here+it+is."),
			want: expect("all", 403, anon, 401, citizenA, 409, citizenB, 404)},
		"GET /applications/:id/receipt.pdf": {url: "/applications/{file}/receipt.pdf", want: expect("all", 403, anon, toSignIn, citizenA, 200, citizenB, 404)},
		"GET /applications/:id/documents/:blob": {url: "/applications/{noc}/documents/{blob}",
			want: expect("all", 403, anon, toSignIn, citizenA, 200, citizenB, 404)},
		"GET /messages":          {url: "/messages", want: expect("all", 403, anon, toSignIn, "citizens", 200)},
		"GET /account/messages":  {url: "/account/messages", want: expect("all", 403, anon, toSignIn, "citizens", 200)},
		"POST /account/messages": {url: "/account/messages", body: formBody("language=fr"), want: expect("all", 403, anon, 401, "citizens", 422)},
		// No contact waits for a code: the citizen is told so.
		"POST /account/messages/verify": {url: "/account/messages/verify", body: formBody("kind=email&code=123456"), want: expect("all", 403, anon, 401, "citizens", 422)},

		// Office pages.
		"GET /office":           {url: "/office", want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"GET /office/files/:id": {url: "/office/files/{file}", want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"POST /office/files/:id/act": {url: "/office/files/{file}/act", body: badForward,
			want: expect("all", 403, anon, 401, "section_clerk", 400)},
		"GET /office/files/:id/receipt.pdf": {url: "/office/files/{file}/receipt.pdf", want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"GET /office/files/:id/documents/:blob": {url: "/office/files/{noc}/documents/{blob}",
			want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"GET /office/search":         {url: "/office/search", want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"POST /office/search":        {url: "/office/search", body: formBody("q=Anagha"), want: expect("all", 403, anon, 401, "staff", 200)},
		"GET /office/counter":        {url: "/office/counter", want: expect("all", 403, anon, toSignIn, "front_office", 200)},
		"GET /office/counter/:code":  {url: "/office/counter/birth_certificate", want: expect("all", 403, anon, toSignIn, "front_office", 200)},
		"POST /office/counter/:code": {url: "/office/counter/birth_certificate", body: formBody(""), want: expect("all", 403, anon, 401, "front_office", 422)},

		// Issued documents and the registers. No certificate is issued in
		// these fixtures, so the callers let through get 404: the door is
		// what is checked here; civil_test.go follows a certificate through.
		"GET /verify/:number": {url: "/verify/DEMO01-BC-2026-999999", want: expect("all", 404)},
		// Providers' callbacks answer by signature, not by session: with
		// WhatsApp not configured the handshake finds nothing, and an
		// unsigned status callback is refused.
		"GET /webhooks/whatsapp":  {url: "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1", want: expect("all", 404)},
		"POST /webhooks/whatsapp": {url: "/webhooks/whatsapp", body: map[string]any{"object": "whatsapp_business_account"}, want: expect("all", 401)},
		"GET /applications/:id/certificate.pdf": {url: "/applications/{file}/certificate.pdf",
			want: expect("all", 403, anon, toSignIn, citizenA, 404, citizenB, 404)},
		"GET /office/files/:id/certificate.pdf": {url: "/office/files/{file}/certificate.pdf", want: expect("all", 403, anon, toSignIn, "staff", 404)},
		"GET /office/registers":                 {url: "/office/registers?kind=birth", want: registerReaders(toSignIn, 200)},
		"GET /office/registers/entry":           {url: "/office/registers/entry?number=B-999/2026", want: registerReaders(toSignIn, 404)},
		"GET /office/certificates/:number/pdf":  {url: "/office/certificates/DEMO01-BC-2026-999999/pdf", want: registerReaders(toSignIn, 404)},
		"POST /office/certificates/:number/revoke": {url: "/office/certificates/DEMO01-BC-2026-999999/revoke", body: formBody("reason=Cancelled+by+court+order."),
			want: expect("all", 403, anon, 401, "registrar", 404)},

		// The kiosk: anyone, signed in or not, with no sign-in of its own.
		// A search with one field is refused (400), a token from no search
		// too; the status of no application is 404.
		"GET /kiosk":              {url: "/kiosk", want: expect("all", 200)},
		"POST /kiosk/search":      {url: "/kiosk/search", body: formBody("name=Anagha"), kiosk: true, want: expect("all", 400)},
		"POST /kiosk/open":        {url: "/kiosk/open", body: formBody("token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), kiosk: true, want: expect("all", 400)},
		"POST /kiosk/certificate": {url: "/kiosk/certificate", body: formBody("token=x"), kiosk: true, want: expect("all", 400)},
		"POST /kiosk/copy":        {url: "/kiosk/copy", body: formBody("token=x"), kiosk: true, want: expect("all", 400)},
		"POST /kiosk/copy/print":  {url: "/kiosk/copy/print", body: formBody("demand=DM/2026-27/99999"), kiosk: true, want: expect("all", 404)},
		"GET /kiosk/copy/pdf":     {url: "/kiosk/copy/pdf?token=x", kiosk: true, want: expect("all", 400)},
		"POST /kiosk/status":      {url: "/kiosk/status", body: formBody("number=KS/DEMO01/1999/BC/9"), kiosk: true, want: expect("all", 404)},

		// The administrator's pages. {staff} is a spare office account, not a caller.
		"GET /admin/users":                     {url: "/admin/users", want: expect("all", 403, anon, toSignIn, "admin", 200)},
		"POST /admin/users":                    {url: "/admin/users", body: formBody("login=&name="), want: expect("all", 403, anon, 401, "admin", 422)},
		"POST /admin/users/:id/reset":          {url: "/admin/users/{staff}/reset", body: formBody(""), want: expect("all", 403, anon, 401, "admin", 200)},
		"POST /admin/users/:id/two-step-reset": {url: "/admin/users/{staff}/two-step-reset", body: formBody("reason=lost+phone"), want: expect("all", 403, anon, 401, "admin", 303)},
		"POST /admin/users/:id/disable":        {url: "/admin/users/{staff}/disable", body: formBody(""), want: expect("all", 403, anon, 401, "admin", 303)},
		"POST /admin/users/:id/enable":         {url: "/admin/users/{staff}/enable", body: formBody(""), want: expect("all", 403, anon, 401, "admin", 303)},
		"POST /admin/users/:id/roles":          {url: "/admin/users/{staff}/roles", body: formBody("roles=section_clerk&roles=head_clerk"), want: expect("all", 403, anon, 401, "admin", 303)},
		"GET /admin/replication":               {url: "/admin/replication", want: expect("all", 403, anon, toSignIn, "admin", 200)},
		"GET /admin/replication/fork":          {url: "/admin/replication/fork", want: expect("all", 403, anon, toSignIn, "admin", 200, "secretary", 200)},

		// The API: public.
		"GET /api/v1/openapi.json":             {url: "/api/v1/openapi.json", want: expect("all", 200)},
		"GET /api/v1/services":                 {url: "/api/v1/services", want: expect("all", 200)},
		"GET /api/v1/services/:code":           {url: "/api/v1/services/birth_certificate", want: expect("all", 200)},
		"GET /api/v1/status":                   {url: "/api/v1/status?number={number}", want: expect("all", 200)},
		"GET /api/v1/csrf":                     {url: "/api/v1/csrf", want: expect("all", 200)},
		"POST /api/v1/session":                 {url: "/api/v1/session", body: map[string]string{}, want: expect("all", 400)},
		"POST /api/v1/signup":                  {url: "/api/v1/signup", body: map[string]string{}, want: expect("all", 400)},
		"GET /api/v1/verify":                   {url: "/api/v1/verify", want: expect("all", 401)},
		"POST /api/v1/verify":                  {url: "/api/v1/verify", body: map[string]string{"code": "123456"}, want: expect("all", 401)},
		"POST /api/v1/verify/resend":           {url: "/api/v1/verify/resend", want: expect("all", 401)},
		"POST /api/v1/password-recovery":       {url: "/api/v1/password-recovery", body: map[string]string{"login": "nobody-here"}, want: expect("all", 202)},
		"POST /api/v1/password-recovery/reset": {url: "/api/v1/password-recovery/reset", body: map[string]string{"login": "nobody-here", "code": "123456", "password": "a long new password"}, want: expect("all", 400)},

		// The API: signed in.
		"GET /api/v1/session":          {url: "/api/v1/session", want: expect(anon, signInAPI, "signed-in", 200)},
		"DELETE /api/v1/session":       {url: "/api/v1/session", fresh: true, want: expect(anon, signInAPI, "signed-in", 204)},
		"PUT /api/v1/account/password": {url: "/api/v1/account/password", body: map[string]string{"old": testPassword, "new": "x"}, want: expect(anon, signInAPI, "signed-in", 400)},
		"GET /api/v1/messages":         {url: "/api/v1/messages", want: expect(anon, signInAPI, "signed-in", 200)},
		"POST /api/v1/applications": {url: "/api/v1/applications", body: map[string]string{},
			want: expect("all", 403, anon, signInAPI, "citizens", 400, "front_office", 400)},
		"GET /api/v1/applications": {url: "/api/v1/applications", want: expect("all", 403, anon, signInAPI, "citizens", 200)},
		"GET /api/v1/applications/:id": {url: "/api/v1/applications/{file}",
			want: expect("all", 403, anon, signInAPI, citizenA, 200, citizenB, 404, "staff", 200)},
		"GET /api/v1/applications/:id/receipt.pdf": {url: "/api/v1/applications/{file}/receipt.pdf",
			want: expect("all", 403, anon, signInAPI, citizenA, 200, citizenB, 404, "staff", 200)},
		"GET /api/v1/applications/:id/documents/:blob": {url: "/api/v1/applications/{noc}/documents/{blob}",
			want: expect("all", 403, anon, signInAPI, citizenA, 200, citizenB, 404, "staff", 200)},
		// An online file answered by its citizen while it is not returned is
		// 409; the front office may answer only counter files.
		"POST /api/v1/applications/:id/answer": {url: "/api/v1/applications/{file}/answer", body: map[string]string{"note": "Here it is."},
			want: expect("all", 403, anon, signInAPI, citizenA, 409, citizenB, 404, "front_office", 404)},
		// Forwarding to no one: only the desk holding the file gets as far
		// as the 400 about whom to forward to.
		"POST /api/v1/applications/:id/actions": {url: "/api/v1/applications/{file}/actions", body: map[string]string{"action": "forwarded", "to_user": "u-nobody"},
			want: expect("all", 403, anon, signInAPI, "section_clerk", 400)},
		"GET /api/v1/inbox":                             {url: "/api/v1/inbox", want: expect("all", 403, anon, signInAPI, "staff", 200)},
		"POST /api/v1/search":                           {url: "/api/v1/search", body: map[string]any{"text": "Anagha"}, want: expect("all", 403, anon, signInAPI, "staff", 200)},
		"POST /api/v1/kiosk/search":                     {url: "/api/v1/kiosk/search", body: map[string]string{"name": "Anagha"}, kiosk: true, want: expect("all", 400)},
		"POST /api/v1/kiosk/status":                     {url: "/api/v1/kiosk/status", body: map[string]string{"number": "KS/DEMO01/1999/BC/9"}, kiosk: true, want: expect("all", 404)},
		"GET /api/v1/certificates/:number/verification": {url: "/api/v1/certificates/DEMO01-BC-2026-999999/verification", want: expect("all", 404)},
		"GET /api/v1/applications/:id/certificate.pdf": {url: "/api/v1/applications/{file}/certificate.pdf",
			want: expect("all", 403, anon, signInAPI, citizenA, 404, citizenB, 404, "staff", 404)},
		"GET /api/v1/registers/:kind": {url: "/api/v1/registers/birth", want: registerReaders(signInAPI, 200)},
		"GET /api/v1/registers/entry": {url: "/api/v1/registers/entry?number=B-999/2026", want: registerReaders(signInAPI, 404)},
		"POST /api/v1/certificates/:number/revoke": {url: "/api/v1/certificates/DEMO01-BC-2026-999999/revoke", body: map[string]string{"reason": "Cancelled by court order."},
			want: expect("all", 403, anon, signInAPI, "registrar", 404)},

		// Money. {demand} is citizen A's birth certificate's fee; no call
		// here pays it (the bodies are refused), so the order of rows does
		// not matter. The receipt numbers do not exist.
		"GET /payments/return":             {url: "/payments/return?razorpay_payment_link_id=plink_x&razorpay_payment_link_status=paid&razorpay_signature=00", want: expect("all", 401)},
		"POST /webhooks/payments/:gateway": {url: "/webhooks/payments/paymentlinks", body: map[string]any{"event": "payment_link.paid"}, want: expect("all", 401)},
		"GET /receipts/verify/:number":     {url: "/receipts/verify/DEMO01-C1-2026-27-999", want: expect("all", 404)},
		"GET /payments":                    {url: "/payments", want: expect("all", 403, anon, toSignIn, "citizens", 200)},
		"POST /payments/:demand/online":    {url: "/payments/{demand}/online", body: formBody(""), want: expect("all", 403, anon, 401, citizenA, 200, citizenB, 404, "staff", 200)},
		"GET /receipts/:number/pdf":        {url: "/receipts/DEMO01-C1-2026-27-999/pdf", want: expect("all", 403, anon, toSignIn, "citizens", 404, "staff", 404)},
		"GET /office/cashier":              {url: "/office/cashier?q={number}", want: expect("all", 403, anon, toSignIn, "cashier", 200, "accountant", 200)},
		"POST /office/cashier/:demand": {url: "/office/cashier/{demand}", body: formBody("counter=C1&mode=cash&amount=0"),
			want: expect("all", 403, anon, 401, "cashier", 422, "accountant", 422)},
		"POST /office/cashier/close":            {url: "/office/cashier/close", body: formBody("counter=C9&date=2026-01-01"), want: expect("all", 403, anon, 401, "cashier", 400, "accountant", 400)},
		"GET /office/receipts/:number":          {url: "/office/receipts/DEMO01-C1-2026-27-999", want: expect("all", 403, anon, toSignIn, "accountant", 404, "secretary", 404, "cashier", 404, "state_auditor", 404)},
		"POST /office/receipts/:number/cancel":  {url: "/office/receipts/DEMO01-C1-2026-27-999/cancel", body: formBody("reason=x"), want: expect("all", 403, anon, 401, "accountant", 404, "secretary", 404)},
		"POST /office/receipts/:number/bounce":  {url: "/office/receipts/DEMO01-C1-2026-27-999/bounce", body: formBody("reason=x"), want: expect("all", 403, anon, 401, "accountant", 404, "secretary", 404)},
		"POST /office/receipts/:number/realise": {url: "/office/receipts/DEMO01-C1-2026-27-999/realise", body: formBody(""), want: expect("all", 403, anon, 401, "accountant", 404, "secretary", 404)},
		"GET /office/accounts":                  {url: "/office/accounts", want: expect("all", 403, anon, toSignIn, "accountant", 200, "secretary", 200, "cashier", 200, "state_auditor", 200)},
		"GET /office/accounts/day-book":         {url: "/office/accounts/day-book", want: expect("all", 403, anon, toSignIn, "accountant", 200, "secretary", 200, "cashier", 200, "state_auditor", 200)},
		"GET /office/accounts/ledger":           {url: "/office/accounts/ledger", want: expect("all", 403, anon, toSignIn, "accountant", 200, "secretary", 200, "cashier", 200, "state_auditor", 200)},
		"GET /office/accounts/collections":      {url: "/office/accounts/collections", want: expect("all", 403, anon, toSignIn, "accountant", 200, "secretary", 200, "cashier", 200, "state_auditor", 200)},
		"POST /office/accounts/remit":           {url: "/office/accounts/remit", body: formBody("counter=C1&date=2026-01-01&bank_ref=x"), want: expect("all", 403, anon, 401, "accountant", 400, "secretary", 400)},
		"POST /office/accounts/periods":         {url: "/office/accounts/periods", body: formBody("month=later"), want: expect("all", 403, anon, 401, "accountant", 400, "secretary", 400)},
		"POST /office/demands/:demand/waive":    {url: "/office/demands/{demand}/waive", body: formBody("amount=0&reason=x"), want: expect("all", 403, anon, 401, "accountant", 400, "secretary", 400)},
		"GET /api/v1/accounts/trial-balance":    {url: "/api/v1/accounts/trial-balance?date=2026-12-31", want: expect("all", 403, anon, signInAPI, "accountant", 200, "secretary", 200)},
		"GET /api/v1/accounts/day-book":         {url: "/api/v1/accounts/day-book?date=2026-01-01", want: expect("all", 403, anon, signInAPI, "accountant", 200, "secretary", 200, "cashier", 200, "state_auditor", 200)},
		"GET /api/v1/accounts/ledger": {url: "/api/v1/accounts/ledger?head=450-10&from=2026-01-01&to=2026-01-31",
			want: expect("all", 403, anon, signInAPI, "accountant", 200, "secretary", 200, "cashier", 200, "state_auditor", 200)},
		"GET /api/v1/accounts/collections": {url: "/api/v1/accounts/collections?counter=C1&date=2026-01-01",
			want: expect("all", 403, anon, signInAPI, "accountant", 200, "secretary", 200, "cashier", 200, "state_auditor", 200)},
		"GET /api/v1/accounts/receipts-and-payments": {url: "/api/v1/accounts/receipts-and-payments?from=2026-01-01&to=2026-01-31",
			want: expect("all", 403, anon, signInAPI, "accountant", 200, "secretary", 200, "cashier", 200, "state_auditor", 200)},
		"GET /api/v1/accounts/orders":       {url: "/api/v1/accounts/orders", want: expect("all", 403, anon, signInAPI, "accountant", 200, "secretary", 200, "cashier", 200, "state_auditor", 200)},
		"POST /api/v1/accounts/day-close":   {url: "/api/v1/accounts/day-close", body: map[string]string{"counter": "C9", "date": "2026-01-01"}, want: expect("all", 403, anon, signInAPI, "cashier", 400, "accountant", 400)},
		"POST /api/v1/accounts/remittances": {url: "/api/v1/accounts/remittances", body: map[string]string{"counter": "C1", "date": "2026-01-01", "bank_ref": "x"}, want: expect("all", 403, anon, signInAPI, "accountant", 400, "secretary", 400)},
		"POST /api/v1/accounts/periods":     {url: "/api/v1/accounts/periods", body: map[string]string{"month": "later"}, want: expect("all", 403, anon, signInAPI, "accountant", 400, "secretary", 400)},
		"GET /api/v1/demands":               {url: "/api/v1/demands", want: expect("all", 403, anon, signInAPI, "citizens", 200)},
		"GET /api/v1/demands/:demand":       {url: "/api/v1/demands/{demand}", want: expect("all", 403, anon, signInAPI, citizenA, 200, citizenB, 404, "staff", 200)},
		"POST /api/v1/demands/:demand/payments": {url: "/api/v1/demands/{demand}/payments", body: map[string]any{"counter": "C1", "amount_paise": 0, "mode": "cash"},
			want: expect("all", 403, anon, signInAPI, "cashier", 400, "accountant", 400)},
		"POST /api/v1/demands/:demand/online": {url: "/api/v1/demands/{demand}/online", body: map[string]any{}, want: expect("all", 403, anon, signInAPI, citizenA, 201, citizenB, 404, "staff", 201)},
		"POST /api/v1/demands/:demand/waive": {url: "/api/v1/demands/{demand}/waive", body: map[string]any{"amount_paise": 0, "reason": ""},
			want: expect("all", 403, anon, signInAPI, "accountant", 400, "secretary", 400)},
		"GET /api/v1/receipts/:number":     {url: "/api/v1/receipts/DEMO01-C1-2026-27-999", want: expect("all", 403, anon, signInAPI, "citizens", 404, "staff", 404)},
		"GET /api/v1/receipts/:number/pdf": {url: "/api/v1/receipts/DEMO01-C1-2026-27-999/pdf", want: expect("all", 403, anon, signInAPI, "citizens", 404, "staff", 404)},
		"POST /api/v1/receipts/:number/cancel": {url: "/api/v1/receipts/DEMO01-C1-2026-27-999/cancel", body: map[string]string{"reason": "x"},
			want: expect("all", 403, anon, signInAPI, "accountant", 400, "secretary", 400)},
		"POST /api/v1/receipts/:number/bounce": {url: "/api/v1/receipts/DEMO01-C1-2026-27-999/bounce", body: map[string]string{"reason": "x"},
			want: expect("all", 403, anon, signInAPI, "accountant", 400, "secretary", 400)},
		"POST /api/v1/receipts/:number/realise": {url: "/api/v1/receipts/DEMO01-C1-2026-27-999/realise", body: map[string]string{},
			want: expect("all", 403, anon, signInAPI, "accountant", 404, "secretary", 404)},
		"GET /api/v1/receipts/:number/verification": {url: "/api/v1/receipts/DEMO01-C1-2026-27-999/verification", want: expect("all", 404)},

		// Property tax. {building} is citizen A's house 5/101, claimed,
		// with arrears; {building_number} its number URL-escaped. A
		// citizen who has not claimed it gets 404, never 403: who claimed
		// what cannot be probed. The demand job raises nothing new on a
		// second run, so the rows' order does not matter.
		"GET /property-tax":                   {url: "/property-tax?number=5/101", want: expect("all", 403, anon, toSignIn, "citizens", 200)},
		"POST /property-tax/claim":            {url: "/property-tax/claim", body: formBody("number=nonsense"), want: expect("all", 403, anon, 401, "citizens", 400)},
		"GET /buildings/:id":                  {url: "/buildings/{building}", want: expect("all", 403, anon, toSignIn, citizenA, 200, citizenB, 404)},
		"POST /buildings/:id/pay":             {url: "/buildings/{building}/pay", body: formBody("period=2020-21/H1"), want: expect("all", 403, anon, 401, citizenA, 400, citizenB, 404)},
		"GET /buildings/:id/notice.pdf":       {url: "/buildings/{building}/notice.pdf", want: expect("all", 403, anon, toSignIn, citizenA, 200, citizenB, 404, "staff", 200)},
		"GET /office/buildings":               {url: "/office/buildings?ward=5", want: taxRoles(propertytax.ReaderRoles, toSignIn, 200)},
		"GET /office/buildings/new":           {url: "/office/buildings/new", want: taxRoles(propertytax.SurveyorRoles, toSignIn, 200)},
		"POST /office/buildings":              {url: "/office/buildings", body: formBody("number="), want: taxRoles(propertytax.SurveyorRoles, 401, 422)},
		"GET /office/buildings/:id":           {url: "/office/buildings/{building}", want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"POST /office/buildings/:id/link":     {url: "/office/buildings/{building}/link", body: formBody("owner=0&user=nobody"), want: taxRoles(propertytax.LinkerRoles, 401, 422)},
		"GET /office/property-tax":            {url: "/office/property-tax", want: taxRoles(propertytax.ReaderRoles, toSignIn, 303)},
		"GET /office/property-tax/dcb":        {url: "/office/property-tax/dcb", want: taxRoles(propertytax.ReaderRoles, toSignIn, 200)},
		"GET /office/property-tax/defaulters": {url: "/office/property-tax/defaulters?ward=5", want: taxRoles(propertytax.ReaderRoles, toSignIn, 200)},
		"POST /office/property-tax/demands":   {url: "/office/property-tax/demands", body: formBody(""), want: taxRoles(propertytax.DemandJobRoles, 401, 303)},
		"GET /api/v1/buildings":               {url: "/api/v1/buildings?ward=5", want: taxRoles(propertytax.ReaderRoles, signInAPI, 200)},
		"GET /api/v1/buildings/:number": {url: "/api/v1/buildings/{building_number}",
			want: expect("all", 403, anon, signInAPI, citizenA, 200, citizenB, 404, "staff", 200)},
		// Citizen A's mobile is the register's, so A may claim it (again);
		// B's is not, and B is told to bring the deed.
		"POST /api/v1/buildings/:number/claim": {url: "/api/v1/buildings/{building_number}/claim", want: expect("all", 403, anon, signInAPI, citizenA, 200, citizenB, 403)},
		"GET /api/v1/property-tax/dcb":         {url: "/api/v1/property-tax/dcb", want: taxRoles(propertytax.ReaderRoles, signInAPI, 200)},
		"GET /api/v1/property-tax/defaulters":  {url: "/api/v1/property-tax/defaulters?ward=5", want: taxRoles(propertytax.ReaderRoles, signInAPI, 200)},

		// Licences. {licence} is citizen A's bakery at 5/101, granted and
		// issued; the register is public by number, the office's by status.
		"GET /licences":                         {url: "/licences", want: expect("all", 403, anon, toSignIn, "citizens", 200)},
		"POST /licences/:number/renew":          {url: "/licences/{licence}/renew", body: formBody(""), want: expect("all", 403, anon, 401, citizenA, 303, citizenB, 404)},
		"GET /licences/:number/certificate.pdf": {url: "/licences/{licence}/certificate.pdf", want: expect("all", 403, anon, toSignIn, citizenA, 200, citizenB, 404, "staff", 200)},
		"GET /office/licences":                  {url: "/office/licences", want: taxRoles(licence.OfficeRoles, toSignIn, 200)},
		"GET /office/licences/:number":          {url: "/office/licences/{licence}", want: taxRoles(licence.OfficeRoles, toSignIn, 200)},
		"POST /office/licences/:number/order":   {url: "/office/licences/{licence}/order", body: formBody("kind=suspended"), want: expect("all", 403, anon, 401, "secretary", 422)},
		"POST /office/licences/msme":            {url: "/office/licences/msme", body: formBody("number="), want: expect("all", 403, anon, 401, "section_clerk", 400, "health_inspector", 400, "secretary", 400)},
		"GET /api/v1/licences":                  {url: "/api/v1/licences?status=active", want: taxRoles(licence.OfficeRoles, signInAPI, 200)},
		"GET /api/v1/licences/:number":          {url: "/api/v1/licences/{licence}", want: expect("all", 200)},
		// Plan scrutiny: anyone signed in; nothing is written. An empty
		// form is refused field by field.
		"GET /building-permits/scrutiny":  {url: "/building-permits/scrutiny", want: expect(anon, toSignIn, "signed-in", 200)},
		"POST /building-permits/scrutiny": {url: "/building-permits/scrutiny", body: formBody(""), want: expect(anon, 401, "signed-in", 400)},
		// A building file's desk records: staff who may read the file see
		// it; only the overseer or engineer whose desk holds it records
		// (citizen A's file is a birth certificate: refused as not one).
		"GET /office/building-files/:id":             {url: "/office/building-files/{file}", want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"POST /office/building-files/:id/inspection": {url: "/office/building-files/{file}/inspection", body: formBody(""), want: expect("all", 403, anon, 401, "staff", 400)},
		"POST /office/building-files/:id/report":     {url: "/office/building-files/{file}/report", body: formBody(""), want: expect("all", 403, anon, 401, "staff", 400)},
		"POST /api/v1/building-permits/:number/commencement": {url: "/api/v1/building-permits/DEMO01-BP-2026-99/commencement", body: map[string]any{"commenced_on": "2026-01-01"},
			want: expect("all", 403, anon, signInAPI, "citizens", 404, "front_office", 404, "overseer", 404, "assistant_engineer", 404, "secretary", 404)},
		"POST /api/v1/building-permits/scrutiny": {url: "/api/v1/building-permits/scrutiny", body: map[string]any{"use": "a1_residential", "plot_area_m2": 400, "floor_area_m2": 180,
			"footprint_m2": 95, "floors": 2, "height_m": 7, "road_width_m": 5, "front_m": 4, "rear_m": 2, "left_m": 1.5, "right_m": 1.2}, want: expect(anon, signInAPI, "signed-in", 200)},
		// Complaints: anyone reports, reads and says "me too"; only the
		// reporter confirms, reopens or rates (here nobody holds the key);
		// the office's pages are staff's, and acting is the category's chain's.
		"GET /grievances":                      {url: "/grievances?ward=5", want: expect("all", 200)},
		"GET /grievances/new":                  {url: "/grievances/new?category=waste&ward=5", want: expect("all", 200)},
		"POST /grievances":                     {url: "/grievances", body: formBody("category=waste&ward=5&description="), want: expect("all", 422)},
		"GET /grievances/statistics":           {url: "/grievances/statistics", want: expect("all", 200)},
		"GET /grievances/:number":              {url: "/grievances/{report}", want: expect("all", 200)},
		"GET /grievances/:number/photos/:blob": {url: "/grievances/{report}/photos/{report_photo}", want: expect("all", 200)},
		"POST /grievances/:number/metoo":       {url: "/grievances/{report}/metoo", want: expect("all", 303)},
		"POST /grievances/:number/confirm":     {url: "/grievances/{report}/confirm", body: formBody("rating=4"), want: expect("all", 403)},
		"POST /grievances/:number/reopen":      {url: "/grievances/{report}/reopen", body: formBody("note=no"), want: expect("all", 403)},
		"POST /grievances/:number/rate":        {url: "/grievances/{report}/rate", body: formBody("rating=3"), want: expect("all", 403)},
		"GET /office/grievances":               {url: "/office/grievances", want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"GET /office/grievances/ward/:ward":    {url: "/office/grievances/ward/5", want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"GET /office/grievances/:number":       {url: "/office/grievances/{report}", want: expect("all", 403, anon, toSignIn, "staff", 200)},
		"POST /office/grievances/:number/act":  {url: "/office/grievances/{report}/act", body: formBody("action=fix&note="), want: expect("all", 403, anon, 401, string(domain.RoleHealthInspector), 400, string(domain.RoleSecretary), 400)},
		"GET /open311/v2/services.json":        {url: "/open311/v2/services.json", want: expect("all", 200)},
		"GET /open311/v2/services/:code":       {url: "/open311/v2/services/waste.json", want: expect("all", 200)},
		"GET /open311/v2/requests.json":        {url: "/open311/v2/requests.json?status=open", want: expect("all", 200)},
		"POST /open311/v2/requests.json":       {url: "/open311/v2/requests.json", body: formBody("service_code=ufo&description=x&lat=9.98&long=76.28"), want: expect("all", 400)},
		"GET /open311/v2/requests/:id":         {url: "/open311/v2/requests/{report}.json", want: expect("all", 200)},
		// Video KYC: a citizen's own bookings, the registrar's office's
		// calls (kyc.OfficerRoles). vk-999 is no booking: 404 to whoever
		// may get that far. A WebSocket route called without an upgrade
		// is refused by the WebSocket library with 426.
		"GET /kyc":                            {url: "/kyc", want: expect("all", 403, anon, toSignIn, "citizens", 200)},
		"GET /kyc/:id":                        {url: "/kyc/vk-999", want: expect("all", 403, anon, toSignIn, "citizens", 404)},
		"POST /kyc/:id/book":                  {url: "/kyc/vk-999/book", body: formBody("slot=2026-12-01T05:30:00Z"), want: expect("all", 403, anon, 401, "citizens", 404)},
		"GET /kyc/:id/ws":                     {url: "/kyc/vk-999/ws", want: expect("all", 403, anon, toSignIn, "citizens", 426)},
		"GET /office/kyc":                     {url: "/office/kyc", want: taxRoles(kyc.OfficerRoles, toSignIn, 200)},
		"GET /office/kyc/:id":                 {url: "/office/kyc/vk-999", want: taxRoles(kyc.OfficerRoles, toSignIn, 404)},
		"GET /office/kyc/:id/ws":              {url: "/office/kyc/vk-999/ws", want: taxRoles(kyc.OfficerRoles, toSignIn, 426)},
		"POST /office/kyc/:id/snapshots":      {url: "/office/kyc/vk-999/snapshots", body: rawBody{contentType: "image/jpeg", data: []byte{0xff, 0xd8, 0xff, 0xe0}}, want: taxRoles(kyc.OfficerRoles, 401, 404)},
		"GET /office/kyc/:id/snapshots/:sum":  {url: "/office/kyc/vk-999/snapshots/00", want: taxRoles(kyc.OfficerRoles, toSignIn, 404)},
		"POST /office/kyc/:id/outcome":        {url: "/office/kyc/vk-999/outcome", body: formBody("outcome=verified"), want: taxRoles(kyc.OfficerRoles, 401, 404)},
		"GET /office/kyc/:id/recordings/:sum": {url: "/office/kyc/vk-999/recordings/00", want: taxRoles(kyc.OfficerRoles, toSignIn, 404)},
		// Right to Service. {file} is in time: its applicant is told there
		// is nothing to appeal (409), another citizen that there is no such
		// file. Appeal 0000000999 does not exist.
		"POST /applications/:id/appeal": {url: "/applications/{file}/appeal", body: formBody("grounds=It+is+late+and+nobody+answers."),
			want: expect("all", 403, anon, 401, citizenA, 409, citizenB, 404)},
		"GET /applications/:id/appeals/:appeal/order.pdf": {url: "/applications/{file}/appeals/0000000999/order.pdf", want: expect("all", 403, anon, toSignIn, "citizens", 404)},
		"GET /office/rts":                 {url: "/office/rts?from=2026-01-01&to=2026-12-31", want: taxRoles(rts.ReportRoles, toSignIn, 200)},
		"GET /office/rts/appeals/:appeal": {url: "/office/rts/appeals/0000000999", want: taxRoles(rts.ReportRoles, toSignIn, 404)},
		"POST /office/rts/appeals/:appeal/decide": {url: "/office/rts/appeals/0000000999/decide", body: formBody("outcome=uphold&reasons=No+reason+to+interfere."),
			want: expect("all", 403, anon, 401, "secretary", 404, "appellate_authority", 404)},
		"GET /office/rts/appeals/:appeal/order.pdf": {url: "/office/rts/appeals/0000000999/order.pdf", want: taxRoles(rts.ReportRoles, toSignIn, 404)},
		"GET /api/v1/rts/report":                    {url: "/api/v1/rts/report?from=2026-01-01&to=2026-12-31", want: expect("all", 403, anon, signInAPI, "secretary", 200, "state_auditor", 200)},
	}

	// The table and the routes must be the same set.
	registered := map[string]bool{}
	for _, r := range env.srv.echo.Routes() {
		registered[r.Method+" "+r.Path] = true
	}
	for k := range registered {
		if _, ok := table[k]; !ok {
			t.Errorf("route %s has no row in the authorization matrix: add one saying who may call it", k)
		}
	}
	for k := range table {
		if !registered[k] {
			t.Errorf("the authorization matrix has a row for %s, which is not a route", k)
		}
	}
	for k, rc := range table {
		for _, who := range matrixCallers() {
			if _, ok := rc.want[who]; !ok {
				t.Errorf("%s: no expectation for %s", k, who)
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Fixtures: citizen A's birth certificate and event NOC with documents,
	// and the house citizen A claimed.
	vars := submitFixtures(t, env, clients[citizenA])
	b := claimedHouse(t, env, citizenA, "5/101", "2025-26/H1")
	vars["building"], vars["building_number"] = b.ID, url.PathEscape(b.Number)
	vars["licence"] = grantedLicence(t, env, citizenA, "5/101").Number
	vars["report"], vars["report_photo"] = reportFixture(t, env)
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}

	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		rc := table[k]
		method := strings.Fields(k)[0]
		t.Run(k, func(t *testing.T) {
			for _, who := range matrixCallers() {
				c := clients[who]
				if rc.fresh && who == anon {
					c = env.newClient(t)
				} else if rc.fresh {
					c = env.signIn(t, who)
				}
				if rc.kiosk {
					c.header.Set(kioskHeader, "matrix-kiosk-"+who)
				}
				r := c.do(t, method, expand(rc.url), rc.body)
				c.header.Del(kioskHeader)
				want := rc.want[who]
				if want == toSignIn {
					want = 303
					if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/signin?next=") {
						t.Errorf("%s %s as %s: redirected to %q, want /signin?next=...", method, rc.url, who, loc)
					}
				}
				if r.status != want {
					t.Errorf("%s %s as %s: %d, want %d: %.300s", method, rc.url, who, r.status, want, r.body)
				}
			}
		})
	}
}

// signInAll signs every matrix caller in, in parallel ("anon" stays out).
func signInAll(t *testing.T, env *testEnv) map[string]*client {
	clients := map[string]*client{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, who := range matrixCallers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := who
			if who == anon {
				name = ""
			}
			c := env.signIn(t, name)
			mu.Lock()
			clients[who] = c
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return clients
}

// submitFixtures has citizen A apply for a birth certificate ({file},
// {number}) and a event NOC with two documents ({noc}, {blob}).
func submitFixtures(t *testing.T, env *testEnv, a *client) map[string]string {
	t.Helper()
	vars := map[string]string{}
	r := a.do(t, "POST", "/api/v1/applications", birthWith())
	var f struct {
		ID, Number string
		Documents  []struct{ Blob string }
	}
	r.json(t, &f)
	if r.status != 201 {
		t.Fatalf("fixture birth certificate: %d %s", r.status, r.body)
	}
	vars["file"], vars["number"] = f.ID, f.Number
	var withMoney struct {
		Demand struct {
			Demands []struct{ ID string }
		}
	}
	r.json(t, &withMoney)
	if len(withMoney.Demand.Demands) != 1 {
		t.Fatalf("fixture birth certificate has no demand for its fee: %s", r.body)
	}
	vars["demand"] = withMoney.Demand.Demands[0].ID
	r = a.do(t, "POST", "/api/v1/applications", &multipartBody{fields: eventNOC(), files: map[string][]byte{"venue_consent": tinyPDF, "organiser_id": tinyPDF}})
	f.Documents = nil
	r.json(t, &f)
	if r.status != 201 || len(f.Documents) == 0 {
		t.Fatalf("fixture event NOC: %d %s", r.status, r.body)
	}
	vars["noc"], vars["blob"] = f.ID, f.Documents[0].Blob
	spare, _, err := env.app.Identity.AddStaff(domain.System, identity.NewStaff{Login: fmt.Sprintf("spare%d", len(env.users)+rand.IntN(1e6)), Name: "Spare Clerk", Roles: []domain.Role{domain.RoleSectionClerk}})
	if err != nil {
		t.Fatalf("fixture spare staff: %v", err)
	}
	vars["staff"] = spare.ID
	return vars
}

// testOnlyTheApproverDecides walks files along their steps and shows that
// the workflow, behind the route's door, lets only the right role take
// each action: a birth certificate is decided by the registrar, an event
// NOC by the secretary, each only at the last step.
func testOnlyTheApproverDecides(t *testing.T, env *testEnv, clients map[string]*client) {
	vars := submitFixtures(t, env, clients[citizenA])
	// A second birth certificate, to be decided through the office pages.
	r := clients[citizenA].do(t, "POST", "/api/v1/applications", birthWith())
	var f struct{ ID string }
	r.json(t, &f)
	vars["page_file"] = f.ID

	act := func(action string) map[string]string {
		return map[string]string{"action": action, "note": "Checked against the register."}
	}
	pageAct := func(action string) formBody {
		return formBody(url.Values{"action": {action}, "note": {"Checked against the register."}}.Encode())
	}
	steps := []struct {
		who    string
		path   string
		body   any
		status int
	}{
		{"section_clerk", "/api/v1/applications/{file}/actions", act(workflow.KindForwarded), 200},
		{"section_clerk", "/api/v1/applications/{file}/actions", act("approved"), 403},
		{"head_clerk", "/api/v1/applications/{file}/actions", act("approved"), 403},
		{"secretary", "/api/v1/applications/{file}/actions", act("approved"), 403},
		{"admin", "/api/v1/applications/{file}/actions", act("approved"), 403},
		{"front_office", "/api/v1/applications/{file}/actions", act("approved"), 403},
		{"state_auditor", "/api/v1/applications/{file}/actions", act("approved"), 403},
		{"kiosk", "/api/v1/applications/{file}/actions", act("approved"), 403},
		{citizenA, "/api/v1/applications/{file}/actions", act("approved"), 403},
		{"registrar", "/api/v1/applications/{file}/actions", act("approved"), 200},
		{"registrar", "/api/v1/applications/{file}/actions", act("approved"), 409},
		{"section_clerk", "/api/v1/applications/{file}/actions", act("issued"), 403},
		{"front_office", "/api/v1/applications/{file}/actions", act("issued"), 409}, // the fee is owed
		{"section_clerk", "/api/v1/demands/{demand}/payments", map[string]any{"counter": "C1", "amount_paise": 1000, "mode": "cash"}, 403},
		{"cashier", "/api/v1/demands/{demand}/payments", map[string]any{"counter": "C1", "amount_paise": 1000, "mode": "cash"}, 201},
		{"front_office", "/api/v1/applications/{file}/actions", act("issued"), 200},

		// The same through the office pages.
		{"section_clerk", "/office/files/{page_file}/act", pageAct(workflow.KindForwarded), 303},
		{"section_clerk", "/office/files/{page_file}/act", pageAct("approved"), 403},
		{"registrar", "/office/files/{page_file}/act", pageAct("approved"), 303},

		// A event NOC: clerk, health inspector, then only the secretary.
		{"section_clerk", "/api/v1/applications/{noc}/actions", act("approved"), 403},
		{"health_inspector", "/api/v1/applications/{noc}/actions", act(workflow.KindForwarded), 403},
		{"section_clerk", "/api/v1/applications/{noc}/actions", act(workflow.KindForwarded), 200},
		{"health_inspector", "/api/v1/applications/{noc}/actions", act(workflow.KindForwarded), 200},
		{"section_clerk", "/api/v1/applications/{noc}/actions", act("approved"), 403},
		{"health_inspector", "/api/v1/applications/{noc}/actions", act("approved"), 403},
		{"head_clerk", "/api/v1/applications/{noc}/actions", act("rejected"), 403},
		{"registrar", "/api/v1/applications/{noc}/actions", act("approved"), 403},
		{"state_auditor", "/api/v1/applications/{noc}/actions", act("note_added"), 403},
		{"secretary", "/api/v1/applications/{noc}/actions", act("note_added"), 200},
		{"secretary", "/api/v1/applications/{noc}/actions", act("approved"), 200},
		{citizenB, "/api/v1/applications/{noc}", nil, 404},
		{citizenA, "/api/v1/applications/{noc}", nil, 200},
	}
	for i, s := range steps {
		path := s.path
		for k, v := range vars {
			path = strings.ReplaceAll(path, "{"+k+"}", v)
		}
		method := "POST"
		if s.body == nil {
			method = "GET"
		}
		r := clients[s.who].do(t, method, path, s.body)
		if r.status != s.status {
			t.Fatalf("step %d: %s %s %v as %s: %d, want %d: %s", i+1, method, s.path, s.body, s.who, r.status, s.status, r.body)
		}
	}
	// The files ended where they should.
	for _, c := range []struct{ file, status string }{{"file", "issued"}, {"page_file", "approved"}, {"noc", "approved"}} {
		st, err := env.app.Workflow.Get(env.users["secretary"].Actor(), vars[c.file])
		if err != nil || st.Status != c.status {
			t.Errorf("%s: %s %v, want %s", c.file, st.Status, err, c.status)
		}
	}
}
