package main

import (
	"flag"
	"io"
	"testing"
)

// TestWebhookAllowFlag: --webhook-allow (or JOURNEYGRAPH_WEBHOOK_ALLOW)
// lists the internal webhook destinations allowed; a bad item is named.
func TestWebhookAllowFlag(t *testing.T) {
	tests := []struct {
		name, env string
		args      []string
		want      string // the list, or the error
		ok        bool
	}{
		{"none by default", "", nil, "", true},
		{"flag", "", []string{"--webhook-allow", "127.0.0.1/32, receiver.internal"}, "127.0.0.1/32,receiver.internal", true},
		{"environment", "10.0.0.0/8", nil, "10.0.0.0/8", true},
		{"flag wins", "10.0.0.0/8", []string{"--webhook-allow", "::1"}, "::1/128", true},
		{"bad item", "", []string{"--webhook-allow", "127.0.0.1/32,http://x:80"},
			`--webhook-allow: webhook allow list: item 2 "http://x:80" is not a host name, IP address or CIDR prefix`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JOURNEYGRAPH_WEBHOOK_ALLOW", tt.env)
			var f segmentFlags
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			f.register(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			a, err := f.allowList()
			switch {
			case tt.ok && (err != nil || a.String() != tt.want):
				t.Errorf("got %q, %v; want %q", a.String(), err, tt.want)
			case !tt.ok && (err == nil || err.Error() != tt.want):
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}
