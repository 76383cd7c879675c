package markov

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Fit estimates a chain from paths:
//
//	P[i][j] = (n(i→j) + α·[i→j allowed]) / Σ_k (n(i→k) + α·[i→k allowed])
//
// where n counts weighted transitions, each journey running from its start
// state through the states of its steps to Conversion, Exit or
// Unsubscribe. Only counts are held while reading, never the paths.
// It returns ErrEmpty if seqs holds no journey, the iterator's error, or an
// error for a negative or non-finite weight or value.
func Fit(seqs Sequences, opt Options) (*Chain, error) {
	return FitParts([]Sequences{seqs}, opt)
}

// Reserved builder ids of the absorbing states.
const (
	bConv = iota
	bExit
	bUnsub
	bFirst // first id of other states
)

// builder accumulates transition counts with interned states.
type builder struct {
	opt    Options
	k      int
	stepID map[string]int32
	steps  []string
	// states: tuple states keyed by their encoded step ids, starts by label.
	stateID map[string]int32
	startID map[string]int32
	tuple   [][]int32         // step ids of each state (nil for virtual ones)
	start   []string          // label of start states ("" otherwise)
	channel []string          // entry channel of start states
	out     [][]outEdge       // transitions by from state
	outIdx  []map[int32]int32 // index into out for states with many successors
	cvalue  []float64         // conversion value by last state

	journeys, conversions, value float64

	// touch accumulates first, last and linear touches per step when not nil.
	touch [][3]Touch

	// Scratch of the last walk.
	buf    []byte
	cur    []int32
	last   []string
	ids    []int32
	seq    []int32
	unsub  bool
	from   int32   // start state of the last path
	slots  []int32 // slots in b.out of the last path's transitions
	start0 int32   // the shared start state, or -1
	single []int32 // state of the one-step tuple of each step, or -1
}

func newBuilder(opt Options) *builder {
	if opt.Smoothing < 0 || math.IsNaN(opt.Smoothing) {
		panic(fmt.Sprintf("markov: negative smoothing %g", opt.Smoothing))
	}
	b := &builder{
		opt:     opt,
		k:       opt.order(),
		stepID:  make(map[string]int32),
		stateID: make(map[string]int32),
		startID: make(map[string]int32),
		tuple:   make([][]int32, bFirst),
		start:   make([]string, bFirst),
		channel: make([]string, bFirst),
		start0:  -1,
	}
	return b
}

func (b *builder) step(s string) int32 {
	id, ok := b.stepID[s]
	if !ok {
		id = int32(len(b.steps))
		b.stepID[s] = id
		b.steps = append(b.steps, s)
	}
	return id
}

func (b *builder) startState(channel string) int32 {
	if !b.opt.StartPerChannel && b.start0 >= 0 {
		return b.start0
	}
	l := Start
	if b.opt.StartPerChannel {
		l = "(start:" + channel + ")"
	} else {
		channel = "" // the shared start belongs to no channel
	}
	id, ok := b.startID[l]
	if !ok {
		id = int32(len(b.tuple))
		b.startID[l] = id
		b.tuple = append(b.tuple, nil)
		b.start = append(b.start, l)
		b.channel = append(b.channel, channel)
	}
	if !b.opt.StartPerChannel {
		b.start0 = id
	}
	return id
}

// state interns the tuple state t.
func (b *builder) state(t []int32) int32 {
	if len(t) != 1 {
		return b.intern(t)
	}
	for int(t[0]) >= len(b.single) {
		b.single = append(b.single, -1)
	}
	id := b.single[t[0]]
	if id < 0 {
		id = b.intern(t)
		b.single[t[0]] = id
	}
	return id
}

// intern returns the id of tuple state t, creating it if new.
func (b *builder) intern(t []int32) int32 {
	b.buf = b.buf[:0]
	for _, s := range t {
		b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(s))
	}
	if id, ok := b.stateID[string(b.buf)]; ok {
		return id
	}
	id := int32(len(b.tuple))
	b.stateID[string(b.buf)] = id
	b.tuple = append(b.tuple, slices.Clone(t))
	b.start = append(b.start, "")
	b.channel = append(b.channel, "")
	return id
}

// outEdge is a weighted transition count.
type outEdge struct {
	to int32
	w  float64
}

// manyOut is the number of successors above which a state's transitions
// are indexed by a map rather than scanned.
const manyOut = 32

