package segment

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// blockingEngine evaluates nothing: it waits until its context ends.
type blockingEngine struct{}

func (blockingEngine) EvaluateSegment(ctx context.Context, _ journeys.Pred, _ journeys.SegmentScope) ([]string, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestEvaluationDeadline: an evaluation past its own deadline is an
// ETIMEOUT error naming the limit; one whose caller went away returns the
// caller's context error, not a timeout.
func TestEvaluationDeadline(t *testing.T) {
	seg := journeys.Segment{Name: "slow", Where: journeys.Condition{Did: &journeys.Match{Step: "purchase"}}}
	sg := &Segmenter{Engine: blockingEngine{}, PreviewTimeout: 20 * time.Millisecond}
	_, err := sg.Preview(context.Background(), seg, time.Now(), 10)
	if journeys.ErrorCode(err) != journeys.ETIMEOUT {
		t.Fatalf("preview past its deadline: %v, want code %s", err, journeys.ETIMEOUT)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	sg.PreviewTimeout = time.Minute
	_, err = sg.Preview(ctx, seg, time.Now(), 10)
	if !errors.Is(err, context.Canceled) || journeys.ErrorCode(err) == journeys.ETIMEOUT {
		t.Fatalf("preview whose caller left: %v, want context.Canceled", err)
	}
}
