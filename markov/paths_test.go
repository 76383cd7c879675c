package markov

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// pathsRead reads every path of input, or returns the reader's error.
func pathsRead(input string, configure func(*PathReader)) ([]Path, error) {
	r := NewPathReader(strings.NewReader(input))
	if configure != nil {
		configure(r)
	}
	var ps []Path
	for r.Next() {
		p := r.At()
		p.Steps = append([]string(nil), p.Steps...) // Steps are reused
		ps = append(ps, p)
	}
	return ps, r.Err()
}

func TestPathReader(t *testing.T) {
	ab := []string{"a", "b"}
	tests := []struct {
		name      string
		input     string
		configure func(*PathReader)
		want      []Path
	}{
		{
			name:  "both halves",
			input: "path;total_conversions;total_conversion_value;total_null\na > b;2;5.5;3\n",
			want:  []Path{{Steps: ab, Converted: true, Value: 5.5, Weight: 2}, {Steps: ab, Weight: 3}},
		},
		{
			name:  "zero counts, blank lines, CRLF, spaces",
			input: "path;total_conversions;total_conversion_value;total_null\r\n\r\n  a>b  ;0;0;4\r\nb;1;1;0",
			want:  []Path{{Steps: ab, Weight: 4}, {Steps: []string{"b"}, Converted: true, Value: 1, Weight: 1}},
		},
		{
			name:  "column order and optional columns",
			input: "\ufefftotal_conversions;path\n7;a > > b\n",
			want:  []Path{{Steps: ab, Converted: true, Weight: 7}},
		},
		{
			name:  "quoted fields",
			input: "path,total_conversions,total_null\n\"a, x > b\",1,1\nb,0,2\n",
			configure: func(r *PathReader) {
				r.Comma = ','
			},
			want: []Path{
				{Steps: []string{"a, x", "b"}, Converted: true, Weight: 1},
				{Steps: []string{"a, x", "b"}, Weight: 1},
				{Steps: []string{"b"}, Weight: 2},
			},
		},
		{
			name:  "custom names and separator",
			input: "journey\tbuys\tvalue\tlost\na|b\t1\t2.5e1\t0\n",
			configure: func(r *PathReader) {
				r.Comma, r.Sep, r.PathColumn, r.ConversionsColumn, r.ValueColumn, r.NullColumn = '\t', "|", "journey", "buys", "value", "lost"
			},
			want: []Path{{Steps: ab, Converted: true, Value: 25, Weight: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pathsRead(tt.input, tt.configure)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPathReaderErrors(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "no journeys"},
		{"no conversions column", "path;total_null\na;1\n", "header lacks"},
		{"bad number", "path;total_conversions\na;x\n", `line 2: bad number "x"`},
		{"negative count", "path;total_conversions\na;-1\n", "bad number"},
		{"missing field", "path;total_null;total_conversions\na;1\n", "line 2: missing field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pathsRead(tt.input, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := pathsRead("", nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty input: got %v, want ErrEmpty", err)
	}
}

func TestFromPaths(t *testing.T) {
	ps := []Path{{Steps: []string{"a"}}, {Steps: []string{"b"}}}
	s := FromPaths(ps)
	var got []string
	for s.Next() {
		got = append(got, s.At().Steps[0])
	}
	if s.Next() || s.Err() != nil || !equalStrings(got, []string{"a", "b"}) {
		t.Errorf("got %v (err %v), want [a b]", got, s.Err())
	}
}
