package journeys

import (
	"errors"
	"fmt"
)

// Error codes: the one vocabulary every layer uses. The web package maps each
// code to an HTTP status in one table.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden" // the caller is known but its role does not allow this
	ETOOLARGE     = "too_large"
	ETIMEOUT      = "timeout" // a server-side deadline ended the work
)

// Error is an application error with a machine-readable Code, a message safe
// to show to the caller, and, for validation failures, the rows at fault.
type Error struct {
	Code    string     `json:"code"`
	Message string     `json:"message"`
	Details []RowError `json:"details,omitempty"`
	// Total counts the problems when Details lists only the first ones
	// (see Rejections); 0 means Details lists them all.
	Total int `json:"total,omitempty"`
}

// Error returns the message. Details are carried as data: whoever builds an
// *Error with details writes a message that summarises them.
func (e *Error) Error() string {
	return e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// when err is not nil but holds no *Error, and "" when err is nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, a
// generic "Internal error." when err holds no *Error (its text may leak
// internals), and "" when err is nil.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// RowError says why one input row or item was rejected. Row is the 1-based
// line number for files (the header is line 1) and the 0-based array index for
// API batches. Field names the offending field or column as the sender spelt
// it ("timestamp", "user_id"); it is "item" (API and Segment JSONL) or "row"
// (CSV, JSONL, seq) when the record as a whole is at fault.
type RowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// Error returns "field: problem", e.g.
// `timestamp: "2019-13-01" is not a time (want RFC 3339 or epoch seconds/milliseconds)`.
// The row is left out: it is carried in Row, and its meaning (line or index)
// depends on the source.
func (e RowError) Error() string {
	if e.Field == "" {
		return e.Problem
	}
	return e.Field + ": " + e.Problem
}

// rowErrorf returns a RowError for field with a formatted problem.
func RowErrorf(field, format string, args ...any) RowError {
	return RowError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// MaxListedRows is how many rejected rows an answer lists: the others are
// only counted, so that a body of bad rows cannot make a large answer.
const MaxListedRows = 100

// Rejections are the rows rejected from one input: the first MaxListedRows
// in full and the count of all.
type Rejections struct {
	Rows  []RowError
	Total int
}

// Add records a rejected row.
func (r *Rejections) Add(re RowError) {
	r.Total++
	if len(r.Rows) < MaxListedRows {
		r.Rows = append(r.Rows, re)
	}
}

// Truncated reports whether rows were counted but not listed.
func (r Rejections) Truncated() bool { return r.Total > len(r.Rows) }