// edge adds w to the count of from→to and returns the transition's slot
// in b.out[from].
func (b *builder) edge(from, to int32, w float64) int32 {
	for int(from) >= len(b.out) {
		b.out = append(b.out, nil)
		b.outIdx = append(b.outIdx, nil)
	}
	es := b.out[from]
	if idx := b.outIdx[from]; idx != nil {
		if k, ok := idx[to]; ok {
			es[k].w += w
			return k
		}
		idx[to] = int32(len(es))
	} else {
		for k := range es {
			if es[k].to == to {
				es[k].w += w
				return int32(k)
			}
		}
		if len(es) == manyOut {
			idx := make(map[int32]int32, 2*manyOut)
			for k, e := range es {
				idx[e.to] = int32(k)
			}
			idx[to] = int32(len(es))
			b.outIdx[from] = idx
		}
	}
	b.out[from] = append(es, outEdge{to: to, w: w})
	return int32(len(es))
}

func (b *builder) add(p Path) error {
	w := p.weight()
	if !(w > 0) || math.IsInf(w, 0) {
		return fmt.Errorf("markov: path weight %g is not a positive number", p.Weight)
	}
	if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
		return fmt.Errorf("markov: path value %g is not finite", p.Value)
	}
	prev := b.startState(p.entry())
	b.journeys += w
	if b.same(p.Steps) && prev == b.from {
		// Same transitions as the last path: add to their slots.
		for k, st := range b.seq {
			b.out[prev][b.slots[k]].w += w
			prev = st
		}
	} else {
		if !b.same(p.Steps) {
			b.walk(p.Steps)
		}
		b.from = prev
		b.slots = b.slots[:0]
		for _, st := range b.seq {
			b.slots = append(b.slots, b.edge(prev, st, w))
			prev = st
		}
	}
	if b.touch != nil && p.Converted && !b.unsub && len(b.ids) > 0 {
		b.touches(w, p.Value)
	}
	switch {
	case b.unsub:
		b.edge(prev, bUnsub, w)
	case p.Converted:
		b.edge(prev, bConv, w)
		for int(prev) >= len(b.cvalue) {
			b.cvalue = append(b.cvalue, 0)
		}
		b.cvalue[prev] += p.Value
		b.conversions += w
		b.value += p.Value
	default:
		b.edge(prev, bExit, w)
	}
	return nil
}

// same reports whether steps equal those of the last walk, so that the
// converted and non-converted halves of an aggregated row are walked once.
func (b *builder) same(steps []string) bool {
	if b.last == nil || len(steps) != len(b.last) {
		return false
	}
	for i, s := range steps {
		if s != b.last[i] {
			return false
		}
	}
	return true
}

// walk maps steps to b.ids (every step) and b.seq (the states visited
// after the start), and sets b.unsub if the path reaches Options.Unsubscribe.
func (b *builder) walk(steps []string) {
	b.last = append(b.last[:0], steps...)
	b.ids, b.seq, b.cur, b.unsub = b.ids[:0], b.seq[:0], b.cur[:0], false
	lastID := int32(-1)
	for _, s := range steps {
		id := b.step(s)
		b.ids = append(b.ids, id)
		if b.unsub {
			continue
		}
		if b.opt.Unsubscribe != "" && s == b.opt.Unsubscribe {
			b.unsub = true
			continue
		}
		if b.opt.CollapseRepeats && id == lastID {
			continue
		}
		lastID = id
		if len(b.cur) == b.k {
			copy(b.cur, b.cur[1:])
			b.cur = b.cur[:b.k-1]
		}
		b.cur = append(b.cur, id)
		b.seq = append(b.seq, b.state(b.cur))
	}
}

// touches credits a converted path to its first, last and every touch.
func (b *builder) touches(w, value float64) {
	for len(b.touch) < len(b.steps) {
		b.touch = append(b.touch, [3]Touch{})
	}
	first, last := b.ids[0], b.ids[len(b.ids)-1]
	b.touch[first][0].Conversions += w
	b.touch[first][0].Value += value
	b.touch[last][1].Conversions += w
	b.touch[last][1].Value += value
	share := 1 / float64(len(b.ids))
	for _, id := range b.ids {
		b.touch[id][2].Conversions += w * share
		b.touch[id][2].Value += value * share
	}
}

// label returns the label of builder state id.
func (b *builder) label(id int32) string {
	switch {
	case id == bConv:
		return Conversion
	case id == bExit:
		return Exit
	case id == bUnsub:
		return Unsubscribe
	case b.start[id] != "":
		return b.start[id]
	}
	parts := make([]string, len(b.tuple[id]))
	for i, s := range b.tuple[id] {
		parts[i] = b.steps[s]
	}
	return strings.Join(parts, TupleSep)
}

