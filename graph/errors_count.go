package graph

import (
	"context"
	"errors"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// ErrorCounter counts the store's failed Neo4j transactions by kind
// (metrics.Set).
type ErrorCounter interface {
	CountNeo4jError(kind string)
}

// Kinds of failed transactions an ErrorCounter is told of.
const (
	// ErrUnavailable: Neo4j could not be reached, or transient failures
	// outlasted the retry time.
	ErrUnavailable = "unavailable"
	// ErrTimeout: the transaction's deadline passed (the caller's, or
	// Neo4j's transaction timeout).
	ErrTimeout = "timeout"
	// ErrQuery: Neo4j refused or failed the query.
	ErrQuery = "query"
)

// count tells the store's ErrorCounter of err, if it is a failed Neo4j
// transaction, and returns err.
func (s *Store) count(err error) error {
	if s.errs != nil {
		if kind := errorKind(err); kind != "" {
			s.errs.CountNeo4jError(kind)
		}
	}
	return err
}

// errorKind returns the kind of a failed Neo4j transaction, "" when err is
// none: no error, a caller that went away, or the transaction work's own
// error (journeys.ErrStale, a journeys.Error).
func errorKind(err error) string {
	var (
		nerr  *neo4j.Neo4jError
		conn  *neo4j.ConnectivityError
		limit *neo4j.TransactionExecutionLimit
	)
	if errors.As(err, &conn) && conn.Inner != nil {
		err = conn.Inner // the driver's does not unwrap: a deadline shows as a lost connection
	}
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return ErrTimeout
	case errors.As(err, &nerr) && strings.Contains(nerr.Code, "TransactionTimedOut"):
		return ErrTimeout
	case conn != nil, errors.As(err, &limit):
		return ErrUnavailable
	case nerr != nil && nerr.Classification() == "TransientError":
		return ErrUnavailable
	case nerr != nil:
		return ErrQuery
	}
	return ""
}
