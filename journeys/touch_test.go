package journeys

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// touches builds a sequence from "step@minute/channel" items; a "|session"
// suffix sets the sender session, "=value" the value.
func touches(items ...string) TouchSequence {
	seq := TouchSequence{Person: "p"}
	for _, it := range items {
		var t Touch
		it, val, _ := strings.Cut(it, "=")
		if val != "" {
			fmt.Sscan(val, &t.Value)
		}
		it, t.Session, _ = strings.Cut(it, "|")
		step, rest, _ := strings.Cut(it, "@")
		min, ch, _ := strings.Cut(rest, "/")
		var m int64
		fmt.Sscan(min, &m)
		t.Step, t.Name, t.TS, t.Channel = step, step, m*60000, ch
		if ch != "" {
			t.Campaign = "c-" + ch
		}
		seq.Touches = append(seq.Touches, t)
	}
	return seq
}

func TestPathOptionsPaths(t *testing.T) {
	tests := []struct {
		name string
		opt  PathOptions
		seq  TouchSequence
		want []string // "steps|converted|value" per path
	}{
		{"sessions split after 30 minutes", PathOptions{},
			touches("view@0/a", "cart@10/a", "view@50/b"), []string{"view>cart|false|0", "view|false|0"}},
		{"sender session change splits", PathOptions{},
			touches("view@0/a|s1", "view@1/a|s2"), []string{"view|false|0", "view|false|0"}},
		{"steps stop at the first conversion, all its values count", PathOptions{},
			touches("view@0/a", "purchase@1/a=10", "view@2/a", "purchase@3/a=5"), []string{"view|true|15"}},
		{"a unit opening with a purchase converts with no step", PathOptions{},
			touches("purchase@0/a=7"), []string{"|true|7"}},
		{"unsubscribe ends the unit unconverted", PathOptions{},
			touches("email_open@0/e", "unsubscribe@1/e", "purchase@2/e=9"), []string{"email_open>unsubscribe|false|0"}},
		{"no unsubscribe state", PathOptions{Unsubscribe: NoUnsubscribe},
			touches("unsubscribe@0/e", "purchase@2/e=9"), []string{"unsubscribe|true|9"}},
		{"journey unit keeps sessions together", PathOptions{Unit: UnitJourney},
			touches("view@0/a", "view@100/b", "purchase@101/b=3"), []string{"view>view|true|3"}},
		{"collapse repeats", PathOptions{Collapse: true},
			touches("view@0/a", "view@1/a", "cart@2/a"), []string{"view>cart|false|0"}},
		{"channels: one touch per session up to the converting one", PathOptions{By: ByChannel},
			touches("view@0/a", "view@100/b", "purchase@101/b=4", "view@300/c"), []string{"a>b|true|4"}},
		{"campaigns, missing source", PathOptions{By: ByCampaign},
			touches("view@0/a", "view@100/"), []string{"c-a>(none)|false|0"}},
		{"min length", PathOptions{MinLength: 2},
			touches("view@0/a", "view@100/a", "cart@101/a"), []string{"view>cart|false|0"}},
		{"touches without a step are ignored", PathOptions{},
			touches("view@0/a", "@1/a", "cart@2/a"), []string{"view>cart|false|0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.opt.Normalize(); err != nil {
				t.Fatal(err)
			}
			var got []string
			tt.opt.Paths(tt.seq, func(p *ConversionPath) {
				got = append(got, fmt.Sprintf("%s|%v|%g", strings.Join(p.Steps, ">"), p.Converted, p.Value))
			})
			if strings.Join(got, ";") != strings.Join(tt.want, ";") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPathOptionsNormalize(t *testing.T) {
	tests := []struct {
		name string
		opt  PathOptions
		want string // error message, "" for none
	}{
		{"defaults", PathOptions{}, ""},
		{"bad touchpoint", PathOptions{By: "page"}, `by: unknown touchpoint "page" (want step, channel or campaign)`},
		{"bad unit", PathOptions{Unit: "week"}, `unit: unknown unit "week" (want session or journey)`},
		{"same steps", PathOptions{Conversion: "x", Unsubscribe: "x"}, `unsubscribe: equals the conversion step "x"`},
		{"negative timeout", PathOptions{SessionTimeout: -time.Second}, "session_timeout: negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opt.Normalize()
			if got := ErrorMessage(err); got != tt.want {
				t.Errorf("Normalize() = %q, want %q", got, tt.want)
			}
		})
	}
	o := PathOptions{By: ByChannel}
	_ = o.Normalize()
	if o.Unit != UnitJourney || o.Conversion != DefaultConversion || o.SessionTimeout != DefaultSessionTimeout {
		t.Errorf("channel defaults = %+v", o)
	}
}

// TestPathsSkipNonFiniteValues: a conversion value that is NaN or ±Inf
// (stored unchecked by an older version), or that would make the sum
// overflow, is left out of the path's value and counted.
func TestPathsSkipNonFiniteValues(t *testing.T) {
	tests := []struct {
		name    string
		values  []float64
		value   float64
		skipped int
	}{
		{"finite", []float64{2, 3}, 5, 0},
		{"NaN", []float64{math.NaN(), 3}, 3, 1},
		{"both infinities", []float64{math.Inf(1), 4, math.Inf(-1)}, 4, 2},
		{"overflowing sum", []float64{math.MaxFloat64, math.MaxFloat64}, math.MaxFloat64, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq := touches("view@0")
			for i, v := range tt.values {
				seq.Touches = append(seq.Touches, Touch{StepEvent: StepEvent{Step: "purchase", TS: int64(i+1) * 60000}, Value: v})
			}
			opt := PathOptions{Unit: UnitJourney}
			if err := opt.Normalize(); err != nil {
				t.Fatal(err)
			}
			var n int
			opt.Paths(seq, func(p *ConversionPath) {
				n++
				if p.Value != tt.value || p.SkippedValues != tt.skipped || !p.Converted {
					t.Errorf("value %v, skipped %d, converted %v; want %v, %d, true", p.Value, p.SkippedValues, p.Converted, tt.value, tt.skipped)
				}
			})
			if n != 1 {
				t.Errorf("%d paths, want 1", n)
			}
		})
	}
}
