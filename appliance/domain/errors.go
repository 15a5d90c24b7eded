package domain

import (
	"errors"
	"fmt"
	"syscall"
)

// Error codes. The web layer maps each to an HTTP status in exactly one place.
const (
	EINVALID         = "invalid"              // the input is wrong; the message says what to fix
	ENOTFOUND        = "not_found"            // no such record
	ECONFLICT        = "conflict"             // the record exists already or changed meanwhile
	EFORBIDDEN       = "forbidden"            // signed in, but this role may not do this
	EUNAUTHENTICATED = "unauthenticated"      // sign-in needed
	ETOOLARGE        = "too_large"            // an upload or body over its limit
	ERATELIMIT       = "rate_limited"         // too many attempts; try again later
	EUNAVAILABLE     = "not_available"        // the service exists but is not offered (yet)
	ENOSPACE         = "insufficient_storage" // the server's disk is full: nothing was written; try again later
	EINTERNAL        = "internal"             // a fault of ours; details are logged, never shown
)

// Error is an error a citizen or clerk can act on. Message is in English,
// MessageML in Malayalam where the error reaches a page; Fields names the
// form fields at fault, each with its own message.
type Error struct {
	Code      string
	Message   string
	MessageML string
	Fields    map[string]Text
}

func (e *Error) Error() string {
	return e.Message
}

// Errorf returns an *Error with the code and an English message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Bilingual returns an *Error with a message in both languages.
func Bilingual(code string, msg Text) *Error {
	return &Error{Code: code, Message: msg.En, MessageML: msg.Ml}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, "" for nil,
// and EINTERNAL for anything else.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, syscall.ENOSPC) {
		return ENOSPACE
	}
	return EINTERNAL
}

// ErrDiskFull is what a person is told when a write failed because the
// server's disk is full (any error wrapping syscall.ENOSPC): nothing was
// written, and the office has been told.
var ErrDiskFull = Bilingual(ENOSPACE, T(
	"The office's server has run out of disk space, so nothing was saved. Please try again later; the office has been told.",
	"ഓഫീസിലെ സെർവറിൽ ഡിസ്ക് സ്ഥലം തീർന്നതിനാൽ ഒന്നും സേവ് ചെയ്തിട്ടില്ല. കുറച്ചു കഴിഞ്ഞ് വീണ്ടും ശ്രമിക്കുക; ഓഫീസിനെ അറിയിച്ചിട്ടുണ്ട്."))

// ErrorMessage returns the message of err that may be shown to a person.
// Errors that are not *Error are internal: their text is never shown.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// FieldErrors collects per-field problems of a form, so that all of them are
// reported at once.
type FieldErrors map[string]Text

// Add records a problem with field name (the first one per field wins).
func (f FieldErrors) Add(name string, msg Text) {
	if _, ok := f[name]; !ok {
		f[name] = msg
	}
}

// Err returns nil when there are no problems, else an EINVALID *Error
// listing them.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{
		Code:      EINVALID,
		Message:   "Some fields need correcting; see the message beside each.",
		MessageML: "ചില വിവരങ്ങൾ തിരുത്തേണ്ടതുണ്ട്; ഓരോന്നിന്റെയും അരികിലെ സന്ദേശം കാണുക.",
		Fields:    f,
	}
}
