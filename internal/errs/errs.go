package errs

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// The kinds of the taxonomy. Test with errors.Is(err, errs.ErrPlan) and so on.
var (
	ErrParse             = errors.New("parse error")
	ErrPlan              = errors.New("plan error")
	ErrExecution         = errors.New("execution error")
	ErrNotImplemented    = errors.New("not implemented")
	ErrResourceExhausted = errors.New("resource exhausted")
	ErrCanceled          = errors.New("canceled")
	ErrInternal          = errors.New("internal error")
)

// Error is an error of one kind. Its text is "<kind>: <message>"; Cause, when set, is
// reachable through errors.Unwrap (and so errors.Is/As) and is appended to the text.
type Error struct {
	Kind  error
	Msg   string
	Cause error
	// Stack is captured for internal errors only (bugs); it is never shown to users by the
	// front ends, only logged on request.
	Stack []byte
}

func (e *Error) Error() string {
	s := e.Kind.Error()
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Is reports whether target is this error's kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

func newf(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Parsef returns a parse error.
func Parsef(format string, args ...any) error { return newf(ErrParse, format, args...) }

// Planf returns a plan (binding, typing) error.
func Planf(format string, args ...any) error { return newf(ErrPlan, format, args...) }

// Execf returns an execution error.
func Execf(format string, args ...any) error { return newf(ErrExecution, format, args...) }

// NotImplementedf returns a not-implemented error.
func NotImplementedf(format string, args ...any) error {
	return newf(ErrNotImplemented, format, args...)
}

// ResourceExhaustedf returns a resource-exhausted error.
func ResourceExhaustedf(format string, args ...any) error {
	return newf(ErrResourceExhausted, format, args...)
}

// Internalf returns an internal error (a bug) with the current stack.
func Internalf(format string, args ...any) error {
	e := newf(ErrInternal, format, args...)
	e.Stack = debug.Stack()
	return e
}

// Wrap returns err as an error of the given kind with a message in front, unless err
// already has a kind of the taxonomy, in which case the message is only prepended.
func Wrap(kind error, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if KindOf(err) != nil {
		if format == "" {
			return err
		}
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
	}
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...), Cause: err}
}

// Canceled returns a canceled error wrapping cause (typically context.Canceled).
func Canceled(cause error) error {
	return &Error{Kind: ErrCanceled, Msg: "query canceled", Cause: cause}
}

// FromPanic turns a recovered panic value into an internal error with a stack.
func FromPanic(r any) error {
	if err, ok := r.(error); ok && KindOf(err) != nil && !errors.Is(err, ErrInternal) {
		// An operator that panics with a taxonomy error meant to return it.
		return err
	}
	e := newf(ErrInternal, "panic: %v", r)
	e.Stack = debug.Stack()
	return e
}

// KindOf returns the taxonomy kind of err, or nil when it has none.
func KindOf(err error) error {
	for _, k := range []error{ErrParse, ErrPlan, ErrExecution, ErrNotImplemented,
		ErrResourceExhausted, ErrCanceled, ErrInternal} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}
