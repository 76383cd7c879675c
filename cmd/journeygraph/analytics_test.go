package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys/report"
)

func TestReportCommands(t *testing.T) {
	graphtest.Open(t) // Neo4j must be up (the commands open their own store)
	dir := t.TempDir()
	run := graphtest.RunID(t)
	data := writeFile(t, dir, "events.csv", `uid,ts,action
u1,2024-05-01T10:00:00Z,product_view
u1,2024-05-01T10:01:00Z,add_to_cart
u1,2024-05-01T10:03:00Z,purchase
u2,2024-05-01T11:00:00Z,product_view
u2,2024-05-01T11:05:00Z,add_to_cart
u3,2024-05-01T12:00:00Z,product_view
`)
	mapping := writeFile(t, dir, "mapping.json", fmt.Sprintf(
		`{"format":"csv","header":true,"person":"uid","time":"ts","name":"action","person_prefix":%q}`, run))
	db := neo4jArgs(graphtest.Config())
	if _, err := runCmd(t, append(append([]string{"import", "--mapping", mapping, "--state-dir", filepath.Join(dir, "state")}, db...), data)...); err != nil {
		t.Fatal(err)
	}
	scope := append([]string{"--person-prefix", run}, db...)
	tests := []struct {
		name string
		args []string
		want []string // substrings of the output
	}{
		{"funnel table", []string{"funnel", "--funnel", "product_view,add_to_cart,purchase"},
			[]string{"0  product_view  3", "1  add_to_cart   2       1         66.67%", "2  purchase      1       1         50.00%     33.33%      3m0s"}},
		{"dropped", []string{"funnel", "--funnel", "product_view,add_to_cart,purchase", "--dropped", "2"},
			[]string{"1 people dropped before step 2 (purchase)", run + "u2"}},
		{"paths", []string{"paths", "--start", "product_view", "--depth", "2"},
			[]string{"3 people in scope", "2       66.67  2      product_view → add_to_cart"}},
		{"transitions", []string{"transitions", "--unit", "journey"},
			[]string{"add_to_cart   purchase      1      1       0.5000      2m0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCmd(t, append(tt.args, scope...)...)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	out, err := runCmd(t, append([]string{"funnel", "--json", "--funnel", "product_view,purchase", "--window", "1m"}, scope...)...)
	if err != nil {
		t.Fatal(err)
	}
	var rep report.FunnelReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if rep.Steps[1].People != 0 || rep.Steps[1].DropOff != 3 {
		t.Errorf("1-minute window: %+v, want nobody converting", rep.Steps[1])
	}
	if _, err := runCmd(t, append([]string{"paths", "--depth", "50"}, scope...)...); err == nil || !strings.Contains(err.Error(), "depth: 50 is more than the maximum 20") {
		t.Errorf("depth 50: %v", err)
	}
}
