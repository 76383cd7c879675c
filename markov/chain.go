package markov

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Labels of the virtual states.
const (
	// Start is the virtual state every journey leaves from. With
	// Options.StartPerChannel there is one per entry channel, labelled
	// "(start:CHANNEL)".
	Start = "(start)"
	// Conversion is the absorbing state of converted journeys.
	Conversion = "(conversion)"
	// Exit is the absorbing state of journeys that end without converting.
	Exit = "(exit)"
	// Unsubscribe is the absorbing state entered at the step named by
	// Options.Unsubscribe.
	Unsubscribe = "(unsubscribe)"
)

// TupleSep joins the steps of an order-k state into its label.
const TupleSep = " > "

// Errors for properties of the data. Test with errors.Is.
var (
	// ErrEmpty: no journeys, or no transient state.
	ErrEmpty = errors.New("markov: no journeys")
	// ErrNoAbsorbing: the chain has no absorbing state.
	ErrNoAbsorbing = errors.New("markov: no absorbing state")
	// ErrSingular: I − Q is singular (some state never reaches an
	// absorbing state) or too ill-conditioned to solve.
	ErrSingular = errors.New("markov: singular system")
	// ErrNoStart: the chain has no start state.
	ErrNoStart = errors.New("markov: no start state")
	// ErrTooManyStates: the data has more states than Options.MaxStates.
	ErrTooManyStates = errors.New("markov: too many states")
)

// DefaultMaxStates is the default of Options.MaxStates. Matrices are dense:
// n states take 8n² bytes each, and the absorbing analysis O(n³) time.
const DefaultMaxStates = 5000

// Options configure how Fit turns paths into a chain.
type Options struct {
	// Order is the number of last steps a state remembers (0 means 1).
	// At order k a state is the tuple of the last min(k, steps so far)
	// steps, labelled with the steps joined by TupleSep.
	Order int
	// StartPerChannel gives each entry channel its own start state
	// "(start:CHANNEL)" instead of one shared Start.
	StartPerChannel bool
	// Unsubscribe, if not empty, is a step label that absorbs: a path
	// reaching it moves to the Unsubscribe state and its later steps (and
	// conversion) are ignored.
	Unsubscribe string
	// Smoothing is an additive pseudo-count α ≥ 0 added to every
	// transition the structure allows: from each transient state to each
	// observed state that can follow it and to each absorbing state.
	Smoothing float64
	// CollapseRepeats merges consecutive identical steps (a > a > b is
	// read as a > b), as ChannelAttribution does. It changes no
	// absorption probability of an order-1 chain, only self-loops and
	// expected steps.
	CollapseRepeats bool
	// MaxStates bounds the number of states (0 means DefaultMaxStates);
	// Fit returns ErrTooManyStates beyond it.
	MaxStates int
}

func (o Options) order() int {
	if o.Order <= 0 {
		return 1
	}
	return o.Order
}

// Chain is an absorbing Markov chain over journey states. States are
// numbered in canonical order: transient states first (start states, then
// steps sorted by label), then absorbing states (Conversion, Exit and, if
// configured, Unsubscribe), so that P = [[Q, R], [0, I]].
// A Chain is read-only once built and safe for concurrent reads.
type Chain struct {
	labels  []string
	index   map[string]int
	tuples  [][]string // steps of each step state; nil for virtual states
	channel []string   // entry channel of start states ("" for Start)
	nt      int        // number of transient states
	starts  []int
	startW  []float64 // share of journeys leaving each start state
	conv    int       // index of Conversion, -1 if absent
	exit    int       // index of Exit, -1 if absent
	p       *mat.Dense
	n       *mat.Dense // observed transition counts; nil for NewChain
	cvalue  []float64  // conversion value carried into Conversion from each state
	opt     Options

	journeys, conversions, value float64
}

// NewChain returns a chain with the given state labels and row-stochastic
// transition matrix p. States whose row has p[i][i] == 1 are absorbing;
// the one labelled Conversion gives conversion probabilities. Transient
// states whose label starts with "(start" are start states, weighted
// equally. Other transient labels are order-1 steps.
// It panics if p is not square of size len(states), and returns an error
// for duplicate labels, entries outside [0, 1], rows not summing to 1, or no
// absorbing state.
func NewChain(states []string, p mat.Matrix) (*Chain, error) {
	r, c := p.Dims()
	if r != c || r != len(states) {
		panic(fmt.Sprintf("markov: NewChain: %d labels for a %d×%d matrix", len(states), r, c))
	}
	var trans, abs []int
	seen := make(map[string]bool, r)
	for i, l := range states {
		if seen[l] {
			return nil, fmt.Errorf("markov: duplicate state %q", l)
		}
		seen[l] = true
		sum := 0.0
		for j := 0; j < c; j++ {
			v := p.At(i, j)
			if !(v >= 0 && v <= 1) {
				return nil, fmt.Errorf("markov: P[%q][%q] = %g is not a probability", l, states[j], v)
			}
			sum += v
		}
		if math.Abs(sum-1) > 1e-9*float64(c) {
			return nil, fmt.Errorf("markov: row %q sums to %g, not 1", l, sum)
		}
		if p.At(i, i) == 1 {
			abs = append(abs, i)
		} else {
			trans = append(trans, i)
		}
	}
	if len(abs) == 0 {
		return nil, ErrNoAbsorbing
	}
	order := append(trans, abs...)
	ch := &Chain{
		labels:  make([]string, r),
		index:   make(map[string]int, r),
		tuples:  make([][]string, r),
		channel: make([]string, r),
		nt:      len(trans),
		conv:    -1,
		exit:    -1,
		p:       mat.NewDense(r, r, nil),
		cvalue:  make([]float64, r),
		opt:     Options{Order: 1},
	}
	for ni, oi := range order {
		l := states[oi]
		ch.labels[ni] = l
		ch.index[l] = ni
		for nj, oj := range order {
			ch.p.Set(ni, nj, p.At(oi, oj))
		}
		switch {
		case ni >= ch.nt:
			if l == Conversion {
				ch.conv = ni
			}
			if l == Exit {
				ch.exit = ni
			}
		case strings.HasPrefix(l, "(start"):
			ch.starts = append(ch.starts, ni)
			if strings.HasPrefix(l, "(start:") && strings.HasSuffix(l, ")") {
				ch.channel[ni] = l[len("(start:") : len(l)-1]
			}
		default:
			ch.tuples[ni] = []string{l}
		}
	}
	for range ch.starts {
		ch.startW = append(ch.startW, 1/float64(len(ch.starts)))
	}
	return ch, nil
}

