package ingest

import (
	"github.com/journeygraph/journeygraph/journeys"
)

// bulkPipeBatch is how many events the bulk pipe hands its sink at a time.
const bulkPipeBatch = 1024

// bulkPipe feeds a BulkSink from a goroutine of its own, in order and in
// batches, so that the sink's work (formatting CSV) overlaps the caller's
// (merging the sorted runs). The first error of the sink is returned by
// the next add or by close; the events after it are dropped.
type bulkPipe struct {
	sink  BulkSink
	batch []journeys.Event
	ch    chan []journeys.Event
	done  chan error
	err   error
	free  chan []journeys.Event // batches the sink is done with, reused
}

// newBulkPipe starts the goroutine feeding sink.
func newBulkPipe(sink BulkSink) *bulkPipe {
	p := &bulkPipe{sink: sink, ch: make(chan []journeys.Event, 4), done: make(chan error, 1),
		free: make(chan []journeys.Event, 6)}
	p.batch = make([]journeys.Event, 0, bulkPipeBatch)
	ch := p.ch
	go func() {
		var err error
		for b := range ch {
			for i := 0; i < len(b) && err == nil; i++ {
				err = sink.Add(b[i])
			}
			clear(b)
			select {
			case p.free <- b[:0]:
			default:
			}
			if err != nil {
				p.done <- err
				for range ch {
				}
				return
			}
		}
		p.done <- nil
	}()
	return p
}

// add queues e; it returns the sink's error once one happened.
func (p *bulkPipe) add(e journeys.Event) error {
	if p.err != nil {
		return p.err
	}
	p.batch = append(p.batch, e)
	if len(p.batch) < bulkPipeBatch {
		return nil
	}
	return p.flush()
}

// flush hands the batch to the sink's goroutine.
func (p *bulkPipe) flush() error {
	select {
	case err := <-p.done:
		close(p.ch) // ends the goroutine's drain
		p.err, p.ch = err, nil
		return err
	default:
	}
	if len(p.batch) > 0 {
		p.ch <- p.batch
		select {
		case b := <-p.free:
			p.batch = b
		default:
			p.batch = make([]journeys.Event, 0, bulkPipeBatch)
		}
	}
	return nil
}

// close hands the last batch over, waits for the sink to take every event
// and returns its error.
func (p *bulkPipe) close() error {
	if p.err != nil || p.ch == nil {
		return p.err
	}
	if err := p.flush(); err != nil {
		return err
	}
	close(p.ch)
	err := <-p.done
	p.ch, p.err = nil, err
	if err == nil {
		p.err = errPipeClosed
	}
	return err
}

// stop ends the goroutine when close was not called (an earlier error).
func (p *bulkPipe) stop() {
	if p.ch != nil {
		close(p.ch)
		<-p.done
		p.ch = nil
	}
}

// errPipeClosed is add's error after close.
var errPipeClosed = journeys.Errorf(journeys.EINTERNAL, "bulk pipe: add after close")

// stepMemoSize bounds how many (name, url) pairs a stepMemo remembers.
const stepMemoSize = 1 << 16

// stepKey is what a step rule looks at: the event's name and URL
// (journeys.StepRule matches on nothing else).
type stepKey struct{ name, url string }

// stepResult is a rule set's answer for a stepKey.
type stepResult struct {
	label string
	keep  bool
}

// stepMemo sets events' steps as withStep does, remembering the answer of
// the rules for each (name, url) pair: a file has few of them, and
// matching the rules' patterns for every event is a tenth of a bulk load's
// reading.
type stepMemo struct {
	rules journeys.StepRules
	seen  map[stepKey]stepResult
}

func newStepMemo(rules journeys.StepRules) *stepMemo {
	return &stepMemo{rules: rules, seen: map[stepKey]stepResult{}}
}

// apply returns e with its step (see withStep).
func (m *stepMemo) apply(e journeys.Event) journeys.Event {
	k := stepKey{e.Name, e.URL}
	r, ok := m.seen[k]
	if !ok {
		r.label, r.keep = m.rules.Step(e)
		if len(m.seen) < stepMemoSize {
			m.seen[k] = r
		}
	}
	if r.keep {
		e.Step = r.label
	} else {
		e.Step = ""
	}
	return e
}