// chain builds the Chain in canonical order.
func (b *builder) chain() (*Chain, error) {
	if b.journeys == 0 {
		return nil, ErrEmpty
	}
	// Canonical order: starts, step states by label, absorbing states.
	var starts, steps []int32
	for id := int32(bFirst); id < int32(len(b.tuple)); id++ {
		if b.start[id] != "" {
			starts = append(starts, id)
		} else {
			steps = append(steps, id)
		}
	}
	labels := make([]string, len(b.tuple))
	for id := range b.tuple {
		labels[id] = b.label(int32(id))
	}
	byLabel := func(x, y int32) int { return strings.Compare(labels[x], labels[y]) }
	slices.SortFunc(starts, byLabel)
	slices.SortFunc(steps, byLabel)
	order := append(starts, steps...)
	nt := len(order)
	order = append(order, bConv, bExit)
	if b.opt.Unsubscribe != "" {
		order = append(order, bUnsub)
	}
	pos := make([]int, len(b.tuple)) // builder id → canonical index
	for i := range pos {
		pos[i] = -1
	}
	for i, id := range order {
		pos[id] = i
	}

	n := len(order)
	limit := b.opt.MaxStates
	if limit <= 0 {
		limit = DefaultMaxStates
	}
	if n > limit {
		return nil, fmt.Errorf("%w: %d > %d (lower Options.Order or raise Options.MaxStates)", ErrTooManyStates, n, limit)
	}
	c := &Chain{
		labels:  make([]string, n),
		index:   make(map[string]int, n),
		tuples:  make([][]string, n),
		channel: make([]string, n),
		nt:      nt,
		conv:    pos[bConv],
		exit:    pos[bExit],
		p:       mat.NewDense(n, n, nil),
		n:       mat.NewDense(n, n, nil),
		cvalue:  make([]float64, n),
		opt:     b.opt,

		journeys:    b.journeys,
		conversions: b.conversions,
		value:       b.value,
	}
	c.opt.Order = b.k
	for i, id := range order {
		c.labels[i] = labels[id]
		c.index[labels[id]] = i
		c.channel[i] = b.channel[id]
		if t := b.tuple[id]; t != nil {
			c.tuples[i] = make([]string, len(t))
			for k, s := range t {
				c.tuples[i][k] = b.steps[s]
			}
		}
	}
	for from, es := range b.out {
		for _, e := range es {
			c.n.Set(pos[from], pos[e.to], e.w)
		}
	}
	for id, v := range b.cvalue {
		if v != 0 {
			c.cvalue[pos[id]] = v
		}
	}
	for _, id := range starts {
		i := pos[id]
		c.starts = append(c.starts, i)
		c.startW = append(c.startW, mat.Sum(c.n.RowView(i))/b.journeys)
	}
	b.probabilities(c, pos)
	return c, nil
}

// probabilities fills c.p from c.n, adding the smoothing pseudo-count to
// the allowed transitions.
func (b *builder) probabilities(c *Chain, pos []int) {
	n := c.Len()
	alpha := b.opt.Smoothing
	row := make([]float64, n)
	for i := 0; i < n; i++ {
		if i >= c.nt {
			c.p.Set(i, i, 1)
			continue
		}
		copy(row, c.n.RawRowView(i))
		if alpha > 0 {
			for j := c.nt; j < n; j++ {
				row[j] += alpha
			}
			for _, j := range b.successors(c, i, pos) {
				row[j] += alpha
			}
		}
		sum := 0.0
		for _, v := range row {
			sum += v
		}
		for j, v := range row {
			c.p.Set(i, j, v/sum)
		}
	}
}

// successors returns the observed step states that can follow state i:
// the shift of its tuple by any step (any single-step state after a start).
func (b *builder) successors(c *Chain, i int, pos []int) []int {
	var t []int32
	if c.tuples[i] != nil {
		for _, s := range c.tuples[i] {
			t = append(t, b.stepID[s])
		}
	}
	var js []int
	next := make([]int32, 0, b.k)
	for s := int32(0); s < int32(len(b.steps)); s++ {
		if b.opt.CollapseRepeats && len(t) > 0 && t[len(t)-1] == s {
			continue
		}
		next = append(next[:0], t...)
		if len(next) == b.k {
			next = next[1:]
		}
		next = append(next, s)
		b.buf = b.buf[:0]
		for _, x := range next {
			b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(x))
		}
		if id, ok := b.stateID[string(b.buf)]; ok {
			js = append(js, pos[id])
		}
	}
	return js
}
