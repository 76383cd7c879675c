package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
)

// crashServer starts a second, private Neo4j (its own data folder and port,
// the jars of the main one) that this test may kill without disturbing the
// tests running against the main server.
type crashServer struct {
	t   *testing.T
	env []string
	cfg graph.Config
}

func startCrashServer(t *testing.T) *crashServer {
	if testing.Short() {
		t.Skip("starts a second Neo4j (skipped with -short)")
	}
	root := graphtest.RepoRoot()
	port := os.Getenv("NEO4J_CRASH_TEST_PORT")
	if port == "" {
		port = freePort(t)
	}
	version := os.Getenv("NEO4J_VERSION")
	if version == "" {
		version = "5.26.30"
	}
	s := &crashServer{t: t, env: append(os.Environ(),
		"NEO4J_LOCAL_DIR="+t.TempDir(),
		"NEO4J_LIB_DIR="+filepath.Join(root, ".neo4j", "lib-"+version),
		"NEO4J_BOLT_PORT="+port, "NEO4J_PASSWORD=crash-test-password",
		"NEO4J_HEAP=768m", "NEO4J_PAGECACHE=256m")}
	s.cfg = graph.Config{URI: "bolt://127.0.0.1:" + port, User: "neo4j", Password: "crash-test-password", Database: "neo4j"}
	s.script("start")
	t.Cleanup(func() { s.script("stop") })
	return s
}

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func (s *crashServer) script(cmd string) {
	s.t.Helper()
	c := exec.Command(filepath.Join(graphtest.RepoRoot(), "scripts", "neo4j.sh"), cmd)
	c.Env = s.env
	if out, err := c.CombinedOutput(); err != nil {
		s.t.Fatalf("neo4j.sh %s: %v\n%s", cmd, err, out)
	}
}

// TestImportSurvivesNeo4jCrash kills Neo4j (SIGKILL) in the middle of an
// import, restarts it, and runs the import again: every event is stored
// exactly once and every chain is exactly sorted.
func TestImportSurvivesNeo4jCrash(t *testing.T) {
	srv := startCrashServer(t)
	dir := t.TempDir()
	const people, each = 200, 50
	var b strings.Builder
	b.WriteString("uid,ts,action\n")
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := 0; i < people*each; i++ { // interleaved in time, as real logs are
		fmt.Fprintf(&b, "p%d,%d,e%d\n", i%people, start+int64(i), rng.IntN(6))
	}
	data := writeFile(t, dir, "events.csv", b.String())
	mapping := writeFile(t, dir, "m.json", `{"format":"csv","header":true,"person":"uid","time":"ts","name":"action"}`)
	state := filepath.Join(dir, "state")
	args := append([]string{"import", "--mapping", mapping, "--batch", "500", "--state-dir", state,
		"--rejects", filepath.Join(dir, "rejects.csv")}, neo4jArgs(srv.cfg)...)
	args = append(args, data)

	done := make(chan error, 1)
	go func() { _, err := runCmd(t, args...); done <- err }()
	// Wait until some batches are committed (the checkpoint counts them: a
	// sorted import writes one after reading, before any batch), then kill
	// Neo4j mid-import.
	committed := func() bool {
		m, _ := filepath.Glob(filepath.Join(state, "*.json"))
		for _, path := range m {
			var cp struct{ Line, Written int }
			if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &cp) == nil && cp.Line+cp.Written > 0 {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if committed() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint within 2 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.script("kill")
	time.Sleep(time.Second)
	srv.script("start")
	if err := <-done; err != nil {
		t.Logf("import interrupted as expected: %v", err)
	} else {
		t.Log("the driver's retries carried the import across the restart")
	}

	out, err := runCmd(t, args...) // resume
	if err != nil {
		t.Fatalf("resumed import: %v", err)
	}
	if !strings.Contains(out, fmt.Sprintf("read %d,", people*each)) || !strings.Contains(out, "rejected 0") {
		t.Errorf("resumed import summary %q, want all %d rows read and none rejected", out, people*each)
	}
	ctx := context.Background()
	store, err := graph.Open(ctx, srv.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	for p := 0; p < people; p++ {
		ids, err := store.CheckChain(ctx, fmt.Sprintf("p%d", p))
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != each {
			t.Fatalf("person p%d has %d events after the crash, want %d", p, len(ids), each)
		}
	}
}