// Len returns the number of states.
func (c *Chain) Len() int { return len(c.labels) }

// Transient returns the number of transient states; they are numbered
// 0..Transient()-1 and the absorbing ones follow.
func (c *Chain) Transient() int { return c.nt }

// IsAbsorbing reports whether state i is absorbing.
func (c *Chain) IsAbsorbing(i int) bool { return i >= c.nt }

// Order returns the order of the chain.
func (c *Chain) Order() int { return c.opt.order() }

// Label returns the label of state i.
func (c *Chain) Label(i int) string { return c.labels[i] }

// Labels returns the labels of all states in canonical order.
func (c *Chain) Labels() []string { return append([]string(nil), c.labels...) }

// Index returns the state labelled l, or -1.
func (c *Chain) Index(l string) int {
	if i, ok := c.index[l]; ok {
		return i
	}
	return -1
}

// Steps returns the steps remembered by state i (one at order 1, up to k
// at order k), or nil for a start or absorbing state.
func (c *Chain) Steps(i int) []string { return c.tuples[i] }

// Starts returns the start states.
func (c *Chain) Starts() []int { return append([]int(nil), c.starts...) }

// StartWeights returns the share π_k of journeys leaving each start state,
// in the order of Starts.
func (c *Chain) StartWeights() []float64 { return append([]float64(nil), c.startW...) }

// ConversionState returns the index of Conversion, or -1.
func (c *Chain) ConversionState() int { return c.conv }

// ExitState returns the index of Exit, or -1.
func (c *Chain) ExitState() int { return c.exit }

// Prob returns the transition probability P[i][j].
func (c *Chain) Prob(i, j int) float64 { return c.p.At(i, j) }

// Count returns the observed (weighted) number of transitions i→j, the
// support of Prob(i, j); zero for a chain built by NewChain.
func (c *Chain) Count(i, j int) float64 {
	if c.n == nil {
		return 0
	}
	return c.n.At(i, j)
}

// Out returns the observed number of transitions leaving state i.
func (c *Chain) Out(i int) float64 {
	if c.n == nil {
		return 0
	}
	return mat.Sum(c.n.RowView(i))
}

// P returns the transition matrix. Do not modify it.
func (c *Chain) P() mat.Matrix { return c.p }

// Counts returns the observed transition counts, or nil for a chain built
// by NewChain. Do not modify it.
func (c *Chain) Counts() mat.Matrix {
	if c.n == nil {
		return nil
	}
	return c.n
}

// Journeys returns the number of journeys the chain was fitted on.
func (c *Chain) Journeys() float64 { return c.journeys }

// Conversions returns the number of converted journeys.
func (c *Chain) Conversions() float64 { return c.conversions }

// Value returns the total conversion value.
func (c *Chain) Value() float64 { return c.value }

// ConversionValue returns the mean value of a conversion made from state
// i: the value carried from i into Conversion over the count of those
// transitions (zero if there is none).
func (c *Chain) ConversionValue(i int) float64 {
	if c.n == nil || c.conv < 0 || c.n.At(i, c.conv) == 0 {
		return 0
	}
	return c.cvalue[i] / c.n.At(i, c.conv)
}

// Edge is one transition of a chain.
type Edge struct {
	From, To int
	// Count is the observed number of transitions, Prob the probability.
	Count, Prob float64
}

// Edges returns the transitions with non-zero probability out of the
// transient states, ordered by From then To.
func (c *Chain) Edges() []Edge {
	var es []Edge
	for i := 0; i < c.nt; i++ {
		for j := range c.labels {
			if pr := c.p.At(i, j); pr > 0 {
				es = append(es, Edge{From: i, To: j, Count: c.Count(i, j), Prob: pr})
			}
		}
	}
	return es
}

// startLabel returns the label of the start state of a journey entering
// through channel.
func (c *Chain) startLabel(channel string) string {
	if !c.opt.StartPerChannel {
		return Start
	}
	return "(start:" + channel + ")"
}
