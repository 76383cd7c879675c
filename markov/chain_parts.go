package markov

import "sync"

// FitParts is Fit over several streams of paths, each read on a goroutine
// of its own: the chain is the one Fit returns on all their paths. Each
// stream's Next is called from one goroutine only, so a stream that calls
// back into the caller (to collect something per path) needs no lock as
// long as its callbacks touch nothing another stream does.
func FitParts(parts []Sequences, opt Options) (*Chain, error) {
	b, err := countParts(parts, opt, false)
	if err != nil {
		return nil, err
	}
	return b.chain()
}

// countParts counts the transitions of every part on its own builder,
// concurrently, and merges them into one, in part order. touches makes the
// builders accumulate first, last and linear touches (Attribute).
func countParts(parts []Sequences, opt Options, touches bool) (*builder, error) {
	bs := make([]*builder, max(1, len(parts)))
	for i := range bs {
		bs[i] = newBuilder(opt)
		if touches {
			bs[i].touch = make([][3]Touch, 0, 16)
		}
	}
	errs := make([]error, len(parts))
	if len(parts) == 1 {
		errs[0] = bs[0].read(parts[0])
	} else {
		var wg sync.WaitGroup
		for i, seqs := range parts {
			wg.Go(func() { errs[i] = bs[i].read(seqs) })
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for _, o := range bs[1:] {
		bs[0].merge(o)
	}
	return bs[0], nil
}

// read adds every path of seqs.
func (b *builder) read(seqs Sequences) error {
	for seqs.Next() {
		if err := b.add(seqs.At()); err != nil {
			return err
		}
	}
	return seqs.Err()
}

// merge adds the counts of o, a builder with the same options, to b: as if
// b had also read o's paths. States are matched by their steps (and start
// states by channel), so the two may have interned them in any order.
func (b *builder) merge(o *builder) {
	b.last = nil // the next add walks its path afresh
	stepOf := make([]int32, len(o.steps))
	for i, s := range o.steps {
		stepOf[i] = b.step(s)
	}
	stateOf := make([]int32, len(o.tuple))
	stateOf[bConv], stateOf[bExit], stateOf[bUnsub] = bConv, bExit, bUnsub
	var t []int32
	for id := bFirst; id < len(o.tuple); id++ {
		if o.start[id] != "" {
			stateOf[id] = b.startState(o.channel[id])
			continue
		}
		t = t[:0]
		for _, s := range o.tuple[id] {
			t = append(t, stepOf[s])
		}
		stateOf[id] = b.state(t)
	}
	for from, es := range o.out {
		for _, e := range es {
			b.edge(stateOf[from], stateOf[e.to], e.w)
		}
	}
	for id, v := range o.cvalue {
		to := stateOf[id]
		for int(to) >= len(b.cvalue) {
			b.cvalue = append(b.cvalue, 0)
		}
		b.cvalue[to] += v
	}
	b.journeys += o.journeys
	b.conversions += o.conversions
	b.value += o.value
	if b.touch == nil {
		return
	}
	for len(b.touch) < len(b.steps) {
		b.touch = append(b.touch, [3]Touch{})
	}
	for id, ts := range o.touch {
		for k, t := range ts {
			b.touch[stepOf[id]][k].Conversions += t.Conversions
			b.touch[stepOf[id]][k].Value += t.Value
		}
	}
}
