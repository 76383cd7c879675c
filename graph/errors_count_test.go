package graph

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestErrorKind(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no error", nil, ""},
		{"the caller went away", fmt.Errorf("journey: %w", context.Canceled), ""},
		{"the work's own error", journeys.Errorf(journeys.ENOTFOUND, "person not found"), ""},
		{"a stale segment", fmt.Errorf("apply: %w", journeys.ErrStale), ""},
		{"the caller's deadline", fmt.Errorf("get_journey: %w", context.DeadlineExceeded), ErrTimeout},
		{"Neo4j's transaction timeout", &neo4j.Neo4jError{Code: "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"}, ErrTimeout},
		{"unreachable", &neo4j.ConnectivityError{Inner: errors.New("connection refused")}, ErrUnavailable},
		{"a deadline while connecting", &neo4j.ConnectivityError{Inner: context.DeadlineExceeded}, ErrTimeout},
		{"a caller gone while connecting", &neo4j.ConnectivityError{Inner: context.Canceled}, ""},
		{"retries exhausted", &neo4j.TransactionExecutionLimit{Cause: "timeout"}, ErrUnavailable},
		{"transient, wrapped", fmt.Errorf("q: %w", &neo4j.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected"}), ErrUnavailable},
		{"a refused query, wrapped", fmt.Errorf("q: %w", &neo4j.Neo4jError{Code: "Neo.ClientError.Statement.ArgumentError"}), ErrQuery},
		{"a database error", &neo4j.Neo4jError{Code: "Neo.DatabaseError.General.UnknownError"}, ErrQuery},
		{"not Neo4j's", errors.New("bad record"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorKind(tt.err); got != tt.want {
				t.Errorf("errorKind(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
