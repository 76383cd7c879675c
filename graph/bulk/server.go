package bulk

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
)

// Server is the Neo4j that scripts/neo4j.sh manages: the one server whose
// database an offline import may replace, because the script can stop and
// start it.
type Server struct {
	// Script is the path of scripts/neo4j.sh.
	Script string
	// Env is added to the process's environment for the script: a private
	// server's NEO4J_LOCAL_DIR, NEO4J_BOLT_PORT, NEO4J_LIB_DIR...
	Env []string
	// Out receives the script's output (its log lines and the importer's
	// progress); discarded when nil.
	Out io.Writer
}

// run runs the script with args.
func (s *Server) run(ctx context.Context, stdout io.Writer, args ...string) error {
	if _, err := os.Stat(s.Script); err != nil {
		return journeys.Errorf(journeys.EINVALID, "neo4j script: %v (run from the repository root, or set --neo4j-script)", err)
	}
	cmd := exec.CommandContext(ctx, "bash", append([]string{s.Script}, args...)...)
	cmd.Env = append(os.Environ(), s.Env...)
	out := s.Out
	if out == nil {
		out = io.Discard
	}
	if stdout == nil {
		stdout = out
	}
	cmd.Stdout, cmd.Stderr = stdout, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", s.Script, args[0], err)
	}
	return nil
}

// URI returns the Bolt URI of the managed server (scripts/neo4j.sh env).
func (s *Server) URI(ctx context.Context) (string, error) {
	var b bytes.Buffer
	if err := s.run(ctx, &b, "env"); err != nil {
		return "", err
	}
	sc := bufio.NewScanner(&b)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "export NEO4J_URI="); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("%s env: no NEO4J_URI", s.Script)
}

// Manages tells whether uri names the managed server (localhost and
// 127.0.0.1 are the same host).
func (s *Server) Manages(ctx context.Context, uri string) (bool, error) {
	own, err := s.URI(ctx)
	if err != nil {
		return false, err
	}
	return sameServer(uri, own), nil
}

// sameServer compares two Bolt URIs by scheme, host and port.
func sameServer(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	host := func(u *url.URL) string {
		h, p := u.Hostname(), u.Port()
		if h == "localhost" || h == "::1" {
			h = "127.0.0.1"
		}
		if p == "" {
			p = "7687"
		}
		return h + ":" + p
	}
	return ua.Scheme == ub.Scheme && host(ua) == host(ub)
}

// Start starts the server and waits until it answers (running already is
// no error).
func (s *Server) Start(ctx context.Context) error { return s.run(ctx, nil, "start") }

// Stop stops the server cleanly.
func (s *Server) Stop(ctx context.Context) error { return s.run(ctx, nil, "stop") }

// Wipe stops the server and deletes its databases (scripts/neo4j.sh
// wipe): for a private server of tests and benchmarks only.
func (s *Server) Wipe(ctx context.Context) error { return s.run(ctx, nil, "wipe") }

// AdminImport replaces the stopped server's database neo4j by an offline
// import of files.
func (s *Server) AdminImport(ctx context.Context, files Files) error {
	return s.run(ctx, nil, append([]string{"admin-import"}, files.Args()...)...)
}
