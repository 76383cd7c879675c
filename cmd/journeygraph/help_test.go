package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestHelpShowsNoSecrets runs every command's -h with every secret set in
// the environment (and, for serve, given as flags before a bad one): the
// help names where each default comes from, never the secret.
func TestHelpShowsNoSecrets(t *testing.T) {
	secrets := map[string]string{
		"NEO4J_PASSWORD":              "neo4j-pw-0c1d",
		"JOURNEYGRAPH_WRITE_KEYS":     "jgw_write-0c1d,jgw_write2-0c1d",
		"JOURNEYGRAPH_READ_KEYS":      "jgr_read-0c1d",
		"JOURNEYGRAPH_ADMIN_KEYS":     "jga_admin-0c1d",
		"JOURNEYGRAPH_UI_PASSWORDS":   "ui-pw-0c1d",
		"JOURNEYGRAPH_SESSION_SECRET": "session-secret-0c1d",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	commands := [][]string{
		{"serve", "-h"}, {"demo", "-h"}, {"import", "-h"}, {"restep", "-h"},
		{"paths", "-h"}, {"transitions", "-h"}, {"funnel", "-h"},
		{"segments", "list", "-h"}, {"segments", "members", "-h"},
		{"friction", "-h"}, {"attribution", "-h"}, {"fit", "-h"}, {"states", "-h"}, {"clusters", "-h"}, {"propensity", "fit", "-h"},
		{"bench", "ingest", "-h"}, {"bench", "analytics", "-h"}, {"bench", "segments", "-h"},
		{"serve", "--neo4j-password", "flag-pw-0c1d", "--admin-keys", "flag-key-0c1d", "--no-such-flag"},
	}
	for _, args := range commands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), args, &out, &errOut)
			if err == nil {
				t.Fatal("no error: want the help and flag.ErrHelp, or a flag error")
			}
			help := out.String() + errOut.String() + err.Error()
			if !errors.Is(err, flag.ErrHelp) && !strings.Contains(err.Error(), "no-such-flag") {
				t.Fatalf("err = %v, want the help", err)
			}
			if !strings.Contains(help, "-neo4j-password") {
				t.Fatalf("no help printed:\n%s", help)
			}
			for _, v := range append(strings.Split(strings.Join(mapValues(secrets), ","), ","), "flag-pw-0c1d", "flag-key-0c1d") {
				if strings.Contains(help, v) {
					t.Errorf("help shows the secret %q:\n%s", v, help)
				}
			}
			if !strings.Contains(help, "(default from NEO4J_PASSWORD)") && !strings.Contains(help, "(default (set))") {
				t.Errorf("help does not say where the Neo4j password comes from:\n%s", help)
			}
		})
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
